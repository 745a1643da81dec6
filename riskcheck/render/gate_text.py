"""The gate for a person: a verdict per assessment and why, coloured on a terminal.

:func:`gate_text` builds a ``rich`` Text; its ``.plain`` form is what logs, pipes
and ``NO_COLOR`` terminals get, so both say exactly the same.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from riskcheck.core.display import number
from riskcheck.render.safe import one_line

_STATUS_STYLE = {"failed": "bold red", "passed": "green", "skipped": "dim"}


def gate_text(gate: dict[str, Any], *, verbose: bool = False) -> Text:
    """The gate for a person. ``verbose`` also lists the YAML files skipped, with why."""
    out = Text()
    # The policy line is printed once, and again only before an assessment gated differently.
    shown_policy = None
    for assessment in gate["assessments"]:
        policy = assessment["policy"]["summary"]
        if policy != shown_policy:
            out.append(f"policy: {one_line(policy)}\n", style="dim")
            shown_policy = policy
        name = one_line(assessment["system"].get("name", "?"))
        file = one_line(assessment["file"])
        verdict, style = ("PASSED", "bold green") if assessment["passed"] else ("FAILED", "bold red")
        out.append(verdict, style=style)
        out.append(f"  {file}  ", style="bold")
        out.append(
            f"{name}: tier {assessment['tier']}, "
            f"score {number(assessment['score'])} of {number(assessment['score_max'])}, "
            f"{len(assessment['findings'])} finding(s), {assessment['status']}\n"
        )
        baseline = assessment["baseline"]
        if baseline is not None:
            was = f"tier {baseline['tier']}" if baseline["found"] else "no such file then"
            out.append(f"  baseline {one_line(baseline['revision'])}: {was}\n", style="dim")
        for check in assessment["checks"]:
            check_name, message = one_line(check["name"]), one_line(check["message"])
            fired = check["kind"] == "rule" and check["message"] != "did not fire"
            if check["status"] == "failed":
                out.append("  x ", style="bold red")
                out.append(f"{check_name}: ", style="bold")
                out.append(message + "\n")
                where = f"{file}:{check['line']}" if check["line"] is not None else None
                for detail in check["details"]:
                    out.append(f"      {one_line(detail)}\n", style="dim")
                if where:
                    out.append(f"      at {where}\n", style="dim")
            elif check["accepted"]:
                out.append("  ~ ", style="yellow")
                out.append(f"{check_name}: {message} (accepted: in the baseline)\n", style="yellow")
            elif fired or (check["kind"] == "questionnaire" and check["status"] == "passed"):
                out.append("  ! ", style="yellow")
                out.append(f"{check_name}: {message}\n")
    skipped = gate.get("skipped", [])
    if verbose:
        for skip in skipped:
            out.append(f"skipped  {one_line(skip['file'])}: {one_line(skip['reason'])}\n", style="dim")
    summary = gate["summary"]
    style = "bold green" if gate["passed"] else "bold red"
    verdict = "passed" if gate["passed"] else "failed"
    note = ""
    if skipped:
        note = f"; {len(skipped)} other YAML file(s) skipped" + ("" if verbose else " (--verbose lists them)")
    out.append(
        f"riskcheck gate {verdict}: {summary['passed']} of {summary['assessments']} assessment(s) passed, "
        f"{summary['checks_failed']} of {summary['checks']} check(s) failed{note}\n",
        style=style,
    )
    return out
