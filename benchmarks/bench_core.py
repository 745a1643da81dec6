"""Core benchmarks: cold `riskcheck validate` start-up, and in-process scoring throughput.

Run: python benchmarks/bench_core.py [--quick]

1. Cold `riskcheck validate` on a 100-question questionnaire, as a ratio to
   `python -c "import pydantic, yaml"` timed on the same machine in the same run
   (median of N runs each). Target: <= 2x. Also checks that validate imports none
   of pandas, scikit-learn, fairlearn, weasyprint.
2. Scoring throughput for a 100-question, 30-rule questionnaire on one core:
   evaluate() over pre-loaded answers (varying answer sets). Target: >= 5,000/s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import synthetic


def _time(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cold_validate(runs: int) -> dict[str, float]:
    # A wheel install byte-compiles the package; an editable install under
    # PYTHONDONTWRITEBYTECODE never does, and would time the compiler instead.
    import compileall

    import riskcheck

    compileall.compile_dir(str(Path(riskcheck.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(synthetic.dump(synthetic.questionnaire(100, 30)), encoding="utf-8")
        check = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-m",
                "riskcheck",
                "validate",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        heavy = [
            m
            for m in ("pandas", "sklearn", "fairlearn", "weasyprint", "jinja2", "numpy")
            if f" {m}\n" in check.stderr or f"| {m}\n" in check.stderr
        ]
        baseline = _time([sys.executable, "-c", "import pydantic, yaml"], runs)
        # For scale: `import pydantic` alone is lazy; one validated model already costs this.
        one_model = _time(
            [sys.executable, "-c", "import yaml\nfrom pydantic import BaseModel\nclass A(BaseModel):\n x: int\nA(x=1)"],
            runs,
        )
        import_click = _time([sys.executable, "-c", "import click"], runs)
        validate = _time([sys.executable, "-m", "riskcheck", "validate", str(path)], runs)
    return {  # type: ignore[return-value]
        "baseline_s": baseline,
        "one_model_s": one_model,
        "click_s": import_click,
        "validate_s": validate,
        "ratio": validate / baseline,
        "heavy": heavy,
    }


def throughput(seconds: float) -> dict[str, float]:
    from riskcheck.compile import compile_questionnaire
    from riskcheck.engine import AnswerSet, evaluate
    from riskcheck.loader import normalise_answer
    from riskcheck.spec import Questionnaire
    from riskcheck.yamlio import Document

    spec_data = synthetic.questionnaire(100, 30)
    compiled = compile_questionnaire(Questionnaire.model_validate(spec_data), Document("<bench>", spec_data))
    answer_sets = []
    for seed in range(50):
        raw = synthetic.answers(spec_data, seed)
        values = {qid: normalise_answer(compiled.questions[qid].question, v) for qid, v in raw.items()}
        answer_sets.append(AnswerSet(values))
    fired = sum(len(evaluate(compiled, a).findings) for a in answer_sets)
    count = 0
    # CPU time of this process: what one core does, even when other work shares the machine.
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    while time.process_time() - start_cpu < seconds:
        for answers in answer_sets:
            # A fresh AnswerSet each time, so the answers hash is computed in every run.
            evaluate(compiled, AnswerSet(answers.values))
        count += len(answer_sets)
    cpu = time.process_time() - start_cpu
    wall = time.perf_counter() - start_wall
    return {"per_second": count / cpu, "per_wall_second": count / wall, "mean_findings": fired / len(answer_sets)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    cold = cold_validate(runs)
    print(f"cold start   python -c 'import pydantic, yaml'  median {cold['baseline_s'] * 1000:7.1f} ms")
    print(f"cold start   python -c '<one pydantic model>'     median {cold['one_model_s'] * 1000:7.1f} ms  (reference)")
    print(f"cold start   python -c 'import click'           median {cold['click_s'] * 1000:7.1f} ms  (reference)")
    print(f"cold start   riskcheck validate (100 questions)  median {cold['validate_s'] * 1000:7.1f} ms")
    print(f"cold start   ratio {cold['ratio']:.2f}x (target <= 2x); heavy modules imported: {cold['heavy'] or 'none'}")
    result = throughput(1.0 if args.quick else 5.0)
    print(
        f"throughput   {result['per_second']:,.0f} assessments/s on one core "
        f"(CPU time; {result['per_wall_second']:,.0f}/s by wall clock; "
        f"100 questions, 30 rules, {result['mean_findings']:.1f} findings each; target >= 5,000/s)"
    )


if __name__ == "__main__":
    main()
