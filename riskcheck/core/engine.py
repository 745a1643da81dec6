"""Evaluate a compiled questionnaire against one set of answers.

Pure functions over data: visibility, completeness, points, scoring, rules,
classification and sign-off state. No I/O, no printing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property, partial
from typing import Any, NamedTuple

from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.content import changed_parts, content_parts, describe_parts, fairness_fingerprint
from riskcheck.core.content import content_hash as content_hash_of
from riskcheck.core.draft import draft_reasons
from riskcheck.core.duties import assessment_date, duties_for, law_as_at
from riskcheck.core.i18n import _, format_date
from riskcheck.core.questionnaire import ImpactMitigationScoring, WeightedSectionsScoring
from riskcheck.core.result import (
    ClassificationResult,
    Completeness,
    Contribution,
    Finding,
    Hashes,
    Impact,
    NextTier,
    Result,
    RuleTrace,
    SectionScore,
    Signoffs,
    SignoffState,
    Trace,
    canonical_hash,
)
from riskcheck.core.vocabulary import SEVERITY_RANK


@dataclass(frozen=True)
class AnswerSet:
    """Normalised answers: values by question id, with their comments and evidence."""

    values: Mapping[str, Any]
    comments: Mapping[str, str] = field(default_factory=dict)
    evidence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def canonical(self) -> dict[str, Any]:
        """Answers as plain data, what the answers hash covers. Multiple-choice sets
        become sorted lists and dates ISO strings when serialised (see
        :func:`riskcheck.core.result.canonical_hash`); JSON's sorted keys do the rest."""
        return {"comments": self.comments, "evidence": self.evidence, "values": self.values}

    @cached_property
    def sha256(self) -> str:
        """Hash of :meth:`canonical`; computed once, since an answer set never changes."""
        return canonical_hash(self.canonical())


# tuple.__new__ builds the named tuple in C, without the Python-level __new__.
_contribution = partial(tuple.__new__, Contribution)
_section_score = partial(tuple.__new__, SectionScore)


@dataclass(frozen=True)
class SignoffInput:
    name: str
    role: str
    decision: str
    comment: str | None
    timestamp: str
    content_sha256: str
    #: Part name -> short hash, as recorded (see :mod:`riskcheck.core.content`); ``None`` for
    #: a record made under the older scheme, which kept one hash and no parts.
    covers: Mapping[str, str] | None = None
    #: The questionnaire version the record was made under (``id@version``); ``None`` for
    #: a record made before records named it.
    questionnaire: str | None = None


@dataclass(frozen=True)
class MigrationInput:
    """One run of ``riskcheck migrate`` as the assessment file logs it (``migrated:``)."""

    source: str
    target: str
    #: ISO 8601, with its time zone.
    timestamp: str


def visible_values(compiled: CompiledQuestionnaire, values: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The answers that count (hidden ones become ``None``) and the ids of visible questions."""
    env: dict[str, Any] = {}
    visible: set[str] = set()
    for qid, _sid, condition, *_rest in compiled.plan:
        if condition is not None and not condition(env):
            env[qid] = None
        else:
            visible.add(qid)
            env[qid] = values.get(qid)
    return env, visible


def evaluate(
    compiled: CompiledQuestionnaire,
    answers: AnswerSet,
    *,
    system: Mapping[str, Any] | None = None,
    fairness: Any = None,
    signoffs: Sequence[SignoffInput] = (),
    evidence_hash: str | None = None,
    fairness_settings: Mapping[str, Any] | None = None,
    evidence_files: Mapping[str, str | None] | None = None,
    as_of: dt.date | None = None,
    missing_evidence: Sequence[str] = (),
    archived_answers: Sequence[Mapping[str, Any]] | None = None,
    migrations: Sequence[MigrationInput] = (),
    translations: Mapping[str, str | None] | None = None,
) -> Result:
    """Score ``answers``. ``fairness`` is a ``FairnessResult`` or ``None``.

    ``fairness_settings`` (the assessment's ``fairness:`` block) and ``evidence_files``
    (local evidence link -> sha256 of its bytes, ``None`` when unreadable) join the
    content hash that sign-offs are recorded against, as do ``archived_answers`` (the
    answers a migration could not place) and ``translations`` (language -> sha256 of
    the questionnaire's catalogue); see :mod:`riskcheck.core.content`.
    ``missing_evidence`` says which declared evidence could not be computed or read;
    it makes the result a draft (see :mod:`riskcheck.core.draft`). ``migrations`` (the
    file's log of ``riskcheck migrate`` runs) lets a sign-off made stale by a migration
    say so; it is not part of the content hash.

    The phases, in order: the answers (visibility, completeness, points), the
    sections, the rules and fairness breaches, the score and tier, then the content
    hash and the sign-offs.
    """
    spec = compiled.spec
    values = answers.values
    walk = _walk_answers(compiled, values)
    env, contributions, missing = walk.env, walk.contributions, walk.missing
    required, answered = walk.required, walk.answered
    hidden_answers = tuple(sorted(walk.hidden))
    sections = _section_scores(compiled, env, walk.section_points, walk.section_max)

    # Fairness figures join the answers for rules.
    fairness_dict = None
    breaches: tuple[Any, ...] = ()
    if fairness is not None:
        for name, figure in fairness.variables().items():
            env[f"fairness.{name}"] = figure
        breaches = fairness.breaches()
        fairness_dict = fairness.to_dict()

    findings, fired, escalations = _fire_rules(compiled, env)
    findings.extend(_breach_findings(breaches))
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.id))

    scoring = spec.scoring
    score, score_max, tiers, score_tier, tier_index, escalated_by, next_tier, impact = _tier(
        compiled, sections, escalations
    )
    tier = scoring.tiers[tier_index]

    on = assessment_date(system, as_of)
    classification = _classify(compiled, env, on)
    questionnaire_hash = compiled.sha256
    answers_hash = answers.sha256
    fingerprint = fairness_fingerprint(fairness_dict, evidence_hash)
    content_hash = content_hash_of(
        compiled,
        answers,
        system,
        fairness_settings=fairness_settings,
        fairness_fingerprint=fingerprint,
        evidence_files=evidence_files,
        archived_answers=archived_answers,
        translations=translations,
    )
    legacy_hash = canonical_hash([questionnaire_hash, answers_hash, evidence_hash])
    # The hash of each part only when a record needs it to say what changed.
    parts_of = cache(
        partial(
            content_parts,
            compiled,
            answers,
            system,
            fairness_settings=fairness_settings,
            fairness_fingerprint=fingerprint,
            evidence_files=evidence_files,
            archived_answers=archived_answers,
            translations=translations,
        )
    )
    signoff_state = _signoffs(
        spec.signoff.roles,
        signoffs,
        content_hash,
        parts_of=parts_of,
        legacy_hash=legacy_hash,
        compiled=compiled,
        migrations=migrations,
    )
    return Result(
        system=tuple(sorted((system or {}).items())),
        questionnaire_id=spec.id,
        questionnaire_version=spec.version,
        questionnaire_title=spec.title,
        scoring_model=scoring.model,
        status="incomplete" if missing else "complete",
        tier=tier.id,
        tier_label=tier.label or tier.id,
        tier_index=tier_index,
        tiers=tiers,
        score=score,
        score_max=score_max,
        blocked=any(f.blocks_launch for f in findings),
        sections=sections,
        findings=tuple(findings),
        completeness=Completeness(
            required=required,
            answered=answered,
            share=round(answered / required, 4) if required else 1.0,
            missing=tuple(missing),
            hidden_answers=hidden_answers,
        ),
        impact=impact,
        classification=classification,
        fairness=fairness_dict,
        signoffs=signoff_state,
        trace=Trace(
            contributions=tuple(contributions),
            rules_fired=tuple(fired),
            tier_from_score=scoring.tiers[score_tier].id,
            escalated_by=tuple(escalated_by),
            next_tier=next_tier,
        ),
        as_of=on.isoformat() if on is not None else None,
        law_as_at=law_as_at(spec),
        hashes=Hashes(questionnaire_hash, answers_hash, evidence_hash, content_hash),
        draft=draft_reasons(missing=missing, system=system or {}, answers=values, missing_evidence=missing_evidence),
    )


class _AnswerWalk(NamedTuple):
    """What one pass over the answers, in dependency order, finds."""

    #: Every question's value for expressions; ``None`` when hidden.
    env: dict[str, Any]
    section_points: dict[str, float]
    #: A hidden question leaves its section's maximum, as a hidden section leaves the
    #: weighting: questions that do not apply must not dilute the risk.
    section_max: dict[str, float]
    contributions: list[Contribution]
    missing: list[str]
    #: Answered, but hidden: reported and never counted.
    hidden: list[str]
    required: int
    answered: int


def _walk_answers(compiled: CompiledQuestionnaire, values: Mapping[str, Any]) -> _AnswerWalk:
    """Visibility, completeness and points, in one pass in dependency order. This is
    the hot loop of scoring throughput, hence the flat plan and local names."""
    env: dict[str, Any] = {}
    section_points = dict.fromkeys(compiled.section_max, 0.0)
    section_max = dict.fromkeys(compiled.section_max, 0.0)
    contributions: list[Contribution] = []
    missing: list[str] = []
    hidden: list[str] = []
    required = answered = 0
    get = values.get
    add_contribution = contributions.append
    for qid, sid, condition, is_required, is_evidence, points_of, unanswered_points, max_points in compiled.plan:
        if condition is not None and not condition(env):
            env[qid] = None
            if get(qid) is not None:
                hidden.append(qid)
            continue
        if max_points:
            section_max[sid] += max_points
        value = env[qid] = get(qid)
        if value is None:
            if is_required:
                required += 1
                missing.append(qid)
            if unanswered_points:
                section_points[sid] += unanswered_points
                add_contribution(_contribution((qid, sid, None, unanswered_points, max_points)))
            continue
        if is_required:
            required += 1
            if is_evidence and not value:
                missing.append(qid)
            else:
                answered += 1
        points = points_of(value)
        if points:
            section_points[sid] += points
        add_contribution(_contribution((qid, sid, value, points, max_points)))
    return _AnswerWalk(env, section_points, section_max, contributions, missing, hidden, required, answered)


def _section_scores(
    compiled: CompiledQuestionnaire,
    env: Mapping[str, Any],
    section_points: Mapping[str, float],
    section_max: Mapping[str, float],
) -> tuple[SectionScore, ...]:
    """Each section's points, maximum, share and whether it applies."""
    section_when = compiled.section_when
    spec_sections = compiled.spec.sections
    visible_sections = {s.id: (s.id not in section_when or bool(section_when[s.id](env))) for s in spec_sections}
    return tuple(
        _section_score(
            (
                s.id,
                s.title,
                section_points[s.id],
                section_max[s.id],
                (section_points[s.id] / section_max[s.id]) if section_max[s.id] else None,
                s.weight,
                visible_sections[s.id],
            )
        )
        for s in spec_sections
    )


def _fire_rules(
    compiled: CompiledQuestionnaire, env: Mapping[str, Any]
) -> tuple[list[Finding], list[RuleTrace], list[tuple[int, str]]]:
    """The findings of the rules whose condition holds, their traces, and the tiers they escalate to."""
    findings: list[Finding] = []
    fired: list[RuleTrace] = []
    escalations: list[tuple[int, str]] = []
    for condition, compiled_rule in compiled.rule_conditions:
        if not condition(env):
            continue
        rule = compiled_rule.rule
        triggered = tuple((name, env.get(name)) for name in compiled_rule.when.sorted_names)
        fired.append(RuleTrace(rule.id, compiled_rule.when.source, triggered))
        findings.append(
            Finding(
                id=rule.id,
                source="rule",
                severity=rule.severity,
                message=rule.message,
                mitigation=rule.mitigation,
                references=tuple(rule.references),
                blocks_launch=rule.blocks_launch,
                triggered_by=triggered,
            )
        )
        if compiled_rule.escalate_index is not None:
            escalations.append((compiled_rule.escalate_index, rule.id))
    return findings, fired, escalations


def _breach_findings(breaches: Sequence[Any]) -> list[Finding]:
    """A high finding for each fairness threshold breached."""
    return [
        Finding(
            id=f"fairness.{breach.metric}",
            source="fairness",
            severity="high",
            message=breach.message,
            mitigation=_(
                "Investigate the gap between the groups named, mitigate it (re-weighting, "
                "threshold adjustment, better data) and re-measure before launch."
            ),
            references=("nist-ai-rmf:MEASURE-2.11", "eu-ai-act:art-10(2)(f)"),
            blocks_launch=False,
            triggered_by=(
                (f"fairness.{breach.metric}", breach.value),
                ("limit", f"{breach.bound} {breach.limit}"),
                ("groups", ", ".join(breach.groups)),
            ),
        )
        for breach in breaches
    ]


class _Tiering(NamedTuple):
    """The score, the tier it reaches, and the tier after the rules' escalations."""

    score: float
    score_max: float
    tiers: tuple[tuple[str, str, float], ...]
    #: The tier the score alone reaches, and the tier after escalations.
    score_tier: int
    tier_index: int
    escalated_by: tuple[str, ...]
    next_tier: NextTier | None
    impact: Impact | None


def _tier(
    compiled: CompiledQuestionnaire, sections: tuple[SectionScore, ...], escalations: Sequence[tuple[int, str]]
) -> _Tiering:
    """Score the sections by the questionnaire's model, then let rules escalate the tier."""
    scoring = compiled.spec.scoring
    impact = None
    if isinstance(scoring, WeightedSectionsScoring):
        score, score_max, score_tier, next_tier = _weighted(compiled, sections, scoring)
        tiers = compiled.tier_rows
    else:
        impact, score_tier, next_tier = _impact(compiled, sections, scoring)
        score, score_max = impact.adjusted, impact.raw_max
        tiers = tuple(
            (t.id, t.label or t.id, bound) for (t, (_id, bound)) in zip(scoring.tiers, impact.level_bounds, strict=True)
        )
    tier_index = score_tier
    escalated_by: list[str] = []
    for index, rule_id in escalations:
        if index > tier_index:
            tier_index = index
        if index > score_tier:
            escalated_by.append(rule_id)
    if tier_index != score_tier:
        next_tier = _next_tier_after(compiled, tiers, tier_index, score)
    return _Tiering(score, score_max, tiers, score_tier, tier_index, tuple(escalated_by), next_tier, impact)


def _weighted(
    compiled: CompiledQuestionnaire, sections: tuple[SectionScore, ...], scoring: WeightedSectionsScoring
) -> tuple[float, float, int, NextTier | None]:
    total_weight = 0.0
    weighted = 0.0
    for section in sections:
        if not section.visible or not section.max or not section.weight:
            continue
        total_weight += section.weight
        weighted += section.weight * (section.points / section.max)
    score = round(100 * weighted / total_weight, 4) if total_weight else 0.0
    index = 0
    for i, tier in enumerate(scoring.tiers):
        if score >= (tier.min or 0):
            index = i
    next_tier = None
    if index + 1 < len(scoring.tiers):
        upcoming = scoring.tiers[index + 1]
        threshold = float(upcoming.min or 0)
        next_tier = NextTier(upcoming.id, threshold, round(threshold - score, 4))
    return score, 100.0, index, next_tier


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _impact(
    compiled: CompiledQuestionnaire, sections: tuple[SectionScore, ...], scoring: ImpactMitigationScoring
) -> tuple[Impact, int, NextTier | None]:
    roles = {s.id: s.role for s in compiled.spec.sections}
    raw = sum((_decimal(s.points) for s in sections if roles[s.id] == "impact"), Decimal(0))
    raw_max = sum((_decimal(s.max) for s in sections if roles[s.id] == "impact"), Decimal(0))
    mitigation = sum((_decimal(s.points) for s in sections if roles[s.id] == "mitigation"), Decimal(0))
    mitigation_max = sum((_decimal(s.max) for s in sections if roles[s.id] == "mitigation"), Decimal(0))
    applied = bool(mitigation_max) and mitigation >= _decimal(scoring.mitigation_threshold) * mitigation_max
    adjusted = raw * (1 - _decimal(scoring.mitigation_reduction)) if applied else raw
    adjusted = round_half_up(adjusted, scoring.decimals)
    bounds = [_decimal(t.max_fraction or 1) * raw_max for t in scoring.tiers]
    index = next((i for i, bound in enumerate(bounds) if adjusted <= bound), len(bounds) - 1)
    next_tier = None
    if index + 1 < len(bounds):
        # The next level starts just above this level's (inclusive) bound.
        next_tier = NextTier(scoring.tiers[index + 1].id, float(bounds[index]), float(bounds[index] - adjusted))
    impact = Impact(
        raw=float(raw),
        raw_max=float(raw_max),
        mitigation=float(mitigation),
        mitigation_max=float(mitigation_max),
        mitigation_share=round(float(mitigation / mitigation_max), 4) if mitigation_max else None,
        reduction_applied=applied,
        adjusted=float(adjusted),
        level_bounds=tuple((t.id, float(b)) for t, b in zip(scoring.tiers, bounds, strict=True)),
    )
    return impact, index, next_tier


def _next_tier_after(
    compiled: CompiledQuestionnaire, tiers: tuple[tuple[str, str, float], ...], index: int, score: float
) -> NextTier | None:
    """After escalation the score no longer decides the tier; only a higher tier is 'next'."""
    if index + 1 >= len(tiers):
        return None
    tier_id, _label, threshold = tiers[index + 1]
    if isinstance(compiled.spec.scoring, ImpactMitigationScoring):
        threshold = tiers[index][2]
    return NextTier(tier_id, threshold, round(max(threshold - score, 0.0), 4))


def _classify(
    compiled: CompiledQuestionnaire, env: Mapping[str, Any], on: dt.date | None = None
) -> ClassificationResult | None:
    classification = compiled.spec.classification
    if classification is None:
        return None
    outcome = next((c for c in compiled.classes if c.when(env)), None)
    flags = tuple(f for f in compiled.flags if f.when(env))
    flag_refs = tuple(dict.fromkeys(r for f in flags for r in f.references))
    return ClassificationResult(
        id=classification.id,
        title=classification.title,
        outcome=outcome.id if outcome else None,
        label=outcome.label if outcome else None,
        references=outcome.references if outcome else (),
        flags=tuple((f.id, f.label) for f in flags),
        flag_references=flag_refs,
        duties=duties_for(outcome, flags, env, on),
        applies_from=outcome.applies_from.isoformat() if outcome and outcome.applies_from else None,
    )


def _signoffs(
    required_roles: Sequence[str],
    records: Sequence[SignoffInput],
    content_hash: str,
    *,
    parts_of: Callable[[], Mapping[str, str]] | None = None,
    legacy_hash: str | None = None,
    compiled: CompiledQuestionnaire | None = None,
    migrations: Sequence[MigrationInput] = (),
) -> Signoffs:
    """Each required role's standing, and the overall sign-off status.

    For a role, the latest *current* record counts: a later record made against
    other content (stale) neither confirms nor revokes a decision on this content.
    A role with records but none current is stale; a role without records is missing.
    A record made under the older scheme (one hash, no parts) is never current.
    A stale record made under another questionnaire version says that the assessment
    was migrated since (see :func:`_migrated_since`).
    """
    states = tuple(_state(r, content_hash, parts_of, legacy_hash, compiled, migrations) for r in records)
    roles: list[tuple[str, str]] = []
    for role in required_roles:
        mine = [s for s in states if s.role == role]
        counting = next((s for s in reversed(mine) if s.current), None)
        if counting is not None:
            roles.append((role, "approved" if counting.decision == "approve" else "rejected"))
        elif mine:
            roles.append((role, "stale"))
        else:
            roles.append((role, "missing"))
    role_states = {state for _, state in roles}
    if not required_roles:
        status = _status_without_roles(states) if states else "pending"
    elif "rejected" in role_states:
        status = "rejected"
    elif "stale" in role_states:
        status = "stale"
    elif "missing" in role_states:
        status = "pending"
    else:
        status = "approved"
    return Signoffs(tuple(required_roles), status, states, tuple(roles))


#: Why a record no longer counts, one sentence per kind of note and decision: whole
#: sentences, so that each language words the approval or rejection as its grammar needs.
#: Each takes ``name`` and ``date`` (of the record) and the kind's own values.
_NOTES: dict[tuple[str, str], Callable[..., str]] = {
    ("legacy", "approve"): lambda **v: _(
        "{name}'s approval on {date} was made under an older hash scheme that did not cover the system block, "
        "the fairness settings or local evidence files; it never counts as current: record the decision again",
        **v,
    ),
    ("legacy", "reject"): lambda **v: _(
        "{name}'s rejection on {date} was made under an older hash scheme that did not cover the system block, "
        "the fairness settings or local evidence files; it never counts as current: record the decision again",
        **v,
    ),
    ("legacy-changed", "approve"): lambda **v: _(
        "{name}'s approval on {date} was made under an older hash scheme that did not cover the system block, "
        "the fairness settings or local evidence files, and the content has changed since; it never counts "
        "as current: record the decision again",
        **v,
    ),
    ("legacy-changed", "reject"): lambda **v: _(
        "{name}'s rejection on {date} was made under an older hash scheme that did not cover the system block, "
        "the fairness settings or local evidence files, and the content has changed since; it never counts "
        "as current: record the decision again",
        **v,
    ),
    ("changed", "approve"): lambda **v: _("changed since {name}'s approval on {date}: {parts}", **v),
    ("changed", "reject"): lambda **v: _("changed since {name}'s rejection on {date}: {parts}", **v),
    ("edited", "approve"): lambda **v: _(
        "{name}'s approval on {date} does not match its own part hashes (was the record edited by hand?); "
        "it never counts as current: record the decision again",
        **v,
    ),
    ("edited", "reject"): lambda **v: _(
        "{name}'s rejection on {date} does not match its own part hashes (was the record edited by hand?); "
        "it never counts as current: record the decision again",
        **v,
    ),
    ("migrated", "approve"): lambda **v: _(
        "the assessment was migrated from {signed} to {now} after {name}'s approval on {date} "
        "(riskcheck migrate); re-approve the migrated answers",
        **v,
    ),
    ("migrated", "reject"): lambda **v: _(
        "the assessment was migrated from {signed} to {now} after {name}'s rejection on {date} "
        "(riskcheck migrate); re-approve the migrated answers",
        **v,
    ),
    ("version", "approve"): lambda **v: _(
        "the assessment now answers {now}, but {name}'s approval on {date} was made under {signed}; "
        "re-approve the answers",
        **v,
    ),
    ("version", "reject"): lambda **v: _(
        "the assessment now answers {now}, but {name}'s rejection on {date} was made under {signed}; "
        "re-approve the answers",
        **v,
    ),
}


def _note(kind: str, record: SignoffInput, **values: str) -> str:
    """The stale note of ``kind`` for ``record``, in the language in use."""
    decision = "approve" if record.decision == "approve" else "reject"
    return _NOTES[kind, decision](name=record.name, date=_record_date(record.timestamp), **values)


def _record_date(timestamp: str) -> str:
    """The day a record was made, as the language in use writes a date (ISO in English)."""
    day = timestamp[:10]
    try:
        return format_date(dt.date.fromisoformat(day))
    except ValueError:
        return day


def _state(
    record: SignoffInput,
    content_hash: str,
    parts_of: Callable[[], Mapping[str, str]] | None,
    legacy_hash: str | None,
    compiled: CompiledQuestionnaire | None,
    migrations: Sequence[MigrationInput] = (),
) -> SignoffState:
    """One record's standing, with a sentence saying why it no longer counts."""

    def state(
        current: bool, changed: tuple[str, ...] = (), note: str | None = None, scheme: str = "current"
    ) -> SignoffState:
        return SignoffState(
            name=record.name,
            role=record.role,
            decision=record.decision,
            comment=record.comment,
            timestamp=record.timestamp,
            current=current,
            changed=changed,
            note=note,
            scheme=scheme,
            questionnaire=record.questionnaire,
        )

    if record.covers is None:
        if record.content_sha256 == content_hash:
            # Written by hand or by a tool with the current hash but no parts: the hash decides.
            return state(True)
        kind = "legacy" if record.content_sha256 == legacy_hash else "legacy-changed"
        return state(False, (), _note(kind, record), "legacy")
    if record.content_sha256 == content_hash:
        return state(True)
    changed = tuple(changed_parts(record.covers, parts_of() if parts_of is not None else {}))
    migrated = _migrated_since(record, changed, compiled, migrations) if compiled is not None else None
    if migrated is not None:
        note = migrated
    elif changed and compiled is not None:
        note = _note("changed", record, parts=describe_parts(changed, compiled))
    elif changed:
        note = _note("changed", record, parts=", ".join(changed))
    else:
        note = _note("edited", record)
    return state(False, changed, note)


#: The parts a migration rewrites, besides the answers (``answers.<id>``).
_MIGRATED_PARTS = ("questionnaire", "archived_answers")


def _migrated_since(
    record: SignoffInput,
    changed: Sequence[str],
    compiled: CompiledQuestionnaire,
    migrations: Sequence[MigrationInput],
) -> str | None:
    """The stale note of a record made under another questionnaire version, or ``None``.

    The version a record was made under is the one it names; a record that names none
    (made before records did) was made under the ``from`` of the first migration the
    file logs at or after the record's time. A migration is named only when the
    questionnaire part itself changed since the record, so a record that names a
    version wrongly never blames one. It is named as ``riskcheck migrate``'s when the
    file's log leads from that version to the one the assessment answers now;
    otherwise the note says only that the version changed. Parts a migration does not
    rewrite (the system block, fairness, evidence files) are named too when they changed.
    """
    if "questionnaire" not in changed:
        return None
    now = f"{compiled.id}@{compiled.version}"
    signed = record.questionnaire
    if signed is None:
        when = _moment(record.timestamp)
        later = [m for m in migrations if when is not None and (_moment(m.timestamp) or when) >= when]
        if not later:
            return None
        signed = later[0].source
    if signed == now:
        return None
    version = signed
    for migration in migrations:
        if migration.source == version:
            version = migration.target
    note = _note("migrated" if version == now else "version", record, signed=signed, now=now)
    others = [p for p in changed if p not in _MIGRATED_PARTS and not p.startswith("answers.")]
    if others:
        note = _("{note}; also changed since: {parts}", note=note, parts=describe_parts(others, compiled))
    return note


def _moment(timestamp: str) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware datetime (one without a time zone is taken as UTC)."""
    try:
        moment = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _status_without_roles(states: tuple[SignoffState, ...]) -> str:
    """Without declared roles, the latest current record decides; none current is stale."""
    counting = next((s for s in reversed(states) if s.current), None)
    if counting is None:
        return "stale"
    return "approved" if counting.decision == "approve" else "rejected"
