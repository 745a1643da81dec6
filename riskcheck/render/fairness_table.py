"""The fairness result as a text table: a row per group, then the disparities and
what was left out. ``riskcheck fairness`` prints it; rich's table on a terminal uses
the same rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from riskcheck.core.display import UNDEFINED, count, figure
from riskcheck.fairness.identity import describe_kind, is_tamper_evident
from riskcheck.fairness.labels import clip
from riskcheck.fairness.result import FairnessResult
from riskcheck.render.safe import one_line

#: Short column headings for the text table, in the result's metric order.
_HEADINGS = {
    "count": "count",
    "selection_rate": "selection",
    "true_positive_rate": "TPR",
    "false_positive_rate": "FPR",
    "false_negative_rate": "FNR",
    "true_negative_rate": "TNR",
    "precision": "precision",
    "accuracy": "accuracy",
    "balanced_accuracy": "bal_acc",
    "mean_prediction": "mean_pred",
    "mean_absolute_error": "MAE",
}
LEGEND = f"{UNDEFINED} = undefined (zero denominator); * = too little evidence, left out of disparities"


def _fmt(value: float | None, name: str) -> str:
    return count(value) if name == "count" else figure(value)


def fairness_table(result: FairnessResult) -> tuple[list[str], list[list[str]]]:
    """Headings and rows (groups, then overall); '*' marks figures left out for evidence."""
    names = list(result.overall)
    short = {(entry.group, metric) for entry in result.insufficient_evidence for metric in entry.metrics}
    rows = []
    for group in result.groups:
        metrics = result.by_group[group]
        rows.append(
            [one_line(clip(group))]
            + [_fmt(metrics[name], name) + ("*" if (group, name) in short else "") for name in names]
        )
    rows.append(["overall"] + [_fmt(result.overall[name], name) for name in names])
    return ["group"] + [_HEADINGS.get(name, name) for name in names], rows


def _data_name(config: Mapping[str, object]) -> str:
    """The data a result was computed on: its path, or ``table NAME`` for a table."""
    if config.get("data") is None and config.get("table") is not None:
        return f"table {config['table']}"
    return str(config.get("data"))


def render_text(result: FairnessResult) -> str:
    """The plain-text report: a table by group, the disparities, what was left out."""
    config = result.config
    lines = [
        (
            f"Fairness of {config.get('target')!s} by "
            f"{', '.join(config.get('sensitive', []))}: {result.rows:,} rows in "
            f"{len(result.groups)} groups ({result.engine} engine)"
        ),
        f"data {_data_name(config)} {(result.data_identity or {}).get('kind', 'sha256')} {result.data_sha256}",
    ]
    if not is_tamper_evident(result.data_identity):
        lines.append(f"data identity: {describe_kind(result.data_identity)}")
    if config.get("model"):
        lines.append(f"model {config.get('model')} sha256 {result.model_sha256}")
    lines.append("")
    headings, rows = fairness_table(result)
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    lines.append(_line(headings, widths))
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(_line(row, widths) for row in rows)
    lines.append(LEGEND)
    lines.append("")
    bootstrap = config.get("bootstrap", {})
    interval = f"{bootstrap.get('confidence', 0.95):.0%} interval" if bootstrap.get("replicates") else "no interval"
    lines.append(f"Disparities ({config.get('compare')}; {interval})")
    width = max(len(name) for name in result.disparities)
    for name, disparity in result.disparities.items():
        value = _fmt(disparity.value, name)
        if disparity.ci_low is not None and disparity.ci_high is not None:
            value += f" [{disparity.ci_low:.4f}, {disparity.ci_high:.4f}]"
        lines.append(f"  {name:<{width}}  {value:<26}  {disparity.detail}")
    if result.insufficient_evidence:
        lines += ["", "Too little evidence"]
        for entry in result.insufficient_evidence:
            what = "all rates" if entry.scope == "group" else ", ".join(entry.metrics)
            lines.append(f"  {entry.group}: {entry.reason} ({what})")
    breaches = result.breaches()
    if breaches:
        lines += ["", "Thresholds breached"]
        lines += [f"  {breach.message}" for breach in breaches]
    if result.warnings:
        lines += ["", "Warnings"]
        lines += [f"  {warning}" for warning in result.warnings]
    return safe_lines("\n".join(lines)) + "\n"


def safe_lines(text: str) -> str:
    """Column names and group labels come from the data file: no line of ours may start a
    CI workflow command (``::error::``), whatever a label holds."""
    return "\n".join(one_line(line) for line in text.split("\n"))


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    first = f"{cells[0]:<{widths[0]}}"
    rest = [f"{cell:>{width}}" for cell, width in zip(cells[1:], widths[1:], strict=True)]
    return "  ".join([first, *rest]).rstrip()
