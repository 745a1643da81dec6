"""Long unbroken words in the report: layout time with and without break opportunities.

Run: python benchmarks/bench_long_words.py [--sizes 0,20000,100000] [--before-max 20000]

Each case is the test questionnaire's mini assessment with one answer comment holding a
word of N characters, rendered to PDF in a fresh process (load, score, templates,
WeasyPrint), so every figure is a cold start. "after" is riskcheck as it is; "before"
is the same process with riskcheck.report.textsafety.break_long_words turned into the
identity, which is how the report was laid out before it existed. "before" grows with
the square of N (minutes at 100,000), so it runs only up to --before-max.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "cases" / "mini"

RENDER = """
import sys
from pathlib import Path
if sys.argv[2] == "before":
    import riskcheck.report.textsafety as textsafety
    textsafety.break_long_words = lambda html: html
from riskcheck import api
from riskcheck.core.loader import load_assessment
from riskcheck.report.render import render_pdf
loaded = load_assessment(Path(sys.argv[1]))
pdf = render_pdf(api.score(loaded).to_dict(), loaded)
print(len(pdf))
"""


def case(directory: Path, size: int) -> Path:
    text = (MINI / "assessment.yaml").read_text(encoding="utf-8")
    word = ("abcdefghij" * (size // 10 + 1))[:size]
    path = directory / f"word-{size}.yaml"
    path.write_text(text.replace("Planned for Q1.", f"Planned {word} for Q1."), encoding="utf-8")
    return path


def render(path: Path, mode: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(path), mode], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return time.perf_counter() - start, int(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,5000,20000,100000", help="word lengths, comma-separated")
    parser.add_argument("--before-max", type=int, default=20_000, help="largest word to time without breaking")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        shutil.copy(MINI / "questionnaire.yaml", directory / "questionnaire.yaml")
        print(f"{'word length':>12} {'before (s)':>11} {'after (s)':>10} {'PDF bytes':>10}")
        for size in sizes:
            path = case(directory, size)
            before = f"{render(path, 'before')[0]:11.2f}" if size <= args.before_max else f"{'skipped':>11}"
            seconds, length = render(path, "after")
            print(f"{size:>12,} {before} {seconds:10.2f} {length:>10,}")


if __name__ == "__main__":
    main()
