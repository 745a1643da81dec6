"""The gate's JSON form: one versioned document that every other gate output is rendered from.

The layout is documented by ``docs/gate-json-schema.json`` and is a contract: a
field is only ever added. A change that removes or renames one bumps
:data:`GATE_SCHEMA` (``riskcheck.gate/2``).
"""

from __future__ import annotations

from typing import Any

from riskcheck.core.display import plain
from riskcheck.core.result import dumps
from riskcheck.gate.decision import Check, applied_policy, checks_for, finding_position
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
    applied = applied_policy(checked, run.policy)
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
        line, column = finding_position(checked, finding)
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
    checks = checks_for(checked, run.policy)
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
        "reasons": [_reason(r) for r in checked.outcome.reasons],
        "accepted": [_reason(r) for r in checked.outcome.accepted],
        "findings": findings,
        "checks": [_check(c) for c in checks],
        "warnings": [c.message for c in checks if is_warning(c.kind, c.status)],
    }


def is_warning(kind: str, status: str) -> bool:
    """A check that holds but is worth a warning: an assessment pinned to an older questionnaire version."""
    return kind == "questionnaire" and status == "passed"


def _reason(reason: Any) -> dict[str, Any]:
    return {"kind": reason.kind, "message": reason.message, "finding": reason.finding_id, "role": reason.role}


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
