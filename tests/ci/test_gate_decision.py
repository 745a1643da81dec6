"""Issue 13 section 4: the gate decides in one vocabulary (its checks); a failed gate exits 1 by an exception."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from riskcheck.core.loader import load_assessment
from riskcheck.core.vocabulary import CHECK_KINDS, CHECK_STATUSES
from riskcheck.gate.decision import GateOutcome, decide
from riskcheck.gate.policy import Policy
from riskcheck.gate.runner import GateFailed
from riskcheck.pipeline import assess
from tests.ci.conftest import ROOT, git

EXAMPLES = ROOT / "examples"
#: An assessment of an older version of its questionnaire.
OUTDATED = ROOT / "tests" / "lifecycle" / "examples_1_0_0" / "spam-filter.yaml"
SCHEMA = json.loads((ROOT / "docs" / "gate-json-schema.json").read_text(encoding="utf-8"))
#: Every failure the gate knows, switched on: a tier, severities, sign-off, completeness, an old questionnaire.
#: The kinds of check a record under `reasons` can render.
RECORD_CHECK_KINDS = {
    "tier": {"tier"},
    "blocking": {"rule", "fairness"},
    "severity": {"rule"},
    "fairness": {"fairness"},
    "incomplete": {"completeness"},
    "signoff": {"signoff"},
    "outdated": {"questionnaire"},
}
STRICT = ("--fail-on", "none", "--max-severity", "info", "--require-signoff", "--outdated-questionnaire", "fail")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def _outcomes(policy: Policy) -> list[GateOutcome]:
    from riskcheck.gate.runner import find

    outcomes = []
    for found in find([EXAMPLES, OUTDATED]).files:
        loaded = load_assessment(found.path)
        outcomes.append(decide(loaded, assess(loaded).result, policy.applied(loaded.questionnaire)))
    return outcomes


@pytest.mark.parametrize("options", [STRICT, ("--require-signoff",), ()], ids=["strict", "signoff", "default"])
def test_every_failed_check_in_the_json_says_why(
    options: tuple[str, ...], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    run = cli("check", "examples", *options, "--format", "json")
    gate = json.loads(run.out)
    jsonschema.validate(gate, SCHEMA)
    assert run.code == (0 if gate["passed"] else 1), run.err
    failed_checks = 0
    for assessment in gate["assessments"]:
        failed = [c for c in assessment["checks"] if c["status"] == "failed"]
        # An assessment fails exactly when a check fails, and each failed check names why.
        assert assessment["passed"] is (not failed)
        for check in failed:
            assert check["message"].strip(), check
            assert "\n" not in check["message"]
        # Every record under `reasons` (the layout of riskcheck.gate/1) renders a failed check, and says why too.
        kinds = {c["kind"] for c in failed}
        for record in assessment["reasons"]:
            assert record["message"].strip()
            assert RECORD_CHECK_KINDS[record["kind"]] & kinds, record
        assert bool(assessment["reasons"]) is bool(failed)
        failed_checks += len(failed)
    assert gate["summary"]["checks_failed"] == failed_checks
    if options == STRICT:
        assert failed_checks >= len(gate["assessments"])  # every example fails on something under this policy


def test_the_decision_has_one_vocabulary() -> None:
    import riskcheck.api
    import riskcheck.core.vocabulary as vocabulary

    # No reason records beside the checks: the mapping and its kinds are gone.
    for name in ("ReasonKind", "REASON_KINDS", "CHECK_KIND_OF_REASON"):
        assert not hasattr(vocabulary, name), name
    for name in ("GateReason", "signoff_reasons"):
        assert not hasattr(riskcheck.api, name), name
    strict = Policy().merged(
        fail_on="none", max_severity="info", require_signoff=True, outdated_questionnaire="fail", source="test"
    )
    outcomes = _outcomes(strict) + _outcomes(Policy())
    seen = set()
    for outcome in outcomes:
        assert not hasattr(outcome, "reasons")
        assert outcome.passed is (not any(check.status == "failed" for check in outcome.checks))
        assert outcome.failed == tuple(check for check in outcome.checks if check.status == "failed")
        for check in outcome.checks:
            assert check.kind in CHECK_KINDS and check.status in CHECK_STATUSES
            # A check fails exactly when it found a failure, and its message is the first one, or adds figures to it.
            assert (check.status == "failed") is bool(check.failures)
            if check.failures:
                assert check.message.strip()
            if check.kind == "signoff" and check.id != "signoff":
                assert check.id == f"signoff:{check.role}"
            seen.add((check.kind, check.status))
    # The examples exercise every kind of check, failing and holding.
    assert {kind for kind, status in seen if status == "failed"} >= {"rule", "signoff", "questionnaire"}
    assert {kind for kind, _ in seen} == set(CHECK_KINDS)


def test_a_failed_gate_raises_gate_failed_after_writing_every_output(project: Path, cli) -> None:
    from riskcheck.cli.check_cmd import command

    with pytest.raises(GateFailed) as raised:
        command.main(["low.yaml", "--fail-on", "low", "--format", "json"], standalone_mode=False)
    assert raised.value.exit_code == 1
    assert not raised.value.run.passed

    run = cli(
        "check", "low.yaml", "--fail-on", "low", "--json", "gate.json", "--junit", "j.xml", "--markdown", "gate.md"
    )
    # The report, then exit 1: nothing on standard error, no traceback, every file written.
    assert (run.code, run.err) == (1, "")
    assert run.out.endswith("riskcheck gate failed: 0 of 1 assessment(s) passed, 1 of 7 check(s) failed\n")
    gate = json.loads((project / "gate.json").read_text())
    assert (gate["passed"], gate["exit_code"]) == (False, 1)
    assert (project / "j.xml").read_text().startswith("<?xml")
    assert (project / "gate.md").read_text().startswith("## ❌ riskcheck gate failed")

    # A passing gate returns normally.
    assert command.main(["low.yaml", "--format", "json"], standalone_mode=False) is None


def test_bad_input_is_still_exit_2_naming_what_was_expected(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--fail-on", "severe")
    assert (run.code, run.out) == (2, "")
    assert run.err == "error: --fail-on 'severe' is not a tier of ci-gate (tiers: low, medium, high)\n"


def test_a_finding_that_fails_differently_than_at_the_baseline_is_new(repo: Path, cli) -> None:
    # At the baseline, automated-at-scale fails only because it is above the maximum severity.
    options = ("--fail-on", "none", "--max-severity", "medium", "--baseline", "main", "--format", "json")
    run = cli("check", "scaled.yaml", *options)
    assert run.code == 0, run.err
    assessment = json.loads(run.out)["assessments"][0]
    rule = next(c for c in assessment["checks"] if c["id"] == "rule:automated-at-scale")
    assert (rule["status"], rule["accepted"]) == ("passed", True)
    assert rule["details"][-1] == "accepted: already present at the baseline main"
    assert [(r["kind"], r["finding"]) for r in assessment["accepted"]] == [("severity", "automated-at-scale")]
    assert assessment["reasons"] == []

    # Now the rule blocks launch: the same finding fails another way, which is new risk.
    _edit(repo / "questionnaire.yaml", "    severity: high\n", "    severity: high\n    blocks_launch: true\n")
    git(repo, "diff", "--quiet", "--", "scaled.yaml")  # the assessment itself did not change
    run = cli("check", "scaled.yaml", *options)
    assert run.code == 1, run.err
    assessment = json.loads(run.out)["assessments"][0]
    rule = next(c for c in assessment["checks"] if c["id"] == "rule:automated-at-scale")
    assert (rule["status"], rule["accepted"]) == ("failed", False)
    assert rule["message"] == "blocking finding automated-at-scale: Automated decisions at scale."
    assert assessment["reasons"] == [
        {
            "kind": "blocking",
            "message": "blocking finding automated-at-scale: Automated decisions at scale.",
            "finding": "automated-at-scale",
            "role": None,
        }
    ]
    assert assessment["accepted"] == []
