"""The frozen outcome of a fairness run, its JSON form, and threshold breaches.

Plain Python data only (no numpy or pandas), so that scoring an assessment from a
saved result stays light. ``to_dict`` is the one JSON boundary: the CLI, the rules
engine and the reports all read from it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from riskcheck.core.display import figure
from riskcheck.core.errors import DataError
from riskcheck.core.i18n import _, current, format_number
from riskcheck.fairness.spec import (
    CLASSIFICATION_DISPARITIES,
    METRIC_NAMES,
    OVERALL_NAMES,
    Threshold,
)

#: Identifies the JSON layout; bump it when the layout changes incompatibly.
RESULT_FORMAT = "riskcheck.fairness/1"

#: Joins the values of several sensitive columns into one intersectional group key.
GROUP_JOINER = " & "

Number = float | int | None


@dataclass(frozen=True)
class Disparity:
    """One disparity: its value, interval and the groups that set it."""

    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    compare: str
    groups: tuple[str, ...]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "compare": self.compare,
            "groups": list(self.groups),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class InsufficientEvidence:
    """A group (scope "group") or some rates of a group (scope "rate") left out, and why."""

    group: str
    scope: str
    metrics: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "scope": self.scope,
            "metrics": list(self.metrics),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Breach:
    """A threshold the result does not meet; ``value`` is None when it is not computable."""

    metric: str
    bound: str
    limit: float
    value: float | None
    on: str
    groups: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "bound": self.bound,
            "limit": self.limit,
            "value": self.value,
            "on": self.on,
            "groups": list(self.groups),
            "message": self.message,
        }


@dataclass(frozen=True)
class FairnessResult:
    """Metrics by group and overall, disparities with intervals, and what was left out."""

    task: str
    engine: str
    rows: int
    data_sha256: str
    model_sha256: str | None
    groups: tuple[str, ...]
    by_group: Mapping[str, Mapping[str, Number]]
    overall: Mapping[str, Number]
    disparities: Mapping[str, Disparity]
    insufficient_evidence: tuple[InsufficientEvidence, ...]
    warnings: tuple[str, ...]
    config: Mapping[str, Any]
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    #: How ``data_sha256`` identifies the data: ``{"kind": "sha256" | "fingerprint" |
    #: "columns-sha256", "digest", "files", "bytes"}`` (see riskcheck.fairness.identity);
    #: None in results saved before the kinds existed, which were all ``sha256``.
    data_identity: Mapping[str, Any] | None = None

    def with_thresholds(self, thresholds: Mapping[str, Threshold]) -> FairnessResult:
        """The same figures, judged against other thresholds."""
        return replace(self, thresholds=dict(thresholds))

    def variables(self) -> dict[str, float | None]:
        """Every name in :data:`METRIC_NAMES`, for ``fairness.<name>`` in rules."""
        values = self._measured()
        values["thresholds_breached"] = float(len(self.breaches()))
        assert values.keys() == METRIC_NAMES
        return values

    def _measured(self) -> dict[str, float | None]:
        values: dict[str, float | None] = {name: None for name in METRIC_NAMES}
        for name, disparity in self.disparities.items():
            values[name] = disparity.value
            if name in CLASSIFICATION_DISPARITIES:
                values[f"{name}_ci_low"] = disparity.ci_low
                values[f"{name}_ci_high"] = disparity.ci_high
        for name in OVERALL_NAMES:
            overall = self.overall.get(name.removeprefix("overall_"))
            values[name] = None if overall is None else float(overall)
        values["rows"] = float(self.rows)
        values["group_count"] = float(len(self.groups))
        values["insufficient_evidence_count"] = float(
            len({entry.group for entry in self.insufficient_evidence if entry.scope == "group"})
        )
        return values

    def breaches(self) -> tuple[Breach, ...]:
        """The thresholds this result does not meet, in the order they were declared.

        A value that cannot be computed breaches its threshold: a gate must not pass
        on missing evidence.
        """
        measured = self._measured()
        found: list[Breach] = []
        for name, threshold in self.thresholds.items():
            key = name if threshold.on == "value" else f"{name}_{threshold.on}"
            value = measured.get(key)
            disparity = self.disparities.get(name)
            groups = disparity.groups if disparity else ()
            for bound, limit in (("min", threshold.min), ("max", threshold.max)):
                if limit is None:
                    continue
                if value is not None and (value >= limit if bound == "min" else value <= limit):
                    continue
                found.append(
                    Breach(
                        metric=name,
                        bound=bound,
                        limit=limit,
                        value=value,
                        on=threshold.on,
                        groups=groups,
                        message=self._breach_message(name, threshold, bound, limit, value),
                    )
                )
        return tuple(found)

    def _breach_message(
        self,
        name: str,
        threshold: Threshold,
        bound: str,
        limit: float,
        value: float | None,
    ) -> str:
        """The breach in words of the language in use: ``breaches()`` runs where the result is read."""
        confidence = self.config.get("bootstrap", {}).get("confidence", 0.95)
        level = f"{confidence:.0%}"
        if threshold.on == "ci_low":
            what = _("the lower {level} bound of {metric}", level=level, metric=name)
        elif threshold.on == "ci_high":
            what = _("the upper {level} bound of {metric}", level=level, metric=name)
        else:
            what = name
        disparity = self.disparities.get(name)
        shown = _shown_figure(limit)
        if value is None:
            why = disparity.detail if disparity and disparity.detail else None
            if bound == "min" and why:
                return _(
                    "{what} could not be computed ({why}), so the minimum {limit} cannot be shown to hold",
                    what=what,
                    why=why,
                    limit=shown,
                )
            if bound == "min":
                return _(
                    "{what} could not be computed, so the minimum {limit} cannot be shown to hold",
                    what=what,
                    limit=shown,
                )
            if why:
                return _(
                    "{what} could not be computed ({why}), so the maximum {limit} cannot be shown to hold",
                    what=what,
                    why=why,
                    limit=shown,
                )
            return _(
                "{what} could not be computed, so the maximum {limit} cannot be shown to hold", what=what, limit=shown
            )
        if bound == "min":
            message = _(
                "{what} is {value}, below the minimum {limit}", what=what, value=_shown_figure(value), limit=shown
            )
        else:
            message = _(
                "{what} is {value}, above the maximum {limit}", what=what, value=_shown_figure(value), limit=shown
            )
        if disparity is not None:
            if threshold.on != "value" and disparity.value is not None:
                message = _(
                    "{breach} (point estimate {estimate})", breach=message, estimate=_shown_figure(disparity.value)
                )
            if disparity.detail:
                message = _("{breach}; {detail}", breach=message, detail=disparity.detail)
        return message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the same inputs give byte-identical ``json.dumps(sort_keys=True)``.

        ``data_identity_note`` says in words what ``data_identity`` covers, and whether it is
        tamper-evident (a fingerprint is not; see :mod:`riskcheck.fairness.identity`)."""
        from riskcheck.fairness.identity import describe_kind

        return {
            "format": RESULT_FORMAT,
            "task": self.task,
            "engine": self.engine,
            "rows": self.rows,
            "data_sha256": self.data_sha256,
            "data_identity": None if self.data_identity is None else dict(self.data_identity),
            "data_identity_note": describe_kind(self.data_identity),
            "model_sha256": self.model_sha256,
            "groups": list(self.groups),
            "by_group": {group: dict(metrics) for group, metrics in self.by_group.items()},
            "overall": dict(self.overall),
            "disparities": {name: d.to_dict() for name, d in self.disparities.items()},
            "insufficient_evidence": [entry.to_dict() for entry in self.insufficient_evidence],
            "warnings": list(self.warnings),
            "config": dict(self.config),
            "thresholds": {name: threshold.model_dump() for name, threshold in self.thresholds.items()},
            "breaches": [breach.to_dict() for breach in self.breaches()],
            "variables": self.variables(),
        }

    def to_json(self) -> str:
        """The canonical JSON text: sorted keys, two-space indent, trailing newline."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "fairness result") -> FairnessResult:
        """Rebuild a result saved by :meth:`to_dict`; raise DataError naming ``source``."""
        if not isinstance(data, Mapping):
            raise DataError(f"{source}: expected a JSON object, found {type(data).__name__}")
        if data.get("format") != RESULT_FORMAT:
            raise DataError(f"{source}: format: expected {RESULT_FORMAT!r}, found {data.get('format')!r}")
        try:
            return cls(
                task=str(data["task"]),
                engine=str(data["engine"]),
                rows=int(data["rows"]),
                data_sha256=str(data["data_sha256"]),
                model_sha256=None if data["model_sha256"] is None else str(data["model_sha256"]),
                groups=tuple(str(group) for group in data["groups"]),
                by_group={
                    str(group): {str(k): _number(v) for k, v in metrics.items()}
                    for group, metrics in data["by_group"].items()
                },
                overall={str(k): _number(v) for k, v in data["overall"].items()},
                disparities={
                    str(name): Disparity(
                        name=str(name),
                        value=_float(entry["value"]),
                        ci_low=_float(entry["ci_low"]),
                        ci_high=_float(entry["ci_high"]),
                        compare=str(entry["compare"]),
                        groups=tuple(str(group) for group in entry["groups"]),
                        detail=str(entry["detail"]),
                    )
                    for name, entry in data["disparities"].items()
                },
                insufficient_evidence=tuple(
                    InsufficientEvidence(
                        group=str(entry["group"]),
                        scope=str(entry["scope"]),
                        metrics=tuple(str(m) for m in entry["metrics"]),
                        reason=str(entry["reason"]),
                    )
                    for entry in data["insufficient_evidence"]
                ),
                warnings=tuple(str(w) for w in data["warnings"]),
                config=dict(data["config"]),
                thresholds={
                    str(name): Threshold.model_validate(value) for name, value in data.get("thresholds", {}).items()
                },
                data_identity=_identity(data.get("data_identity")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataError(f"{source}: not a riskcheck fairness result ({exc!r})") from None


def _identity(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("kind"), str):
        raise TypeError(f"data_identity: expected an object with a kind, found {value!r}")
    return dict(value)


def _number(value: Any) -> Number:
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return _float(value)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number or null, found {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, found {value!r}")
    return number


def _shown_figure(value: float) -> str:
    """A figure in a breach's message: four decimals, with the separator of the language in use."""
    return figure(value) if current().lang == "en" else format_number(value, 4, whole=False)
