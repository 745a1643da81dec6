"""The fairness blocks of the shipped examples, on the real data and the shipped models."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from riskcheck.fairness.api import evaluate_fairness
from riskcheck.fairness.spec import FairnessSpec
from tests.fairness.conftest import ADULT_MODEL, EXAMPLES

#: The block for an Adult income assessment in examples/ (paths relative to examples/).
ADULT_BLOCK = """
data: data/adult.csv
where: {split: test}
target: income
positive_label: ">50K"
model: models/adult_income.skops
sensitive: [sex, race]
min_group_size: 100
thresholds:
  demographic_parity_ratio: {min: 0.8}
  equalized_odds_difference: {max: 0.1, on: ci_low}
"""

#: The block for the credit-scoring example assessment in examples/.
CREDIT_BLOCK = """
data: data/german_credit_scored.csv
target: risk
positive_label: 1
score: score
threshold: 0.5
sensitive: [sex, age_group]
thresholds:
  demographic_parity_ratio: {min: 0.8}
  equalized_odds_difference: {max: 0.1}
  disparate_impact_ratio: {min: 0.8, on: ci_high}
"""


def test_the_adult_block_with_the_shipped_model() -> None:
    spec = FairnessSpec.model_validate(yaml.safe_load(ADULT_BLOCK))
    result = evaluate_fairness(spec, EXAMPLES)
    assert result.rows == 16281
    assert result.model_sha256 == hashlib.sha256(ADULT_MODEL.read_bytes()).hexdigest()
    assert result.overall["accuracy"] == pytest.approx(0.8523, abs=1e-4)
    left_out = "Female & Amer-Indian-Eskimo, Female & Other, Male & Amer-Indian-Eskimo, Male & Other"
    assert [entry.group for entry in result.insufficient_evidence] == left_out.split(", ")
    assert [breach.message for breach in result.breaches()] == [
        "demographic_parity_ratio is 0.1285, below the minimum 0.8000; selection_rate: lowest "
        "Female & Black 0.0412, highest Male & Asian-Pac-Islander 0.3204 "
        f"(left out for too little evidence: {left_out})",
        "the lower 95% bound of equalized_odds_difference is 0.1533, above the maximum 0.1000 "
        "(point estimate 0.2151); true_positive_rate: lowest Male & Black 0.4672, highest "
        f"Male & Asian-Pac-Islander 0.6822 (left out for too little evidence: {left_out})",
    ]
    assert result.variables()["thresholds_breached"] == 2.0


def test_the_credit_scoring_block() -> None:
    spec = FairnessSpec.model_validate(yaml.safe_load(CREDIT_BLOCK))
    result = evaluate_fairness(spec, EXAMPLES)
    assert result.rows == 1000
    assert result.insufficient_evidence == ()
    breaches = result.breaches()
    assert [(b.metric, b.groups) for b in breaches] == [
        ("demographic_parity_ratio", ("female & under 25", "male & 25 and over")),
        ("equalized_odds_difference", ("female & under 25", "male & 25 and over")),
    ]
    assert breaches[0].message == (
        "demographic_parity_ratio is 0.7033, below the minimum 0.8000; selection_rate: lowest "
        "female & under 25 0.5952, highest male & 25 and over 0.8464"
    )
    # the upper bound of the impact ratio reaches 0.8: the evidence does not prove a breach
    assert result.variables()["disparate_impact_ratio_ci_high"] == pytest.approx(0.8172, abs=1e-4)
