"""GitHub Actions workflow commands: an annotation on the line of the answer behind each result.

Escaping follows GitHub's rules for workflow commands: in the message, ``%``,
``\\r`` and ``\\n``; in a property value, also ``:`` and ``,``.
"""

from __future__ import annotations

from typing import Any

from riskcheck.render.safe import one_line


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str, line: int | None, column: int | None, title: str) -> str:
    properties = [f"file={escape_property(file)}"]
    if line is not None:
        properties.append(f"line={line}")
        if column is not None:
            properties.append(f"col={column}")
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}"


def gate_github(gate: dict[str, Any]) -> str:
    """An ``::error`` per failed check, a ``::warning`` per finding the policy allows,
    and a ``::notice`` per failure already present at the baseline."""
    lines: list[str] = []
    if gate.get("policy_summary"):
        lines.append(one_line(f"riskcheck policy: {gate['policy_summary']}"))
    for assessment in gate["assessments"]:
        file = assessment["file"]
        name = assessment["system"].get("name", file)
        for check in assessment["checks"]:
            fired_rule = check["kind"] == "rule" and check["message"] != "did not fire"
            if check["status"] == "failed":
                level = "error"
            elif check["accepted"]:
                level = "notice"
            elif fired_rule or (check["kind"] == "questionnaire" and check["status"] == "passed"):
                level = "warning"
            else:
                continue
            message = "\n".join([check["message"], *check["details"]])
            title = f"riskcheck {name}: {check['name']}"
            lines.append(annotation(level, message, file=file, line=check["line"], column=check["column"], title=title))
        verdict = "passed" if assessment["passed"] else "FAILED"
        failed = [check["message"] for check in assessment["checks"] if check["status"] == "failed"]
        because = f": {failed[0]}" + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else "") if failed else ""
        policy = "" if gate.get("policy_summary") else f"; policy: {assessment['policy']['summary']}"
        # A plain line: the runner would read a name such as '::stop-commands::x' as a command.
        lines.append(
            one_line(
                f"{name}: {verdict} - tier {assessment['tier']}, {len(assessment['findings'])} finding(s)"
                f"{because}{policy}"
            )
        )
    return "\n".join(lines) + "\n"
