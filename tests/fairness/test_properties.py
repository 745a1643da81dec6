"""Hypothesis properties: the count engine against a per-group brute force; disparity bounds."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcheck.fairness.counts import confusion_counts, metrics_from_counts
from riskcheck.fairness.disparity import Comparison, disparity_values
from riskcheck.fairness.spec import CLASSIFICATION_DISPARITIES

rows_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.booleans(),
        st.booleans(),
        st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25]),
    ),
    min_size=1,
    max_size=60,
)


def brute_force(y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Each rate straight from its definition, by boolean masks; NaN when undefined."""

    def rate(numerator: np.ndarray, denominator: np.ndarray) -> float:
        total = weights[denominator].sum()
        return float(weights[numerator & denominator].sum() / total) if total > 0 else math.nan

    everyone = np.ones_like(y_true)
    tpr = rate(y_pred, y_true)
    tnr = rate(~y_pred, ~y_true)
    return {
        "selection_rate": rate(y_pred, everyone),
        "true_positive_rate": tpr,
        "false_positive_rate": rate(y_pred, ~y_true),
        "false_negative_rate": rate(~y_pred, y_true),
        "true_negative_rate": tnr,
        "precision": rate(y_true, y_pred),
        "accuracy": rate(y_true == y_pred, everyone),
        "balanced_accuracy": (tpr + tnr) / 2,
    }


@settings(max_examples=150, deadline=None)
@given(rows_strategy)
def test_count_engine_matches_a_per_group_brute_force(rows: list[tuple[int, bool, bool, float]]) -> None:
    codes = np.array([r[0] for r in rows], dtype=np.intp)
    y_true = np.array([r[1] for r in rows])
    y_pred = np.array([r[2] for r in rows])
    weights = np.array([r[3] for r in rows])
    weighted, counted = confusion_counts(codes, 4, y_true, y_pred, weights)
    metrics = metrics_from_counts(weighted)
    assert counted.sum() == len(rows)
    for group in range(4):
        mask = codes == group
        expected = brute_force(y_true[mask], y_pred[mask], weights[mask])
        for name, value in expected.items():
            got = float(metrics[name][group])
            assert (math.isnan(got) and math.isnan(value)) or math.isclose(got, value, abs_tol=1e-12), (name, group)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from(["between_groups", "overall", "reference"]),
)
def test_disparities_stay_in_their_ranges(cells: list[tuple[int, int, int, int]], mode: str) -> None:
    counts = np.array(cells, dtype=np.float64)
    groups = len(cells)
    metrics = metrics_from_counts(counts[None])
    overall = metrics_from_counts(counts.sum(axis=0)[None])
    eligible = {
        name: np.ones(groups, dtype=bool) for name in ("selection_rate", "true_positive_rate", "false_positive_rate")
    }
    comparison = Comparison(mode, 0 if mode == "reference" else None)
    values = disparity_values(CLASSIFICATION_DISPARITIES, metrics, overall, eligible, comparison)
    for name, array in values.items():
        value = float(array[0])
        if math.isnan(value):
            continue
        if name == "disparate_impact_ratio" and mode != "between_groups":
            assert value >= 0, name  # one-sided: may exceed 1 against a reference group
        else:
            assert 0 <= value <= 1 + 1e-12, (name, value)
    if mode == "between_groups":
        dp, di = values["demographic_parity_ratio"][0], values["disparate_impact_ratio"][0]
        assert (math.isnan(dp) and math.isnan(di)) or dp == di
    json.dumps({name: None if math.isnan(float(v[0])) else float(v[0]) for name, v in values.items()}, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(alphabet="gyp,01AB\n\r\"' \t.;x", max_size=120).map(lambda t: ("g,y,p\n" + t).encode()),
    ),
    st.sampled_from(["data.csv", "data.parquet"]),
)
def test_any_bytes_give_a_result_or_a_data_error(content: bytes, name: str) -> None:
    import tempfile
    from pathlib import Path

    from riskcheck.core.errors import DataError
    from riskcheck.fairness.api import compute_fairness
    from riskcheck.fairness.spec import BootstrapSpec

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            result = compute_fairness(
                path, target="y", prediction="p", sensitive=["g"], bootstrap=BootstrapSpec(replicates=0)
            )
        except DataError as exc:
            assert str(exc).startswith(f"{path}: ")
        else:
            json.loads(result.to_json())
