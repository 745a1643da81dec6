"""Word report benchmark: the DOCX against the PDF for the same example, in one run.

Run: python benchmarks/bench_docx.py [--repeat 5] [--example examples/credit-scoring.yaml]

Both are timed from the scored result to the finished bytes (the context, the document
or the HTML, the charts, the file), alternately, and the medians compared.
Target: the DOCX in under a third of the PDF's time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=ROOT / "examples" / "credit-scoring.yaml")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from riskcheck import api
    from riskcheck.core.loader import load_assessment
    from riskcheck.report.docx import render_docx
    from riskcheck.report.render import render_pdf

    loaded = load_assessment(args.example)
    result = api.score(loaded).to_dict()
    # One warm-up each: imports, fonts, compiled templates.
    render_pdf(result, loaded)
    render_docx(result, loaded)
    pdf_times: list[float] = []
    docx_times: list[float] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        pdf = render_pdf(result, loaded)
        pdf_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        word = render_docx(result, loaded)
        docx_times.append(time.perf_counter() - start)
    pdf_time, docx_time = statistics.median(pdf_times), statistics.median(docx_times)
    ratio = docx_time / pdf_time
    print(f"example: {args.example.relative_to(ROOT) if args.example.is_relative_to(ROOT) else args.example}")
    print(f"PDF : {pdf_time:.3f} s median of {args.repeat} ({len(pdf):,} bytes)")
    print(f"DOCX: {docx_time:.3f} s median of {args.repeat} ({len(word):,} bytes)")
    ok = ratio < 1 / 3
    print(f"DOCX / PDF = {ratio:.2f} (target < 0.33): {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
