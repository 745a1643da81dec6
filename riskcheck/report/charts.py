"""Chart geometry computed from result data; the SVG itself is drawn by Jinja macros.

Keeping the arithmetic here (plain, testable Python) and the drawing in
``reports/templates/macros/charts.html`` lets a custom template restyle a chart
without redoing its maths. Every chart carries its figures as text as well, so it
reads in black and white and needs no colour to be understood. Labels and figures
are in the language in use (:func:`riskcheck.core.i18n.use_language`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskcheck.core.i18n import _, format_short
from riskcheck.core.i18n import format_number as _number

#: Drawing units (the SVG viewBox); the chart scales to the column width.
WIDTH = 640.0
LABEL_WIDTH = 210.0
VALUE_WIDTH = 110.0
ROW_HEIGHT = 22.0
TOP = 24.0
BOTTOM = 26.0


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    width: float
    value_label: str
    muted: bool
    #: The label before shortening, for the chart's text alternative.
    full_label: str = ""
    #: The label as drawn: one or two lines, so that no title is clipped.
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class BarChart:
    """Section scores: one bar per section, its share of the section maximum."""

    width: float
    height: float
    plot_x: float
    plot_width: float
    row_height: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    label: str
    pattern: int
    current: bool


@dataclass(frozen=True)
class TierScale:
    """The score on the tier scale: bands per tier and a marker at the score."""

    width: float
    height: float
    plot_x: float
    plot_width: float
    bands: tuple[Band, ...]
    marker_x: float
    marker_label: str
    ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class DisparityRow:
    label: str
    y: float
    #: None when the disparity could not be computed.
    x: float | None
    ci_low_x: float | None
    ci_high_x: float | None
    value_label: str
    band_x: float | None
    band_width: float | None
    breach: bool


@dataclass(frozen=True)
class DisparityChart:
    """Disparities with their intervals and the band the thresholds allow."""

    width: float
    height: float
    plot_x: float
    plot_width: float
    row_height: float
    rows: tuple[DisparityRow, ...]
    ticks: tuple[Tick, ...]
    domain: tuple[float, float]


def shorten(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def label_lines(text: str, limit: int = 34, lines: int = 2) -> tuple[str, ...]:
    """A chart label on up to ``lines`` lines of ``limit`` characters: wrapped, never clipped
    unless it is longer than all of them together."""
    import textwrap

    wrapped = textwrap.wrap(text, limit) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], shorten(" ".join(wrapped[lines - 1 :]), limit)]
    return tuple(wrapped)


def section_chart(sections: Sequence[Mapping[str, Any]]) -> BarChart | None:
    """Bars for the sections that count (visible, with points to score)."""
    shown = [s for s in sections if s["max"]]
    if not shown:
        return None
    plot_x = LABEL_WIDTH
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, section in enumerate(shown):
        share = section["share"] if section["share"] is not None else 0.0
        visible = bool(section["visible"])
        label = _(
            "{share}%  ({points} of {max})",
            share=_number(100 * share, 0, False),
            points=_number(section["points"]),
            max=_number(section["max"]),
        )
        bars.append(
            Bar(
                label=section["title"],
                y=TOP + index * ROW_HEIGHT,
                width=round(plot_width * share, 2) if visible else 0.0,
                value_label=label if visible else _("not applicable"),
                muted=not visible,
                full_label=section["title"],
                lines=label_lines(section["title"]),
            )
        )
    ticks = tuple(
        Tick(round(plot_x + plot_width * f, 2), _("{percent}%", percent=int(100 * f))) for f in (0, 0.25, 0.5, 0.75, 1)
    )
    height = TOP + len(bars) * ROW_HEIGHT + BOTTOM
    return BarChart(WIDTH, height, plot_x, plot_width, ROW_HEIGHT, tuple(bars), ticks)


def tier_scale(result: Mapping[str, Any]) -> TierScale:
    """Weighted sections: tiers start at thresholds on 0-100. Impact: levels end at bounds."""
    plot_x = 20.0
    plot_width = WIDTH - 40.0
    score = float(result["score"])
    tiers = result["tiers"]
    if result["scoring_model"] == "impact_mitigation" and result.get("impact"):
        top = float(result["impact"]["raw_max"]) or 1.0
        starts = [0.0] + [float(t["threshold"]) for t in tiers[:-1]]
        ends = [float(t["threshold"]) for t in tiers]
    else:
        top = float(result["score_max"]) or 100.0
        starts = [float(t["threshold"]) for t in tiers]
        ends = [*starts[1:], top]
    bands = []
    for index, (tier, start, end) in enumerate(zip(tiers, starts, ends, strict=True)):
        x = plot_x + plot_width * min(start, top) / top
        width = plot_width * (min(end, top) - min(start, top)) / top
        bands.append(Band(round(x, 2), round(width, 2), tier["label"], index % 4, tier["id"] == result["tier"]))
    marker = plot_x + plot_width * max(0.0, min(score, top)) / top
    edges = sorted({*starts, top})
    ticks = tuple(Tick(round(plot_x + plot_width * e / top, 2), _number(e)) for e in edges)
    return TierScale(WIDTH, 84.0, plot_x, plot_width, tuple(bands), round(marker, 2), _number(score), ticks)


def disparity_chart(fairness: Mapping[str, Any], failed: Iterable[str] | None = None) -> DisparityChart | None:
    """One row per disparity: point, interval whiskers and the allowed band, if bounded.

    ``failed`` names the figures that failed any test (a threshold or a rule); by
    default, those that breach a threshold.
    """
    disparities: Mapping[str, Mapping[str, Any]] = fairness.get("disparities") or {}
    if not disparities:
        return None
    thresholds: Mapping[str, Mapping[str, Any]] = fairness.get("thresholds") or {}
    breached = set(failed) if failed is not None else {b["metric"] for b in fairness.get("breaches") or ()}
    figures = [0.0, 1.0]
    for name, entry in disparities.items():
        figures += [v for v in (entry.get("value"), entry.get("ci_low"), entry.get("ci_high")) if v is not None]
        bounds = thresholds.get(name) or {}
        figures += [v for v in (bounds.get("min"), bounds.get("max")) if v is not None]
    low, high = min(figures), max(figures)
    span = (high - low) or 1.0
    plot_x = LABEL_WIDTH
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH

    def at(value: float) -> float:
        return round(plot_x + plot_width * (value - low) / span, 2)

    rows = []
    for index, (name, entry) in enumerate(disparities.items()):
        value = entry.get("value")
        limit = thresholds.get(name)
        band_x: float | None = None
        band_width: float | None = None
        if limit is not None:
            start = low if limit.get("min") is None else limit["min"]
            end = high if limit.get("max") is None else limit["max"]
            band_x, band_width = at(start), round(at(end) - at(start), 2)
        ci_low, ci_high = entry.get("ci_low"), entry.get("ci_high")
        if value is None:
            label = _("undefined")
        elif ci_low is not None and ci_high is not None:
            label = f"{_number(value, 4, False)} [{_number(ci_low, 4, False)}, {_number(ci_high, 4, False)}]"
        else:
            label = _number(value, 4, False)
        rows.append(
            DisparityRow(
                label=name.replace("_", " "),
                y=TOP + index * ROW_HEIGHT,
                x=None if value is None else at(value),
                ci_low_x=None if ci_low is None else at(ci_low),
                ci_high_x=None if ci_high is None else at(ci_high),
                value_label=label,
                band_x=band_x,
                band_width=band_width,
                breach=name in breached,
            )
        )
    step = _tick_step(span)
    first = step * -(-low // step)
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(Tick(at(value), format_short(value)))
        value = round(value + step, 10)
    height = TOP + len(rows) * ROW_HEIGHT + BOTTOM
    return DisparityChart(WIDTH, height, plot_x, plot_width, ROW_HEIGHT, tuple(rows), tuple(ticks), (low, high))


def _tick_step(span: float) -> float:
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        if span / step <= 6:
            return float(step)
    return span / 5
