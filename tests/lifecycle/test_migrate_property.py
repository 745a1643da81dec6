"""Property: whatever the answers, a migration loses none of them, and the file reads back as planned."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskcheck.core.loader import load_assessment
from riskcheck.lifecycle.migrate import migrate, value_of

VERSIONS = Path(__file__).parent / "versions"

ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "uses_ai": st.booleans(),
        "bias_tested": st.sampled_from(["none", "some_groups", "all_groups"]),
        "purpose": st.text(alphabet="abc xyz.:#-'\"", min_size=1, max_size=30).filter(lambda t: t.strip() == t != ""),
        "legacy_flag": st.booleans(),
        "data_kind": st.lists(
            st.sampled_from(["personal", "sensitive", "public"]), min_size=0, max_size=3, unique=True
        ),
    },
)


def _long_form(answers: dict[str, Any], notes: list[bool]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (qid, value), note in zip(answers.items(), notes + [False] * len(answers), strict=False):
        out[qid] = {"value": value, "comment": f"note on {qid}", "evidence": [f"docs/{qid}.md"]} if note else value
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=ANSWERS, notes=st.lists(st.booleans(), max_size=5))
def test_no_answer_is_ever_lost(answers: dict[str, Any], notes: list[bool]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(VERSIONS, project)
        path = project / "assessment.yaml"
        before = _long_form(answers, notes)
        document = {
            "system": {"name": "S", "owner": "o", "version": "1", "purpose": "p"},
            "questionnaire": {"path": "demo.yaml", "version": "1.0.0"},
            "answers": before,
        }
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        plan = migrate(path)
        after = yaml.safe_load(path.read_text(encoding="utf-8"))
        load_assessment(path)  # valid for the version it now answers
        archived = [(a["question"], a["value"]) for a in after.get("archived_answers") or []]
        moves: dict[str, list[tuple[str, Any]]] = {}
        for moved in plan.moved:
            moves.setdefault(moved.question, []).append((moved.to, moved.after))
        for qid, raw in before.items():
            value = value_of(raw)
            if (qid, value) in archived:
                continue
            place, expected = qid, value
            while moves.get(place):
                place, expected = moves[place].pop(0)
            assert value_of((after.get("answers") or {}).get(place)) == expected, (qid, place)
