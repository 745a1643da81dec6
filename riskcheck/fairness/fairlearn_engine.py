"""The fairlearn engine: the same metrics through fairlearn's ``MetricFrame``.

Slower than the count engine by orders of magnitude, and kept as the reference the
count engine is tested against. fairlearn and scikit-learn return 0 for a rate whose
denominator is zero; this engine measures the weighted denominators alongside and
reports such a rate as undefined (NaN), as the count engine does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from riskcheck.fairness.result import GROUP_JOINER

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped]

    FloatArray = npt.NDArray[np.float64]

# Rates, and the weighted denominator that must be non-zero for each to be defined.
_DENOMINATOR = {
    "selection_rate": "weight",
    "true_positive_rate": "positives",
    "false_negative_rate": "positives",
    "false_positive_rate": "negatives",
    "true_negative_rate": "negatives",
    "precision": "predicted_positives",
    "accuracy": "weight",
    "mean_prediction": "weight",
    "mean_absolute_error": "weight",
}


_DENOMINATORS = ("weight", "positives", "negatives", "predicted_positives")


def _denominators(y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
    """The weighted denominators of the rates, in :data:`_DENOMINATORS` order."""
    import numpy as np

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    weights = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight)
    return np.array(
        [
            weights.sum(),
            weights[y_true == 1].sum(),
            weights[y_true == 0].sum(),
            weights[y_pred == 1].sum(),
        ]
    )


def _metric_functions(task: str) -> dict[str, Callable[..., Any]]:
    import functools

    import fairlearn.metrics as flm  # type: ignore[import-untyped]
    import numpy as np
    import sklearn.metrics as skm  # type: ignore[import-untyped]

    if task == "regression":
        return {
            "mean_prediction": flm.mean_prediction,
            "mean_absolute_error": skm.mean_absolute_error,
            "denominators": _denominators,
        }
    return {
        "selection_rate": flm.selection_rate,
        "true_positive_rate": flm.true_positive_rate,
        "false_positive_rate": flm.false_positive_rate,
        "false_negative_rate": flm.false_negative_rate,
        "true_negative_rate": flm.true_negative_rate,
        "precision": functools.partial(skm.precision_score, zero_division=np.nan),
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "denominators": _denominators,
    }


def fairlearn_metrics(
    sensitive: pd.DataFrame,
    labels: Sequence[str],
    y_true: Any,
    y_pred: Any,
    weights: FloatArray | None,
    task: str,
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Per-group metrics as (1, groups) arrays in ``labels`` order, and overall as (1,)."""
    import warnings

    import numpy as np
    from fairlearn.metrics import MetricFrame, count

    if task == "classification":
        y_true = np.asarray(y_true).astype(np.int64)
        y_pred = np.asarray(y_pred).astype(np.int64)
    functions = _metric_functions(task)
    params = {} if weights is None else {name: {"sample_weight": weights} for name in functions}
    with warnings.catch_warnings():
        # zero denominators are handled below; fairlearn and sklearn warn about them
        warnings.simplefilter("ignore")
        frame = MetricFrame(
            metrics={"count": count, **functions},
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=sensitive,
            sample_params=params,
        )
    by_group = frame.by_group
    keys = [
        GROUP_JOINER.join(str(part) for part in key) if isinstance(key, tuple) else str(key) for key in by_group.index
    ]
    by_group.index = keys
    by_group = by_group.loc[list(labels)]
    group_denominators = np.stack(by_group["denominators"].to_list())
    overall_denominators = np.asarray(frame.overall["denominators"])[None, :]
    per_group: dict[str, FloatArray] = {}
    totals: dict[str, FloatArray] = {}
    for name in ["count", *(n for n in functions if n != "denominators")]:
        values = by_group[name].to_numpy(dtype=np.float64)
        whole = np.array([float(frame.overall[name])])
        if name in _DENOMINATOR:
            column = _DENOMINATORS.index(_DENOMINATOR[name])
            values = np.where(group_denominators[:, column] > 0, values, np.nan)
            whole = np.where(overall_denominators[:, column] > 0, whole, np.nan)
        per_group[name] = values[None, :]
        totals[name] = whole
    if task == "classification":
        # scikit-learn averages the recall of the classes present; riskcheck needs both
        for table in (per_group, totals):
            table["balanced_accuracy"] = np.where(
                np.isnan(table["true_positive_rate"]) | np.isnan(table["true_negative_rate"]),
                np.nan,
                table["balanced_accuracy"],
            )
    return per_group, totals


def sensitive_frame(frame: pd.DataFrame, columns: Sequence[str], missing: str) -> pd.DataFrame:
    """The sensitive columns as text, with missing values as the ``missing`` group."""
    import pandas as pd

    filled = {}
    for column in columns:
        values = frame[column].reset_index(drop=True)
        filled[column] = values.astype(object).where(values.notna(), missing).astype(str)
    return pd.DataFrame(filled)
