"""Every bundled example, as it answered 1.0.0, migrates to the newest bundled version with no answer lost."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcheck.core.loader import bundled_questionnaires, load_assessment
from riskcheck.lifecycle.migrate import migrate, value_of
from riskcheck.lifecycle.versions import bundled_catalog

EXAMPLES = Path(__file__).parent / "examples_1_0_0"


def _examples() -> list[Path]:
    """The bundled examples as they answered the 1.0.0 questionnaires (see the README there)."""
    return sorted(EXAMPLES.glob("*.yaml"))


def test_every_bundled_questionnaire_chains_from_each_released_version() -> None:
    for qid in bundled_questionnaires():
        catalog = bundled_catalog(qid)
        for version in catalog.versions():
            # A missing link raises, naming the versions.
            assert catalog.chain(version, catalog.latest()) is not None


@pytest.mark.parametrize("example", _examples(), ids=lambda p: p.stem)
def test_an_example_migrates_with_no_answer_lost(example: Path, tmp_path: Path) -> None:
    path = tmp_path / example.name
    shutil.copy(example, path)
    before = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = migrate(path)
    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    qid = before["questionnaire"].split("@")[0]
    assert after["questionnaire"] == f"{qid}@{bundled_catalog(qid).latest()}"
    load_assessment(path)  # the migrated file is a valid assessment of the newest version
    moves: dict[str, list[tuple[str, Any]]] = {}
    for moved in plan.moved:
        moves.setdefault(moved.question, []).append((moved.to, moved.after))
    archived = [(a["question"], a["value"]) for a in after.get("archived_answers") or []]
    for question, raw in before["answers"].items():
        value = value_of(raw)
        if value is None:
            continue
        if (question, value) in archived:
            continue
        place, expected = question, value
        while moves.get(place):
            place, expected = moves[place].pop(0)
        assert place in after["answers"], f"{question}: neither moved, kept nor archived"
        assert value_of(after["answers"][place]) == expected, f"{question}: changed on the way to {place}"
        if isinstance(raw, dict):
            for note in ("comment", "evidence"):
                assert after["answers"][place].get(note) == raw.get(note), f"{question}: {note} lost"
