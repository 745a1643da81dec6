"""Disparities from per-group metrics, and which groups have enough evidence to count.

Definitions follow fairlearn's ``MetricFrame.difference`` and ``.ratio``:

- between groups: difference = max - min, ratio = min / max;
- against the overall value: difference = max |group - overall|, ratio = the smallest
  of group / overall, each taken as at most 1 (inverted when above 1);
- against a reference group: the same, with the reference group's value in place of
  the overall one (riskcheck's extension; fairlearn has no reference method).

Equalized odds takes the worse of its true and false positive rate components (the
larger difference, the smaller ratio), as fairlearn's ``agg="worst_case"`` does. The
disparate impact ratio is the four-fifths rule's one-sided ratio: the lowest selection
rate over the highest (between groups), the overall rate, or the reference group's.

The functions take arrays of shape ``(replicates, groups)`` so that the point estimate
(one replicate) and the bootstrap share one implementation. NaN means undefined, or
excluded for want of evidence; it never counts as 0 or 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from riskcheck.core.i18n import _, _n, format_number
from riskcheck.fairness.result import Disparity, InsufficientEvidence
from riskcheck.fairness.spec import CLASSIFICATION_METRICS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    BoolArray = npt.NDArray[np.bool_]

#: Disparity name -> (kind, per-group metrics it compares).
DEFINITIONS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "demographic_parity_difference": ("difference", ("selection_rate",)),
    "demographic_parity_ratio": ("ratio", ("selection_rate",)),
    "equalized_odds_difference": (
        "difference",
        ("true_positive_rate", "false_positive_rate"),
    ),
    "equalized_odds_ratio": ("ratio", ("true_positive_rate", "false_positive_rate")),
    "equal_opportunity_difference": ("difference", ("true_positive_rate",)),
    "equal_opportunity_ratio": ("ratio", ("true_positive_rate",)),
    "disparate_impact_ratio": ("impact", ("selection_rate",)),
    "mean_prediction_difference": ("difference", ("mean_prediction",)),
    "mean_prediction_ratio": ("ratio", ("mean_prediction",)),
    "mean_absolute_error_difference": ("difference", ("mean_absolute_error",)),
    "mean_absolute_error_ratio": ("ratio", ("mean_absolute_error",)),
}

_POSITIVE_RATES = ("true_positive_rate", "false_negative_rate", "balanced_accuracy")
_NEGATIVE_RATES = ("false_positive_rate", "true_negative_rate", "balanced_accuracy")
_MAX_NAMED = 5


@dataclass(frozen=True)
class Comparison:
    """How to compare groups: the mode, and the reference group's index when there is one."""

    mode: str
    reference: int | None = None


def assess_evidence(
    labels: Sequence[str],
    rows: npt.NDArray[np.int64],
    *,
    task: str,
    min_group_size: int,
    min_class_size: int,
) -> tuple[dict[str, BoolArray], tuple[InsufficientEvidence, ...]]:
    """Which groups may enter each metric's disparity, and why the others may not.

    ``rows`` holds unweighted row counts: (groups, 4) confusion cells for
    classification, (groups,) for regression. Evidence is about rows observed, so
    sample weights do not change it.
    """
    import numpy as np

    size = rows.sum(axis=-1) if rows.ndim == 2 else rows
    enough = size >= min_group_size
    entries: list[InsufficientEvidence] = []
    rates = (
        CLASSIFICATION_METRICS[1:]
        if task == "classification"
        else (
            "mean_prediction",
            "mean_absolute_error",
        )
    )
    for index in np.flatnonzero(~enough):
        entries.append(
            InsufficientEvidence(
                group=labels[int(index)],
                scope="group",
                metrics=tuple(rates),
                # English keeps "rows" for any count; other languages get their plural forms.
                reason=_n(
                    "{count} rows, fewer than min_group_size {minimum}",
                    "{count} rows, fewer than min_group_size {minimum}",
                    int(size[index]),
                    minimum=min_group_size,
                ),
            )
        )
    if task != "classification":
        return {"mean_prediction": enough, "mean_absolute_error": enough}, tuple(entries)
    positives = rows[:, 2] + rows[:, 3]
    negatives = rows[:, 0] + rows[:, 1]
    predicted = rows[:, 1] + rows[:, 3]
    #: Each class's reason as a whole sentence, translated when it is written.
    reasons = {
        "positive": lambda n: _n(
            "{count} positive rows (actual positives), fewer than min_class_size {minimum}",
            "{count} positive rows (actual positives), fewer than min_class_size {minimum}",
            n,
            minimum=min_class_size,
        ),
        "negative": lambda n: _n(
            "{count} negative rows (actual negatives), fewer than min_class_size {minimum}",
            "{count} negative rows (actual negatives), fewer than min_class_size {minimum}",
            n,
            minimum=min_class_size,
        ),
        "predicted": lambda n: _n(
            "{count} predicted positives, fewer than min_class_size {minimum}",
            "{count} predicted positives, fewer than min_class_size {minimum}",
            n,
            minimum=min_class_size,
        ),
    }
    for count, kind, metrics in (
        (positives, "positive", _POSITIVE_RATES),
        (negatives, "negative", _NEGATIVE_RATES),
        (predicted, "predicted", ("precision",)),
    ):
        for index in np.flatnonzero(enough & (count < min_class_size)):
            entries.append(
                InsufficientEvidence(
                    group=labels[int(index)],
                    scope="rate",
                    metrics=metrics,
                    reason=reasons[kind](int(count[index])),
                )
            )
    eligible = {
        "selection_rate": enough,
        "true_positive_rate": enough & (positives >= min_class_size),
        "false_positive_rate": enough & (negatives >= min_class_size),
    }
    order = {label: position for position, label in enumerate(labels)}
    entries.sort(key=lambda entry: (order[entry.group], entry.scope != "group"))
    return eligible, tuple(entries)


def _flip(ratio: FloatArray) -> FloatArray:
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ratio > 1, 1 / ratio, ratio)


def _divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    import numpy as np

    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def component(kind: str, values: FloatArray, overall: FloatArray, comparison: Comparison) -> FloatArray:
    """One metric's disparity per replicate; ``values`` has NaN for excluded groups."""
    import numpy as np

    valid = ~np.isnan(values)
    if comparison.mode == "reference":
        assert comparison.reference is not None
        base = values[:, comparison.reference]
        others = values.copy()
        others[:, comparison.reference] = np.nan
        defined = ~np.isnan(base) & ((~np.isnan(others)).sum(axis=1) >= 1)
    else:
        others = values
        base = overall
        defined = valid.sum(axis=1) >= 2
    if comparison.mode == "between_groups":
        high = np.fmax.reduce(values, axis=1)
        low = np.fmin.reduce(values, axis=1)
        result = high - low if kind == "difference" else _divide(low, high)
    elif kind == "difference":
        result = np.fmax.reduce(np.abs(others - base[:, None]), axis=1)
    elif kind == "ratio":
        result = np.fmin.reduce(_flip(_divide(others, base[:, None])), axis=1)
    else:  # one-sided impact ratio
        result = _divide(np.fmin.reduce(others, axis=1), base)
    return np.where(defined, result, np.nan)


def disparity_values(
    names: Sequence[str],
    metrics: Mapping[str, FloatArray],
    overall: Mapping[str, FloatArray],
    eligible: Mapping[str, BoolArray],
    comparison: Comparison,
) -> dict[str, FloatArray]:
    """Each named disparity per replicate (shape (replicates,)), NaN where undefined."""
    import numpy as np

    out: dict[str, FloatArray] = {}
    for name in names:
        kind, parts = DEFINITIONS[name]
        values = [
            component(
                kind,
                np.where(eligible[part], metrics[part], np.nan),
                overall[part],
                comparison,
            )
            for part in parts
        ]
        combine = np.fmax if kind == "difference" else np.fmin
        result = values[0]
        for more in values[1:]:
            result = combine(result, more)
        out[name] = result
    return out


def describe(
    name: str,
    value: float | None,
    *,
    labels: Sequence[str],
    metrics: Mapping[str, FloatArray],
    overall: Mapping[str, FloatArray],
    eligible: Mapping[str, BoolArray],
    comparison: Comparison,
    interval: tuple[float | None, float | None],
) -> Disparity:
    """The point estimate of one disparity with the groups that set it, in words."""
    import numpy as np

    kind, parts = DEFINITIONS[name]
    candidates = []
    for part in parts:
        values = np.where(eligible[part], metrics[part][0], np.nan)
        single = component(kind, values[None, :], overall[part][:1], comparison)[0]
        candidates.append((part, values, None if np.isnan(single) else float(single)))
    defined = [c for c in candidates if c[2] is not None]
    if value is None or not defined:
        reasons = [_why_undefined(part, values, labels, eligible[part], comparison) for part, values, _v in candidates]
        return Disparity(name, None, None, None, comparison.mode, (), "; ".join(reasons))
    pick = max if kind == "difference" else min
    part, values, _v = pick(defined, key=lambda c: c[2])  # type: ignore[arg-type,return-value]
    groups, detail = _involved(kind, part, values, labels, float(overall[part][0]), comparison)
    excluded = [labels[int(i)] for i in np.flatnonzero(~eligible[part])]
    if excluded:
        named = ", ".join(excluded[:_MAX_NAMED])
        if len(excluded) > _MAX_NAMED:
            named = _("{groups} and {count} more", groups=named, count=len(excluded) - _MAX_NAMED)
        detail += " " + _("(left out for too little evidence: {groups})", groups=named)
    return Disparity(name, value, interval[0], interval[1], comparison.mode, groups, detail)


def _involved(
    kind: str,
    part: str,
    values: FloatArray,
    labels: Sequence[str],
    overall: float,
    comparison: Comparison,
) -> tuple[tuple[str, ...], str]:
    import numpy as np

    def show(index: int) -> str:
        return f"{labels[index]} {format_number(float(values[index]), 4, False)}"

    if comparison.mode == "between_groups":
        low = int(np.nanargmin(values))
        # on a tie, name two different groups: the first lowest and the last highest
        high = int(np.flatnonzero(values == np.nanmax(values))[-1])
        return (
            labels[low],
            labels[high],
        ), _("{metric}: lowest {low}, highest {high}", metric=part, low=show(low), high=show(high))
    if comparison.mode == "reference":
        assert comparison.reference is not None
        base = float(values[comparison.reference])
        others = values.copy()
        others[comparison.reference] = np.nan
        against = _("reference group {group}", group=show(comparison.reference))
        partner: tuple[str, ...] = (labels[comparison.reference],)
    else:
        base, others, partner = overall, values, ()
        against = _("overall {value}", value=format_number(overall, 4, False))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "difference":
            index = int(np.nanargmax(np.abs(others - base)))
        elif kind == "ratio":
            index = int(np.nanargmin(_flip(others / base)))
        else:
            index = int(np.nanargmin(others))
    return (labels[index], *partner), _(
        "{metric}: {group} vs {against}", metric=part, group=show(index), against=against
    )


def _why_undefined(
    part: str,
    values: FloatArray,
    labels: Sequence[str],
    eligible: BoolArray,
    comparison: Comparison,
) -> str:
    import numpy as np

    usable = int((~np.isnan(values)).sum())
    if comparison.mode == "reference":
        assert comparison.reference is not None
        if np.isnan(values[comparison.reference]):
            why = _("too little evidence") if not eligible[comparison.reference] else _("it is undefined")
            return _(
                "{metric} of the reference group {group} is unusable ({why})",
                metric=part,
                group=labels[comparison.reference],
                why=why,
            )
        if usable < 2:
            return _("no group besides the reference has enough evidence for {metric}", metric=part)
    if usable < 2:
        return _(
            "fewer than two groups have enough evidence for {metric} ({usable} of {count})",
            metric=part,
            usable=usable,
            count=len(labels),
        )
    return _("{metric} is 0 or negative where the ratio divides by it, so the ratio is undefined", metric=part)
