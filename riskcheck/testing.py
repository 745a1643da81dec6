"""Assertions for ML test suites, computed by riskcheck's own fairness engine.

    from riskcheck.testing import assert_fairness

    def test_model_is_fair(model, X_test, y_test):
        assert_fairness(
            y_test, model.predict(X_test),
            sensitive_features=X_test["sex"],
            demographic_parity_ratio_min=0.8,
        )

It passes silently, and fails with the breached thresholds and a table of the
metrics of every group. Needs the ``fairness`` extra.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FairnessAssertionError", "assert_fairness"]

#: The names y_true, y_pred and sample_weight take in messages and in the computation.
_TRUE = "y_true"
_PRED = "y_pred"
_WEIGHT = "sample_weight"

#: Per-group columns shown in a failure, by task.
_TABLE = {
    "classification": ("count", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"),
    "regression": ("count", "mean_prediction", "mean_absolute_error"),
}


class FairnessAssertionError(AssertionError):
    """A fairness threshold did not hold; ``result`` holds every figure."""

    def __init__(self, message: str, result: Any) -> None:
        super().__init__(message)
        self.result = result


def assert_fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    demographic_parity_ratio_min: float | None = None,
    demographic_parity_difference_max: float | None = None,
    equalized_odds_difference_max: float | None = None,
    equalized_odds_ratio_min: float | None = None,
    equal_opportunity_difference_max: float | None = None,
    equal_opportunity_ratio_min: float | None = None,
    disparate_impact_ratio_min: float | None = None,
    thresholds: Mapping[str, Mapping[str, Any]] | None = None,
    positive_label: Any = None,
    sample_weight: Any = None,
    task: str = "classification",
    min_group_size: int | None = None,
    min_class_size: int | None = None,
    compare: str = "between_groups",
    reference_group: str | None = None,
    bootstrap_replicates: int = 0,
    seed: int = 20240101,
) -> Any:
    """Fail unless every fairness threshold holds; return the :class:`FairnessResult` otherwise.

    ``y_true``, ``y_pred`` and ``sample_weight`` are lists, numpy arrays or pandas
    Series. ``sensitive_features`` is one column (a list, array or Series; a Series
    keeps its name) or several (a DataFrame, or a mapping of name to column): several
    give intersectional groups. The ``*_min``/``*_max`` keywords are the usual
    thresholds; ``thresholds`` takes any other, as in an assessment's
    ``fairness.thresholds`` (e.g. ``{"equalized_odds_difference": {"max": 0.1, "on":
    "ci_high"}}``, which needs ``bootstrap_replicates``). A value that cannot be
    computed fails: missing evidence does not pass. The figures come from
    :func:`riskcheck.fairness.api.compute_fairness_frame`, in memory.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function
    from riskcheck.fairness.api import compute_fairness_frame
    from riskcheck.fairness.spec import DEFAULT_MIN_CLASS_SIZE, DEFAULT_MIN_GROUP_SIZE, BootstrapSpec, Threshold

    bounds: dict[str, dict[str, Any]] = {name: dict(value) for name, value in (thresholds or {}).items()}
    for name, side, limit in (
        ("demographic_parity_ratio", "min", demographic_parity_ratio_min),
        ("demographic_parity_difference", "max", demographic_parity_difference_max),
        ("equalized_odds_difference", "max", equalized_odds_difference_max),
        ("equalized_odds_ratio", "min", equalized_odds_ratio_min),
        ("equal_opportunity_difference", "max", equal_opportunity_difference_max),
        ("equal_opportunity_ratio", "min", equal_opportunity_ratio_min),
        ("disparate_impact_ratio", "min", disparate_impact_ratio_min),
    ):
        if limit is not None:
            bounds.setdefault(name, {})[side] = limit
    if not bounds:
        raise TypeError("assert_fairness needs at least one threshold (e.g. demographic_parity_ratio_min=0.8)")
    sensitive = _sensitive_columns(sensitive_features)
    rows = len(y_true)
    if len(y_pred) != rows:
        raise ValueError(f"y_pred has {len(y_pred)} rows but y_true has {rows}")
    for name, column in sensitive.items():
        if len(column) != rows:
            raise ValueError(f"sensitive feature {name!r} has {len(column)} rows but y_true and y_pred have {rows}")
    columns: dict[str, Any] = {_TRUE: y_true, _PRED: y_pred, **sensitive}
    if sample_weight is not None:
        if len(sample_weight) != rows:
            raise ValueError(f"sample_weight has {len(sample_weight)} rows but y_true and y_pred have {rows}")
        columns[_WEIGHT] = sample_weight
    result = compute_fairness_frame(
        columns,
        target=_TRUE,
        prediction=_PRED,
        sensitive=list(sensitive),
        positive_label=positive_label,
        sample_weight=None if sample_weight is None else _WEIGHT,
        task=task,
        min_group_size=DEFAULT_MIN_GROUP_SIZE if min_group_size is None else min_group_size,
        min_class_size=DEFAULT_MIN_CLASS_SIZE if min_class_size is None else min_class_size,
        compare=compare,
        reference_group=reference_group,
        bootstrap=BootstrapSpec(replicates=bootstrap_replicates, seed=seed),
        thresholds={name: Threshold.model_validate(value) for name, value in bounds.items()},
        name="assert_fairness",
    )
    if result.breaches():
        raise FairnessAssertionError(failure_message(result), result)
    return result


def _sensitive_columns(features: Any) -> dict[str, Any]:
    """Name -> column, from a DataFrame, a mapping, a named Series or a plain sequence."""
    if hasattr(features, "columns") and hasattr(features, "__getitem__"):  # a DataFrame
        columns = {str(name): features[name] for name in features.columns}
    elif isinstance(features, Mapping):
        columns = {str(name): values for name, values in features.items()}
    elif hasattr(features, "to_numpy") and getattr(features, "name", None) is not None:  # a named Series
        columns = {str(features.name): features}
    else:
        columns = {"sensitive": features}
    clashes = {_TRUE, _PRED, _WEIGHT} & set(columns)
    if clashes:
        raise ValueError(f"sensitive feature names clash with riskcheck's own: {', '.join(sorted(clashes))}")
    return columns


def failure_message(result: Any) -> str:
    """The breached thresholds, then a table of every group's metrics."""
    lines = ["fairness thresholds not met:"]
    lines += [f"  - {breach.message}" for breach in result.breaches()]
    columns = _TABLE.get(result.task, _TABLE["classification"])
    rows = [[group, *(_cell(result.by_group[group].get(name)) for name in columns)] for group in result.groups]
    rows.append(["(overall)", *(_cell(result.overall.get(name)) for name in columns)])
    header = ["group", *columns]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines.append("")
    lines.append(
        "  "
        + "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    )
    for row in rows:
        lines.append(
            "  "
            + "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for entry in result.insufficient_evidence:
        lines.append(f"  left out: {entry.group} ({', '.join(entry.metrics) or entry.scope}): {entry.reason}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.4f}"
