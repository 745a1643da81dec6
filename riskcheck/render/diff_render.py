"""The risk diff as text (terminals, logs) and markdown (a pull-request comment)."""

from __future__ import annotations

from typing import Any

from riskcheck.core.display import short, signed
from riskcheck.render.safe import md, md_code, one_line

_cell = md


def _tier_line(data: dict[str, Any]) -> str:
    base, head = data["base"], data["head"]
    if data["tier_change"] > 0:
        how = "rose"
    elif data["tier_change"] < 0:
        how = "fell"
    else:
        how = "unchanged"
    tier = f"{base['tier_label']} -> {head['tier_label']}" if how != "unchanged" else head["tier_label"]
    return (
        f"tier {how}: {tier} (score {short(base['score'])} -> {short(head['score'])}, {signed(data['score_change'])})"
    )


def diff_text(data: dict[str, Any]) -> str:
    lines = [f"risk diff {data['base']['label']} -> {data['head']['label']} ({data['system']})", _tier_line(data)]
    for title, key, sign in (("findings added", "findings_added", "+"), ("findings removed", "findings_removed", "-")):
        if data[key]:
            lines.append(f"{title}:")
            lines += [f"  {sign} [{f['severity']}] {f['id']}: {f['message']}" for f in data[key]]
    if data["answers_changed"]:
        lines.append("answers changed:")
        for a in data["answers_changed"]:
            lines.append(
                f"  {a['question']}: {a['before']} -> {a['after']} (points {short(a['points_before'])} -> "
                f"{short(a['points_after'])}, score {signed(a['score_effect'])})"
            )
    if data["fairness_moved"]:
        lines.append("fairness figures moved:")
        lines += [f"  {f['name']}: {short(f['before'])} -> {short(f['after'])}" for f in data["fairness_moved"]]
    if data["stale_approvals"]:
        lines.append("approvals made stale:")
        lines += [f"  {s['role']}: {s['name']} ({s['timestamp']})" for s in data["stale_approvals"]]
    if len(lines) == 2 and data["tier_change"] == 0 and not data["score_change"]:
        lines.append("no change in risk")
    return "\n".join(one_line(line) for line in lines) + "\n"


def diff_markdown(data: dict[str, Any]) -> str:
    icon = "🔺" if data["tier_change"] > 0 else ("🔻" if data["tier_change"] < 0 else "➖")
    out = [
        f"## {icon} riskcheck: risk change for {_cell(data['system'])}",
        "",
        f"{md_code(data['base']['label'])} → {md_code(data['head']['label'])}: "
        + _cell(_tier_line(data).replace("->", "→")),
    ]
    if data["findings_added"] or data["findings_removed"]:
        out += ["", "### Findings", "", "| | Finding | Severity | Message |", "|---|---|---|---|"]
        out += [
            f"| ➕ added | {md_code(f['id'], in_table=True)} | {_cell(f['severity'])} | {_cell(f['message'])} |"
            for f in data["findings_added"]
        ]
        out += [
            f"| ➖ removed | {md_code(f['id'], in_table=True)} | {_cell(f['severity'])} | {_cell(f['message'])} |"
            for f in data["findings_removed"]
        ]
    if data["answers_changed"]:
        out += [
            "",
            "### Answers changed",
            "",
            "| Question | Before | After | Points | Score effect |",
            "|---|---|---|---:|---:|",
        ]
        for a in data["answers_changed"]:
            out.append(
                f"| {md_code(a['question'], in_table=True)} | {_cell(a['before'])} | {_cell(a['after'])} | "
                f"{short(a['points_before'])} → {short(a['points_after'])} | {signed(a['score_effect'])} |"
            )
    if data["fairness_moved"]:
        out += ["", "### Fairness figures moved", "", "| Figure | Before | After |", "|---|---:|---:|"]
        out += [
            f"| {md_code(f['name'], in_table=True)} | {short(f['before'])} | {short(f['after'])} |"
            for f in data["fairness_moved"]
        ]
    if data["stale_approvals"]:
        out += ["", "### Approvals made stale", ""]
        out += [
            f"- **{_cell(s['role'])}**: {_cell(s['name'])} ({_cell(s['timestamp'])}) must review and sign again"
            for s in data["stale_approvals"]
        ]
    if data.get("warnings"):
        out += ["", *(f"> ⚠️ {_cell(w.removeprefix('warning: '))}  " for w in data["warnings"])]
    return "\n".join(out) + "\n"
