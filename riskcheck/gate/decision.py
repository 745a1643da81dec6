"""The gate as a list of checks: one per rule, fairness threshold and sign-off requirement.

JUnit test cases, GitHub annotations, pytest items and the gate JSON all come from
these checks, so every output agrees on what passed, what failed and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from riskcheck import api
from riskcheck.core.display import plain
from riskcheck.core.result import Finding, Signoffs, SignoffState
from riskcheck.core.vocabulary import CHECK_KIND_OF_REASON, CheckKind, CheckStatus, ReasonKind
from riskcheck.gate.policy import AppliedPolicy, Policy
from riskcheck.gate.runner import CheckedAssessment

Status = CheckStatus


@dataclass(frozen=True, kw_only=True)
class Check:
    """One requirement of the gate, for one assessment."""

    kind: CheckKind
    #: Unique within the assessment: ``rule:untested-bias``, ``fairness:demographic_parity_ratio``.
    id: str
    name: str
    status: Status
    #: One line: why it failed, or what held.
    message: str
    #: Further lines: the figures and answers behind it, the mitigation.
    details: tuple[str, ...] = ()
    severity: str | None = None
    #: Where in the assessment file to look (1-based), when known.
    line: int | None = None
    column: int | None = None
    #: True when the check fails but the baseline already failed it the same way.
    accepted: bool = False


def applied_policy(checked: CheckedAssessment, policy: Policy) -> AppliedPolicy:
    """The policy ``checked`` was gated by."""
    return checked.applied or policy.applied(checked.loaded.questionnaire)


def checks_for(checked: CheckedAssessment, policy: Policy) -> tuple[Check, ...]:
    """Every check of one assessment, in a stable order: tier, completeness, rules, thresholds, sign-offs.

    Every reason the assessment fails for is the message of a failed check, so no
    output can show a failed assessment without saying why.
    """
    applied = applied_policy(checked, policy)
    checks = (
        _tier(checked, applied),
        _completeness(checked),
        *_rules(checked),
        *_thresholds(checked),
        *_signoffs(checked, applied),
        *_questionnaire_version(checked, applied),
    )
    return (*checks, *_unexplained(checked, checks))


def _unexplained(checked: CheckedAssessment, checks: tuple[Check, ...]) -> list[Check]:
    """A failed check for any reason that no check above carries (a gap here is a bug, shown, not hidden)."""
    failed = {check.id for check in checks if check.status == "failed"}
    extra = []
    for index, reason in enumerate(checked.outcome.reasons):
        if _check_ids(reason) & failed:
            continue
        kind = CHECK_KIND_OF_REASON[reason.kind]
        extra.append(
            Check(
                kind=kind,
                id=f"{kind}:{reason.finding_id or reason.role or index}",
                name=f"{kind} {reason.finding_id or reason.role or ''}".strip(),
                status="failed",
                message=reason.message,
                line=1,
                column=1,
            )
        )
    return extra


def _check_ids(reason: api.GateReason) -> set[str]:
    """The ids of the checks that may carry ``reason``."""
    if reason.kind == "tier":
        return {"tier"}
    if reason.kind == "incomplete":
        return {"completeness"}
    if reason.kind == "signoff":
        return {f"signoff:{reason.role}" if reason.role is not None else "signoff"}
    if reason.kind == "outdated":
        return {"questionnaire"}
    finding = reason.finding_id or ""
    return {f"rule:{finding}", f"fairness:{finding.removeprefix('fairness.')}"}


def _reason(
    checked: CheckedAssessment, kind: ReasonKind, finding_id: str | None = None
) -> tuple[api.GateReason | None, bool]:
    for accepted, reasons in ((False, checked.outcome.reasons), (True, checked.outcome.accepted)):
        for reason in reasons:
            if reason.kind == kind and (finding_id is None or reason.finding_id == finding_id):
                return reason, accepted
    return None, False


def _status(reason: api.GateReason | None, accepted: bool) -> Status:
    return "failed" if reason is not None and not accepted else "passed"


def _baseline_note(accepted: bool, checked: CheckedAssessment) -> tuple[str, ...]:
    if not accepted or checked.baseline is None:
        return ()
    return (f"accepted: already present at the baseline {checked.baseline.revision}",)


def _position(
    checked: CheckedAssessment, loc: tuple[str | int, ...], *, key: bool = True
) -> tuple[int | None, int | None]:
    position = checked.loaded.document.position(loc, key=key)
    return position if position is not None else (None, None)


def _tier(checked: CheckedAssessment, applied: AppliedPolicy) -> Check:
    result = checked.result
    policy_tier = applied.fail_on
    reason, accepted = _reason(checked, "tier")
    score = f"score {plain(result.score)} of {plain(result.score_max)}"
    source = f"; fail-on from {applied.fail_on_from}" if applied.fail_on_from else ""
    if reason is not None:
        message = f"{reason.message} ({score}{source})"
    elif policy_tier is None and applied.fail_on_from:
        message = f"tier {result.tier} ({score}); no tier fails the gate (fail-on is none{source})"
    elif policy_tier is None:
        message = (
            f"tier {result.tier} ({score}); no tier fails the gate: no fail-on is set "
            "and the questionnaire declares no default gate"
        )
    else:
        message = f"tier {result.tier} is below the fail-on tier {policy_tier} ({score}{source})"
    details = []
    if result.trace.escalated_by:
        details.append(f"escalated from {result.trace.tier_from_score} by: {', '.join(result.trace.escalated_by)}")
    if result.trace.next_tier is not None:
        nxt = result.trace.next_tier
        details.append(f"next tier: {nxt.id} at {plain(nxt.threshold)} ({plain(nxt.distance)} away)")
    return Check(
        kind="tier",
        id="tier",
        name="risk tier",
        status=_status(reason, accepted),
        message=message,
        details=(*details, *_baseline_note(accepted, checked)),
        line=1,
        column=1,
        accepted=accepted,
    )


def _completeness(checked: CheckedAssessment) -> Check:
    c = checked.result.completeness
    reason, accepted = _reason(checked, "incomplete")
    if reason is not None:
        message = reason.message
    elif c.missing:
        message = f"{len(c.missing)} required question(s) unanswered, allowed by the policy (allow-incomplete)"
    else:
        message = f"all {c.required} required question(s) answered"
    line, column = _position(checked, ("answers",))
    details = tuple(f"unanswered: {qid}" for qid in c.missing)
    return Check(
        kind="completeness",
        id="completeness",
        name="required questions answered",
        status=_status(reason, accepted),
        message=message,
        details=(*details, *_baseline_note(accepted, checked)),
        line=line,
        column=column,
        accepted=accepted,
    )


def _finding_reason(checked: CheckedAssessment, finding_id: str) -> tuple[api.GateReason | None, bool]:
    kinds: tuple[ReasonKind, ...] = ("blocking", "fairness", "severity")
    for kind in kinds:
        reason, accepted = _reason(checked, kind, finding_id)
        if reason is not None:
            return reason, accepted
    return None, False


def finding_position(checked: CheckedAssessment, finding: Finding) -> tuple[int | None, int | None]:
    """The answer (or fairness threshold) that triggered ``finding``."""
    answers = checked.loaded.file.answers
    for name, _ in finding.triggered_by:
        if name in answers:
            return _position(checked, ("answers", name))
        if name.startswith("fairness.") and checked.loaded.file.fairness is not None:
            metric = name.removeprefix("fairness.")
            if metric in checked.loaded.file.fairness.thresholds:
                return _position(checked, ("fairness", "thresholds", metric))
            return _position(checked, ("fairness",))
    return _position(checked, ("answers",))


def _finding_details(finding: Finding) -> tuple[str, ...]:
    lines = [f"{name} = {plain(value)}" for name, value in finding.triggered_by]
    lines.append(f"mitigation: {finding.mitigation}")
    if finding.references:
        lines.append(f"references: {', '.join(finding.references)}")
    return tuple(lines)


def _rules(checked: CheckedAssessment) -> list[Check]:
    findings = {f.id: f for f in checked.result.findings if f.source == "rule"}
    checks = []
    for compiled in checked.loaded.questionnaire.rules:
        rule = compiled.rule
        finding = findings.get(rule.id)
        if finding is None:
            line, column = _position(checked, ("answers",))
            checks.append(
                Check(
                    kind="rule",
                    id=f"rule:{rule.id}",
                    name=f"rule {rule.id}",
                    status="passed",
                    message="did not fire",
                    details=(f"when: {rule.when}",),
                    severity=rule.severity,
                    line=line,
                    column=column,
                )
            )
            continue
        reason, accepted = _finding_reason(checked, rule.id)
        line, column = finding_position(checked, finding)
        blocking = ", blocks launch" if finding.blocks_launch else ""
        if reason is not None:
            message = reason.message
        else:
            message = f"fired ({finding.severity}{blocking}), allowed by the policy: {finding.message}"
        checks.append(
            Check(
                kind="rule",
                id=f"rule:{rule.id}",
                name=f"rule {rule.id}",
                status=_status(reason, accepted),
                message=message,
                details=(f"when: {rule.when}", *_finding_details(finding), *_baseline_note(accepted, checked)),
                severity=finding.severity,
                line=line,
                column=column,
                accepted=accepted,
            )
        )
    return checks


def _thresholds(checked: CheckedAssessment) -> list[Check]:
    spec = checked.loaded.file.fairness
    if spec is None:
        return []
    variables: dict[str, Any] = (checked.result.fairness or {}).get("variables", {})
    breaches = {f.id: f for f in checked.result.findings if f.source == "fairness"}
    checks = []
    for metric, threshold in spec.thresholds.items():
        finding = breaches.get(f"fairness.{metric}")
        line, column = _position(checked, ("fairness", "thresholds", metric))
        bounds = ", ".join(
            f"{side} {plain(limit)}"
            for side, limit in (("min", threshold.min), ("max", threshold.max))
            if limit is not None
        )
        key = metric if threshold.on == "value" else f"{metric}_{threshold.on}"
        if finding is None:
            message = f"{key} is {plain(variables.get(key))}, within {bounds}"
            checks.append(
                Check(
                    kind="fairness",
                    id=f"fairness:{metric}",
                    name=f"fairness threshold {metric}",
                    status="passed",
                    message=message,
                    severity="high",
                    line=line,
                    column=column,
                )
            )
            continue
        reason, accepted = _finding_reason(checked, finding.id)
        checks.append(
            Check(
                kind="fairness",
                id=f"fairness:{metric}",
                name=f"fairness threshold {metric}",
                status=_status(reason, accepted),
                message=finding.message,
                details=(*_finding_details(finding), *_baseline_note(accepted, checked)),
                severity=finding.severity,
                line=line,
                column=column,
                accepted=accepted,
            )
        )
    return checks


def counting_record(signoffs: Signoffs, role: str) -> tuple[int, SignoffState] | None:
    """The record (and its index in the file) behind ``role``'s approval or rejection.

    Read off the engine's result rather than decided again: the engine has already
    marked each record current or stale and given each role its state, and the record
    it counts is the role's latest *current* one (a later stale record neither confirms
    nor revokes it). ``None`` when the role is stale or missing.
    """
    if dict(signoffs.roles).get(role) not in ("approved", "rejected"):
        return None
    for index in range(len(signoffs.records) - 1, -1, -1):
        record = signoffs.records[index]
        if record.role == role and record.current:
            return index, record
    return None  # pragma: no cover - an approved or rejected role always has a current record


def _signoffs(checked: CheckedAssessment, applied: AppliedPolicy) -> list[Check]:
    result = checked.result
    required = applied.require_signoff
    reasons = {
        r.role: (r, accepted)
        for accepted, group in ((False, checked.outcome.reasons), (True, checked.outcome.accepted))
        for r in group
        if r.kind == "signoff"
    }
    records = result.signoffs.records
    checks = []
    for role, state in result.signoffs.roles:
        counted = counting_record(result.signoffs, role)
        latest = [i for i, record in enumerate(records) if record.role == role][-1:]
        # Point at the record that counts; for a stale role, at its latest (stale) record.
        index = counted[0] if counted is not None else (latest[0] if latest else None)
        line, column = _position(checked, ("signoffs", index) if index is not None else ("signoffs",))
        if line is None:
            line, column = 1, 1
        reason, accepted = reasons.get(role, (None, False))
        if state == "approved" and counted is not None:
            record = counted[1]
            status: Status = "passed"
            message = f"approved by {record.name} on {record.timestamp}, for the current content"
        elif reason is not None:
            status = _status(reason, accepted)
            message = reason.message
        elif not required:
            status = "skipped"
            message = f"sign-off for role {role!r} is {state}; not required by the policy (require-signoff)"
        else:  # pragma: no cover - the gate lists every unapproved role when sign-off is required
            status = "failed"
            message = f"sign-off for role {role!r} is {state}"
        checks.append(
            Check(
                kind="signoff",
                id=f"signoff:{role}",
                name=f"sign-off {role}",
                status=status,
                message=message,
                details=_baseline_note(accepted, checked),
                line=line,
                column=column,
                accepted=accepted,
            )
        )
    # With no required roles, the sign-off as a whole is one check.
    overall = reasons.get(None)
    if overall is not None:
        reason, accepted = overall
        line, column = _position(checked, ("signoffs",))
        checks.append(
            Check(
                kind="signoff",
                id="signoff",
                name="sign-off",
                status=_status(reason, accepted),
                message=reason.message,
                details=_baseline_note(accepted, checked),
                line=line or 1,
                column=column or 1,
                accepted=accepted,
            )
        )
    return checks


def _questionnaire_version(checked: CheckedAssessment, applied: AppliedPolicy) -> list[Check]:
    """A check when a newer version of the questionnaire exists: a warning, or with the policy a failure."""
    if applied.outdated_questionnaire == "ignore":
        return []
    from riskcheck.gate.runner import outdated_message

    reason, accepted = _reason(checked, "outdated")
    message = reason.message if reason is not None else outdated_message(checked.loaded)
    if message is None:
        return []
    line, column = _position(checked, ("questionnaire",))
    policy = "fails the gate" if applied.outdated_questionnaire == "fail" else "a warning"
    return [
        Check(
            kind="questionnaire",
            id="questionnaire",
            name="questionnaire version",
            status=_status(reason, accepted),
            message=message,
            details=(
                f"outdated-questionnaire = {applied.outdated_questionnaire!r}: {policy}",
                *_baseline_note(accepted, checked),
            ),
            line=line or 1,
            column=column or 1,
            accepted=accepted,
        )
    ]
