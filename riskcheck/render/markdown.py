"""Markdown rendering of a result, for pull-request comments and wikis."""

from __future__ import annotations

from typing import Any

from riskcheck.core.display import number
from riskcheck.render.safe import md, md_code

_cell = md


def result_markdown(data: dict[str, Any]) -> str:
    q = data["questionnaire"]
    system = data["system"]
    out = [
        f"## riskcheck: {_cell(system.get('name', '?'))} {_cell(system.get('version', ''))}",
        "",
        f"**Tier: {_cell(data['tier_label'])}** (score {number(data['score'])} of {number(data['score_max'])}) · "
        f"{_cell(data['status'])} · questionnaire {md_code(q['id'] + '@' + q['version'])}",
    ]
    if data["blocked"]:
        out += ["", "> **Launch blocked** by a knock-out finding."]
    c = data.get("classification")
    if c and c["outcome"]:
        out += ["", f"{_cell(c['title'])}: **{_cell(c['label'])}** ({_cell(', '.join(c['references']))})"]
        if c.get("duties"):
            out += ["", "| When | Duty |", "|---|---|"]
            out += [f"| {_cell(d['when'])} | {_cell(d['label'])} |" for d in c["duties"]]
    out += ["", "| Section | Points | Max | Share |", "|---|---:|---:|---:|"]
    for s in data["sections"]:
        share = "hidden" if not s["visible"] else ("n/a" if s["share"] is None else f"{100 * s['share']:.0f}%")
        out.append(f"| {_cell(s['title'])} | {number(s['points'])} | {number(s['max'])} | {share} |")
    out += ["", f"### Findings ({len(data['findings'])})", ""]
    if not data["findings"]:
        out.append("None.")
    for f in data["findings"]:
        block = " · **blocks launch**" if f["blocks_launch"] else ""
        out.append(f"- **{_cell(f['severity'])}** {md_code(f['id'])}{block}: {_cell(f['message'])}  ")
        out.append(f"  _Mitigation:_ {_cell(f['mitigation'])}")
    missing = data["completeness"]["missing"]
    if missing:
        out += ["", f"Unanswered required questions: {', '.join(md_code(m) for m in missing)}"]
    if data.get("law_as_at"):
        out += ["", f"_Law as at {_cell(data['law_as_at']['date'])} (the questionnaire's law_as_at)._"]
    return "\n".join(out) + "\n"
