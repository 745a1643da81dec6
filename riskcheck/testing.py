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

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskcheck.errors import DataError

__all__ = ["FairnessAssertionError", "assert_fairness"]

_TRUE = "__riskcheck_y_true__"
_PRED = "__riskcheck_y_pred__"
_WEIGHT = "__riskcheck_weight__"

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

    ``sensitive_features`` is one column (a list, array or Series; a Series keeps its
    name) or several (a DataFrame, or a mapping of name to column): several give
    intersectional groups. The ``*_min``/``*_max`` keywords are the usual thresholds;
    ``thresholds`` takes any other, as in an assessment's ``fairness.thresholds``
    (e.g. ``{"equalized_odds_difference": {"max": 0.1, "on": "ci_high"}}``, which
    needs ``bootstrap_replicates``). A value that cannot be computed fails: missing
    evidence does not pass.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function
    import pandas as pd  # type: ignore[import-untyped]

    from riskcheck.fairness.api import compute_fairness
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
    sensitive = _sensitive_frame(sensitive_features)
    frame = pd.DataFrame({_TRUE: _column(y_true), _PRED: _column(y_pred)})
    if len(sensitive) != len(frame):
        raise ValueError(f"sensitive_features has {len(sensitive)} rows but y_true and y_pred have {len(frame)}")
    for name in sensitive.columns:
        frame[name] = sensitive[name].to_numpy()
    if sample_weight is not None:
        frame[_WEIGHT] = _column(sample_weight)
    with tempfile.TemporaryDirectory(prefix="riskcheck-assert-") as directory:
        data = Path(directory) / "predictions.parquet"
        frame.to_parquet(data, index=False)
        try:
            result = compute_fairness(
                data,
                target=_TRUE,
                prediction=_PRED,
                sensitive=list(sensitive.columns),
                positive_label=positive_label,
                sample_weight=None if sample_weight is None else _WEIGHT,
                task=task,
                min_group_size=DEFAULT_MIN_GROUP_SIZE if min_group_size is None else min_group_size,
                min_class_size=DEFAULT_MIN_CLASS_SIZE if min_class_size is None else min_class_size,
                compare=compare,
                reference_group=reference_group,
                bootstrap=BootstrapSpec(replicates=bootstrap_replicates, seed=seed),
                thresholds={name: Threshold.model_validate(value) for name, value in bounds.items()},
            )
        except DataError as exc:
            message = str(exc).replace(str(data), "assert_fairness").replace(_TRUE, "y_true").replace(_PRED, "y_pred")
            raise DataError(message.replace(_WEIGHT, "sample_weight")) from None
    breaches = result.breaches()
    if breaches:
        raise FairnessAssertionError(failure_message(result), result)
    return result


def _column(values: Any) -> Any:
    import numpy as np

    if hasattr(values, "to_numpy"):
        return values.to_numpy()
    return np.asarray(values)


def _sensitive_frame(features: Any) -> Any:
    import pandas as pd

    if isinstance(features, pd.DataFrame):
        frame = features.reset_index(drop=True)
    elif isinstance(features, Mapping):
        frame = pd.DataFrame({str(k): _column(v) for k, v in features.items()})
    elif isinstance(features, pd.Series):
        frame = pd.DataFrame({str(features.name) if features.name is not None else "sensitive": features.to_numpy()})
    else:
        frame = pd.DataFrame({"sensitive": _column(features)})
    frame.columns = [str(c) for c in frame.columns]
    clashes = {_TRUE, _PRED, _WEIGHT} & set(frame.columns)
    if clashes:
        raise ValueError(f"sensitive feature names clash with riskcheck's own: {', '.join(sorted(clashes))}")
    return frame.astype(str).where(frame.notna(), None)


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
