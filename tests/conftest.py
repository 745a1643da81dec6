"""Shared fixtures; declarative scoring cases under tests/cases/ are collected here."""

from __future__ import annotations

import json
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


@pytest.fixture
def mini_questionnaire() -> Path:
    return CASES / "mini" / "questionnaire.yaml"


@pytest.fixture
def impact_questionnaire() -> Path:
    return CASES / "impact" / "questionnaire.yaml"


def dump(data: Any) -> str:
    return json.dumps(data, sort_keys=True)
