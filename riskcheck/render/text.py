"""Plain-text rendering of a result, for terminals and logs."""

from __future__ import annotations

from typing import Any

from riskcheck.core.display import number
from riskcheck.render.safe import one_line


def result_text(data: dict[str, Any]) -> str:
    q = data["questionnaire"]
    system = data["system"]
    completeness = data["completeness"]
    lines = [
        f"{system.get('name', '?')} {system.get('version', '')} - {q['id']}@{q['version']}",
        f"Tier: {data['tier_label'].upper()}   score {number(data['score'])} of {number(data['score_max'])}"
        f"   ({data['status']}, {completeness['answered']}/{completeness['required']} required answered)",
    ]
    if data["blocked"]:
        lines.append("LAUNCH BLOCKED by a knock-out finding")
    if data.get("classification") and data["classification"]["outcome"]:
        c = data["classification"]
        refs = f" [{', '.join(c['references'])}]" if c["references"] else ""
        lines.append(f"{c['title']}: {c['label']}{refs}")
        for flag in c["flags"]:
            lines.append(f"  also: {flag['label']}")
        for duty in c.get("duties") or ():
            lines.append(f"  duty, {duty['when']}: {duty['label']}")
    nxt = data["trace"]["next_tier"]
    if nxt:
        lines.append(f"Next tier: {nxt['id']} at {number(nxt['threshold'])} ({number(nxt['distance'])} away)")
    impact = data.get("impact")
    if impact:
        lines.append(
            f"Impact: raw {number(impact['raw'])}/{number(impact['raw_max'])}, mitigation "
            f"{number(impact['mitigation'])}/{number(impact['mitigation_max'])}"
            f"{' (reduction applied)' if impact['reduction_applied'] else ''}, adjusted {number(impact['adjusted'])}"
        )
    lines.append("")
    lines.append("Sections:")
    for section in data["sections"]:
        share = (
            "hidden"
            if not section["visible"]
            else ("n/a" if section["share"] is None else f"{100 * section['share']:.0f}%")
        )
        lines.append(f"  {section['title']:<44} {number(section['points']):>6} / {number(section['max']):<6} {share}")
    lines.append("")
    if data["findings"]:
        lines.append(f"Findings ({len(data['findings'])}):")
        for finding in data["findings"]:
            block = " [BLOCKS LAUNCH]" if finding["blocks_launch"] else ""
            lines.append(f"  [{finding['severity'].upper()}] {finding['id']}{block}: {finding['message']}")
            lines.append(f"      mitigation: {finding['mitigation']}")
    else:
        lines.append("Findings: none")
    missing = data["completeness"]["missing"]
    if missing:
        lines.append("")
        lines.append(f"Unanswered required questions: {', '.join(missing)}")
    if data["completeness"]["hidden_answers"]:
        lines.append(f"Ignored answers to hidden questions: {', '.join(data['completeness']['hidden_answers'])}")
    signoffs = data["signoffs"]
    if signoffs["required_roles"]:
        roles = ", ".join(f"{r}: {s}" for r, s in signoffs["roles"].items())
        lines.append(f"Sign-off: {signoffs['status']} ({roles})")
    if data.get("law_as_at"):
        lines.append(f"Law as at {data['law_as_at']['date']} (the questionnaire's law_as_at)")
    # Names, labels and messages come from files others write: one line each, no
    # control characters, no line a CI runner would read as a workflow command.
    return "\n".join(one_line(line) for line in lines) + "\n"
