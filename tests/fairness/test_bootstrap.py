"""Seeded count-level bootstrap: deterministic, fast, and the right width."""

from __future__ import annotations

import time

import numpy as np
import pytest

from riskcheck.fairness.bootstrap import bootstrap_intervals
from riskcheck.fairness.counts import confusion_counts
from riskcheck.fairness.disparity import Comparison
from riskcheck.fairness.spec import CLASSIFICATION_DISPARITIES, BootstrapSpec


def counts_for(rates: list[tuple[int, float, float]], seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Confusion counts for groups of (rows, base rate, selection rate), drawn once."""
    rng = np.random.default_rng(seed)
    codes = np.concatenate([np.full(n, g) for g, (n, _, _) in enumerate(rates)])
    y_true = np.concatenate([rng.random(n) < base for n, base, _ in rates])
    y_pred = np.concatenate([rng.random(n) < selected for n, _, selected in rates])
    return confusion_counts(codes.astype(np.intp), len(rates), y_true, y_pred)


def everyone(groups: int) -> dict[str, np.ndarray]:
    return {
        name: np.ones(groups, dtype=bool) for name in ("selection_rate", "true_positive_rate", "false_positive_rate")
    }


GROUPS = [(2000, 0.3, 0.3), (2000, 0.4, 0.5)]


def test_the_same_seed_gives_the_same_intervals() -> None:
    weighted, rows = counts_for(GROUPS)
    settings = BootstrapSpec(replicates=2000, seed=42)
    first = bootstrap_intervals(
        CLASSIFICATION_DISPARITIES, weighted, rows, everyone(2), Comparison("between_groups"), settings
    )
    again = bootstrap_intervals(
        CLASSIFICATION_DISPARITIES, weighted, rows, everyone(2), Comparison("between_groups"), settings
    )
    other = bootstrap_intervals(
        CLASSIFICATION_DISPARITIES,
        weighted,
        rows,
        everyone(2),
        Comparison("between_groups"),
        BootstrapSpec(replicates=2000, seed=43),
    )
    assert first == again
    assert first != other


def test_the_interval_has_the_textbook_width() -> None:
    weighted, rows = counts_for(GROUPS)
    settings = BootstrapSpec(replicates=4000, seed=1)
    low, high = bootstrap_intervals(
        ["demographic_parity_difference"], weighted, rows, everyone(2), Comparison("between_groups"), settings
    )["demographic_parity_difference"]
    sizes = rows.sum(axis=1)
    selected = (weighted[:, 1] + weighted[:, 3]) / sizes
    point = selected.max() - selected.min()
    standard_error = np.sqrt((selected * (1 - selected) / sizes).sum())
    assert low is not None and high is not None
    assert low < point < high
    assert (high - low) / 2 == pytest.approx(1.96 * standard_error, rel=0.1)


def test_thousands_of_replicates_take_milliseconds() -> None:
    groups = [(5000, 0.2 + 0.02 * g, 0.1 + 0.03 * g) for g in range(20)]
    weighted, rows = counts_for(groups)
    started = time.perf_counter()
    intervals = bootstrap_intervals(
        CLASSIFICATION_DISPARITIES, weighted, rows, everyone(20), Comparison("overall"), BootstrapSpec(replicates=5000)
    )
    assert time.perf_counter() - started < 2.0  # typically ~0.1 s; generous for busy machines
    assert all(low is not None and high is not None and low <= high for low, high in intervals.values())


def test_weights_scale_each_cell_by_its_mean_weight() -> None:
    weighted, rows = counts_for(GROUPS)
    settings = BootstrapSpec(replicates=500, seed=5)
    plain = bootstrap_intervals(
        CLASSIFICATION_DISPARITIES, weighted, rows, everyone(2), Comparison("between_groups"), settings
    )
    # weights constant within each group change no rate, so no interval
    doubled = bootstrap_intervals(
        CLASSIFICATION_DISPARITIES, weighted * 2.5, rows, everyone(2), Comparison("between_groups"), settings
    )
    for name in CLASSIFICATION_DISPARITIES:
        assert doubled[name] == pytest.approx(plain[name], abs=1e-12)


def test_no_replicates_no_intervals() -> None:
    weighted, rows = counts_for(GROUPS)
    intervals = bootstrap_intervals(
        ["demographic_parity_ratio"],
        weighted,
        rows,
        everyone(2),
        Comparison("between_groups"),
        BootstrapSpec(replicates=0),
    )
    assert intervals == {"demographic_parity_ratio": (None, None)}
