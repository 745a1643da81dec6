"""How hidden questions score: they leave their section's maximum (issue 12, item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.engine import AnswerSet, evaluate
from riskcheck.core.loader import load_questionnaire, normalise_answer
from riskcheck.files.yamlio import load_yaml

MINI = Path(__file__).parent / "cases" / "mini" / "questionnaire.yaml"
NEVER = "affects_people and not affects_people"


def _with_hidden_question(tmp: Path, section: int, points: int, when: str = NEVER) -> CompiledQuestionnaire:
    data = load_yaml(MINI).data
    data["sections"][section]["questions"].append(
        {
            "id": "never_shown",
            "type": "yes_no",
            "text": "A question that never applies",
            "when": when,
            "required": False,
            "points": {"yes": points, "no": points},
        }
    )
    path = tmp / f"hidden-{section}-{points}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_questionnaire(path)


def _score(compiled: CompiledQuestionnaire, raw: dict[str, Any]) -> tuple[Any, ...]:
    values = {}
    for qid, value in raw.items():
        normalised = normalise_answer(compiled.questions[qid].question, value)
        if normalised is not None:
            values[qid] = normalised
    result = evaluate(compiled, AnswerSet(values))
    return (
        result.score,
        result.tier,
        tuple((s.id, s.points, s.max, s.share) for s in result.sections),
        tuple(f.id for f in result.findings),
    )


def test_a_hidden_question_leaves_its_section_maximum(tmp_path: Path) -> None:
    # In the profile section, 4 + 3 + 3 points; hiding people_count leaves 7, not 10.
    compiled = load_questionnaire(MINI)
    result = evaluate(compiled, AnswerSet({"decision_type": "automated", "affects_people": False}))
    profile = next(s for s in result.sections if s.id == "profile")
    assert (profile.points, profile.max) == (4.0, 7.0)


_BASE = load_questionnaire(MINI)
_VARIANTS: dict[tuple[int, int], CompiledQuestionnaire] = {}


def _variant(section: int, points: int) -> CompiledQuestionnaire:
    if (section, points) not in _VARIANTS:
        import tempfile

        _VARIANTS[(section, points)] = _with_hidden_question(Path(tempfile.mkdtemp()), section, points)
    return _VARIANTS[(section, points)]


answers = st.fixed_dictionaries(
    {},
    optional={
        "decision_type": st.sampled_from(["advisory", "human_in_loop", "automated"]),
        "affects_people": st.sampled_from(["yes", "no"]),
        "people_count": st.integers(min_value=0, max_value=1_000_000),
        "protected": st.lists(st.sampled_from(["sex", "age", "none"]), unique=True, min_size=1),
        "bias_tested": st.sampled_from(["yes", "no"]),
    },
)


@settings(max_examples=150, deadline=None)
@given(raw=answers, section=st.sampled_from([0, 1]), points=st.integers(min_value=1, max_value=9))
def test_adding_a_never_shown_question_never_changes_a_score(raw: dict[str, Any], section: int, points: int) -> None:
    assert _score(_variant(section, points), raw) == _score(_BASE, raw)
