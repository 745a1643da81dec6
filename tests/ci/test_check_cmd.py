"""``riskcheck check`` through the real command line: verdicts, exit codes, outputs, policy."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.ci.conftest import ROOT

SCHEMA = json.loads((ROOT / "docs" / "gate-json-schema.json").read_text(encoding="utf-8"))


def test_a_low_risk_assessment_passes(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--fail-on", "high")
    assert run.code == 0, run.err
    assert run.out == (
        "policy: fail on tier high or above (fail-on from --fail-on); a blocking finding; "
        "a fairness threshold breached; an unanswered required question\n"
        "PASSED  low.yaml  Low system: tier low, score 0 of 100, 0 finding(s), complete\n"
        "riskcheck gate passed: 1 of 1 assessment(s) passed, 0 of 7 check(s) failed\n"
    )


def test_fail_on_tier_fails_with_the_reason(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "scaled.yaml", "--fail-on", "high")
    assert run.code == 1
    assert run.out == (
        "policy: fail on tier high or above (fail-on from --fail-on); a blocking finding; "
        "a fairness threshold breached; an unanswered required question\n"
        "PASSED  low.yaml  Low system: tier low, score 0 of 100, 0 finding(s), complete\n"
        "FAILED  scaled.yaml  Scaled system: tier high, score 60 of 100, 1 finding(s), complete\n"
        "  x risk tier: tier high is at or above the fail-on tier high (score 60 of 100; fail-on from --fail-on)\n"
        "      at scaled.yaml:1\n"
        "  ! rule automated-at-scale: fired (high), allowed by the policy: Automated decisions at scale.\n"
        "riskcheck gate failed: 1 of 2 assessment(s) passed, 1 of 14 check(s) failed\n"
    )


def test_max_severity_fails_on_a_more_severe_finding(project: Path, cli) -> None:
    assert cli("check", "scaled.yaml", "--max-severity", "high").code == 0
    run = cli("check", "scaled.yaml", "--max-severity", "medium", "--format", "github")
    assert run.code == 1
    assert run.out.splitlines()[1] == (
        "::error file=scaled.yaml,line=8,col=3,title=riskcheck Scaled system%3A rule automated-at-scale::"
        "high finding automated-at-scale is above the maximum severity medium: Automated decisions at scale."
        "%0Awhen: automated == 'yes' and people >= 1000%0Aautomated = yes%0Apeople = 5000"
        "%0Amitigation: Add human review."
    )


def test_a_blocking_finding_fails_whatever_the_policy(project: Path, cli) -> None:
    text = (project / "low.yaml").read_text().replace("prohibited: no", "prohibited: yes")
    (project / "low.yaml").write_text(text)
    run = cli("check", "low.yaml", "--format", "github")
    assert run.code == 1
    assert run.out.splitlines()[1] == (
        "::error file=low.yaml,line=10,col=3,title=riskcheck Low system%3A rule prohibited-practice::"
        "blocking finding prohibited-practice: A prohibited practice under Article 5."
        "%0Awhen: prohibited == 'yes'%0Aprohibited = yes%0Amitigation: Do not launch."
    )


def test_require_signoff_lists_every_missing_role(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--require-signoff", "--format", "json")
    assert run.code == 1
    gate = json.loads(run.out)
    jsonschema.validate(gate, SCHEMA)
    checks = {c["id"]: (c["status"], c["message"]) for c in gate["assessments"][0]["checks"]}
    assert checks["signoff:product"] == ("failed", "role 'product' has no decision recorded")
    assert checks["signoff:legal"] == ("failed", "role 'legal' has no decision recorded")


def test_incomplete_fails_unless_allowed(project: Path, cli) -> None:
    text = (project / "low.yaml").read_text().replace("  people: 500\n", "")
    (project / "low.yaml").write_text(text)
    run = cli("check", "low.yaml", "--format", "json")
    assert run.code == 1
    reasons = json.loads(run.out)["assessments"][0]["reasons"]
    assert reasons == [
        {
            "kind": "incomplete",
            "message": "assessment is incomplete: 1 required question(s) unanswered (people)",
            "finding": None,
            "role": None,
        }
    ]
    assert cli("check", "low.yaml", "--allow-incomplete").code == 0


def test_several_outputs_are_written_at_once(project: Path, cli) -> None:
    (project / "out").mkdir()
    run = cli(
        "check",
        ".",
        "--fail-on",
        "high",
        "--format",
        "text",
        "--junit",
        "out/junit.xml",
        "--json",
        "gate.json",
        "--markdown",
        "gate.md",
    )
    assert run.code == 1
    # questionnaire.yaml is skipped, and says so.
    assert run.out.endswith(
        "riskcheck gate failed: 1 of 3 assessment(s) passed, 2 of 23 check(s) failed; "
        "1 other YAML file(s) skipped (--verbose lists them)\n"
    )
    gate = json.loads((project / "gate.json").read_text())
    jsonschema.validate(gate, SCHEMA)
    assert gate["summary"] == {"assessments": 3, "passed": 1, "failed": 2, "checks": 23, "checks_failed": 2}
    assert [a["file"] for a in gate["assessments"]] == ["fair.yaml", "low.yaml", "scaled.yaml"]

    suites = ET.fromstring((project / "out" / "junit.xml").read_text())
    assert suites.attrib == {"name": "riskcheck", "tests": "23", "failures": "2", "errors": "0"}
    fair = suites.find("testsuite[@name='riskcheck: Fair system']")
    assert fair is not None
    names = [case.attrib["name"] for case in fair.iter("testcase")]
    assert names == [
        "risk tier",
        "required questions answered",
        "rule prohibited-practice",
        "rule automated-at-scale",
        "rule large-scale",
        "fairness threshold demographic_parity_ratio",
        "fairness threshold overall_accuracy",
        "sign-off product",
        "sign-off legal",
    ]
    for case in fair.iter("testcase"):
        assert "time" not in case.attrib
    failure = fair.find("testcase[@name='fairness threshold demographic_parity_ratio']/failure")
    assert failure is not None
    assert failure.attrib["message"] == (
        "demographic_parity_ratio is 0.5000, below the minimum 0.8000; "
        "selection_rate: lowest female 0.3000, highest male 0.6000"
    )
    assert failure.attrib["type"] == "fairness"
    passed = fair.find("testcase[@name='fairness threshold overall_accuracy']/system-out")
    assert passed is not None and passed.text == "overall_accuracy is 0.5, within min 0.4"
    skipped = fair.find("testcase[@name='sign-off legal']/skipped")
    assert skipped is not None
    assert skipped.attrib["message"] == (
        "sign-off for role 'legal' is missing; not required by the policy (require-signoff)"
    )
    markdown = (project / "gate.md").read_text()
    assert markdown.startswith(
        "## ❌ riskcheck gate failed\n\n1 of 3 assessment(s) passed; 2 of 23 check(s) failed.\n"
        "Policy: fail on tier high or above (fail-on from --fail-on); a blocking finding; "
        "a fairness threshold breached; an unanswered required question.\n"
    )
    assert "| ❌ | Scaled system | `scaled.yaml` | high | 60 | 1 | pending |" in markdown
    assert (
        "- ❌ **risk tier** (line 1): tier high is at or above the fail-on tier high "
        "(score 60 of 100; fail-on from --fail-on)" in markdown
    )


def test_json_output_is_deterministic_and_valid(project: Path, cli) -> None:
    first = cli("check", "fair.yaml", "low.yaml", "--format", "json")
    second = cli("check", "fair.yaml", "low.yaml", "--format", "json")
    assert first.out == second.out
    gate = json.loads(first.out)
    jsonschema.validate(gate, SCHEMA)
    assert gate["schema"] == "riskcheck.gate/1"
    assert gate["exit_code"] == first.code == 1


def test_markdown_and_junit_formats_on_stdout(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--format", "junit")
    assert run.code == 0
    root = ET.fromstring(run.out)
    assert root.attrib["failures"] == "0"
    run = cli("check", "low.yaml", "--format", "markdown")
    assert run.out.splitlines()[0] == "## ✅ riskcheck gate passed"


def test_a_directory_without_assessments_is_bad_input(project: Path, cli) -> None:
    (project / "empty").mkdir()
    (project / "empty" / "questionnaire.yaml").write_text((project / "questionnaire.yaml").read_text())
    run = cli("check", "empty")
    assert run.code == 2
    assert run.err == (
        "error: empty: no assessment files in this directory (looked for *.yaml and *.yml files with any "
        "assessment key; 1 other YAML file(s) skipped)\n"
    )


def test_a_missing_path_is_bad_input(project: Path, cli) -> None:
    run = cli("check", "nowhere.yaml")
    assert (run.code, run.err) == (2, "error: nowhere.yaml: no such file or directory\n")


def test_two_assessments_of_the_same_system_are_bad_input(project: Path, cli) -> None:
    (project / "copy.yaml").write_text((project / "low.yaml").read_text())
    run = cli("check", "low.yaml", "copy.yaml")
    assert run.code == 2
    assert run.err == (
        "error: copy.yaml:2:9: system.name: 'Low system' is also the system name in low.yaml, "
        "which answers the same questionnaire (ci-gate); each assessment of a questionnaire must describe "
        "a different system\n"
    )


def test_an_unknown_fail_on_tier_is_bad_input(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--fail-on", "severe")
    assert run.code == 2
    assert run.err == "error: --fail-on 'severe' is not a tier of ci-gate (tiers: low, medium, high)\n"


def test_policy_comes_from_pyproject(project: Path, cli) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.riskcheck]\nfail-on = "high"\npaths = ["scaled.yaml"]\n'
    )
    run = cli("check", "--format", "json")
    assert run.code == 1
    gate = json.loads(run.out)
    assert gate["policy"] == {
        "fail_on": "high",
        "require_signoff": False,
        "allow_incomplete": False,
        "max_severity": None,
        "outdated_questionnaire": "warn",
    }
    assert gate["assessments"][0]["policy"]["fail_on_from"] == "[tool.riskcheck] fail-on"
    # Paths from the table are named relative to the working directory, as GitHub needs.
    assert [a["file"] for a in gate["assessments"]] == ["scaled.yaml"]
    run = cli("check", "--format", "github")
    assert run.out.splitlines()[0] == (
        "riskcheck policy: fail on tier high or above (fail-on from [tool.riskcheck] fail-on); a blocking finding; "
        "a fairness threshold breached; an unanswered required question"
    )
    assert run.out.splitlines()[1].startswith("::error file=scaled.yaml,line=1,col=1,title=")
    # An option overrides the table.
    assert cli("check", "low.yaml", "--require-signoff").code == 1
    assert cli("check", "scaled.yaml", "--fail-on", "medium").code == 1
    (project / "pyproject.toml").write_text("[tool.riskcheck]\nrequire-signoff = true\n")
    assert cli("check", "low.yaml").code == 1
    assert cli("check", "low.yaml", "--no-require-signoff").code == 0


def test_an_unknown_pyproject_key_is_bad_input(project: Path, cli) -> None:
    (project / "pyproject.toml").write_text('[tool.riskcheck]\nfail-on = "high"\nrequire-sign-off = true\n')
    run = cli("check", "low.yaml")
    assert run.code == 2
    from riskcheck.gate.policy import Policy

    known = ", ".join(field.alias or name for name, field in Policy.model_fields.items())
    assert "exclude" in known
    assert run.err == (
        f"error: {project / 'pyproject.toml'}: [tool.riskcheck] require-sign-off: unknown key (known keys: {known})\n"
    )


def test_a_wrong_pyproject_value_is_bad_input(project: Path, cli) -> None:
    (project / "pyproject.toml").write_text('[tool.riskcheck]\nmax-severity = "severe"\n')
    run = cli("check", "low.yaml")
    assert run.code == 2
    assert run.err == (
        f"error: {project / 'pyproject.toml'}: [tool.riskcheck] max-severity: "
        "expected 'critical', 'high', 'medium', 'low' or 'info', got 'severe'\n"
    )


def test_no_files_and_no_policy_paths_is_bad_input(project: Path, cli) -> None:
    run = cli("check")
    assert run.code == 2
    assert run.err == (
        "error: no assessment given: name files or directories, or list them in [tool.riskcheck] paths "
        "in pyproject.toml\n"
    )


def test_a_crash_in_the_fairness_computation_is_exit_3(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import riskcheck.fairness.api

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure inside the fairness engine")

    monkeypatch.setattr(riskcheck.fairness.api, "evaluate_fairness", crash)
    run = cli("check", "low.yaml", "fair.yaml", "--junit", "junit.xml")
    assert run.code == 3
    assert run.out == ""
    assert run.err.startswith("riskcheck hit an unexpected error (a bug; please report it):\n")
    assert "RuntimeError: simulated failure inside the fairness engine" in run.err
    assert not (project / "junit.xml").exists()


def test_a_corrupted_saved_fairness_result_is_bad_input_not_a_pass(project: Path, cli) -> None:
    (project / "result.json").write_text('{"format": "riskcheck.fairness/1", "task": "classification"}')
    text = (project / "fair.yaml").read_text()
    block = text[text.index("fairness:") :]
    (project / "fair.yaml").write_text(text.replace(block, "fairness:\n  result: result.json\n"))
    run = cli("check", "fair.yaml")
    assert run.code == 2
    assert run.err == "error: fair.yaml: fairness: result.json: not a riskcheck fairness result (KeyError('engine'))\n"


def test_two_assessments_of_the_same_system_in_a_directory_are_bad_input(project: Path, cli) -> None:
    (project / "systems").mkdir()
    text = (project / "low.yaml").read_text().replace("questionnaire.yaml", "../questionnaire.yaml")
    (project / "systems" / "a.yaml").write_text(text)
    # Names that differ only in case describe the same system.
    (project / "systems" / "b.yaml").write_text(text.replace("Low system", "Low System"))
    run = cli("check", "systems", "--junit", "junit.xml")
    assert run.code == 2
    assert run.err == (
        "error: systems/b.yaml:2:9: system.name: 'Low System' is also the system name in systems/a.yaml, "
        "which answers the same questionnaire (ci-gate); each assessment of a questionnaire must describe "
        "a different system\n"
    )
    assert run.out == ""
    assert not (project / "junit.xml").exists()


def test_a_crash_in_the_baseline_fairness_computation_is_exit_3_with_no_output(
    repo: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskcheck.fairness.api

    real = riskcheck.fairness.api.evaluate_fairness
    calls = []

    def crash_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:  # the head side is scored; the baseline side crashes
            raise RuntimeError("simulated failure inside the fairness engine")
        return real(*args, **kwargs)

    monkeypatch.setattr(riskcheck.fairness.api, "evaluate_fairness", crash_second)
    run = cli("check", "fair.yaml", "--baseline", "main", "--junit", "junit.xml", "--json", "gate.json")
    assert run.code == 3
    assert run.out == ""
    assert "RuntimeError: simulated failure inside the fairness engine" in run.err
    assert not (repo / "junit.xml").exists() and not (repo / "gate.json").exists()


def test_github_annotations_point_at_the_answer_in_any_form(project: Path, cli) -> None:
    text = (
        (project / "scaled.yaml")
        .read_text()
        .replace(
            "  automated: yes\n  people: 5000\n",
            "  automated:\n    value: yes\n    comment: Approvals are automatic.\n  people: {value: 5000}\n",
        )
    )
    (project / "scaled.yaml").write_text(text)
    run = cli("check", "scaled.yaml", "--max-severity", "medium", "--format", "github")
    assert run.code == 1
    first = run.out.splitlines()[1]
    assert first.startswith(
        "::error file=scaled.yaml,line=8,col=3,title=riskcheck Scaled system%3A rule automated-at-scale::"
    )
    assert text.splitlines()[7] == "  automated:"
