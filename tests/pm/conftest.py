"""Fixtures for the product manager's ways in: ``riskcheck fill`` and ``riskcheck serve``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
CHROMIUM = Path("/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end test driving Debian's Chromium through Playwright")


def write_draft(directory: Path, name: str = "draft.yaml", *, system: str = "Loan approvals") -> Path:
    """A new assessment as `riskcheck new` writes it: every question listed, with comments."""
    from riskcheck.loader import load_questionnaire
    from riskcheck.skeleton import assessment_skeleton

    questionnaire = load_questionnaire(directory / "questionnaire.yaml")
    path = directory / name
    path.write_text(
        assessment_skeleton(
            questionnaire, name=system, owner="credit-team@example.com", reference='{path: "questionnaire.yaml"}'
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory holding the demo questionnaire and an empty draft assessment."""
    directory = tmp_path / "assessments"
    directory.mkdir()
    shutil.copy(DATA / "questionnaire.yaml", directory / "questionnaire.yaml")
    write_draft(directory)
    return directory
