"""Table-driven tests of the eu-ai-act-classification questionnaire.

Each case starts from an in-scope system that triggers nothing and changes a few
answers; the expected class, tier and flags follow from the EU AI Act.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from riskcheck import api

from .conftest import write_assessment

BASE: dict[str, Any] = {
    "is_ai_system": "yes",
    "eu_nexus": "eu_market",
    "excluded_use": ["none"],
    "operator_role": "provider",
    "manipulative_techniques": "no",
    "exploits_vulnerabilities": "no",
    "social_scoring": "no",
    "crime_prediction_profiling": "no",
    "facial_scraping": "no",
    "emotion_workplace_education": "no",
    "biometric_categorisation_sensitive": "no",
    "realtime_rbi_law_enforcement": "no",
    "annex_i_product": "no",
    "annex_iii_area": ["none"],
    "interacts_with_people": "no",
    "generates_synthetic_content": "no",
    "emotion_or_biometric_categorisation": "no",
    "deep_fakes": "no",
    "provides_gpai_model": "no",
}
RECRUITMENT = {"annex_iii_area": ["employment"], "employment_use": ["recruitment"]}
DEROGATION = {**RECRUITMENT, "profiles_persons": "no", "no_material_influence": "yes", "derogation_documented": "yes"}

# id, changed answers, class, tier, flags
CASES: list[tuple[str, dict[str, Any], str, str, tuple[str, ...]]] = [
    ("minimal", {}, "minimal-risk", "minimal", ()),
    # Scope (Art. 2, 3(1))
    ("not-an-ai-system", {"is_ai_system": "no"}, "out-of-scope", "minimal", ()),
    ("no-eu-link", {"eu_nexus": "none"}, "out-of-scope", "minimal", ()),
    ("military-exclusion", {"excluded_use": ["military_defence_security"]}, "out-of-scope", "minimal", ()),
    ("output-used-in-eu", {"eu_nexus": "output_used_in_eu"}, "minimal-risk", "minimal", ()),
    # Art. 5(1)(a)-(h)
    ("art-5-1-a", {"manipulative_techniques": "yes"}, "prohibited", "prohibited", ()),
    ("art-5-1-b", {"exploits_vulnerabilities": "yes"}, "prohibited", "prohibited", ()),
    ("art-5-1-c", {"social_scoring": "yes"}, "prohibited", "prohibited", ()),
    (
        "art-5-1-d",
        {"crime_prediction_profiling": "yes", "crime_prediction_supports_human": "no"},
        "prohibited",
        "prohibited",
        (),
    ),
    (
        "art-5-1-d-exception-is-annex-iii-6-d",
        {
            "crime_prediction_profiling": "yes",
            "crime_prediction_supports_human": "yes",
            "annex_iii_area": ["law_enforcement"],
            "law_enforcement_use": ["offending_risk"],
            "profiles_persons": "yes",
        },
        "high-risk-annex-iii",
        "high",
        (),
    ),
    ("art-5-1-e", {"facial_scraping": "yes"}, "prohibited", "prohibited", ()),
    (
        "art-5-1-f",
        {"emotion_workplace_education": "yes", "emotion_medical_or_safety": "no"},
        "prohibited",
        "prohibited",
        (),
    ),
    (
        "art-5-1-f-safety-exception-is-annex-iii-1-c",
        {
            "emotion_workplace_education": "yes",
            "emotion_medical_or_safety": "yes",
            "annex_iii_area": ["biometrics"],
            "biometric_use": ["emotion_recognition"],
            "profiles_persons": "yes",
            "emotion_or_biometric_categorisation": "yes",
        },
        "high-risk-annex-iii",
        "high",
        ("transparency-art-50-3",),
    ),
    (
        "art-5-1-g",
        {"biometric_categorisation_sensitive": "yes", "biometric_categorisation_exception": "no"},
        "prohibited",
        "prohibited",
        (),
    ),
    (
        "art-5-1-g-labelling-exception",
        {"biometric_categorisation_sensitive": "yes", "biometric_categorisation_exception": "yes"},
        "minimal-risk",
        "minimal",
        (),
    ),
    (
        "art-5-1-h",
        {"realtime_rbi_law_enforcement": "yes", "realtime_rbi_authorised": "no"},
        "prohibited",
        "prohibited",
        (),
    ),
    (
        "art-5-1-h-authorised-is-annex-iii-1-a",
        {
            "realtime_rbi_law_enforcement": "yes",
            "realtime_rbi_authorised": "yes",
            "annex_iii_area": ["biometrics"],
            "biometric_use": ["remote_identification"],
            "profiles_persons": "yes",
        },
        "high-risk-annex-iii",
        "high",
        (),
    ),
    (
        "prohibited-wins-over-high-risk",
        {"social_scoring": "yes", "annex_i_product": "yes", "annex_i_third_party_assessment": "yes"},
        "prohibited",
        "prohibited",
        (),
    ),
    # Art. 6(1), Annex I
    (
        "annex-i-third-party-assessment",
        {"annex_i_product": "yes", "annex_i_third_party_assessment": "yes"},
        "high-risk-annex-i",
        "high",
        (),
    ),
    (
        "annex-i-self-assessed",
        {"annex_i_product": "yes", "annex_i_third_party_assessment": "no"},
        "minimal-risk",
        "minimal",
        (),
    ),
    # Art. 6(2), Annex III
    ("annex-iii-4-a-profiling", {**RECRUITMENT, "profiles_persons": "yes"}, "high-risk-annex-iii", "high", ()),
    (
        "annex-iii-area-without-listed-use",
        {"annex_iii_area": ["essential_services"], "essential_services_use": ["none_of_these"]},
        "minimal-risk",
        "minimal",
        (),
    ),
    (
        "annex-iii-unanswered-profiling-is-not-yet-classified",
        RECRUITMENT,
        "minimal-risk",
        "minimal",
        (),
    ),
    # Art. 6(3): each condition, the profiling exception, and material influence
    *[
        (
            f"art-6-3-{condition}",
            {**DEROGATION, "derogation_conditions": [condition]},
            "minimal-risk",
            "minimal",
            ("annex-iii-derogation",),
        )
        for condition in ("narrow_procedural_task", "improves_human_activity", "detects_patterns", "preparatory_task")
    ],
    (
        "art-6-3-never-when-profiling",
        {**DEROGATION, "profiles_persons": "yes", "derogation_conditions": ["narrow_procedural_task"]},
        "high-risk-annex-iii",
        "high",
        (),
    ),
    (
        "art-6-3-no-condition",
        {**DEROGATION, "derogation_conditions": ["none_of_these"]},
        "high-risk-annex-iii",
        "high",
        (),
    ),
    (
        "art-6-3-material-influence",
        {**DEROGATION, "derogation_conditions": ["preparatory_task"], "no_material_influence": "no"},
        "high-risk-annex-iii",
        "high",
        (),
    ),
    (
        "art-6-3-with-chatbot",
        {**DEROGATION, "derogation_conditions": ["narrow_procedural_task"], "interacts_with_people": "yes"},
        "limited-risk",
        "limited",
        ("annex-iii-derogation", "transparency-art-50-1"),
    ),
    # Art. 50
    ("art-50-1-chatbot", {"interacts_with_people": "yes"}, "limited-risk", "limited", ("transparency-art-50-1",)),
    (
        "art-50-2-synthetic-content",
        {"generates_synthetic_content": "yes"},
        "limited-risk",
        "limited",
        ("transparency-art-50-2",),
    ),
    (
        "art-50-3-emotion-recognition",
        {"emotion_or_biometric_categorisation": "yes"},
        "limited-risk",
        "limited",
        ("transparency-art-50-3",),
    ),
    ("art-50-4-deep-fakes", {"deep_fakes": "yes"}, "limited-risk", "limited", ("transparency-art-50-4",)),
    (
        "high-risk-with-art-50",
        {**RECRUITMENT, "profiles_persons": "yes", "interacts_with_people": "yes"},
        "high-risk-annex-iii",
        "high",
        ("transparency-art-50-1",),
    ),
    # General-purpose AI models (Art. 51-55)
    (
        "gpai-model",
        {"provides_gpai_model": "yes", "gpai_systemic_risk": "no", "gpai_open_source": "no"},
        "minimal-risk",
        "minimal",
        ("gpai-model",),
    ),
    (
        "gpai-open-source",
        {"provides_gpai_model": "yes", "gpai_systemic_risk": "no", "gpai_open_source": "yes"},
        "minimal-risk",
        "minimal",
        ("gpai-model", "gpai-open-source-exemption"),
    ),
    (
        "gpai-systemic-risk",
        {"provides_gpai_model": "yes", "gpai_systemic_risk": "yes", "generates_synthetic_content": "yes"},
        "limited-risk",
        "limited",
        ("gpai-model", "gpai-systemic-risk", "transparency-art-50-2"),
    ),
    # Fundamental rights impact assessment (Art. 27(1))
    (
        "fria-public-body-education",
        {
            "operator_role": "deployer",
            "public_body_or_public_service": "yes",
            "annex_iii_area": ["education"],
            "education_use": ["admission"],
            "profiles_persons": "yes",
        },
        "high-risk-annex-iii",
        "high",
        ("fria-required",),
    ),
    (
        "fria-not-for-critical-infrastructure",
        {
            "operator_role": "deployer",
            "public_body_or_public_service": "yes",
            "annex_iii_area": ["critical_infrastructure"],
            "infrastructure_use": ["safety_component"],
            "profiles_persons": "no",
            "derogation_conditions": ["none_of_these"],
        },
        "high-risk-annex-iii",
        "high",
        (),
    ),
    (
        "fria-private-deployer-of-life-insurance-pricing",
        {
            "operator_role": "provider_and_deployer",
            "public_body_or_public_service": "no",
            "annex_iii_area": ["essential_services"],
            "essential_services_use": ["life_health_insurance"],
            "profiles_persons": "yes",
        },
        "high-risk-annex-iii",
        "high",
        ("fria-required",),
    ),
    (
        "no-fria-for-a-provider-only",
        {
            "annex_iii_area": ["essential_services"],
            "essential_services_use": ["creditworthiness"],
            "profiles_persons": "yes",
        },
        "high-risk-annex-iii",
        "high",
        (),
    ),
    (
        "no-fria-for-private-employer",
        {"operator_role": "deployer", "public_body_or_public_service": "no", **RECRUITMENT, "profiles_persons": "yes"},
        "high-risk-annex-iii",
        "high",
        (),
    ),
]


@pytest.mark.parametrize(
    ("changes", "outcome", "tier", "flags"),
    [pytest.param(changes, outcome, tier, flags, id=case_id) for case_id, changes, outcome, tier, flags in CASES],
)
def test_classification(
    tmp_path: Path, changes: dict[str, Any], outcome: str, tier: str, flags: tuple[str, ...]
) -> None:
    answers = {**BASE, **changes}
    result = api.score(write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", answers))
    assert result.classification is not None
    assert result.classification.outcome == outcome
    assert result.tier == tier
    assert tuple(flag for flag, _ in result.classification.flags) == flags
    assert result.blocked is (outcome == "prohibited")


def test_prohibited_class_names_article_5_and_the_penalty(tmp_path: Path) -> None:
    result = api.score(write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", {**BASE, "facial_scraping": "yes"}))
    assert result.classification is not None
    assert result.classification.label == "Prohibited practice (Art. 5)"
    assert result.classification.references == (
        "eu-ai-act:art-5(1)",
        "eu-ai-act:art-99(3)",
        "eu-ai-act:art-113",
    )
    finding = result.findings[0]
    assert (finding.id, finding.severity, finding.blocks_launch) == (
        "eu-ai-act.prohibited-practice",
        "critical",
        True,
    )


def test_undocumented_derogation_is_a_finding(tmp_path: Path) -> None:
    answers = {**BASE, **DEROGATION, "derogation_conditions": ["preparatory_task"], "derogation_documented": "no"}
    result = api.score(write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", answers))
    assert [(f.id, f.severity) for f in result.findings] == [("eu-ai-act.derogation-undocumented", "medium")]
    assert result.findings[0].references == ("eu-ai-act:art-6(4)", "eu-ai-act:art-49(2)")


def test_each_case_is_complete(tmp_path: Path) -> None:
    """The table answers every question it shows, so no case passes by leaving one out.

    Hidden answers are expected: out-of-scope systems hide everything, and a system
    that profiles hides the Art. 6(3) conditions it can no longer rely on.
    """
    for index, (case_id, changes, *_rest) in enumerate(CASES):
        path = write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", {**BASE, **changes}, name=f"c{index}")
        result = api.score(path)
        if case_id == "annex-iii-unanswered-profiling-is-not-yet-classified":
            assert result.completeness.missing == ("profiles_persons",)
            continue
        assert result.completeness.missing == (), case_id


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"emotion_workplace_education": "yes", "emotion_medical_or_safety": "yes"}, id="art-5-1-f"),
        pytest.param({"realtime_rbi_law_enforcement": "yes", "realtime_rbi_authorised": "yes"}, id="art-5-1-h"),
    ],
)
def test_an_art_5_exception_without_its_annex_iii_use_is_a_finding(tmp_path: Path, changes: dict[str, Any]) -> None:
    result = api.score(write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", {**BASE, **changes}))
    assert [(f.id, f.severity, f.blocks_launch) for f in result.findings] == [
        ("eu-ai-act.annex-iii-point-1-not-selected", "medium", False)
    ]
    assert result.findings[0].message == (
        "An Art. 5 exception is relied on, but the matching Annex III point 1 use is not selected, "
        "so the system's class may be understated."
    )


def test_art_50_flags_name_the_duty_holder(tmp_path: Path) -> None:
    answers = {
        **BASE,
        "interacts_with_people": "yes",
        "generates_synthetic_content": "yes",
        "emotion_or_biometric_categorisation": "yes",
        "deep_fakes": "yes",
    }
    result = api.score(write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", answers))
    assert result.classification is not None
    assert result.classification.flags == (
        (
            "transparency-art-50-1",
            "Art. 50(1), provider duty: people must be told they are interacting with an AI system",
        ),
        (
            "transparency-art-50-2",
            "Art. 50(2), provider duty: mark generated content as AI-generated, machine-readably",
        ),
        (
            "transparency-art-50-3",
            "Art. 50(3), deployer duty: inform people exposed to emotion recognition or biometric categorisation",
        ),
        (
            "transparency-art-50-4",
            "Art. 50(4), deployer duty: disclose deep fakes and AI-generated text on matters of public interest",
        ),
    )
    assert result.classification.flag_references == (
        "eu-ai-act:art-50(1)",
        "eu-ai-act:art-50(5)",
        "eu-ai-act:art-50(2)",
        "eu-ai-act:art-50(3)",
        "eu-ai-act:art-50(4)",
    )


def test_only_a_provider_is_asked_to_document_the_derogation(tmp_path: Path) -> None:
    answers = {**BASE, **DEROGATION, "derogation_conditions": ["preparatory_task"], "operator_role": "deployer"}
    answers["public_body_or_public_service"] = "no"
    del answers["derogation_documented"]
    result = api.score(write_assessment(tmp_path, "eu-ai-act-classification@1.0.0", answers))
    assert result.completeness.missing == ()
    assert result.findings == ()
    assert result.classification is not None
    assert result.classification.outcome == "minimal-risk"
