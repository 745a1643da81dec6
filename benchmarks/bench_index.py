"""The web form's index page (``GET /``) over the bundled examples.

Run: python benchmarks/bench_index.py [--runs N] [--dir DIR]

Serves a copy of ``examples/`` through the real app (Starlette's test client, no
network) and times ``GET /``: the first request (cold: every file is read and
scored once) and then N warm requests, the median of which is the figure the
issue asks about. Target: warm median < 150 ms. The index never computes
fairness figures, so no model or data file is opened.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=ROOT / "examples")
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from riskcheck.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "examples"
        shutil.copytree(args.dir, served)
        with TestClient(create_app(served), base_url="http://127.0.0.1") as client:
            start = time.perf_counter()
            response = client.get("/")
            cold = time.perf_counter() - start
            if response.status_code != 200:
                print(f"GET / answered {response.status_code}", file=sys.stderr)
                return 1
            rows = response.text.count('<tr class="entry')
            warm = []
            for _ in range(args.runs):
                start = time.perf_counter()
                client.get("/")
                warm.append(time.perf_counter() - start)
    median = statistics.median(warm) * 1000
    print(f"index over {served.name}/ ({rows} assessments)")
    print(f"  cold (first request): {cold * 1000:.1f} ms")
    print(f"  warm median of {args.runs}: {median:.1f} ms (best {min(warm) * 1000:.1f}, worst {max(warm) * 1000:.1f})")
    print(f"  target < 150 ms: {'met' if median < 150 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
