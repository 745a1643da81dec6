"""Issue 13 section 2 and issue 12 item 5: the gate fails closed, says why, and has a safe default.

Each test here reproduces a break found on ``main`` and failed before its fix.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from riskcheck.core.filekind import ASSESSMENT_KEYS, QUESTIONNAIRE_KEYS, classify, kind_of
from tests.ci.conftest import DATA, ROOT

EXAMPLES = ROOT / "examples"
SCHEMA = json.loads((ROOT / "docs" / "gate-json-schema.json").read_text(encoding="utf-8"))
FORMATS = ("text", "json", "github", "markdown", "junit")


def _reference(example: Path) -> str:
    """The ``id@version`` an example answers (the content engineers move them on)."""
    from riskcheck.core.loader import load_assessment

    loaded = load_assessment(example)
    return f"{loaded.questionnaire.id}@{loaded.questionnaire.version}"


def _typo_folder(tmp_path: Path) -> Path:
    """The reproduction from the issue: a high-risk assessment with ``sytem:``, next to a passing one."""
    folder = tmp_path / "folder"
    folder.mkdir()
    text = (EXAMPLES / "cv-screening.yaml").read_text(encoding="utf-8")
    assert "\nsystem:\n" in text
    (folder / "typo.yaml").write_text(text.replace("\nsystem:\n", "\nsytem:\n"), encoding="utf-8")
    shutil.copy(EXAMPLES / "spam-filter.yaml", folder / "spam-filter.yaml")
    return folder


def test_a_misspelt_system_key_fails_the_directory_gate(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _typo_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = cli("check", "folder")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "error: folder/typo.yaml:4:1: system: required key is missing\n"
        "folder/typo.yaml:4:1: sytem: unknown key; check its spelling (unknown keys are errors, not ignored)\n"
    )
    # The file named on its own was already refused; both paths now agree.
    assert cli("check", "folder/typo.yaml").code == 2
    assert classify(folder / "typo.yaml").kind == "assessment"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"sytem": {}, "answers": {}}, "assessment"),
        ({"sytem": {"name": "x"}}, "assessment"),  # a typo of the only key left
        ({"answer": {"q": 1}}, "assessment"),
        ({"questionaire": "rai-prelaunch@1.0.0"}, "assessment"),
        ({"ref": "rai-prelaunch@1.0.0", "name": "x"}, "assessment"),  # a questionnaire reference
        ({"signoffs": []}, "assessment"),
        ({"id": "q", "version": "1.0.0", "sections": [], "scoring": {}, "signoff": {}}, "questionnaire"),
        ({"name": "CI", "on": {"push": None}, "jobs": {}}, "other"),
        ({"stages": ["test"], "riskcheck": {"script": "riskcheck check ."}}, "other"),
        (["a", "list"], "assessment"),  # not a mapping: checked, so the loader says what is wrong
    ],
)
def test_one_decision_leans_towards_assessment(data: object, kind: str) -> None:
    assert kind_of(data)[0] == kind


def test_the_keys_are_the_models_keys() -> None:
    from riskcheck.core.assessment import AssessmentFile
    from riskcheck.core.questionnaire import Questionnaire

    assert set(ASSESSMENT_KEYS) == {field.alias or name for name, field in AssessmentFile.model_fields.items()}
    assert set(QUESTIONNAIRE_KEYS) <= set(Questionnaire.model_fields) - set(AssessmentFile.model_fields)


def test_unparseable_yaml_in_a_directory_fails_the_gate(project: Path, cli) -> None:
    (project / "broken.yaml").write_text("system: [unclosed\n")
    run = cli("check", ".")
    assert run.code == 2
    assert run.err.startswith("error: broken.yaml:2:1: invalid YAML")


def test_plainly_other_yaml_is_skipped_and_listed(project: Path, cli) -> None:
    (project / "ci").mkdir()
    shutil.copy(EXAMPLES / "ci" / "github-actions.yml", project / "ci" / "github-actions.yml")
    run = cli("check", ".", "--verbose")
    assert run.code == 1, run.err
    assert run.out.splitlines()[-3:] == [
        "skipped  ci/github-actions.yml: not an assessment: none of its top-level keys (name, on, permissions, "
        "jobs) is an assessment key",
        "skipped  questionnaire.yaml: a questionnaire (it has sections or scoring)",
        "riskcheck gate failed: 2 of 3 assessment(s) passed, 1 of 23 check(s) failed; 2 other YAML file(s) skipped",
    ]
    gate = json.loads(cli("check", ".", "--format", "json").out)
    jsonschema.validate(gate, SCHEMA)
    assert gate["skipped"] == [
        {
            "file": "ci/github-actions.yml",
            "reason": "not an assessment: none of its top-level keys (name, on, permissions, jobs) "
            "is an assessment key",
        },
        {"file": "questionnaire.yaml", "reason": "a questionnaire (it has sections or scoring)"},
    ]


def test_pyproject_excludes_paths(project: Path, cli) -> None:
    (project / "legacy").mkdir()
    (project / "legacy" / "old.yaml").write_text("system: [broken\n")
    assert cli("check", ".").code == 2
    (project / "pyproject.toml").write_text('[tool.riskcheck]\nexclude = ["legacy"]\n')
    gate = json.loads(cli("check", ".", "--format", "json").out)
    assert {"file": "legacy/old.yaml", "reason": "excluded by [tool.riskcheck] exclude 'legacy'"} in gate["skipped"]
    assert [a["file"] for a in gate["assessments"]] == ["fair.yaml", "low.yaml", "scaled.yaml"]
    # A glob, relative to pyproject.toml; a file named explicitly is still checked.
    (project / "pyproject.toml").write_text('[tool.riskcheck]\nexclude = ["*/old.yaml"]\n')
    assert cli("check", ".").code == 1
    assert cli("check", "legacy/old.yaml").code == 2


def test_pytest_plugin_and_web_index_use_the_same_decision(tmp_path: Path, pytester: pytest.Pytester) -> None:
    folder = _typo_folder(tmp_path)
    shutil.copy(folder / "typo.yaml", pytester.path / "typo.yaml")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--riskcheck", "--collect-only", "-q")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*riskcheck: *typo.yaml:4:1: system: required key is missing*"])

    from riskcheck.web.catalog import Catalog

    entries, _ = Catalog(folder).scan()
    by_file = {entry.relative: entry for entry in entries}
    assert sorted(by_file) == ["spam-filter.yaml", "typo.yaml"]
    assert by_file["typo.yaml"].error == "typo.yaml:4:1: system: required key is missing (and 1 more)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_failed_line_says_why_in_every_format(fmt: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run = cli("check", "examples/classification", "--require-signoff", "--format", fmt)
    assert run.code == 1, run.err
    why = (
        f"no sign-off decision recorded, and {_reference(EXAMPLES / 'classification' / 'loan-scoring.yaml')} "
        "declares no sign-off roles to ask for: "
        "record an approval with `riskcheck sign` under a role of your choosing, or list the roles under "
        "signoff.roles in the questionnaire"
    )
    if fmt == "json":
        gate = json.loads(run.out)
        jsonschema.validate(gate, SCHEMA)
        for assessment in gate["assessments"]:
            failed = [c for c in assessment["checks"] if c["status"] == "failed"]
            assert [c["message"] for c in failed if c["id"] == "signoff"] == [why]
            assert {r["message"] for r in assessment["reasons"]} <= {c["message"] for c in failed} | {
                r["message"] for r in assessment["reasons"] if r["kind"] == "tier"
            }
    elif fmt == "junit":
        suites = ET.fromstring(run.out)
        for suite in suites.iter("testsuite"):
            assert why in [f.attrib["message"] for f in suite.iter("failure")]
    elif fmt == "github":
        assert sum(1 for line in run.out.splitlines() if line.startswith("::error") and why in line) == 2
        assert sum(1 for line in run.out.splitlines() if ": FAILED - " in line and why in line) == 1
    elif fmt == "markdown":
        from riskcheck.render.safe import md

        assert run.out.count(md(why)) == 2
    else:
        assert run.out.count(why) == 2


def test_check_of_the_examples_folder_gives_a_verdict(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # A system's pre-launch check and its EU AI Act classification share a name: normal.
    monkeypatch.chdir(ROOT)
    run = cli("check", "examples", "--format", "json")
    assert run.code == 1, run.err
    gate = json.loads(run.out)
    names = [(a["system"]["name"], a["questionnaire"]["id"]) for a in gate["assessments"]]
    assert ("QuickLoan credit score", "rai-prelaunch") in names
    assert ("QuickLoan credit score", "eu-ai-act-classification") in names
    assert [s["file"] for s in gate["skipped"]] == ["examples/ci/github-actions.yml", "examples/ci/gitlab-ci.yml"]


def test_no_policy_fails_a_high_risk_system_by_the_questionnaires_default(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml above
    shutil.copy(EXAMPLES / "cv-screening.yaml", tmp_path / "cv.yaml")
    run = cli("check", "cv.yaml")
    assert run.code == 1
    reference = _reference(EXAMPLES / "cv-screening.yaml")
    policy = (
        f"policy: fail on tier high or above (fail-on from the default gate of {reference}); "
        "a blocking finding; a fairness threshold breached; an unanswered required question"
    )
    assert run.out.splitlines()[0] == policy
    assert "  x risk tier: tier high is at or above the fail-on tier high (score " in run.out
    # A project's table overrides the questionnaire; 'none' switches the tier off.
    (tmp_path / "pyproject.toml").write_text('[tool.riskcheck]\nfail-on = "critical"\n')
    assert cli("check", "cv.yaml").code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.riskcheck]\nfail-on = "none"\n')
    run = cli("check", "cv.yaml")
    assert run.code == 0
    assert run.out.splitlines()[0] == (
        "policy: fail on no tier (fail-on none, from [tool.riskcheck] fail-on); a blocking finding; "
        "a fairness threshold breached; an unanswered required question"
    )
    # And an option overrides both.
    assert cli("check", "cv.yaml", "--fail-on", "medium").code == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_policy_in_effect_is_printed_in_every_format(fmt: str, project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--fail-on", "high", "--format", fmt)
    summary = (
        "fail on tier high or above (fail-on from --fail-on); a blocking finding; a fairness threshold breached; "
        "an unanswered required question"
    )
    if fmt == "json":
        gate = json.loads(run.out)
        assert gate["policy_summary"] == summary
        assert gate["assessments"][0]["policy"] == {
            "fail_on": "high",
            "fail_on_from": "--fail-on",
            "require_signoff": False,
            "allow_incomplete": False,
            "max_severity": None,
            "outdated_questionnaire": "warn",
            "summary": summary,
        }
    elif fmt == "junit":
        properties = {p.attrib["name"]: p.attrib["value"] for p in ET.fromstring(run.out).iter("property")}
        assert properties["policy"] == summary
    else:
        assert summary in run.out


def test_the_python_api_applies_the_same_default(tmp_path: Path) -> None:
    from riskcheck import api

    outcome = api.check(EXAMPLES / "cv-screening.yaml")
    assert [c.kind for c in outcome.failed] == ["tier"]
    assert api.check(EXAMPLES / "cv-screening.yaml", fail_on="none").passed


def test_the_pytest_plugin_applies_the_same_default(pytester: pytest.Pytester) -> None:
    shutil.copy(EXAMPLES / "cv-screening.yaml", pytester.path / "cv.yaml")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--riskcheck", "cv.yaml", "-q")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*tier high is at or above the fail-on tier high (score *; fail-on from the default*"])


@pytest.mark.parametrize(
    ("command", "target", "message"),
    [
        ("score", "questionnaires/rai-prelaunch.yaml", "this is a questionnaire, not an assessment"),
        ("report", "questionnaires/rai-prelaunch.yaml", "this is a questionnaire, not an assessment"),
        ("check", "questionnaires/rai-prelaunch.yaml", "this is a questionnaire, not an assessment"),
        ("coverage", "examples/spam-filter.yaml", "this is an assessment, not a questionnaire"),
        (
            "validate",
            "examples/ci/github-actions.yml",
            "this is neither a questionnaire nor an assessment: none of its top-level keys "
            "(name, on, permissions, jobs) is theirs",
        ),
    ],
)
def test_the_wrong_kind_of_file_gets_one_error(command: str, target: str, message: str, tmp_path: Path) -> None:
    args = [command, target] + (["-o", str(tmp_path / "r.pdf")] if command == "report" else [])
    run = subprocess.run(
        [sys.executable, "-m", "riskcheck", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert f"{target}:1:1: {message}\n" in run.stderr
    assert "unknown key" not in run.stderr and "Traceback" not in run.stderr


def test_a_csv_is_expected_to_be_an_assessment(project: Path, cli) -> None:
    (project / "data.csv").write_text("risk,sex\ngood,male\n")
    run = cli("score", "data.csv")
    assert run.code == 2
    assert "data.csv:1:1: expected an assessment (a YAML mapping), got text 'risk,sex good,male'" in run.err


def test_duplicate_names_within_one_questionnaire_are_still_refused(project: Path, cli) -> None:
    shutil.copy(DATA / "low.yaml", project / "again.yaml")
    run = cli("check", "low.yaml", "again.yaml")
    assert run.code == 2
    assert "which answers the same questionnaire (ci-gate)" in run.err


def test_a_folder_gate_checks_upper_case_suffixes_and_refuses_links_it_cannot_follow(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two high-risk assessments that a folder gate used to leave out without a word."""
    assess, other = tmp_path / "assess", tmp_path / "other"
    assess.mkdir()
    other.mkdir()
    shutil.copy(EXAMPLES / "spam-filter.yaml", assess / "spam-filter.yaml")
    (assess / "Risky.YAML").write_text((EXAMPLES / "workplace-emotion-monitoring.yaml").read_text(encoding="utf-8"))
    shutil.copy(EXAMPLES / "workplace-emotion-monitoring.yaml", other / "hidden-risk.yaml")
    (assess / "team-b").symlink_to(other, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    # The link is not followed, so the gate cannot tell what is behind it: it fails closed.
    run = cli("check", "assess", "--fail-on", "high", "--format", "json")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "error: assess/team-b: a symbolic link to a folder; riskcheck does not follow links, so the assessments "
        "behind it would go unchecked: name its target on the command line, or list it under [tool.riskcheck] "
        "exclude\n"
    )
    # Excluded by the project, it is listed as skipped; the upper-case file is checked.
    (tmp_path / "pyproject.toml").write_text('[tool.riskcheck]\nexclude = ["assess/team-b"]\n')
    run = cli("check", "assess", "--fail-on", "high", "--format", "json")
    data = json.loads(run.out)
    checked = sorted(Path(a["file"]).name for a in data["assessments"])
    assert checked == ["Risky.YAML", "spam-filter.yaml"]
    assert run.code == 1  # the upper-case file is high risk: checked, so the gate fails
    skipped = {Path(s["file"]).name: s["reason"] for s in data["skipped"]}
    assert skipped["team-b"] == "excluded by [tool.riskcheck] exclude 'assess/team-b'"
