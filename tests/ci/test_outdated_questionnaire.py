"""An assessment pinned to an older bundled questionnaire version keeps working, and the gate says so.

``outdated-questionnaire`` ([tool.riskcheck], or ``check --outdated-questionnaire``)
decides what a newer version does: ``warn`` (the default), ``fail`` or ``ignore``.
The warning names the pinned and the newest version and how to move the answers,
in every output format.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskcheck.core.loader import bundled_questionnaires, load_questionnaire
from tests.ci.conftest import ROOT

PINNED = ROOT / "tests" / "lifecycle" / "examples_1_0_0" / "spam-filter.yaml"
NEWEST = load_questionnaire(bundled_questionnaires()["rai-prelaunch"]).version


@pytest.fixture
def pinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(PINNED, tmp_path / "spam-filter.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def _says_newer(text: str) -> None:
    assert "rai-prelaunch@1.0.0" in text
    assert f"rai-prelaunch@{NEWEST}" in text
    assert "riskcheck migrate spam-filter.yaml" in text


def test_the_newest_bundled_version_is_newer_than_the_pin() -> None:
    assert NEWEST != "1.0.0"


def test_default_warns_and_passes(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", "spam-filter.yaml")
    assert run.code == 0, run.out + run.err
    warning = next(line for line in run.out.splitlines() if "questionnaire version" in line)
    assert warning.lstrip().startswith("!")
    _says_newer(warning)


def test_json_lists_the_warning_and_the_policy(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", "spam-filter.yaml", "--format", "json")
    assert run.code == 0
    gate = json.loads(run.out)
    assert gate["policy"]["outdated_questionnaire"] == "warn"
    assessment = gate["assessments"][0]
    assert assessment["policy"]["outdated_questionnaire"] == "warn"
    assert len(assessment["warnings"]) == 1
    _says_newer(assessment["warnings"][0])
    (check,) = [c for c in assessment["checks"] if c["kind"] == "questionnaire"]
    assert check["status"] == "passed"
    assert check["line"] is not None


def test_json_matches_the_published_schema(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "gate-json-schema.json").read_text(encoding="utf-8"))
    for mode in ("warn", "fail"):
        run = cli("check", "spam-filter.yaml", "--format", "json", "--outdated-questionnaire", mode)
        jsonschema.validate(json.loads(run.out), schema)


def test_github_warning_annotation(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", "spam-filter.yaml", "--format", "github")
    assert run.code == 0
    (line,) = [line for line in run.out.splitlines() if "questionnaire version" in line]
    assert line.startswith("::warning file=spam-filter.yaml,line=")
    _says_newer(line)


def test_markdown_lists_the_warning(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", "spam-filter.yaml", "--format", "markdown")
    assert run.code == 0
    (line,) = [line for line in run.out.splitlines() if "questionnaire version" in line]
    assert "⚠️" in line
    assert "riskcheck migrate spam-filter.yaml" in line
    assert f"{NEWEST.split('.')[0]}." in line


def test_policy_fail_fails_the_gate(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (pinned / "pyproject.toml").write_text('[tool.riskcheck]\noutdated-questionnaire = "fail"\n', encoding="utf-8")
    run = cli("check", "spam-filter.yaml")
    assert run.code == 1
    assert "a questionnaire version older than the newest available" in run.out
    failure = next(line for line in run.out.splitlines() if "questionnaire version" in line and "x" in line[:4])
    _says_newer(failure)
    gate = json.loads(cli("check", "spam-filter.yaml", "--format", "json").out)
    assert [r["kind"] for r in gate["assessments"][0]["reasons"]] == ["outdated"]
    github = cli("check", "spam-filter.yaml", "--format", "github").out
    assert any(line.startswith("::error") and "questionnaire version" in line for line in github.splitlines())
    markdown = cli("check", "spam-filter.yaml", "--format", "markdown").out
    assert "❌ **questionnaire version**" in markdown


def test_option_overrides_the_policy(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (pinned / "pyproject.toml").write_text('[tool.riskcheck]\noutdated-questionnaire = "fail"\n', encoding="utf-8")
    assert cli("check", "spam-filter.yaml", "--outdated-questionnaire", "warn").code == 0
    assert cli("check", "spam-filter.yaml", "--outdated-questionnaire", "fail").code == 1


def test_ignore_says_nothing(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", "spam-filter.yaml", "--outdated-questionnaire", "ignore", "--format", "json")
    assert run.code == 0
    assessment = json.loads(run.out)["assessments"][0]
    assert assessment["warnings"] == []
    assert not [c for c in assessment["checks"] if c["kind"] == "questionnaire"]


def test_the_newest_version_gets_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert cli("new", "-q", "rai-prelaunch", "-o", "new.yaml").code == 0
    run = cli("check", "new.yaml", "--format", "json")
    assert json.loads(run.out)["assessments"][0]["warnings"] == []


def test_a_misspelt_policy_value_is_an_error(pinned: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (pinned / "pyproject.toml").write_text('[tool.riskcheck]\noutdated-questionnaire = "fial"\n', encoding="utf-8")
    run = cli("check", "spam-filter.yaml")
    assert run.code == 2
    assert "outdated-questionnaire" in run.err
    assert "pyproject.toml" in run.err
    assert "Traceback" not in run.err
