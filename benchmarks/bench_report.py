"""Report benchmarks: riskcheck's overhead over WeasyPrint, and a stress report.

Run: python benchmarks/bench_report.py [--quick] [--example examples/credit-scoring.yaml]

0. ``riskcheck report`` as a command against WeasyPrint's own command line on the same
   finished HTML, both fresh processes (target: at most 1.25x).

1. The full report for the bundled example (load, score with its fairness evidence,
   templates, PDF/A) against WeasyPrint alone rendering the same final HTML with the
   same PDF options, in the same run (median of N, interleaved). Targets: riskcheck's
   overhead under 20 % of WeasyPrint's time, and under 2 s in all.
2. A stress report: a synthetic 500-question assessment with a 50-group fairness
   result, rendered in a child process so that its peak memory (max RSS, which
   includes Pango and HarfBuzz) is its own. Targets: under 15 s, under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def _full_report(path: Path) -> tuple[float, str, dict[str, Any], Any]:
    from riskcheck import api
    from riskcheck.core.loader import load_assessment
    from riskcheck.report.render import pdf_from_html, render_html

    start = time.perf_counter()
    loaded = load_assessment(path)
    result = api.score(loaded).to_dict()
    html = render_html(result, loaded)
    pdf_from_html(html, result, loaded)
    return time.perf_counter() - start, html, result, loaded


def _weasyprint_alone(html: str, result: dict[str, Any], loaded: Any) -> float:
    """WeasyPrint with exactly the options riskcheck uses, on the finished HTML."""
    import weasyprint

    from riskcheck.core.result import dumps
    from riskcheck.report.fetcher import make_url_fetcher
    from riskcheck.report.render import (
        ATTACHMENT_NAME,
        document_date,
        identifier,
        list_associated_files_once,
        templates_dir,
    )

    result_json = dumps(result, indent=2) + "\n"
    moment = document_date(result, loaded)
    start = time.perf_counter()
    fetcher = make_url_fetcher([templates_dir()])
    attachment = weasyprint.Attachment(
        string=result_json, name=ATTACHMENT_NAME, created=moment, modified=moment, url_fetcher=fetcher
    )
    weasyprint.HTML(string=html, base_url=templates_dir().as_uri() + "/", url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=identifier(result_json),
        attachments=[attachment],
        finisher=list_associated_files_once,
    )
    return time.perf_counter() - start


def overhead(example: Path, runs: int) -> dict[str, float]:
    _full_report(example)  # warm imports and font caches for both sides
    full, alone = [], []
    for _ in range(runs):
        seconds, html, result, loaded = _full_report(example)
        full.append(seconds)
        alone.append(_weasyprint_alone(html, result, loaded))
    full_s, alone_s = statistics.median(full), statistics.median(alone)
    return {"full_s": full_s, "weasyprint_s": alone_s, "overhead": full_s / alone_s - 1}


def command_line(example: Path, runs: int) -> float:
    """The report as a user runs it: ``riskcheck report`` in a new process, median of ``runs``."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "riskcheck", "report", str(example), "-o", str(Path(tmp) / "r.pdf")],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def weasyprint_command(example: Path, runs: int) -> float:
    """Plain WeasyPrint in a new process on the report's finished HTML (its own command line,
    the same PDF/A variant, the result JSON attached), median of ``runs``: the floor that
    ``riskcheck report`` as a command is compared with."""
    from riskcheck.core.result import dumps
    from riskcheck.report.render import templates_dir

    _, html, result, _ = _full_report(example)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        page, attached = Path(tmp) / "report.html", Path(tmp) / "riskcheck-result.json"
        page.write_text(html, encoding="utf-8")
        attached.write_text(dumps(result, indent=2) + "\n", encoding="utf-8")
        argv = [sys.executable, "-m", "weasyprint", "-u", templates_dir().as_uri() + "/", "--pdf-variant"]
        argv += [PDF_VARIANT, "-a", str(attached), str(page), str(Path(tmp) / "plain.pdf")]
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


#: The variant riskcheck writes (see riskcheck.report.render).
PDF_VARIANT = "pdf/a-3a"


# ---------------------------------------------------------------- stress


def _stress_files(directory: Path, questions: int, groups: int) -> Path:
    import synthetic
    import yaml

    spec = synthetic.questionnaire(questions, 60)
    spec["signoff"] = {"roles": ["product", "legal", "privacy"]}
    (directory / "questionnaire.yaml").write_text(synthetic.dump(spec), encoding="utf-8")
    answers = synthetic.answers(spec, seed=3)
    for index, qid in enumerate(sorted(answers)):
        if index % 5 == 0:
            answers[qid] = {"value": answers[qid], "comment": f"Reviewed with the owner; see ticket RISK-{index}."}
    assessment = {
        "system": {
            "name": "Stress system",
            "owner": "owner@example.com",
            "version": "1.0.0",
            "purpose": "Benchmarking the report.",
            "assessed_on": "2026-11-01",
        },
        "questionnaire": {"path": "questionnaire.yaml"},
        "answers": answers,
    }
    path = directory / "assessment.yaml"
    path.write_text(yaml.safe_dump(assessment, sort_keys=False), encoding="utf-8")
    return path


def _fairness(groups: int) -> dict[str, Any]:
    """A 50-group fairness result in the shape of FairnessResult.to_dict()."""
    names = [f"group {i:02d}" for i in range(groups)]
    metrics = (
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "false_negative_rate",
        "true_negative_rate",
        "precision",
        "accuracy",
        "balanced_accuracy",
    )
    by_group = {
        name: {
            "count": 200 + 7 * i,
            **{m: round(0.4 + ((i * 37 + j * 11) % 50) / 100, 4) for j, m in enumerate(metrics)},
        }
        for i, name in enumerate(names)
    }
    disparities = {
        d: {
            "value": 0.1 + k / 20,
            "ci_low": 0.05 + k / 20,
            "ci_high": 0.2 + k / 20,
            "compare": "between_groups",
            "groups": [names[0], names[-1]],
            "detail": "synthetic",
        }
        for k, d in enumerate(
            (
                "demographic_parity_difference",
                "demographic_parity_ratio",
                "equalized_odds_difference",
                "equalized_odds_ratio",
            )
        )
    }
    return {
        "format": "riskcheck.fairness/1",
        "task": "classification",
        "engine": "count",
        "rows": 20_000,
        "data_sha256": "0" * 64,
        "model_sha256": None,
        "groups": names,
        "by_group": by_group,
        "overall": {"count": 20_000, **dict.fromkeys(metrics, 0.6)},
        "disparities": disparities,
        "insufficient_evidence": [
            {"group": names[-1], "scope": "group", "metrics": [], "reason": "fewer than 30 rows"}
        ],
        "warnings": [],
        "config": {"sensitive": ["segment"], "bootstrap": {"replicates": 1000, "confidence": 0.95}},
        "thresholds": {"demographic_parity_ratio": {"min": 0.8, "max": None, "on": "value"}},
        "breaches": [],
        "variables": {},
    }


def stress_child(questions: int, groups: int) -> None:
    from riskcheck import api
    from riskcheck.core.loader import load_assessment
    from riskcheck.report.render import pdf_from_html, render_html

    with tempfile.TemporaryDirectory() as tmp:
        path = _stress_files(Path(tmp), questions, groups)
        start = time.perf_counter()
        loaded = load_assessment(path)
        result = api.score(loaded).to_dict()
        result["fairness"] = _fairness(groups)
        html = render_html(result, loaded)
        pdf = pdf_from_html(html, result, loaded).pdf
        seconds = time.perf_counter() - start
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "pages": pages, "bytes": len(pdf)}))


def stress(questions: int, groups: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--stress-child", str(questions), str(groups)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, a smaller stress report")
    parser.add_argument("--example", type=Path, default=ROOT / "examples" / "credit-scoring.yaml")
    parser.add_argument("--stress-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stress_child:
        stress_child(*args.stress_child)
        return 0
    ok = True
    o = overhead(args.example, 1 if args.quick else 3)
    print(
        f"report of {args.example.name}: {o['full_s']:.2f} s in all; WeasyPrint alone on the same HTML "
        f"{o['weasyprint_s']:.2f} s; riskcheck overhead {100 * o['overhead']:.1f} % (target < 20 %, < 2 s in all)"
    )
    ok &= o["overhead"] < 0.20 and o["full_s"] < 2.0
    cli = command_line(args.example, 1 if args.quick else 3)
    plain = weasyprint_command(args.example, 1 if args.quick else 3)
    print(
        f"riskcheck report {args.example.name} as a command, in a fresh process (imports, scoring, "
        f"template compilation and font set-up included): {cli:.2f} s; plain WeasyPrint on its finished "
        f"HTML, also a fresh process: {plain:.2f} s; ratio {cli / plain:.2f}x (target <= 1.25x)"
    )
    ok &= cli / plain <= 1.25
    questions, groups = (100, 10) if args.quick else (500, 50)
    s = stress(questions, groups)
    print(
        f"stress report, {questions} questions and {groups} groups: {s['seconds']:.2f} s, peak RSS "
        f"{s['peak_mb']:.0f} MB, {s['pages']} pages (target < 15 s, < 400 MB)"
    )
    ok &= s["seconds"] < 15 and s["peak_mb"] < 400
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
