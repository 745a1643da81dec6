"""Helpers for the bundled-content tests: write assessments against bundled questionnaires."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
QUESTIONNAIRES = ROOT / "questionnaires"


def write_assessment(directory: Path, questionnaire: str, answers: dict[str, Any], name: str = "a") -> Path:
    """An assessment file answering the bundled ``questionnaire`` ('id@version')."""
    data = {
        "system": {
            "name": "Test system",
            "owner": "owner@example.com",
            "version": "1.0.0",
            "purpose": "Testing the bundled questionnaires.",
            "assessed_on": "2026-03-02",
        },
        "questionnaire": questionnaire,
        "answers": answers,
    }
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
