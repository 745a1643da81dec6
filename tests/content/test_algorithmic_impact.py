"""The algorithmic-impact questionnaire: four levels and the 15% mitigation reduction.

Maximum raw impact is 69 points, so the levels end at 17.25, 34.5 and 51.75 points;
the mitigation maximum is 25 points, so the reduction needs 20 (80%).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from riskcheck import api

from .conftest import write_assessment

LOW_IMPACT: dict[str, Any] = {
    "program_area": "internal_administration",
    "clients_vulnerable": "no",
    "public_controversy": "no",
    "system_role": "supports_analysis",
    "replaces_discretion": "no",
    "model_opacity": "written_rules",
    "learns_in_production": "no",
    "analyses_biometrics": "no",
    "reversibility": "easily",
    "duration": "brief",
    "rights_impact": "none",
    "equality_impact": "none",
    "health_impact": "none",
    "economic_impact": "none",
    "society_impact": "none",
    "people_affected": 500,
    "personal_information": "no",
    "data_sensitivity": "public",
    "data_sources": ["program_records"],
    "unstructured_data": "no",
}  # raw impact 5
MID_IMPACT = {
    **LOW_IMPACT,
    "program_area": "benefits_health",  # +3
    "clients_vulnerable": "yes",  # +3
    "public_controversy": "yes",  # +2
    "system_role": "recommends",  # +1
    "model_opacity": "interpretable_model",  # +1
    "reversibility": "with_effort",  # +1
    "duration": "short_term",  # +1
    "rights_impact": "high",  # +3
    "equality_impact": "moderate",  # +2
    "health_impact": "low",  # +1
    "economic_impact": "very_high",  # +4
    "society_impact": "low",  # +1
    "people_affected": 45000,  # +1
    "personal_information": "yes",  # +3
    "data_sensitivity": "sensitive",  # +2
    "data_sources": ["program_records", "other_institutions", "repurposed"],  # +4
}  # raw impact 38
MAX_IMPACT = {
    "program_area": "justice_policing",
    "clients_vulnerable": "yes",
    "public_controversy": "yes",
    "system_role": "decides",
    "replaces_discretion": "yes",
    "model_opacity": "complex_model",
    "learns_in_production": "yes",
    "analyses_biometrics": "yes",
    "reversibility": "irreversible",
    "duration": "permanent",
    "rights_impact": "very_high",
    "equality_impact": "very_high",
    "health_impact": "very_high",
    "economic_impact": "very_high",
    "society_impact": "very_high",
    "people_affected": 2000000,
    "personal_information": "yes",
    "data_sensitivity": "special_category",
    "data_sources": ["program_records", "other_institutions", "private_sources", "public_web", "repurposed"],
    "unstructured_data": "yes",
}  # raw impact 69
NO_MITIGATION: dict[str, Any] = {
    "privacy_office_consulted": "no",
    "legal_consulted": "no",
    "affected_groups_consulted": "no",
    "bias_testing_done": "no",
    "data_quality_process": "no",
    "plain_language_description": "no",
    "independent_review": "no",
    "audit_trail": "no",
    "human_override": "no",
    "recourse": "no",
    "reasons_given": "no",
    "monitoring_plan": "no",
    "privacy_assessment_done": "no",
    "data_minimised": "no",
    "access_controlled": "no",
}
FULL_MITIGATION = {key: "yes" for key in NO_MITIGATION}  # 25 of 25
AT_THRESHOLD = {**FULL_MITIGATION, "affected_groups_consulted": "no", "recourse": "no", "access_controlled": "no"}  # 20
BELOW_THRESHOLD = {**AT_THRESHOLD, "independent_review": "no"}  # 19

# id, impact answers, mitigation answers, raw, mitigation, reduced, adjusted, level
CASES = [
    ("level-1", LOW_IMPACT, NO_MITIGATION, 5.0, 0.0, False, 5.0, "level-1"),
    ("level-2-after-reduction", MID_IMPACT, FULL_MITIGATION, 38.0, 25.0, True, 32.3, "level-2"),
    ("reduction-at-exactly-80-percent", MID_IMPACT, AT_THRESHOLD, 38.0, 20.0, True, 32.3, "level-2"),
    ("level-3-just-below-80-percent", MID_IMPACT, BELOW_THRESHOLD, 38.0, 19.0, False, 38.0, "level-3"),
    ("level-4", MAX_IMPACT, NO_MITIGATION, 69.0, 0.0, False, 69.0, "level-4"),
    ("level-4-even-when-fully-mitigated", MAX_IMPACT, FULL_MITIGATION, 69.0, 25.0, True, 58.65, "level-4"),
]


@pytest.mark.parametrize(
    ("impact", "mitigation", "raw", "mitigation_points", "reduced", "adjusted", "level"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_levels_and_reduction(
    tmp_path: Path,
    impact: dict[str, Any],
    mitigation: dict[str, Any],
    raw: float,
    mitigation_points: float,
    reduced: bool,
    adjusted: float,
    level: str,
) -> None:
    answers = {**impact, **mitigation}
    if answers["personal_information"] == "no":
        answers.pop("data_minimised")
    result = api.score(write_assessment(tmp_path, "algorithmic-impact@1.0.0", answers))
    assert result.status == "complete"
    assert result.impact is not None
    assert result.impact.raw == raw
    assert result.impact.raw_max == 69.0
    assert result.impact.mitigation == mitigation_points
    # A hidden question leaves its section's maximum: without personal information,
    # data_minimised is not asked and the mitigation maximum is 24, not 25.
    assert result.impact.mitigation_max == (24.0 if answers["personal_information"] == "no" else 25.0)
    assert result.impact.reduction_applied is reduced
    assert result.impact.adjusted == adjusted
    assert result.tier == level
    assert result.impact.level_bounds == (
        ("level-1", 17.25),
        ("level-2", 34.5),
        ("level-3", 51.75),
        ("level-4", 69.0),
    )


def test_level_labels(tmp_path: Path) -> None:
    result = api.score(write_assessment(tmp_path, "algorithmic-impact@1.0.0", {**MAX_IMPACT, **NO_MITIGATION}))
    assert result.tier_label == "Level IV - very high impact"
    assert [f.id for f in result.findings] == [
        "aia.automated-without-recourse",
        "aia.irreversible-without-override",
        "aia.opaque-without-reasons",
        "aia.vulnerable-untested",
        "aia.no-privacy-assessment",
    ]
