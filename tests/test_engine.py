"""Scoring: the impact-with-mitigation boundaries, tiers, traces, determinism and properties."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcheck import api
from riskcheck.core.compiler import CompiledQuestionnaire, compile_questionnaire
from riskcheck.core.engine import AnswerSet, evaluate, visible_values
from riskcheck.core.loader import load_questionnaire
from riskcheck.core.questionnaire import Questionnaire
from riskcheck.files.yamlio import Document

CASES = Path(__file__).parent / "cases"
IMPACT = load_questionnaire(CASES / "impact" / "questionnaire.yaml")
MINI = load_questionnaire(CASES / "mini" / "questionnaire.yaml")
IMPACT_POINTS = [1, 2, 4, 8, 16, 32, 37]
MITIGATION_POINTS = [1, 2, 4, 8, 5]


def compile_dict(data: dict[str, Any]) -> CompiledQuestionnaire:
    return compile_questionnaire(Questionnaire.model_validate(data), Document("<test>", data))


def _pick(target: int, points: list[int]) -> set[int]:
    """Indices of ``points`` summing to ``target`` (the last one is the odd one out)."""
    odd = points[-1]
    binary = points[:-1]
    rest, chosen = (target - odd, {len(points) - 1}) if target > sum(binary) else (target, set())
    for index in reversed(range(len(binary))):
        if rest >= binary[index]:
            rest -= binary[index]
            chosen.add(index)
    assert rest == 0, target
    return chosen


def impact_answers(raw: int, mitigation: int) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    chosen = _pick(raw, IMPACT_POINTS)
    for i in range(len(IMPACT_POINTS)):
        answers[f"impact_{i}"] = i in chosen
    chosen = _pick(mitigation, MITIGATION_POINTS)
    for i in range(len(MITIGATION_POINTS)):
        answers[f"mitigation_{i}"] = i in chosen
    return answers


# Derived from the rule: adjusted = raw x 0.85 when mitigation >= 80 % of its maximum (16 of 20),
# rounded half up; levels I-IV end at 25 / 50 / 75 / 100 % of the maximum raw score (100), inclusive.
BOUNDARIES = [
    (0, 0, 0, "level-1"),
    (25, 0, 25, "level-1"),
    (26, 0, 26, "level-2"),
    (50, 0, 50, "level-2"),
    (51, 0, 51, "level-3"),
    (75, 0, 75, "level-3"),
    (76, 0, 76, "level-4"),
    (100, 0, 100, "level-4"),
    (30, 15, 30, "level-2"),  # 75 % mitigation: below the threshold, no reduction
    (30, 16, 26, "level-2"),  # 25.5 rounds half up to 26: not truncated into level I
    (29, 16, 25, "level-1"),  # 24.65 -> 25, the inclusive top of level I
    (10, 16, 9, "level-1"),  # 8.5 -> 9 (banker's rounding would give 8)
    (50, 16, 43, "level-2"),  # 42.5 -> 43 (banker's rounding would give 42)
    (59, 16, 50, "level-2"),  # 50.15 -> 50
    (60, 16, 51, "level-3"),  # exactly 51
    (88, 20, 75, "level-3"),  # 74.8 -> 75: mitigation takes it down a level
    (89, 20, 76, "level-4"),  # 75.65 -> 76
    (90, 20, 77, "level-4"),  # 76.5 -> 77
    (100, 20, 85, "level-4"),
]


@pytest.mark.parametrize(("raw", "mitigation", "adjusted", "level"), BOUNDARIES)
def test_impact_mitigation_boundaries(raw: int, mitigation: int, adjusted: int, level: str) -> None:
    result = evaluate(IMPACT, AnswerSet(impact_answers(raw, mitigation)))
    assert result.impact is not None
    assert result.impact.raw == raw
    assert result.impact.mitigation == mitigation
    assert result.impact.reduction_applied == (mitigation >= 16)
    assert result.impact.adjusted == adjusted
    assert result.tier == level
    assert result.impact.level_bounds == (("level-1", 25.0), ("level-2", 50.0), ("level-3", 75.0), ("level-4", 100.0))


def test_impact_decimals_round_half_up() -> None:
    data = {
        "id": "dec",
        "version": "1.0.0",
        "title": "Decimals",
        "sections": [
            {
                "id": "i",
                "title": "I",
                "role": "impact",
                "questions": [
                    {"id": "a", "type": "yes_no", "text": "A?", "points": {"yes": 3}},
                ],
            },
            {
                "id": "m",
                "title": "M",
                "role": "mitigation",
                "questions": [
                    {"id": "b", "type": "yes_no", "text": "B?", "points": {"yes": 1}},
                ],
            },
        ],
        "scoring": {
            "model": "impact_mitigation",
            "decimals": 1,
            "mitigation_reduction": 0.25,
            "tiers": [
                {"id": "l1", "max_fraction": 0.5},
                {"id": "l2", "max_fraction": 1},
            ],
        },
    }
    compiled = compile_dict(data)
    result = evaluate(compiled, AnswerSet({"a": True, "b": True}))
    assert result.impact is not None
    assert result.impact.adjusted == 2.3  # 2.25 -> 2.3, half up at one decimal
    assert result.tier == "l2"  # above 1.5 = 0.5 x 3


def test_trace_explains_the_score(mini_questionnaire: Path, tmp_path: Path) -> None:
    from tests.conftest import write_assessment

    path = write_assessment(
        tmp_path,
        mini_questionnaire,
        {"decision_type": "human_in_loop", "affects_people": True, "people_count": 5000, "protected": ["none"]},
    )
    data = api.score(path).to_dict()
    assert data["trace"]["contributions"] == [
        {"question": "decision_type", "section": "profile", "value": "human_in_loop", "points": 2, "max": 4},
        {"question": "affects_people", "section": "profile", "value": True, "points": 3, "max": 3},
        {"question": "people_count", "section": "profile", "value": 5000, "points": 1, "max": 3},
        {"question": "protected", "section": "fairness", "value": ["none"], "points": 0, "max": 4},
    ]
    assert data["score"] == pytest.approx(20.0)
    assert data["trace"]["next_tier"] == {"id": "medium", "threshold": 25.0, "distance": 5.0}
    assert data["trace"]["rules_fired"] == []


def test_same_inputs_give_byte_identical_json(tmp_path: Path) -> None:
    path = CASES / "mini" / "assessment.yaml"
    first = api.score(path).to_json()
    second = api.score(path).to_json()
    assert first == second
    copied = tmp_path / "assessment.yaml"
    copied.write_text(
        # Same content, different layout and comments: same hashes.
        path.read_text()
        .replace("answers:", "# a comment\nanswers:  ")
        .replace(
            "questionnaire: {path: questionnaire.yaml}", f"questionnaire:\n  path: {path.parent / 'questionnaire.yaml'}"
        ),
        encoding="utf-8",
    )
    assert api.score(copied).to_dict()["hashes"] == api.score(path).to_dict()["hashes"]


def test_answer_change_changes_the_answers_hash(tmp_path: Path) -> None:
    base = api.score(CASES / "mini" / "assessment.yaml").hashes
    copied = tmp_path / "assessment.yaml"
    text = (CASES / "mini" / "assessment.yaml").read_text().replace("people_count: 150000", "people_count: 150001")
    copied.write_text(text.replace("{path: questionnaire.yaml}", f"{{path: {CASES / 'mini' / 'questionnaire.yaml'}}}"))
    changed = api.score(copied).hashes
    assert changed.questionnaire == base.questionnaire
    assert changed.answers != base.answers
    assert changed.content != base.content


# ---------------------------------------------------------------- properties

MINI_ANSWERS = st.fixed_dictionaries(
    {
        "decision_type": st.sampled_from([None, "advisory", "human_in_loop", "automated"]),
        "affects_people": st.sampled_from([None, True, False]),
        "people_count": st.one_of(st.none(), st.integers(0, 10**7)),
        "protected": st.one_of(st.none(), st.frozensets(st.sampled_from(["sex", "age", "none"]), min_size=1)),
        "bias_tested": st.sampled_from([None, True, False]),
    }
)


def _clean(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if v is not None}


@settings(max_examples=200, deadline=None)
@given(MINI_ANSWERS, MINI_ANSWERS)
def test_hidden_answers_never_change_the_score(answers: dict[str, Any], noise: dict[str, Any]) -> None:
    answers = _clean(answers)
    _, visible = visible_values(MINI, answers)
    only_visible = {k: v for k, v in answers.items() if k in visible}
    # Answer every hidden question with noise: nothing about the score may move.
    noisy = dict(only_visible)
    for qid, value in _clean(noise).items():
        if qid not in visible:
            noisy[qid] = value
    _, visible_after = visible_values(MINI, noisy)
    assert visible_after == visible
    clean_result = evaluate(MINI, AnswerSet(only_visible))
    noisy_result = evaluate(MINI, AnswerSet(noisy))
    assert noisy_result.score == clean_result.score
    assert noisy_result.sections == clean_result.sections
    assert noisy_result.findings == clean_result.findings
    assert noisy_result.tier == clean_result.tier


@settings(max_examples=200, deadline=None)
@given(MINI_ANSWERS)
def test_scores_stay_within_bounds(answers: dict[str, Any]) -> None:
    result = evaluate(MINI, AnswerSet(_clean(answers)))
    assert 0 <= result.score <= result.score_max == 100
    for section in result.sections:
        assert 0 <= section.points <= section.max


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100), st.integers(0, 20), st.integers(0, 4))
def test_mitigation_never_raises_the_impact(raw: int, mitigation: int, extra: int) -> None:
    answers = impact_answers(raw, mitigation)
    before = evaluate(IMPACT, AnswerSet(answers))
    more = dict(answers)
    more[f"mitigation_{extra}"] = True
    after = evaluate(IMPACT, AnswerSet(more))
    assert after.impact is not None and before.impact is not None
    assert after.impact.adjusted <= before.impact.adjusted
    assert after.tier_index <= before.tier_index
    assert 0 <= after.impact.adjusted <= after.impact.raw_max


@st.composite
def questionnaires(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    sections = []
    answers: dict[str, str] = {}
    counter = 0
    for s in range(draw(st.integers(1, 3))):
        questions = []
        for _ in range(draw(st.integers(1, 4))):
            counter += 1
            points = draw(st.lists(st.integers(0, 10), min_size=2, max_size=4))
            options = [{"value": f"o{i}", "points": p} for i, p in enumerate(points)]
            qid = f"q{counter}"
            questions.append({"id": qid, "type": "single_choice", "text": "Q?", "options": options})
            choice = draw(st.one_of(st.none(), st.integers(0, len(points) - 1)))
            if choice is not None:
                answers[qid] = f"o{choice}"
        sections.append({"id": f"s{s}", "title": "S", "weight": draw(st.integers(0, 3)), "questions": questions})
    data = {
        "id": "random",
        "version": "1.0.0",
        "title": "Random",
        "sections": sections,
        "scoring": {"model": "weighted_sections", "tiers": [{"id": "low", "min": 0}, {"id": "high", "min": 50}]},
    }
    return data, answers


@settings(max_examples=200, deadline=None)
@given(questionnaires(), st.data())
def test_raising_points_never_lowers_the_score(
    drawn: tuple[dict[str, Any], dict[str, str]], data: st.DataObject
) -> None:
    spec, answers = drawn
    before = evaluate(compile_dict(spec), AnswerSet(answers))
    assert 0 <= before.score <= 100
    raised = copy.deepcopy(spec)
    section = data.draw(st.sampled_from(raised["sections"]))
    question = data.draw(st.sampled_from(section["questions"]))
    option = data.draw(st.sampled_from(question["options"]))
    option["points"] += data.draw(st.integers(1, 10))
    after = evaluate(compile_dict(raised), AnswerSet(answers))
    # Raw points never fall when any option is worth more...
    for old, new in zip(before.sections, after.sections, strict=True):
        assert new.points >= old.points
    # ...and the normalised score never falls when the raised option is the one chosen.
    if answers.get(question["id"]) == option["value"]:
        assert after.score >= before.score - 1e-9
