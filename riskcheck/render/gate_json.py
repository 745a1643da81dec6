"""The gate's JSON form: one versioned document that every other gate output is rendered from.

The layout is documented by ``docs/gate-json-schema.json`` and is a contract: a
field is only ever added. A change that removes or renames one bumps
:data:`GATE_SCHEMA` (``riskcheck.gate/2``).
"""

from __future__ import annotations

from typing import Any

from riskcheck.core.display import plain
from riskcheck.core.result import Result, dumps
from riskcheck.gate.decision import Check, finding_position
from riskcheck.gate.runner import CheckedAssessment, GateRun

#: Identifies the layout; bump the number on an incompatible change.
GATE_SCHEMA = "riskcheck.gate/1"


def gate_dict(run: GateRun) -> dict[str, Any]:
    """The JSON-ready gate document."""
    assessments = [_assessment(a, run) for a in run.assessments]
    failed = sum(1 for a in assessments if not a["passed"])
    return {
        "schema": GATE_SCHEMA,
        "passed": run.passed,
        "exit_code": 0 if run.passed else 1,
        "policy": run.policy.describe(),
        "policy_summary": _policy_summary(assessments),
        "baseline": run.baseline_revision,
        "summary": {
            "assessments": len(assessments),
            "passed": len(assessments) - failed,
            "failed": failed,
            "checks": sum(len(a["checks"]) for a in assessments),
            "checks_failed": sum(1 for a in assessments for c in a["checks"] if c["status"] == "failed"),
        },
        "assessments": assessments,
        "skipped": [{"file": str(skip.path), "reason": skip.reason} for skip in run.skipped],
    }


def _policy_summary(assessments: list[dict[str, Any]]) -> str | None:
    """The policy line, when every assessment was gated by the same policy (``None`` otherwise)."""
    summaries = {a["policy"]["summary"] for a in assessments}
    return summaries.pop() if len(summaries) == 1 else None


def gate_json(run: GateRun) -> str:
    return dumps(gate_dict(run)) + "\n"


def _assessment(checked: CheckedAssessment, run: GateRun) -> dict[str, Any]:
    result = checked.result
    applied = checked.applied
    baseline = None
    if checked.baseline is not None:
        base = checked.baseline.result
        baseline = {
            "revision": checked.baseline.revision,
            "found": base is not None,
            "tier": None if base is None else base.tier,
            "score": None if base is None else base.score,
        }
    findings = []
    for finding in result.findings:
        line, column = finding_position(checked.loaded, finding)
        findings.append(
            {
                "id": finding.id,
                "source": finding.source,
                "severity": finding.severity,
                "blocks_launch": finding.blocks_launch,
                "message": finding.message,
                "mitigation": finding.mitigation,
                "triggered_by": {name: plain(value) for name, value in finding.triggered_by},
                "line": line,
                "column": column,
            }
        )
    checks = checked.checks
    return {
        "file": str(checked.path),
        "system": checked.loaded.system(),
        "questionnaire": {"id": result.questionnaire_id, "version": result.questionnaire_version},
        "passed": checked.passed,
        "policy": {**applied.describe(), "summary": applied.summary()},
        "tier": result.tier,
        "tier_label": result.tier_label,
        "score": result.score,
        "score_max": result.score_max,
        "status": result.status,
        "blocked": result.blocked,
        "signoff": {"status": result.signoffs.status, "roles": dict(result.signoffs.roles)},
        "content_sha256": result.hashes.content,
        "baseline": baseline,
        "reasons": _records(checked.outcome.failed, result),
        "accepted": _records(checked.outcome.accepted, result),
        "findings": findings,
        "checks": [_check(c) for c in checks],
        "warnings": [c.message for c in checks if is_warning(c.kind, c.status)],
    }


def is_warning(kind: str, status: str) -> bool:
    """A check that holds but is worth a warning: an assessment pinned to an older questionnaire version."""
    return kind == "questionnaire" and status == "passed"


#: The ``kind`` of a record under ``reasons`` and ``accepted``: the layout of riskcheck.gate/1 names
#: a failure by what caused it, where the checks name what was checked.
RECORD_KINDS = ("tier", "blocking", "severity", "incomplete", "fairness", "signoff", "outdated")
_RECORD_KIND = {"tier": "tier", "completeness": "incomplete", "signoff": "signoff", "questionnaire": "outdated"}
#: Records keep the layout's order: the tier, the findings as the result orders them, completeness,
#: the sign-offs, the questionnaire version.
_RECORD_ORDER = {"tier": 0, "rule": 1, "fairness": 1, "completeness": 2, "signoff": 3, "questionnaire": 4}


def _records(checks: tuple[Check, ...], result: Result) -> list[dict[str, Any]]:
    """The failures of ``checks``, one record each, as ``reasons`` (or ``accepted``) lists them."""
    findings = {finding.id: index for index, finding in enumerate(result.findings)}

    def order(check: Check) -> tuple[int, int]:
        return _RECORD_ORDER[check.kind], findings.get(check.finding or "", 0)

    return [
        {"kind": _record_kind(check), "message": failure, "finding": check.finding, "role": check.role}
        for check in sorted(checks, key=order)
        for failure in check.failures
    ]


def _record_kind(check: Check) -> str:
    if check.blocking:
        return "blocking"
    if check.kind == "rule":
        return "severity"
    if check.kind == "fairness":
        return "fairness"
    return _RECORD_KIND[check.kind]


def _check(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "kind": check.kind,
        "name": check.name,
        "status": check.status,
        "message": check.message,
        "details": list(check.details),
        "severity": check.severity,
        "line": check.line,
        "column": check.column,
        "accepted": check.accepted,
    }
