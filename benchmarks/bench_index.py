"""The web form's index page (``GET /``) over the bundled examples.

Run: python benchmarks/bench_index.py [--runs N] [--dir DIR]

Serves a copy of ``examples/`` through the real app (Starlette's test client, no
network) and times ``GET /``: the scan the server makes once at start-up (every
file read and scored), the first request after it, and then N requests, whose
median is the figure issue 18 asks about. Target: < 150 ms. The index never
computes fairness figures, so no model or data file is opened.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
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
        from riskcheck.web.catalog import Catalog

        start = time.perf_counter()
        Catalog(served.resolve()).scan()
        cold = time.perf_counter() - start
        with TestClient(create_app(served), base_url="http://127.0.0.1") as client:
            # The server reads and scores the list once at start-up, in the background.
            for thread in threading.enumerate():
                if thread.name == "riskcheck-warm-index":
                    thread.join()
            start = time.perf_counter()
            response = client.get("/")
            first = time.perf_counter() - start
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
    print(f"  start-up scan (once, in the background): {cold * 1000:.1f} ms")
    print(f"  first GET / after start-up: {first * 1000:.1f} ms")
    print(f"  GET / median of {args.runs}: {median:.1f} ms (best {min(warm) * 1000:.1f}, worst {max(warm) * 1000:.1f})")
    print(f"  target < 150 ms: {'met' if max(first, median / 1000) * 1000 < 150 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
