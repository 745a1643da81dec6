"""The fairness: block: one-of rules with clear messages, known metric names, light imports."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from riskcheck.fairness.spec import (
    CLASSIFICATION_DISPARITIES,
    METRIC_NAMES,
    THRESHOLD_NAMES,
    FairnessSpec,
)

BASE: dict[str, Any] = {"data": "d.csv", "target": "y", "sensitive": ["sex"]}


def error(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        FairnessSpec(**fields)
    (first, *_) = caught.value.errors()
    location = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def test_a_minimal_block_and_its_defaults() -> None:
    spec = FairnessSpec(**BASE, prediction="p")
    assert (spec.engine, spec.compare, spec.task, spec.min_group_size, spec.min_class_size) == (
        "duckdb",
        "between_groups",
        "classification",
        30,
        10,
    )
    assert spec.bootstrap.replicates == 1000 and spec.bootstrap.confidence == 0.95


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "give exactly one of prediction (a column), score with threshold, or model (a file); got none"),
        (
            {"prediction": "p", "model": "m.skops"},
            "give exactly one of prediction (a column), score with threshold, or model (a file); "
            "got prediction and model",
        ),
        ({"score": "s"}, "score needs threshold: predict positive when score >= threshold"),
        ({"prediction": "p", "threshold": 0.5}, "threshold applies to score or model, not to prediction"),
        (
            {"model": "m.pkl", "trust_model": True},
            "trust_model: a file cannot trust its own model: trust is given by whoever runs riskcheck; "
            "to trust this model, pass --trust-model or list its sha256 under [tool.riskcheck] trusted-models "
            "in the project's pyproject.toml",
        ),
        ({"prediction": "p", "compare": "reference"}, "compare: reference needs reference_group"),
        ({"prediction": "p", "reference_group": "Male"}, "reference_group is only used with compare: reference"),
        ({"prediction": "p", "sensitive": ["y"]}, "the target 'y' cannot also be a sensitive column"),
        (
            {"prediction": "p", "task": "regression", "positive_label": 1},
            "positive_label applies only to task: classification",
        ),
    ],
)
def test_inconsistent_blocks(fields: dict[str, Any], expected: str) -> None:
    assert error(**{**BASE, **fields}) == expected


def test_missing_essentials() -> None:
    assert error(prediction="p") == "missing data (or table), target, sensitive (or give result: a saved result)"


def test_sensitive_columns_are_distinct() -> None:
    assert (
        error(**{**BASE, "prediction": "p", "sensitive": ["sex", "sex"]}) == "sensitive: column 'sex' is listed twice"
    )


def test_unknown_keys_are_errors() -> None:
    assert error(**BASE, prediction="p", sensitve=["x"]) == "sensitve: Extra inputs are not permitted"


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        (
            {"demographic_parity_ratoi": {"min": 0.8}},
            "thresholds: demographic_parity_ratoi: unknown metric; expected one of ",
        ),
        (
            {"demographic_parity_ratio_ci_low": {"min": 0.8}},
            "thresholds: demographic_parity_ratio_ci_low: bound the interval with "
            "'demographic_parity_ratio: {..., on: ci_low}'",
        ),
        (
            {"overall_accuracy": {"min": 0.8, "on": "ci_low"}},
            "thresholds: overall_accuracy: on: ci_low needs an interval, and only these have one: ",
        ),
        (
            {"demographic_parity_ratio": {"on": "ci_low"}},
            "thresholds.demographic_parity_ratio: a threshold needs min, max or both",
        ),
        (
            {"demographic_parity_ratio": {"min": 0.9, "max": 0.8}},
            "thresholds.demographic_parity_ratio: min 0.9 is greater than max 0.8",
        ),
        ({"thresholds_breached": {"max": 0}}, "thresholds: thresholds_breached: unknown metric; expected one of "),
    ],
)
def test_threshold_validation(thresholds: dict[str, Any], expected: str) -> None:
    assert error(**BASE, prediction="p", thresholds=thresholds).startswith(expected)


def test_a_saved_result_excludes_computation_settings() -> None:
    assert FairnessSpec(result="fairness.json", thresholds={"demographic_parity_ratio": {"min": 0.8}})
    assert error(result="fairness.json", target="y") == (
        "result: reads a saved result, so target cannot be given too; "
        "keep data: to check that the result was computed from that file"
    )


def test_metric_names() -> None:
    assert {
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "equalized_odds_difference",
        "equalized_odds_ratio",
        "equal_opportunity_difference",
        "disparate_impact_ratio",
        "demographic_parity_ratio_ci_low",
        "equalized_odds_difference_ci_high",
        "overall_accuracy",
        "overall_selection_rate",
        "thresholds_breached",
    } <= METRIC_NAMES
    assert all(f"{name}_ci_low" in METRIC_NAMES for name in CLASSIFICATION_DISPARITIES)
    assert THRESHOLD_NAMES < METRIC_NAMES


def test_the_light_modules_do_not_import_the_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "import riskcheck.fairness, riskcheck.fairness.spec, riskcheck.fairness.result\n"
        "import riskcheck.fairness.api, riskcheck.cli.fairness_cmd\n"
        "heavy = {'numpy', 'pandas', 'sklearn', 'fairlearn', 'skops', 'pyarrow'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
