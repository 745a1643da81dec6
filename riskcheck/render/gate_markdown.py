"""The gate as markdown, for a pull-request comment or a CI job summary."""

from __future__ import annotations

from typing import Any

from riskcheck.core.display import number
from riskcheck.render.safe import md, md_code

_cell = md


def gate_markdown(gate: dict[str, Any]) -> str:
    summary = gate["summary"]
    icon = "✅" if gate["passed"] else "❌"
    verdict = "passed" if gate["passed"] else "failed"
    out = [
        f"## {icon} riskcheck gate {verdict}",
        "",
        f"{summary['passed']} of {summary['assessments']} assessment(s) passed; "
        f"{summary['checks_failed']} of {summary['checks']} check(s) failed.",
    ]
    if gate.get("policy_summary"):
        out.append(f"Policy: {_cell(gate['policy_summary'])}.")
    if gate["baseline"]:
        out.append(f"Only risk new since {md_code(gate['baseline'])} fails the gate.")
    out += ["", "| | System | File | Tier | Score | Findings | Sign-off |", "|---|---|---|---|---:|---:|---|"]
    for a in gate["assessments"]:
        mark = "✅" if a["passed"] else "❌"
        out.append(
            f"| {mark} | {_cell(a['system'].get('name', '?'))} | {md_code(a['file'], in_table=True)} | "
            f"{_cell(a['tier_label'])} | "
            f"{number(a['score'])} | {len(a['findings'])} | {_cell(a['signoff']['status'])} |"
        )
    for a in gate["assessments"]:
        failed = [c for c in a["checks"] if c["status"] == "failed"]
        accepted = [c for c in a["checks"] if c["accepted"]]
        warnings = [c for c in a["checks"] if c["kind"] == "questionnaire" and c["status"] == "passed"]
        if not failed and not accepted and not warnings and gate.get("policy_summary"):
            continue
        out += ["", f"### {_cell(a['system'].get('name', '?'))}", ""]
        if not gate.get("policy_summary"):
            out.append(f"Policy: {_cell(a['policy']['summary'])}.")
            out.append("")
        for c in failed:
            line = f" (line {c['line']})" if c["line"] is not None else ""
            out.append(f"- ❌ **{_cell(c['name'])}**{line}: {_cell(c['message'])}")
        for c in accepted:
            out.append(f"- ➖ {_cell(c['name'])}: {_cell(c['message'])} _(in the baseline)_")
        for c in warnings:
            out.append(f"- ⚠️ **{_cell(c['name'])}**: {_cell(c['message'])}")
    skipped = gate.get("skipped", [])
    if skipped:
        out += ["", f"{len(skipped)} other YAML file(s) skipped:", ""]
        out += [f"- {md_code(skip['file'])}: {_cell(skip['reason'])}" for skip in skipped]
    return "\n".join(out) + "\n"
