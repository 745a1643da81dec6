"""The bundled questionnaires load, meet the content bar, and report clause coverage."""

from __future__ import annotations

import pytest

from riskcheck import api
from riskcheck.cli.coverage_cmd import command as coverage_command
from riskcheck.core.loader import bundled_questionnaires
from riskcheck.core.questionnaire import REFERENCE_PATTERNS

from .conftest import QUESTIONNAIRES

BUNDLED = ["algorithmic-impact", "eu-ai-act-classification", "rai-prelaunch"]


def test_bundled_questionnaires_are_found_by_id() -> None:
    assert sorted(bundled_questionnaires()) == BUNDLED
    assert sorted(p.stem for p in QUESTIONNAIRES.glob("*.yaml")) == BUNDLED


@pytest.mark.parametrize("qid", BUNDLED)
def test_loads_with_matching_id_and_version(qid: str) -> None:
    compiled = api.questionnaire(f"{qid}@1.0.0")
    assert (compiled.id, compiled.version) == (qid, "1.0.0")
    assert api.validate(QUESTIONNAIRES / f"{qid}.yaml") == "questionnaire"


@pytest.mark.parametrize("qid", BUNDLED)
def test_every_question_cites_a_built_in_framework_and_has_help(qid: str) -> None:
    compiled = api.questionnaire(qid)
    for question in (cq.question for cq in compiled.order):
        built_in = [r for r in question.references if r.partition(":")[0] in REFERENCE_PATTERNS]
        assert built_in, question.id
        assert question.help and len(question.help) >= 40, question.id


def test_rai_prelaunch_size_and_sections() -> None:
    compiled = api.questionnaire("rai-prelaunch")
    assert len(compiled.questions) == 132
    assert [(s.id, s.title, s.weight) for s in compiled.spec.sections] == [
        ("profile", "System profile", 1.0),
        ("fairness", "Fairness", 2.0),
        ("transparency", "Explainability and transparency", 1.0),
        ("privacy", "Privacy and data governance", 2.0),
        ("regulatory", "Regulatory compliance", 2.0),
        ("sector", "Sector rules", 1.5),
        ("high_risk", "High-risk obligations (EU AI Act Chapter III)", 2.0),
        ("safety", "Safety, robustness and security", 1.5),
        ("oversight", "Human oversight and accountability", 1.5),
    ]
    assert [(t.id, t.min) for t in compiled.spec.scoring.tiers] == [
        ("low", 0),
        ("medium", 20),
        ("high", 40),
        ("critical", 60),
    ]
    assert compiled.spec.signoff.roles == ["product", "legal", "privacy"]
    assert all(rule.mitigation for rule in compiled.spec.rules)
    assert len(compiled.spec.rules) == 53


@pytest.mark.parametrize(
    ("qid", "top_tier"), [("rai-prelaunch", "critical"), ("eu-ai-act-classification", "prohibited")]
)
def test_article_5_is_a_knock_out(qid: str, top_tier: str) -> None:
    compiled = api.questionnaire(qid)
    rule = next(r.rule for r in compiled.rules if r.rule.id == "eu-ai-act.prohibited-practice")
    assert rule.blocks_launch is True
    assert rule.escalate_to == top_tier == compiled.tier_ids[-1]
    for letter in "abcdefgh":
        clause = f"eu-ai-act:art-5(1)({letter})"
        assert any(clause in cq.question.references for cq in compiled.order), clause


def test_coverage_of_a_bundled_questionnaire(capsys: pytest.CaptureFixture[str]) -> None:
    assert coverage_command.main(["algorithmic-impact"], standalone_mode=False) == 0
    expected = (QUESTIONNAIRES.parent / "tests" / "content" / "data" / "coverage-algorithmic-impact.txt").read_text()
    assert capsys.readouterr().out == expected


def test_coverage_lists_questions_and_rules_per_clause(capsys: pytest.CaptureFixture[str]) -> None:
    assert coverage_command.main(["rai-prelaunch"], standalone_mode=False) == 0
    out = capsys.readouterr().out
    assert (
        "eu-ai-act:art-5(1)(f)\n"
        "  questions: emotion_workplace_education, emotion_medical_or_safety\n"
        "  rules:     eu-ai-act.art-5-exception-relied-on\n"
        "eu-ai-act:art-5(1)(g)\n"
    ) in out
    assert (
        "gdpr:art-22(3)\n"
        "  questions: adverse_decision_reasons, art22_safeguards, credit_assessment_rights, contest_channel\n"
        "  rules:     sector.credit-consumer-rights, gdpr.art22-safeguards-missing, "
        "transparency.no-adverse-reasons, oversight.no-contest-route\n"
    ) in out
    assert out.endswith("\n260 clause(s)\n")


@pytest.mark.parametrize("qid", BUNDLED)
def test_bundled_content_states_its_law_and_calls_no_adopted_law_a_proposal(qid: str) -> None:
    compiled = api.questionnaire(qid)
    law = compiled.spec.law_as_at
    assert law is not None
    assert any(source.kind == "primary" for source in law.sources)
    text = (QUESTIONNAIRES / f"{qid}.yaml").read_text(encoding="utf-8").lower()
    assert "proposal" not in text and "as proposed" not in text


@pytest.mark.parametrize(
    ("qid", "old", "new"),
    [
        ("rai-prelaunch", "1.0.0", "2.0.0"),
        ("eu-ai-act-classification", "1.0.0", "2.0.0"),
        ("algorithmic-impact", "1.0.0", "1.0.1"),
    ],
)
def test_released_versions_load_beside_the_current_one(qid: str, old: str, new: str) -> None:
    assert api.questionnaire(f"{qid}@{old}").version == old
    assert api.questionnaire(qid).version == new
    assert api.questionnaire(f"{qid}@{new}").version == new
