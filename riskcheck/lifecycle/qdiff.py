"""What changed between two versions of a questionnaire, and the version bump it asks for.

Each change carries the bump semantic versioning asks for, read for a questionnaire:

- **major**: the same answers can give another score, tier, class or finding (points,
  conditions, rules, tiers, weights, classification), or an answer set made for the old
  version no longer fits (a question or option removed or renamed, a type changed, a
  new required question);
- **minor**: something is added that changes no existing result (an optional question,
  an option, a duty);
- **patch**: wording only (texts, help, labels, references, messages).

Questions carry their number (section.question) in the version that has them. A rename
declared in the newer version's ``migrations:`` shows as a rename, not a removal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.migrations import semver_key
from riskcheck.core.questionnaire import (
    Migration,
    MultipleChoiceQuestion,
    Question,
    SingleChoiceQuestion,
    YesNoQuestion,
)

Level = Literal["major", "minor", "patch"]
LEVELS: tuple[Level, ...] = ("patch", "minor", "major")
QDIFF_SCHEMA = "riskcheck.questionnaire-diff/1"

#: Question fields that are wording: a change to them asks for a patch release.
_WORDING = {"text", "help", "references"}
_RULE_WORDING = {"message", "mitigation", "references"}


@dataclass(frozen=True)
class Change:
    kind: str  # question | option | rule | tier | section | scoring | classification | gate
    action: str  # added | removed | renamed | reworded | changed
    subject: str
    detail: str
    level: Level


@dataclass(frozen=True)
class QuestionnaireDiff:
    base_label: str
    head_label: str
    questionnaire_id: str
    base_version: str
    head_version: str
    changes: tuple[Change, ...]
    #: The migration the newer version declares from the older one, if any.
    migration: Migration | None

    @property
    def required_bump(self) -> Level | None:
        """The largest bump any change asks for (None: nothing changed)."""
        levels = {c.level for c in self.changes}
        return next((level for level in reversed(LEVELS) if level in levels), None)

    @property
    def actual_bump(self) -> Level | None:
        """The bump from the older version to the newer (None: not raised)."""
        old, new = semver_key(self.base_version), semver_key(self.head_version)
        if new <= old:
            return None
        if new[0] != old[0]:
            return "major"
        return "minor" if new[1] != old[1] else "patch"

    @property
    def bump_ok(self) -> bool:
        required = self.required_bump
        if required is None:
            return True
        actual = self.actual_bump
        return actual is not None and LEVELS.index(actual) >= LEVELS.index(required)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": QDIFF_SCHEMA,
            "questionnaire": self.questionnaire_id,
            "base": {"label": self.base_label, "version": self.base_version},
            "head": {"label": self.head_label, "version": self.head_version},
            "required_bump": self.required_bump,
            "actual_bump": self.actual_bump,
            "bump_ok": self.bump_ok,
            "changes": [
                {"kind": c.kind, "action": c.action, "subject": c.subject, "detail": c.detail, "level": c.level}
                for c in self.changes
            ],
        }


def questionnaire_diff(
    base: CompiledQuestionnaire, head: CompiledQuestionnaire, *, base_label: str, head_label: str
) -> QuestionnaireDiff:
    """Every change from ``base`` to ``head``, in the order a reader meets them."""
    migration = next((m for m in head.spec.migrations if m.from_version == base.version), None)
    changes = [
        *_questions(base, head, migration),
        *_sections(base, head),
        *_rules(base, head),
        *_scoring(base, head),
        *_classification(base, head),
    ]
    return QuestionnaireDiff(base_label, head_label, head.id, base.version, head.version, tuple(changes), migration)


def number(compiled: CompiledQuestionnaire, qid: str) -> str:
    """``section.question``, counted from 1 as the report numbers them."""
    question = compiled.questions[qid]
    return f"{question.section_index + 1}.{question.index + 1}"


def _questions(base: CompiledQuestionnaire, head: CompiledQuestionnaire, migration: Migration | None) -> list[Change]:
    changes: list[Change] = []
    renamed = dict(migration.renamed) if migration else {}
    declared = {}
    if migration is not None:
        declared = {qid: f"removed by the migration: {why}" for qid, why in migration.removed.items()}
        declared |= {qid: f"split by the migration into {', '.join(t)}" for qid, t in migration.split.items()}
    for qid in _ordered(base):
        if qid in head.questions and qid not in renamed:
            continue
        old = f"{number(base, qid)} {qid}"
        if qid in renamed and renamed[qid] in head.questions:
            new = renamed[qid]
            detail = f"renamed to {number(head, new)} {new} (declared in the migration from {base.version})"
            changes.append(Change("question", "renamed", old, detail, "major"))
            mapped = migration.options.get(new, {}) if migration else {}
            changes.extend(
                _question_fields(base.questions[qid].question, head.questions[new].question, head, new, mapped)
            )
        else:
            detail = declared.get(qid, "removed; no migration says where its answers go")
            changes.append(Change("question", "removed", old, detail, "major"))
    arrived = set(renamed.values())
    for qid in _ordered(head):
        question = head.questions[qid].question
        subject = f"{number(head, qid)} {qid}"
        if qid not in base.questions and qid not in arrived:
            level: Level = "major" if question.required else "minor"
            need = "required" if question.required else "optional"
            changes.append(Change("question", "added", subject, f"{need} {question.type}: {question.text}", level))
        elif qid in base.questions and qid not in renamed:
            mapped = migration.options.get(qid, {}) if migration else {}
            changes.extend(_question_fields(base.questions[qid].question, question, head, qid, mapped))
        if migration is not None and qid in migration.changed_meaning:
            detail = f"changed meaning; answers are archived by the migration: {migration.changed_meaning[qid]}"
            changes.append(Change("question", "changed", subject, detail, "major"))
    return changes


def _ordered(compiled: CompiledQuestionnaire) -> list[str]:
    return sorted(compiled.questions, key=lambda q: (compiled.questions[q].section_index, compiled.questions[q].index))


def _question_fields(
    old: Question, new: Question, head: CompiledQuestionnaire, qid: str, mapped: Mapping[str, str | None]
) -> list[Change]:
    subject = f"{number(head, qid)} {qid}"
    changes: list[Change] = []
    for name in ("text", "help"):
        if getattr(old, name) != getattr(new, name):
            changes.append(Change("question", "reworded", subject, f"{name}: {_short(getattr(new, name))}", "patch"))
    if old.references != new.references:
        changes.append(
            Change("question", "reworded", subject, _listed("references", old.references, new.references), "patch")
        )
    if old.type != new.type:
        changes.append(Change("question", "changed", subject, f"type: {old.type} -> {new.type}", "major"))
        return changes
    if old.required != new.required:
        level: Level = "major" if new.required else "minor"
        detail = "now required" if new.required else "now optional"
        changes.append(Change("question", "changed", subject, detail, level))
    if old.when != new.when:
        detail = f"shown when: {old.when or 'always'} -> {new.when or 'always'}"
        changes.append(Change("question", "changed", subject, detail, "major"))
    if isinstance(old, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        assert isinstance(new, (SingleChoiceQuestion, MultipleChoiceQuestion))
        changes.extend(_options(old, new, subject, mapped))
    elif isinstance(old, YesNoQuestion) and isinstance(new, YesNoQuestion) and old.points != new.points:
        was, now = old.points, new.points
        detail = f"points: yes {was.yes:g}, no {was.no:g} -> yes {now.yes:g}, no {now.no:g}"
        changes.append(Change("question", "changed", subject, detail, "major"))
    if (
        isinstance(old, YesNoQuestion)
        and isinstance(new, YesNoQuestion)
        and old.requires_evidence != new.requires_evidence
    ):
        detail = f"requires evidence for: {old.requires_evidence or 'none'} -> {new.requires_evidence or 'none'}"
        changes.append(Change("question", "changed", subject, detail, "major"))
    skip = _WORDING | {"id", "type", "required", "when", "options", "informational"}
    if not isinstance(old, YesNoQuestion):
        before, after = old.model_dump(exclude=skip), new.model_dump(exclude=skip)
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                detail = f"{name}: {_short(before.get(name))} -> {_short(after.get(name))}"
                changes.append(Change("question", "changed", subject, detail, "major"))
    return changes


def _options(
    old: SingleChoiceQuestion | MultipleChoiceQuestion,
    new: SingleChoiceQuestion | MultipleChoiceQuestion,
    subject: str,
    mapped: Mapping[str, str | None],
) -> list[Change]:
    changes: list[Change] = []
    before = {o.value: o for o in old.options}
    after = {o.value: o for o in new.options}
    for value, option in before.items():
        if value not in after:
            detail = f"option {value!r} ({option.points:g} points)"
            if value in mapped:
                target = mapped[value]
                detail += f"; the migration maps it to {target!r}" if target else "; the migration archives its answers"
            changes.append(Change("option", "removed", subject, detail, "major"))
    for value, option in after.items():
        if value not in before:
            changes.append(Change("option", "added", subject, f"option {value!r} ({option.points:g} points)", "minor"))
            continue
        was = before[value]
        if was.points != option.points:
            detail = f"option {value!r}: points {was.points:g} -> {option.points:g}"
            changes.append(Change("option", "changed", subject, detail, "major"))
        if was.requires_evidence != option.requires_evidence:
            needs = f"{_yes(was.requires_evidence)} -> {_yes(option.requires_evidence)}"
            detail = f"option {value!r}: requires evidence: {needs}"
            changes.append(Change("option", "changed", subject, detail, "major"))
        if (was.label, was.help) != (option.label, option.help):
            changes.append(Change("option", "reworded", subject, f"option {value!r}: {_short(option.label)}", "patch"))
    if isinstance(old, MultipleChoiceQuestion) and isinstance(new, MultipleChoiceQuestion):
        for name in ("combine", "min_selected", "max_selected"):
            if getattr(old, name) != getattr(new, name):
                detail = f"{name}: {getattr(old, name)} -> {getattr(new, name)}"
                changes.append(Change("question", "changed", subject, detail, "major"))
    return changes


def _sections(base: CompiledQuestionnaire, head: CompiledQuestionnaire) -> list[Change]:
    changes: list[Change] = []
    before = {s.id: s for s in base.spec.sections}
    after = {s.id: s for s in head.spec.sections}
    for index, section in enumerate(head.spec.sections, 1):
        subject = f"section {index} {section.id}"
        was = before.get(section.id)
        if was is None:
            changes.append(Change("section", "added", subject, section.title, "major"))
            continue
        for name in ("weight", "role", "when"):
            if getattr(was, name) != getattr(section, name):
                detail = f"{name}: {getattr(was, name)} -> {getattr(section, name)}"
                changes.append(Change("section", "changed", subject, detail, "major"))
        if (was.title, was.description) != (section.title, section.description):
            changes.append(Change("section", "reworded", subject, section.title, "patch"))
    for index, section in enumerate(base.spec.sections, 1):
        if section.id not in after:
            changes.append(Change("section", "removed", f"section {index} {section.id}", section.title, "major"))
    return changes


def _rules(base: CompiledQuestionnaire, head: CompiledQuestionnaire) -> list[Change]:
    changes: list[Change] = []
    before = {r.id: r for r in base.spec.rules}
    after = {r.id: r for r in head.spec.rules}
    for rule_id, rule in after.items():
        subject = f"rule {rule_id}"
        was = before.get(rule_id)
        if was is None:
            changes.append(Change("rule", "added", subject, f"{rule.severity}, when {rule.when}", "major"))
            continue
        old, new = was.model_dump(exclude=_RULE_WORDING), rule.model_dump(exclude=_RULE_WORDING)
        for name in sorted(old):
            if old[name] != new[name]:
                changes.append(Change("rule", "changed", subject, f"{name}: {old[name]} -> {new[name]}", "major"))
        if any(getattr(was, name) != getattr(rule, name) for name in _RULE_WORDING):
            changes.append(Change("rule", "reworded", subject, _short(rule.message), "patch"))
    for rule_id, rule in before.items():
        if rule_id not in after:
            changes.append(Change("rule", "removed", f"rule {rule_id}", f"{rule.severity}, when {rule.when}", "major"))
    return changes


def _scoring(base: CompiledQuestionnaire, head: CompiledQuestionnaire) -> list[Change]:
    changes: list[Change] = []
    old, new = base.spec.scoring, head.spec.scoring
    settings_old, settings_new = old.model_dump(exclude={"tiers"}), new.model_dump(exclude={"tiers"})
    for name in sorted(set(settings_old) | set(settings_new)):
        if settings_old.get(name) != settings_new.get(name):
            detail = f"{name}: {settings_old.get(name)} -> {settings_new.get(name)}"
            changes.append(Change("scoring", "changed", "scoring", detail, "major"))
    before = {t.id: t for t in old.tiers}
    after = {t.id: t for t in new.tiers}
    for tier_id, tier in after.items():
        was = before.get(tier_id)
        bound = tier.min if tier.min is not None else tier.max_fraction
        if was is None:
            changes.append(Change("tier", "added", f"tier {tier_id}", f"from {bound}", "major"))
        elif (was.min, was.max_fraction) != (tier.min, tier.max_fraction):
            was_bound = was.min if was.min is not None else was.max_fraction
            changes.append(Change("tier", "changed", f"tier {tier_id}", f"bound: {was_bound} -> {bound}", "major"))
        elif (was.label, was.description) != (tier.label, tier.description):
            changes.append(Change("tier", "reworded", f"tier {tier_id}", _short(tier.label), "patch"))
    for tier_id in before:
        if tier_id not in after:
            changes.append(Change("tier", "removed", f"tier {tier_id}", "", "major"))
    if list(before) != list(after) and set(before) == set(after):
        changes.append(Change("tier", "changed", "tiers", f"order: {', '.join(before)} -> {', '.join(after)}", "major"))
    if (base.spec.gate and base.spec.gate.fail_on) != (head.spec.gate and head.spec.gate.fail_on):
        old_gate = base.spec.gate.fail_on if base.spec.gate else "none"
        new_gate = head.spec.gate.fail_on if head.spec.gate else "none"
        changes.append(Change("gate", "changed", "default gate", f"fail_on: {old_gate} -> {new_gate}", "minor"))
    return changes


def _classification(base: CompiledQuestionnaire, head: CompiledQuestionnaire) -> list[Change]:
    changes: list[Change] = []
    for key in ("classes", "flags"):
        before = {c.id: c for c in getattr(base, key)}
        after = {c.id: c for c in getattr(head, key)}
        what = key[:-2] if key == "classes" else "flag"
        for outcome_id, outcome in after.items():
            subject = f"{what} {outcome_id}"
            was = before.get(outcome_id)
            if was is None:
                changes.append(Change("classification", "added", subject, f"when {outcome.when.source}", "major"))
            elif was.when.source != outcome.when.source:
                detail = f"when: {was.when.source} -> {outcome.when.source}"
                changes.append(Change("classification", "changed", subject, detail, "major"))
            elif (was.applies_from, [d.id for d in was.duties]) != (
                outcome.applies_from,
                [d.id for d in outcome.duties],
            ):
                changes.append(Change("classification", "changed", subject, "dates or duties", "minor"))
            elif (was.label, was.references) != (outcome.label, outcome.references):
                changes.append(Change("classification", "reworded", subject, _short(outcome.label), "patch"))
        if list(before) != list(after) and set(before) <= set(after):
            order_before = [c for c in after if c in before]
            if order_before != list(before):
                changes.append(Change("classification", "changed", key, "the order classes are tried in", "major"))
        for outcome_id in before:
            if outcome_id not in after:
                changes.append(Change("classification", "removed", f"{what} {outcome_id}", "", "major"))
    return changes


def _short(value: Any, limit: int = 80) -> str:
    text = " ".join(str(value).split()) if value is not None else "none"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _listed(name: str, before: Iterable[str], after: Iterable[str]) -> str:
    old, new = set(before), set(after)
    parts = [f"+{v}" for v in sorted(new - old)] + [f"-{v}" for v in sorted(old - new)]
    return f"{name}: {' '.join(parts) or 'reordered'}"
