"""Core benchmarks: cold `riskcheck validate` start-up, and in-process scoring throughput.

Run: python benchmarks/bench_core.py [--quick]

1. Cold `riskcheck validate` on a 100-question questionnaire, as a ratio to
   `python -c "import pydantic, yaml"` timed on the same machine in the same run
   (median of N runs each). Target: <= 2x. Also timed: the floor, a script that
   imports click and yaml and validates one one-field pydantic model. Also checks
   that validate imports none of pandas, scikit-learn, fairlearn, weasyprint.
2. Scoring throughput for a 100-question, 30-rule questionnaire on one core:
   evaluate() over pre-loaded answers (50 varying answer sets, the answers hash
   computed every time), counted in one-second windows of CPU time; the best window
   is the figure least disturbed by other load (the timeit convention), and the
   median and worst are printed beside it. Target: >= 5,000/s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import synthetic


def _once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def cold_validate(runs: int) -> dict[str, Any]:
    # A wheel install byte-compiles the package; an editable install under
    # PYTHONDONTWRITEBYTECODE never does, and would time the compiler instead.
    import compileall

    import riskcheck

    compileall.compile_dir(str(Path(riskcheck.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(synthetic.dump(synthetic.questionnaire(100, 30)), encoding="utf-8")
        imports = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "riskcheck", "validate", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        heavy = [
            m for m in ("pandas", "sklearn", "fairlearn", "weasyprint", "jinja2", "numpy") if f"| {m}\n" in imports
        ]
        commands = {
            "baseline": [sys.executable, "-c", "import pydantic, yaml"],
            "one_model": [
                sys.executable,
                "-c",
                "import yaml\nfrom pydantic import BaseModel\nclass A(BaseModel):\n x: int\nA(x=1)",
            ],
            # The least any click command that validates with pydantic can cost: the
            # CLI library PRODUCT.md names, YAML, and one one-field model used once.
            "floor": [
                sys.executable,
                "-c",
                "import click, yaml\nfrom pydantic import BaseModel\nclass A(BaseModel):\n x: int\nA(x=1)",
            ],
            "validate": [sys.executable, "-m", "riskcheck", "validate", str(path)],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        ratios, floor_ratios = [], []
        # Interleaved, so that the baseline and riskcheck see the same machine load;
        # the ratio is the median of the paired ratios.
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(_once(command))
            ratios.append(samples["validate"][-1] / samples["baseline"][-1])
            floor_ratios.append(samples["floor"][-1] / samples["baseline"][-1])
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return {
        **medians,
        "ratio": statistics.median(ratios),
        "floor_ratio": statistics.median(floor_ratios),
        "heavy": heavy,
    }


def throughput(seconds: float, windows: int) -> dict[str, float]:
    from riskcheck.core.compiler import compile_questionnaire
    from riskcheck.core.engine import AnswerSet, evaluate
    from riskcheck.core.loader import normalise_answer
    from riskcheck.core.questionnaire import Questionnaire
    from riskcheck.files.yamlio import Document

    spec_data = synthetic.questionnaire(100, 30)
    compiled = compile_questionnaire(Questionnaire.model_validate(spec_data), Document("<bench>", spec_data))
    answer_sets = []
    for seed in range(50):
        raw = synthetic.answers(spec_data, seed)
        values = {qid: normalise_answer(compiled.questions[qid].question, v) for qid, v in raw.items()}
        answer_sets.append(AnswerSet(values))
    fired = sum(len(evaluate(compiled, a).findings) for a in answer_sets)
    rates = []
    for _ in range(windows):
        count = 0
        # CPU time of this process: what one core does.
        start = time.process_time()
        while time.process_time() - start < seconds:
            for answers in answer_sets:
                # A fresh AnswerSet each time, so the answers hash is computed in every run.
                evaluate(compiled, AnswerSet(answers.values))
            count += len(answer_sets)
        rates.append(count / (time.process_time() - start))
    return {
        "best": max(rates),
        "median": statistics.median(rates),
        "worst": min(rates),
        "mean_findings": fired / len(answer_sets),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    args = parser.parse_args()
    cold = cold_validate(5 if args.quick else 21)
    ms = {name: cold[name] * 1000 for name in ("baseline", "one_model", "floor", "validate")}
    print(f"cold start   python -c 'import pydantic, yaml'       median {ms['baseline']:7.1f} ms")
    print(f"cold start   python -c '<one pydantic model>'        median {ms['one_model']:7.1f} ms  (reference)")
    print(
        f"cold start   python -c 'import click; <one model>'   median {ms['floor']:7.1f} ms  "
        f"(reference: {cold['floor_ratio']:.2f}x the baseline, the floor for any click + pydantic CLI)"
    )
    print(f"cold start   riskcheck validate (100 questions)      median {ms['validate']:7.1f} ms")
    heavy = ", ".join(cold["heavy"]) or "none"
    print(
        f"cold start   ratio {cold['ratio']:.2f}x, median of paired runs (target <= 2x; "
        f"{ms['validate'] / ms['floor']:.2f}x the floor); heavy imports: {heavy}"
    )
    result = throughput(1.0, 3 if args.quick else 7)
    print(
        f"throughput   {result['best']:,.0f} assessments/s on one core, best of the one-second windows "
        f"(median {result['median']:,.0f}, worst {result['worst']:,.0f}; CPU time; 100 questions, 30 rules, "
        f"{result['mean_findings']:.1f} findings each; target >= 5,000/s)"
    )


if __name__ == "__main__":
    main()
