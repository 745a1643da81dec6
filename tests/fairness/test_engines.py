"""The count engine agrees with fairlearn's MetricFrame, and with fairlearn's definitions.

Real data: the shipped UCI Adult file, with the shipped model's predictions.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.result import FairnessResult
from riskcheck.fairness.spec import BootstrapSpec
from tests.fairness.conftest import ADULT, ADULT_MODEL

TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def adult_scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Adult with the example model's predictions in a column (computed once, in-process)."""
    import pandas as pd
    import skops.io as sio

    adult = pd.read_csv(ADULT)
    model = sio.load(ADULT_MODEL)  # the shipped file: only default-trusted types
    adult["predicted"] = model.predict(adult)
    path = tmp_path_factory.mktemp("adult") / "adult_scored.parquet"
    adult.to_parquet(path, index=False)
    return path


def assert_close(a: Any, b: Any, where: str) -> None:
    if a is None or b is None:
        assert a is None and b is None, where
    else:
        assert math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE), f"{where}: {a!r} != {b!r}"


def assert_same_figures(count: FairnessResult, fairlearn: FairnessResult) -> None:
    assert count.groups == fairlearn.groups
    for group in count.groups:
        assert count.by_group[group].keys() == fairlearn.by_group[group].keys()
        for name, value in count.by_group[group].items():
            assert_close(value, fairlearn.by_group[group][name], f"{group} {name}")
    for name, value in count.overall.items():
        assert_close(value, fairlearn.overall[name], f"overall {name}")
    for name, disparity in count.disparities.items():
        other = fairlearn.disparities[name]
        assert_close(disparity.value, other.value, name)
        assert_close(disparity.ci_low, other.ci_low, f"{name} ci_low")
        assert_close(disparity.ci_high, other.ci_high, f"{name} ci_high")
        assert disparity.groups == other.groups
    assert count.insufficient_evidence == fairlearn.insufficient_evidence


@pytest.mark.parametrize(
    ("sensitive", "weight", "where"),
    [
        (["sex", "race"], "fnlwgt", None),
        (["sex"], None, {"split": "test"}),
        (["race"], "fnlwgt", {"split": "test"}),
        (["sex", "race"], None, {"split": "test"}),
    ],
    ids=[
        "intersectional-weighted",
        "single-unweighted",
        "single-weighted",
        "intersectional",
    ],
)
def test_count_and_fairlearn_engines_agree_on_adult(
    adult_scored: Path,
    sensitive: list[str],
    weight: str | None,
    where: dict[str, str] | None,
) -> None:
    settings: dict[str, Any] = {
        "target": "income",
        "positive_label": ">50K",
        "prediction": "predicted",
        "sensitive": sensitive,
        "sample_weight": weight,
        "where": where,
        "bootstrap": BootstrapSpec(replicates=200),
    }
    count = compute_fairness(adult_scored, engine="count", **settings)
    fairlearn = compute_fairness(adult_scored, engine="fairlearn", **settings)
    assert_same_figures(count, fairlearn)
    assert count.to_dict()["by_group"].keys() == fairlearn.to_dict()["by_group"].keys()


def test_disparities_match_fairlearns_own_functions(adult_scored: Path) -> None:
    import fairlearn.metrics as flm
    import pandas as pd

    frame = pd.read_parquet(adult_scored)
    frame = frame[frame["split"] == "test"]
    y_true = (frame["income"] == ">50K").to_numpy()
    y_pred = (frame["predicted"] == ">50K").to_numpy()
    weights = frame["fnlwgt"].to_numpy(dtype=float)
    features = frame[["sex", "race"]]
    checks = {
        "between_groups": (
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "equalized_odds_ratio",
            "equal_opportunity_difference",
            "equal_opportunity_ratio",
        ),
        "overall": ("demographic_parity_ratio", "equalized_odds_difference", "equal_opportunity_ratio"),
    }
    for compare, method in (
        ("between_groups", "between_groups"),
        ("overall", "to_overall"),
    ):
        result = compute_fairness(
            adult_scored,
            target="income",
            positive_label=">50K",
            prediction="predicted",
            sensitive=["sex", "race"],
            sample_weight="fnlwgt",
            where={"split": "test"},
            compare=compare,
            min_group_size=1,
            min_class_size=1,
            bootstrap=BootstrapSpec(replicates=0),
        )
        for name in checks[compare]:
            expected = getattr(flm, name)(
                y_true,
                y_pred,
                sensitive_features=features,
                sample_weight=weights,
                method=method,
            )
            assert_close(result.disparities[name].value, float(expected), f"{compare} {name}")
