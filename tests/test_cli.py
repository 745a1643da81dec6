"""The command line contract: new, score, schema, validate, coverage, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from riskcheck.cli.main import main

CASES = Path(__file__).parent / "cases"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_new_writes_a_skeleton_that_validates_and_lists_help(
    tmp_path: Path, mini_questionnaire: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "system.yaml"
    code, out, _ = run(
        capsys, "new", "--questionnaire", str(mini_questionnaire), "-o", str(target), "--name", "Loan bot"
    )
    assert code == 0
    assert out == f"wrote {target} (5 questions); fill it in, then: riskcheck score {target}\n"
    text = target.read_text(encoding="utf-8")
    assert (
        "  # How are decisions made?\n  #   Pick the closest.\n"
        "  #   type: one of advisory | human_in_loop | automated\n" in text
    )
    assert "  #   shown when: 'none' not in protected\n" in text
    data = yaml.safe_load(text)
    assert data["system"]["name"] == "Loan bot"
    assert data["answers"] == dict.fromkeys(
        ["decision_type", "affects_people", "people_count", "protected", "bias_tested"]
    )
    code, out, _ = run(capsys, "validate", str(target))
    assert (code, out) == (0, f"{target}: valid assessment\n")
    # An empty skeleton scores as incomplete, and the gate fails on it.
    code, out, _ = run(capsys, "check", str(target))
    assert code == 1


def test_new_refuses_to_overwrite(tmp_path: Path, mini_questionnaire: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "system.yaml"
    target.write_text("answers: precious\n", encoding="utf-8")
    code, _, err = run(capsys, "new", "-q", str(mini_questionnaire), "-o", str(target))
    assert code == 2
    assert err == f"error: {target}: already exists; answers are never overwritten (use --force to replace it)\n"
    assert target.read_text(encoding="utf-8") == "answers: precious\n"


def test_new_with_unknown_questionnaire(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "new", "-q", "no-such-thing", "-o", str(tmp_path / "a.yaml"))
    assert code == 2
    assert err.startswith("error: no-such-thing: no such file, and not a bundled questionnaire id (bundled: ")


def test_score_formats(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CASES / "mini" / "assessment.yaml")
    code, out, _ = run(capsys, "score", path, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["tier"], data["score"], data["status"]) == ("critical", 83.3333, "complete")
    assert data["schema_version"] == 1
    code, out, _ = run(capsys, "score", path)
    assert code == 0
    assert "Tier: CRITICAL   score 83.33 of 100   (complete, 4/4 required answered)\n" in out
    assert "  [HIGH] untested-bias: Automated decisions using protected attributes without bias testing.\n" in out
    code, out, _ = run(capsys, "score", path, "--format", "markdown")
    assert code == 0
    assert "**Tier: critical** (score 83.33 of 100)" in out
    assert "| Fairness | 6 | 8 | 75% |" in out


def test_score_json_is_byte_identical_across_processes() -> None:
    path = str(CASES / "mini" / "assessment.yaml")
    outputs = {
        subprocess.run(
            [sys.executable, "-m", "riskcheck", "score", path, "--format", "json"],
            capture_output=True,
            check=True,
        ).stdout
        for _ in range(2)
    }
    assert len(outputs) == 1


def test_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CASES / "mini" / "assessment.yaml")
    assert run(capsys, "check", path)[0] == 0  # no --fail-on: the tier alone does not fail
    code, out, _ = run(capsys, "check", path, "--fail-on", "critical")
    assert code == 1
    assert "tier critical is at or above the fail-on tier critical" in out
    code, _, err = run(capsys, "check", path, "--fail-on", "extreme")
    assert code == 2
    assert "'extreme' is not a tier of mini (tiers: low, medium, high, critical)" in err


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "questionnaire")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "riskcheck questionnaire"
    assert schema["additionalProperties"] is False
    assert {"id", "version", "sections", "scoring"} <= set(schema["required"])
    code, out, _ = run(capsys, "schema", "assessment")
    assert json.loads(out)["title"] == "riskcheck assessment"
    code, _, _ = run(capsys, "schema", "report")
    assert code == 2


def test_schema_validates_a_real_questionnaire(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, out, _ = run(capsys, "schema", "questionnaire")
    schema = json.loads(out)
    document = yaml.safe_load((CASES / "mini" / "questionnaire.yaml").read_text(encoding="utf-8"))
    # YAML 1.1 reads yes/no keys as booleans; the riskcheck loader keeps keys as written.
    for section in document["sections"]:
        for question in section["questions"]:
            if isinstance(question.get("points"), dict):
                question["points"] = {
                    ("yes" if k is True else "no" if k is False else k): v for k, v in question["points"].items()
                }
    jsonschema.validate(document, schema)


def test_coverage_lists_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", str(CASES / "mini" / "questionnaire.yaml"))
    assert code == 0
    assert out.splitlines()[:3] == ["eu-ai-act:art-10(2)(f)", "  questions: protected", "  rules:     untested-bias"]
    assert out.endswith("5 clause(s)\n")


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "frobnicate")
    assert code == 2
    assert "No such command 'frobnicate'" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("riskcheck, version ")


def test_new_never_lets_questionnaire_text_add_yaml_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        """\
id: hostile
version: 1.0.0
title: "Title\\nsystem: {name: pwned}"
sections:
  - id: s
    title: "Section\\u2028answers: {q: yes}"
    questions:
      - id: q
        type: single_choice
        text: "Question?\\nq: 'yes'"
        help: "Help\\r\\n  injected: 1"
        options:
          - {value: "a\\nq: b"}
          - {value: b}
scoring:
  model: weighted_sections
  tiers: [{id: low, min: 0}]
""",
        encoding="utf-8",
    )
    target = tmp_path / "a.yaml"
    assert run(capsys, "new", "-q", str(hostile), "-o", str(target), "--name", "X\n  owner: y")[0] == 0
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["answers"] == {"q": None}
    assert data["system"]["name"] == "X\n  owner: y"
    assert set(data) == {"system", "questionnaire", "answers"}
