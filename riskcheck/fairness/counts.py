"""The count engine: weighted confusion counts per group in one pass, metrics from counts.

Every classification metric is a ratio of the four cells of a group's weighted 2x2
confusion matrix, so one ``np.bincount`` over ``group * 4 + y_true * 2 + y_pred``
holds everything. The functions below work on arrays of shape ``(..., groups, 4)``,
so the bootstrap reuses them on thousands of replicates at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]

#: The cells of a confusion matrix, in bincount order: index = 2 * y_true + y_pred.
CELLS = ("tn", "fp", "fn", "tp")
TN, FP, FN, TP = range(4)


def confusion_counts(
    codes: npt.NDArray[np.intp],
    n_groups: int,
    y_true: BoolArray,
    y_pred: BoolArray,
    weights: FloatArray | None = None,
) -> tuple[FloatArray, IntArray]:
    """Weighted and unweighted confusion counts per group, each of shape (n_groups, 4)."""
    import numpy as np

    cell = np.left_shift(y_true.view(np.uint8), 1)
    cell |= y_pred.view(np.uint8)
    index = np.multiply(codes, 4, dtype=np.intp)
    index += cell
    size = n_groups * 4
    rows: IntArray = np.bincount(index, minlength=size).reshape(n_groups, 4).astype(np.int64)
    if weights is None:
        return rows.astype(np.float64), rows
    weighted = np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=np.float64)
    return weighted.reshape(n_groups, 4), rows


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator, NaN (undefined) where the denominator is zero."""
    import numpy as np

    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def metrics_from_counts(counts: FloatArray) -> dict[str, FloatArray]:
    """Every classification rate from confusion counts of shape (..., 4); NaN = undefined.

    The formulas are those of fairlearn and scikit-learn (``selection_rate``,
    ``true_positive_rate``, ``precision_score``, ``balanced_accuracy_score``...), except
    that a zero denominator gives NaN rather than 0 or a warning.
    """
    tn, fp, fn, tp = counts[..., TN], counts[..., FP], counts[..., FN], counts[..., TP]
    total = tn + fp + fn + tp
    positives = fn + tp
    negatives = tn + fp
    tpr = _ratio(tp, positives)
    tnr = _ratio(tn, negatives)
    return {
        "selection_rate": _ratio(fp + tp, total),
        "true_positive_rate": tpr,
        "false_positive_rate": _ratio(fp, negatives),
        "false_negative_rate": _ratio(fn, positives),
        "true_negative_rate": tnr,
        "precision": _ratio(tp, fp + tp),
        "accuracy": _ratio(tp + tn, total),
        "balanced_accuracy": (tpr + tnr) / 2,
    }


def regression_sums(
    codes: npt.NDArray[np.intp],
    n_groups: int,
    y_true: FloatArray,
    y_pred: FloatArray,
    weights: FloatArray | None = None,
) -> tuple[FloatArray, IntArray]:
    """Per group: total weight, weighted prediction sum, weighted absolute error sum (G, 3)."""
    import numpy as np

    rows: IntArray = np.bincount(codes, minlength=n_groups).astype(np.int64)
    weight = np.ones_like(y_pred) if weights is None else weights
    sums = np.asarray(
        np.stack(
            [
                np.bincount(codes, weights=weight, minlength=n_groups),
                np.bincount(codes, weights=weight * y_pred, minlength=n_groups),
                np.bincount(codes, weights=weight * np.abs(y_true - y_pred), minlength=n_groups),
            ],
            axis=-1,
        ),
        dtype=np.float64,
    )
    return sums, rows


def metrics_from_sums(sums: FloatArray) -> dict[str, FloatArray]:
    """Mean prediction and mean absolute error from :func:`regression_sums`."""
    return {
        "mean_prediction": _ratio(sums[..., 1], sums[..., 0]),
        "mean_absolute_error": _ratio(sums[..., 2], sums[..., 0]),
    }
