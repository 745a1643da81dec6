"""The gate's decision: one :class:`Check` per requirement an assessment must meet.

:func:`decide` produces every check of one assessment (the tier, completeness, each
rule, each fairness threshold, each sign-off role or the sign-off as a whole, the
questionnaire version), each passed, failed or skipped with the message that says
why. The assessment passes when no check failed. JUnit test cases, GitHub
annotations, pytest items and the gate JSON all come from these checks, so every
output agrees on what passed, what failed and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcheck.core.display import plain
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.loader import LoadedAssessment
from riskcheck.core.result import Finding, Result, Signoffs, SignoffState
from riskcheck.core.vocabulary import SEVERITIES, SEVERITY_RANK, CheckKind, CheckStatus
from riskcheck.gate.policy import AppliedPolicy

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
    #: True when the check fails but the baseline already failed it the same way (its status is then passed).
    accepted: bool = False
    #: Each failure the check found, one statement each, without the figures the message adds:
    #: empty when the check holds. The gate JSON lists them under ``reasons``.
    failures: tuple[str, ...] = ()
    #: The finding behind a rule or fairness check, when it fired.
    finding: str | None = None
    #: True when that finding blocks launch whatever the policy.
    blocking: bool = False
    #: The role of a sign-off check (``None`` for the sign-off as a whole).
    role: str | None = None


@dataclass(frozen=True)
class GateOutcome:
    """One assessment through the gate: its result and every check."""

    path: Path
    result: Result
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that fail the gate (a check the baseline accepted is not among them)."""
        return tuple(check for check in self.checks if check.status == "failed" and not check.accepted)

    @property
    def accepted(self) -> tuple[Check, ...]:
        """The checks that would fail the gate but were already failing at the baseline."""
        return tuple(check for check in self.checks if check.accepted)


def decide(loaded: LoadedAssessment, result: Result, applied: AppliedPolicy) -> GateOutcome:
    """Every check of one assessment, in a stable order: tier, completeness, rules, thresholds,
    sign-offs, questionnaire version.

    ``result`` is the assessment's result (or, for a baseline, the result at an older
    revision). A finding that no rule or threshold of the questionnaire accounts for
    still fails the gate, as a check of its own at the end: nothing that fails is
    left unsaid.
    """
    if applied.max_severity is not None and applied.max_severity not in SEVERITY_RANK:
        raise RiskcheckError(
            f"max severity {applied.max_severity!r} is not a severity (severities: {', '.join(SEVERITIES)})"
        )
    rules, unmatched_rules = _rules(loaded, result, applied)
    thresholds, unmatched_breaches = _thresholds(loaded, result, applied)
    checks = (
        _tier(result, applied),
        _completeness(loaded, result, applied),
        *rules,
        *thresholds,
        *_signoffs(loaded, result, applied),
        *_questionnaire_version(loaded, applied),
        *_unmatched(result, [*unmatched_rules, *unmatched_breaches], applied),
    )
    return GateOutcome(loaded.path, result, checks)


def _position(loaded: LoadedAssessment, loc: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    """Where ``loc`` is in the assessment file (its key), for a check to point at."""
    position = loaded.document.position(loc, key=True)
    return position if position is not None else (None, None)


def finding_position(loaded: LoadedAssessment, finding: Finding) -> tuple[int | None, int | None]:
    """The answer (or fairness threshold) that triggered ``finding``."""
    answers = loaded.file.answers
    for name, _ in finding.triggered_by:
        if name in answers:
            return _position(loaded, ("answers", name))
        if name.startswith("fairness.") and loaded.file.fairness is not None:
            metric = name.removeprefix("fairness.")
            if metric in loaded.file.fairness.thresholds:
                return _position(loaded, ("fairness", "thresholds", metric))
            return _position(loaded, ("fairness",))
    return _position(loaded, ("answers",))


def _tier(result: Result, applied: AppliedPolicy) -> Check:
    fail_on = applied.fail_on
    failures: tuple[str, ...] = ()
    if fail_on is not None:
        tier_ids = [t[0] for t in result.tiers]
        if fail_on not in tier_ids:
            raise RiskcheckError(
                f"--fail-on {fail_on!r} is not a tier of {result.questionnaire_id} (tiers: {', '.join(tier_ids)})"
            )
        if result.tier_index >= tier_ids.index(fail_on):
            failures = (f"tier {result.tier} is at or above the fail-on tier {fail_on}",)
    score = f"score {plain(result.score)} of {plain(result.score_max)}"
    source = f"; fail-on from {applied.fail_on_from}" if applied.fail_on_from else ""
    if failures:
        message = f"{failures[0]} ({score}{source})"
    elif fail_on is None and applied.fail_on_from:
        message = f"tier {result.tier} ({score}); no tier fails the gate (fail-on is none{source})"
    elif fail_on is None:
        message = (
            f"tier {result.tier} ({score}); no tier fails the gate: no fail-on is set "
            "and the questionnaire declares no default gate"
        )
    else:
        message = f"tier {result.tier} is below the fail-on tier {fail_on} ({score}{source})"
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
        status=_status(failures),
        message=message,
        details=tuple(details),
        line=1,
        column=1,
        failures=failures,
    )


def _completeness(loaded: LoadedAssessment, result: Result, applied: AppliedPolicy) -> Check:
    from riskcheck.core.draft import placeholder_fields

    c = result.completeness
    failures = []
    if result.status == "incomplete" and not applied.allow_incomplete:
        listed = ", ".join(c.missing[:10])
        more = "" if len(c.missing) <= 10 else ", ..."
        failures.append(f"assessment is incomplete: {len(c.missing)} required question(s) unanswered ({listed}{more})")
    placeholders = placeholder_fields(dict(result.system), {})
    if placeholders:
        # Fail closed: a skeleton's placeholder is never an answer, whatever the policy.
        failures.append("assessment still holds the placeholder text of `riskcheck new` in " + ", ".join(placeholders))
    if failures:
        message = failures[0]
    elif c.missing:
        message = f"{len(c.missing)} required question(s) unanswered, allowed by the policy (allow-incomplete)"
    else:
        message = f"all {c.required} required question(s) answered"
    line, column = _position(loaded, ("answers",))
    return Check(
        kind="completeness",
        id="completeness",
        name="required questions answered",
        status=_status(failures),
        message=message,
        details=tuple(f"unanswered: {qid}" for qid in c.missing),
        line=line,
        column=column,
        failures=tuple(failures),
    )


def _finding_failure(finding: Finding, applied: AppliedPolicy) -> str | None:
    """Why ``finding`` fails the gate, or ``None`` when the policy allows it."""
    if finding.blocks_launch:
        return f"blocking finding {finding.id}: {finding.message}"
    if finding.source == "fairness":
        return f"fairness threshold breached: {finding.message}"
    max_severity = applied.max_severity
    if max_severity is not None and SEVERITY_RANK[finding.severity] < SEVERITY_RANK[max_severity]:
        return (
            f"{finding.severity} finding {finding.id} is above the maximum severity {max_severity}: {finding.message}"
        )
    return None


def _finding_details(finding: Finding) -> tuple[str, ...]:
    lines = [f"{name} = {plain(value)}" for name, value in finding.triggered_by]
    lines.append(f"mitigation: {finding.mitigation}")
    if finding.references:
        lines.append(f"references: {', '.join(finding.references)}")
    return tuple(lines)


def _rules(loaded: LoadedAssessment, result: Result, applied: AppliedPolicy) -> tuple[list[Check], list[Finding]]:
    """A check per rule of the questionnaire; and the rule findings no rule accounts for."""
    findings = {f.id: f for f in result.findings if f.source == "rule"}
    checks = []
    for compiled in loaded.questionnaire.rules:
        rule = compiled.rule
        finding = findings.pop(rule.id, None)
        if finding is None:
            line, column = _position(loaded, ("answers",))
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
        failure = _finding_failure(finding, applied)
        line, column = finding_position(loaded, finding)
        blocking = ", blocks launch" if finding.blocks_launch else ""
        checks.append(
            _finding_check(
                "rule",
                rule.id,
                finding,
                failure,
                message=failure or f"fired ({finding.severity}{blocking}), allowed by the policy: {finding.message}",
                details=(f"when: {rule.when}", *_finding_details(finding)),
                position=(line, column),
            )
        )
    return checks, list(findings.values())


def _thresholds(loaded: LoadedAssessment, result: Result, applied: AppliedPolicy) -> tuple[list[Check], list[Finding]]:
    """A check per fairness threshold of the assessment; and the breaches no threshold accounts for."""
    spec = loaded.file.fairness
    breaches = {f.id: f for f in result.findings if f.source == "fairness"}
    if spec is None:
        return [], list(breaches.values())
    variables: dict[str, Any] = (result.fairness or {}).get("variables", {})
    checks = []
    for metric, threshold in spec.thresholds.items():
        finding = breaches.pop(f"fairness.{metric}", None)
        line, column = _position(loaded, ("fairness", "thresholds", metric))
        if finding is None:
            bounds = ", ".join(
                f"{side} {plain(limit)}"
                for side, limit in (("min", threshold.min), ("max", threshold.max))
                if limit is not None
            )
            key = metric if threshold.on == "value" else f"{metric}_{threshold.on}"
            checks.append(
                Check(
                    kind="fairness",
                    id=f"fairness:{metric}",
                    name=f"fairness threshold {metric}",
                    status="passed",
                    message=f"{key} is {plain(variables.get(key))}, within {bounds}",
                    severity="high",
                    line=line,
                    column=column,
                )
            )
            continue
        failure = _finding_failure(finding, applied)  # a breach fails whatever the policy
        checks.append(
            _finding_check(
                "fairness",
                metric,
                finding,
                failure,
                message=finding.message,
                details=_finding_details(finding),
                position=(line, column),
                name=f"fairness threshold {metric}",
            )
        )
    return checks, list(breaches.values())


def _unmatched(result: Result, findings: list[Finding], applied: AppliedPolicy) -> list[Check]:
    """A failed check for each failing finding no rule or threshold above accounts for.

    Findings keep the result's order. A finding of a rule the questionnaire no longer
    has (a baseline's result, say) would otherwise go unsaid; it fails the gate.
    """
    checks = []
    unmatched = {finding.id for finding in findings}
    for finding in result.findings:
        if finding.id not in unmatched:
            continue
        failure = _finding_failure(finding, applied)
        if failure is None:
            continue
        kind: CheckKind = "fairness" if finding.source == "fairness" else "rule"
        checks.append(_finding_check(kind, finding.id, finding, failure, message=failure, with_severity=False))
    return checks


def _finding_check(
    kind: CheckKind,
    subject: str,
    finding: Finding,
    failure: str | None,
    *,
    message: str,
    details: tuple[str, ...] = (),
    position: tuple[int | None, int | None] = (1, 1),
    name: str | None = None,
    with_severity: bool = True,
) -> Check:
    """The check of a rule or threshold that produced ``finding``: failed with ``failure``,
    or passed when the policy allows the finding."""
    return Check(
        kind=kind,
        id=f"{kind}:{subject}",
        name=name or f"{kind} {subject}",
        status=_status(failure),
        message=message,
        details=details,
        severity=finding.severity if with_severity else None,
        line=position[0],
        column=position[1],
        failures=(failure,) if failure else (),
        finding=finding.id,
        blocking=finding.blocks_launch,
    )


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


def _role_failure(signoffs: Signoffs, role: str, state: str) -> str | None:
    """Why ``role`` has no current approval (``None`` when it has one)."""
    records = [r for r in signoffs.records if r.role == role]
    if state == "missing":
        return f"role {role!r} has no decision recorded"
    if state == "stale":
        latest = records[-1]
        return (
            f"role {role!r} has no current approval; its latest decision "
            f"({latest.decision} by {latest.name}, {latest.timestamp}) is stale: "
            + (latest.note or "the content changed after it was signed")
        )
    if state == "rejected":
        rejection = next(r for r in reversed(records) if r.current)
        because = f": {rejection.comment}" if rejection.comment else ""
        return f"role {role!r} rejected the current content ({rejection.name}, {rejection.timestamp}){because}"
    return None


def _signoffs(loaded: LoadedAssessment, result: Result, applied: AppliedPolicy) -> list[Check]:
    """A check per required role; with no required roles, one for the sign-off as a whole when required."""
    signoffs = result.signoffs
    required = applied.require_signoff
    checks = []
    for role, state in signoffs.roles:
        counted = counting_record(signoffs, role)
        latest = [i for i, record in enumerate(signoffs.records) if record.role == role][-1:]
        # Point at the record that counts; for a stale role, at its latest (stale) record.
        index = counted[0] if counted is not None else (latest[0] if latest else None)
        line, column = _position(loaded, ("signoffs", index) if index is not None else ("signoffs",))
        if line is None:
            line, column = 1, 1
        failure = _role_failure(signoffs, role, state) if required else None
        status: Status
        if state == "approved" and counted is not None:
            status = "passed"
            record = counted[1]
            message = f"approved by {record.name} on {record.timestamp}, for the current content"
        elif failure is not None:
            status, message = "failed", failure
        elif not required:
            status = "skipped"
            message = f"sign-off for role {role!r} is {state}; not required by the policy (require-signoff)"
        else:  # pragma: no cover - every required role without a current approval has a failure above
            status, message = "failed", f"sign-off for role {role!r} is {state}"
        checks.append(
            Check(
                kind="signoff",
                id=f"signoff:{role}",
                name=f"sign-off {role}",
                status=status,
                message=message,
                line=line,
                column=column,
                failures=(message,) if status == "failed" else (),
                role=role,
            )
        )
    if required and not signoffs.required_roles and signoffs.status != "approved":
        message = {
            "pending": f"no sign-off decision recorded, and {result.questionnaire_id}@{result.questionnaire_version} "
            "declares no sign-off roles to ask for: record an approval with `riskcheck sign` under a role of "
            "your choosing, or list the roles under signoff.roles in the questionnaire",
            "stale": "no current sign-off approval; every decision recorded is stale",
            "rejected": "the current content was rejected at sign-off",
        }[signoffs.status]
        last = signoffs.records[-1] if signoffs.records else None
        if signoffs.status == "stale" and last is not None and last.note:
            # Say why, as a role's check does: what changed, or the migration that made it stale.
            message += f"; the latest ({last.decision} by {last.name}, {last.timestamp}): {last.note}"
        line, column = _position(loaded, ("signoffs",))
        checks.append(
            Check(
                kind="signoff",
                id="signoff",
                name="sign-off",
                status="failed",
                message=message,
                line=line or 1,
                column=column or 1,
                failures=(message,),
            )
        )
    return checks


def newest_version(loaded: LoadedAssessment) -> str | None:
    """The newest available version of the assessment's questionnaire, when newer than the one it answers.

    A bundled questionnaire's versions are its current file and ``questionnaires/released/``;
    one given by path, that file and the ``released/`` folder beside it.
    """
    from riskcheck.core.migrations import semver_key
    from riskcheck.lifecycle.versions import bundled_catalog, path_catalog

    ref = loaded.file.questionnaire
    try:
        if ref.path is not None:
            path = Path(ref.path)
            catalog = path_catalog(path if path.is_absolute() else loaded.base_dir / path)
        elif ref.id is not None:
            catalog = bundled_catalog(ref.id)
        else:  # pragma: no cover - an assessment names its questionnaire by id or by path
            return None
        latest = catalog.latest()
    except (RiskcheckError, IndexError, OSError):
        return None
    pinned = loaded.questionnaire.version
    return latest if semver_key(latest) > semver_key(pinned) else None


def outdated_message(loaded: LoadedAssessment) -> str | None:
    """What to say when the assessment answers an older questionnaire version than the newest."""
    newest = newest_version(loaded)
    if newest is None:
        return None
    qid = loaded.questionnaire.id
    return (
        f"the assessment answers {qid}@{loaded.questionnaire.version}, but {qid}@{newest} is the newest "
        f"version; `riskcheck migrate {loaded.path}` moves the answers to it"
    )


def _questionnaire_version(loaded: LoadedAssessment, applied: AppliedPolicy) -> list[Check]:
    """A check when a newer version of the questionnaire exists: a warning, or with the policy a failure."""
    if applied.outdated_questionnaire == "ignore":
        return []
    message = outdated_message(loaded)
    if message is None:
        return []
    failures = (message,) if applied.outdated_questionnaire == "fail" else ()
    line, column = _position(loaded, ("questionnaire",))
    policy = "fails the gate" if failures else "a warning"
    return [
        Check(
            kind="questionnaire",
            id="questionnaire",
            name="questionnaire version",
            status=_status(failures),
            message=message,
            details=(f"outdated-questionnaire = {applied.outdated_questionnaire!r}: {policy}",),
            line=line or 1,
            column=column or 1,
            failures=failures,
        )
    ]


def _status(failures: tuple[str, ...] | list[str] | str | None) -> Status:
    return "failed" if failures else "passed"
