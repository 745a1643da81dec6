"""Each example assessment gives its pinned tier, score, findings and EU AI Act class."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from riskcheck import api

from .conftest import EXAMPLES

# path, tier, score, blocked, finding ids (result order), class, flags.
# Scores follow the rule that a hidden question leaves its section's maximum.
PINNED = [
    (
        "cv-screening.yaml",
        "high",
        30.1574,
        False,
        (
            "eu-ai-act.high-risk",
            "eu-ai-act.risk-management-missing",
            "eu-ai-act.technical-documentation-missing",
            "sector.workers-not-informed",
            "fairness.error-rates-unmeasured",
        ),
        "high-risk-annex-iii",
        ("ai-literacy",),
    ),
    (
        "credit-scoring.yaml",
        "high",
        15.3537,
        False,
        (
            "eu-ai-act.high-risk",
            "fairness.equal_opportunity_difference",
            "fairness.equalized-odds-breach",
            "fairness.four-fifths-breach",
        ),
        "high-risk-annex-iii",
        ("ai-literacy", "fria-required"),
    ),
    (
        "support-chatbot.yaml",
        "medium",
        26.9159,
        False,
        ("eu-ai-act.transparency-disclosure-missing", "safety.operational-gaps"),
        "limited-risk",
        ("ai-literacy", "transparency-art-50-1", "transparency-art-50-2"),
    ),
    ("spam-filter.yaml", "low", 16.0129, False, (), "minimal-risk", ("ai-literacy",)),
    (
        "workplace-emotion-monitoring.yaml",
        "critical",
        9.21,
        True,
        ("eu-ai-act.prohibited-practice", "eu-ai-act.high-risk"),
        "prohibited",
        ("ai-literacy", "transparency-art-50-3"),
    ),
    (
        "classification/cv-parser-derogation.yaml",
        "minimal",
        0.0,
        False,
        (),
        "minimal-risk",
        # eu-ai-act-classification 2.0.0 flags AI literacy (Art. 4) for every in-scope system.
        ("ai-literacy", "annex-iii-derogation"),
    ),
    (
        "classification/loan-scoring.yaml",
        "high",
        0.0,
        False,
        ("eu-ai-act.high-risk",),
        "high-risk-annex-iii",
        ("ai-literacy", "fria-required"),
    ),
]


@pytest.mark.parametrize(("name", "tier", "score", "blocked", "findings", "outcome", "flags"), PINNED)
def test_example_gives_its_pinned_result(
    name: str,
    tier: str,
    score: float,
    blocked: bool,
    findings: tuple[str, ...],
    outcome: str,
    flags: tuple[str, ...],
) -> None:
    result = api.score(EXAMPLES / name)
    assert result.status == "complete"
    assert result.completeness.hidden_answers == ()
    assert result.tier == tier
    assert result.score == score
    assert result.blocked is blocked
    assert tuple(f.id for f in result.findings) == findings
    assert result.classification is not None
    assert result.classification.outcome == outcome
    assert tuple(flag for flag, _ in result.classification.flags) == flags


def test_prohibited_example_is_blocked_although_its_score_is_low() -> None:
    result = api.score(EXAMPLES / "workplace-emotion-monitoring.yaml")
    assert result.trace.tier_from_score == "low"
    assert result.trace.escalated_by == ("eu-ai-act.prohibited-practice", "eu-ai-act.high-risk")
    outcome = api.gate(result, EXAMPLES / "workplace-emotion-monitoring.yaml")
    assert not outcome.passed
    assert [(c.kind, c.id) for c in outcome.failed] == [("rule", "rule:eu-ai-act.prohibited-practice")]
    assert outcome.failed[0].message == (
        "blocking finding eu-ai-act.prohibited-practice: The system falls under a practice prohibited "
        "by Art. 5 of the EU AI Act: banned since 2 February 2025, and for intimate imagery without consent "
        "and child sexual abuse material (Art. 5(1)(ba), (bb)) from 2 December 2026."
    )


def test_credit_example_names_the_articles_of_its_class() -> None:
    result = api.score(EXAMPLES / "credit-scoring.yaml")
    assert result.classification is not None
    assert result.classification.label == "High-risk - Annex III use (Art. 6(2))"
    assert result.classification.references == (
        "eu-ai-act:art-6(2)",
        "eu-ai-act:annex-iii",
        "eu-ai-act:art-9",
        "eu-ai-act:art-10",
        "eu-ai-act:art-11",
        "eu-ai-act:art-12",
        "eu-ai-act:art-13",
        "eu-ai-act:art-14",
        "eu-ai-act:art-15",
        "eu-ai-act:art-16",
        "eu-ai-act:art-17",
        "eu-ai-act:art-26",
        "eu-ai-act:art-43(2)",
        "eu-ai-act:art-49(1)",
        "eu-ai-act:art-72",
        "eu-ai-act:art-73",
        "eu-ai-act:art-86",
    )
    assert result.classification.flag_references == (
        "eu-ai-act:art-4",
        "eu-ai-act:art-27(1)",
        "eu-ai-act:art-27(3)",
        "eu-ai-act:art-27(4)",
    )


def test_credit_example_fairness_figures_reach_the_rules() -> None:
    result = api.score(EXAMPLES / "credit-scoring.yaml")
    four_fifths = next(f for f in result.findings if f.id == "fairness.four-fifths-breach")
    values = dict(four_fifths.triggered_by)
    assert values["decision_effect"] == "legal"
    assert values["fairness.disparate_impact_ratio"] == pytest.approx(0.7762287448032184, abs=1e-12)


def test_algorithmic_impact_example_is_level_ii_after_the_reduction() -> None:
    result = api.score(EXAMPLES / "public-sector" / "benefits-triage.yaml")
    assert result.tier == "level-2"
    assert result.impact is not None
    assert (result.impact.raw, result.impact.raw_max) == (38.0, 69.0)
    assert (result.impact.mitigation, result.impact.mitigation_max) == (23.0, 25.0)
    assert result.impact.reduction_applied is True
    assert result.impact.adjusted == 32.3


def test_the_five_issue_examples_are_pinned() -> None:
    top_level = {name for name, *_ in PINNED if "/" not in name}
    assert top_level == {
        "cv-screening.yaml",
        "credit-scoring.yaml",
        "support-chatbot.yaml",
        "spam-filter.yaml",
        "workplace-emotion-monitoring.yaml",
    }


def test_examples_validate() -> None:
    for name in [*(name for name, *_ in PINNED), "public-sector/benefits-triage.yaml"]:
        assert api.validate(EXAMPLES / name) == "assessment"


def test_art_22_questions_follow_whether_every_case_is_checked(tmp_path: Path) -> None:
    """Cases nobody checks are solely automated (GDPR Art. 22); checking every case is not."""
    data = yaml.safe_load((EXAMPLES / "credit-scoring.yaml").read_text(encoding="utf-8"))
    data["answers"]["decision_type"] = "automated_with_review"
    del data["fairness"]  # not needed here; PyYAML would also turn its 'on' key into True
    path = tmp_path / "credit.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert api.score(path).completeness.hidden_answers == ("art22_basis", "art22_safeguards")


def test_classification_example_dates_its_duties() -> None:
    result = api.score(EXAMPLES / "classification/loan-scoring.yaml")
    assert result.as_of == "2026-11-29"
    assert result.law_as_at is not None and result.law_as_at["date"] == "2026-11-29"
    assert result.classification is not None
    assert [(d.id, d.when) for d in result.classification.duties] == [
        ("provider-requirements", "applies from 2 Dec 2027"),
        ("provider-registration", "applies from 2 Dec 2027"),
        ("deployer-duties", "applies from 2 Dec 2027"),
        ("ai-literacy", "applies now"),
        ("fria-required", "applies from 2 Dec 2027"),
    ]
    later = api.score(EXAMPLES / "classification/loan-scoring.yaml", as_of=dt.date(2027, 12, 2))
    assert later.classification is not None
    assert {d.status for d in later.classification.duties} == {"applies_now"}


def test_released_version_stays_loadable_beside_the_new_one(tmp_path: Path) -> None:
    old = api.questionnaire("eu-ai-act-classification@1.0.0")
    new = api.questionnaire("eu-ai-act-classification")
    assert (old.version, new.version) == ("1.0.0", "2.0.0")
    text = (EXAMPLES / "classification/loan-scoring.yaml").read_text(encoding="utf-8")
    pinned = tmp_path / "old.yaml"
    pinned.write_text(
        text.replace("@2.0.0", "@1.0.0")
        .replace("  legacy_placed_before: no\n", "  profiles_persons: yes\n")
        .replace("  intimate_imagery: no\n  csam_generation: no\n", "")
        .replace("  emotion_recognition_any: no\n", ""),
        encoding="utf-8",
    )
    result = api.score(pinned)
    assert (result.questionnaire_version, result.status, result.tier) == ("1.0.0", "complete", "high")
    assert result.law_as_at is None


@pytest.mark.parametrize(
    ("changes", "finding", "severity", "blocks"),
    [
        ({"prior_consultation": "not_consulted"}, "gdpr.prior-consultation-missing", "high", True),
        ({"cra_reporting": "not_ready"}, "cra.reporting-not-ready", "high", False),
        ({"product_liability_ready": "no"}, "pld.not-prepared", "low", False),
        ({"corrective_action_process": "no"}, "eu-ai-act.corrective-action-missing", "medium", False),
        ({"accessibility_requirements": "no"}, "eu-ai-act.accessibility-missing", "low", False),
        (
            {"lawful_basis": "legitimate_interests", "objection_to_profiling": "no"},
            "gdpr.no-objection-route",
            "medium",
            False,
        ),
    ],
)
def test_rai_prelaunch_2_coverage_questions_give_findings(
    tmp_path: Path, changes: dict[str, str], finding: str, severity: str, blocks: bool
) -> None:
    """GDPR Art. 21 and 36, the Cyber Resilience Act, the Product Liability Directive, AI Act Art. 16(l) and 20."""
    data = yaml.safe_load((EXAMPLES / "credit-scoring.yaml").read_text(encoding="utf-8"))
    del data["fairness"]  # not needed here; PyYAML would also turn its 'on' key into True
    data["answers"].update(changes)
    path = tmp_path / "credit.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    found = {f.id: f for f in api.score(path).findings}
    assert (found[finding].severity, found[finding].blocks_launch) == (severity, blocks)


@pytest.mark.parametrize(
    ("example", "changes", "outcome", "tier"),
    [
        # Annex III 5(b) and Art. 6(3), last subparagraph: credit scoring is profiling, so a
        # deployer's "no profiling" answer is not asked and cannot bring it below high-risk.
        (
            "credit-scoring.yaml",
            {"operator_role": "deployer", "public_body_or_public_service": "no"},
            "high-risk-annex-iii",
            "high",
        ),
        # Annex III 1(c): emotion recognition anywhere is high-risk.
        ("support-chatbot.yaml", {"emotion_recognition_any": "yes"}, "high-risk-annex-iii", "high"),
        # Art. 5(1)(ba), from 2 December 2026: the class is prohibited and launch is blocked.
        ("support-chatbot.yaml", {"intimate_imagery": "yes"}, "prohibited", "critical"),
    ],
)
def test_rai_prelaunch_classifies_as_strictly_as_the_classification_questionnaire(
    tmp_path: Path, example: str, changes: dict[str, str], outcome: str, tier: str
) -> None:
    data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    data.pop("fairness", None)
    data["answers"].update(changes)
    path = tmp_path / example
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = api.score(path)
    assert result.classification is not None
    assert (result.classification.outcome, result.tier) == (outcome, tier)


def test_a_deployer_that_repurposes_the_system_gets_the_provider_questions(tmp_path: Path) -> None:
    """AI Act Art. 25(1): a new name, a substantial change or a high-risk purpose makes a deployer the provider."""
    data = yaml.safe_load((EXAMPLES / "workplace-emotion-monitoring.yaml").read_text(encoding="utf-8"))
    data.pop("fairness", None)
    data["answers"]["became_provider"] = "yes"
    path = tmp_path / "repurposed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = api.score(path)
    assert "eu-ai-act.provider-by-art-25" in {f.id for f in result.findings}
    assert {"quality_management_system", "corrective_action_process"} <= set(result.completeness.missing)
