"""The gate over many files: `riskcheck check` on 300 assessments against one.

Run: python benchmarks/bench_gate.py [--count N] [--runs R]

Builds N copies of examples/spam-filter.yaml (rai-prelaunch, complete, no fairness
block), each with its own system name, in a temporary directory, and times
`riskcheck check DIR` as a fresh process on a directory holding one of them and on
one holding all N (median of R runs each). Target (issue 13): the N-file run takes at
most 5 times as long as the one-file run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "examples" / "spam-filter.yaml"
TARGET = 5.0


def build(directory: Path, count: int) -> None:
    text = SOURCE.read_text(encoding="utf-8")
    assert "  name: Inbox spam filter\n" in text
    directory.mkdir()
    for index in range(count):
        name = f"  name: Inbox spam filter {index:03d}\n"
        (directory / f"system-{index:03d}.yaml").write_text(
            text.replace("  name: Inbox spam filter\n", name), encoding="utf-8"
        )


def time_check(directory: Path, runs: int) -> float:
    """The median wall time of `riskcheck check DIRECTORY` in a fresh process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "riskcheck", "check", directory.name, "--format", "json"],
            cwd=directory.parent,  # no pyproject.toml above: the questionnaire's default gate
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"riskcheck check {directory} exited {done.returncode}:\n{done.stderr.decode()}")
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        build(one, 1)
        build(many, args.count)
        time_check(one, 1)  # warm the file system cache and the byte-code
        single = time_check(one, args.runs)
        multiple = time_check(many, args.runs)
    ratio = multiple / single
    print(f"riskcheck check, 1 assessment:      {single:.2f} s (median of {args.runs}, fresh process)")
    print(f"riskcheck check, {args.count} assessments:  {multiple:.2f} s (median of {args.runs}, fresh process)")
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"ratio: {ratio:.1f}x ({verdict} the target of at most {TARGET:g}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
