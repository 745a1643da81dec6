"""An approval covers the archived answers (those a migration could not place): the
report shows them, so changing one makes the approval stale and says so."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.files.yamlio import load_yaml

FIXTURES = Path(__file__).parent.parent / "report" / "fixtures"
NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
ROLES = (("Priya Product", "product"), ("Ada Legal", "legal"), ("Paul Privacy", "privacy"))
ARCHIVED = [
    {
        "question": "legacy_review",
        "version": "0.9.0",
        "reason": "the question was removed in 1.0.0",
        "value": "quarterly",
        "comment": "Reviewed by the works council.",
        "evidence": ["docs/legacy-review.md"],
    }
]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(FIXTURES, target)
    (target / "docs").mkdir(exist_ok=True)
    (target / "docs" / "legacy-review.md").write_text("# Legacy review\n", encoding="utf-8")
    path = target / "assessment.yaml"
    edit(path, lambda data: data.__setitem__("archived_answers", [dict(a) for a in ARCHIVED]))
    for name, role in ROLES:
        sign(path, name=name, role=role, decision="approve", now=NOW)
    assert api.score(path).signoffs.status == "approved"
    return path


def edit(path: Path, change: Any) -> None:
    data = load_yaml(path).data
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def legal_note(path: Path) -> str | None:
    result = api.score(path)
    assert result.signoffs.status == "stale"
    return next(r for r in result.signoffs.records if r.role == "legal").note


@pytest.mark.parametrize(
    ("field", "new"),
    [("value", "never"), ("comment", "Nobody reviewed it."), ("reason", "dropped"), ("evidence", [])],
)
def test_changing_an_archived_answer_makes_the_approval_stale(demo: Path, field: str, new: Any) -> None:
    edit(demo, lambda data: data["archived_answers"][0].__setitem__(field, new))
    note = legal_note(demo) or ""
    assert note.startswith("changed since Ada Legal's approval on 2026-11-02: archived answers"), note
    reasons = [r.message for r in api.check(demo, require_signoff=True).failed if r.kind == "signoff"]
    assert reasons and all("archived answers" in message for message in reasons)


def test_removing_the_archived_answers_makes_the_approval_stale(demo: Path) -> None:
    edit(demo, lambda data: data.pop("archived_answers"))
    assert "archived answers" in (legal_note(demo) or "")


def test_the_bytes_of_an_archived_answers_evidence_file_are_covered(demo: Path) -> None:
    (demo.parent / "docs" / "legacy-review.md").write_text("# Rewritten\n", encoding="utf-8")
    assert legal_note(demo) == ("changed since Ada Legal's approval on 2026-11-02: evidence file docs/legacy-review.md")
