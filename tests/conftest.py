"""Shared fixtures; declarative scoring cases under tests/cases/ are collected here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

CASES = Path(__file__).parent / "cases"
ROOT = Path(__file__).parent.parent


def write_assessment(
    directory: Path, questionnaire: Path | str, answers: dict[str, Any], *, name: str = "Test system"
) -> Path:
    """Write an assessment for ``questionnaire`` (a file path or a bundled 'id@version')."""
    reference: Any = {"path": str(questionnaire)} if isinstance(questionnaire, Path) else questionnaire
    data = {
        "system": {
            "name": name,
            "owner": "owner@example.com",
            "version": "1.0.0",
            "purpose": "Testing riskcheck.",
            "assessed_on": "2026-11-01",
        },
        "questionnaire": reference,
        "answers": answers,
    }
    path = directory / "assessment.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.case.yaml"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scoring_case" in metafunc.fixturenames:
        files = case_files()
        metafunc.parametrize("scoring_case", files, ids=[f"{p.parent.name}/{p.stem}" for p in files])


@pytest.fixture(autouse=True)
def private_state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Per-user state (the web form's review links) goes to a temporary folder, never ~/.local/state."""
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def mini_questionnaire() -> Path:
    return CASES / "mini" / "questionnaire.yaml"


@pytest.fixture
def impact_questionnaire() -> Path:
    return CASES / "impact" / "questionnaire.yaml"


def dump(data: Any) -> str:
    return json.dumps(data, sort_keys=True)


#: Set by .ci/run: there, a browser test that skips is a failure, not a quiet pass.
REQUIRE_BROWSER = os.environ.get("RISKCHECK_REQUIRE_BROWSER") == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if REQUIRE_BROWSER and report.skipped and item.get_closest_marker("browser") is not None:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid}: browser test skipped ({_skip_reason(report)}), "
            "but RISKCHECK_REQUIRE_BROWSER=1 demands that every browser test runs"
        )
    return report


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = [
        report for report in terminalreporter.stats.get("skipped", []) if "browser" in getattr(report, "keywords", {})
    ]
    if skipped:
        terminalreporter.section("browser tests skipped", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{len(skipped)} browser test(s) did not run: {_skip_reason(skipped[0])}. "
            "The suite is not complete; run scripts/install-system-deps.sh --browser first."
        )
