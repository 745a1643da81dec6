"""What the web form derives from the questionnaire: the questions that can still
change the result, the tier in words, section status and next actions."""

from __future__ import annotations

from pathlib import Path

from riskcheck.authoring.fill import FillState
from riskcheck.core.loader import load_questionnaire
from riskcheck.web.progress import decisive_questions, open_decisive, status, tier_reason
from tests.pm.conftest import DATA

ESCALATING = """\
id: escalating
version: 1.0.0
title: Escalation
sections:
  - id: main
    title: Main
    questions:
      - {id: public, type: yes_no, text: Is it public?, points: {yes: 1}}
      - {id: scale, type: yes_no, text: Is it large?, points: {yes: 10}}
      - {id: notes, type: text, text: Notes, required: false}
rules:
  - id: public-high
    when: "public == 'yes'"
    severity: medium
    message: Public systems are high risk here.
    mitigation: Publish a notice.
    escalate_to: high
scoring:
  model: weighted_sections
  tiers:
    - {id: low, label: Low, min: 0}
    - {id: high, label: High, min: 50}
"""


def test_decisive_questions_are_those_rules_points_and_conditions_read() -> None:
    questionnaire = load_questionnaire(DATA / "questionnaire.yaml")
    assert decisive_questions(questionnaire) == {
        "decision_type",
        "affects_people",
        "people_count",
        "protected",
        "bias_tested",
    }
    state = FillState(questionnaire, {"decision_type": "advisory", "affects_people": False, "protected": {"none"}})
    assert open_decisive(state) == []  # what is hidden cannot change anything
    state = state.with_answer("affects_people", True)
    assert open_decisive(state) == ["people_count"]


def test_an_escalated_tier_says_why_and_what_the_score_alone_gives(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(ESCALATING, encoding="utf-8")
    questionnaire = load_questionnaire(path)
    state = FillState(questionnaire, {"public": True, "scale": False})
    result = state.result()
    assert (result.tier, result.trace.tier_from_score) == ("high", "low")
    assert tier_reason(questionnaire, result) == (
        "High because the finding “Public systems are high risk here.” raises it; the score alone gives Low."
    )
    view = status(state, result)
    assert view.provisional is False
    assert view.actions == ("Publish a notice.", "Ask the reviewers to sign off.")
    assert [(s.title, s.label) for s in view.sections] == [("Main", "Done, 1 finding")]
    assert [(f.message, [a.text for a in f.answers]) for f in view.findings] == [
        ("Public systems are high risk here.", ["Is it public?"])
    ]
    early = FillState(questionnaire, {"scale": False})
    view = status(early, early.result())
    assert view.provisional is True
    assert [q.text for q in view.undecided] == ["Is it public?"]
    assert view.actions == ("Answer the 1 question that can still change the tier or the class.",)
    assert view.next_unanswered is not None and view.next_unanswered.id == "public"


def test_missing_fairness_figures_keep_the_result_provisional_when_rules_read_them(tmp_path: Path) -> None:
    from riskcheck.core.loader import bundled_questionnaires

    questionnaire = load_questionnaire(bundled_questionnaires()["rai-prelaunch"])
    assert any(rule.when.fairness_names for rule in questionnaire.rules)
    state = FillState(questionnaire, {})
    view = status(state, state.result(), "Fairness figures unavailable: data.csv: no such file")
    assert view.reasons[-1] == "the fairness figures that rules read are not available"
    path = tmp_path / "q.yaml"
    path.write_text(ESCALATING, encoding="utf-8")
    plain = FillState(load_questionnaire(path), {"public": True, "scale": False})
    assert status(plain, plain.result(), "Fairness figures unavailable").reasons == ()
