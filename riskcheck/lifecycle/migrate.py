"""Move an assessment's answers to a newer version of its questionnaire, losing nothing.

:func:`plan_migration` reads the assessment, finds the chain of declared migrations
from the version it answers to the target (:mod:`riskcheck.lifecycle.versions`), and works out
on plain data, step by step, where every answer goes: renamed, its option mapped,
split into new questions by the conditions the migration declares (riskcheck's own
expression language, never ``eval``), or archived under ``archived_answers:`` with the
reason. :func:`riskcheck.lifecycle.migrate_yaml.apply_plan` then replays the same operations on the round-trip YAML, so
comments and layout stay, and writes the file atomically under its edit lock. Every
fault is found while planning, before anything is written.

A migration that moves the file is logged in it, under ``migrated:`` (from, to and
when), and each sign-off record names the version it was made under: a record the
migration made stale says so, even one made before records named their version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from riskcheck.core import expr
from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.errors import AnswersError, Problem, RiskcheckError, SpecError
from riskcheck.core.loader import normalise_answer, problems_from_validation, validate_model
from riskcheck.core.migrations import Step, check_step, semver_key, variables_of
from riskcheck.files.yamlio import Document, load_yaml
from riskcheck.lifecycle.versions import Catalog, bundled_catalog, path_catalog


@dataclass(frozen=True)
class Moved:
    """An answer that moved: renamed, its option value mapped, or both."""

    question: str
    to: str
    before: Any
    after: Any
    step: str


@dataclass(frozen=True)
class Filled:
    """A new question filled from a split one; ``value`` is None when no declared case held."""

    question: str
    source: str
    value: Any
    step: str


@dataclass(frozen=True)
class Archived:
    """An answer kept under ``archived_answers:``; ``placed`` is False when the migration did not say where it went."""

    question: str
    version: str
    reason: str
    value: Any
    comment: str | None
    evidence: tuple[str, ...]
    placed: bool

    def entry(self) -> dict[str, Any]:
        """The ``archived_answers:`` item, as the file holds it."""
        item: dict[str, Any] = {"question": self.question, "version": self.version, "reason": self.reason}
        item["value"] = self.value
        if self.comment:
            item["comment"] = self.comment
        if self.evidence:
            item["evidence"] = list(self.evidence)
        return item


#: Operations replayed on the round-trip document: ("rename", old, new), ("set", id, value),
#: ("insert", id, raw answer, before id), ("archive", id, entry), ("drop", id), ("ref", version),
#: ("log", entry).
Operation = tuple[Any, ...]


@dataclass(frozen=True)
class MigrationPlan:
    path: Path
    questionnaire_id: str
    source: str
    target: str
    steps: tuple[str, ...]
    moved: tuple[Moved, ...]
    filled: tuple[Filled, ...]
    archived: tuple[Archived, ...]
    #: Required questions new in the target version that are shown and not answered.
    unanswered_required: tuple[str, ...]
    #: The answers as the migrated file holds them (plain data, in order).
    answers: dict[str, Any]
    operations: tuple[Operation, ...] = field(repr=False)
    #: How many sign-off records the file holds (a migration makes them stale).
    signoffs: int = 0
    #: The ``migrated:`` entry the migration adds to the file; ``None`` when nothing moves.
    logged: dict[str, str] | None = None

    @property
    def changed(self) -> bool:
        return bool(self.operations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessment": str(self.path),
            "questionnaire": self.questionnaire_id,
            "from": self.source,
            "to": self.target,
            "steps": list(self.steps),
            "moved": [
                {"question": m.question, "to": m.to, "before": _json(m.before), "after": _json(m.after), "step": m.step}
                for m in self.moved
            ],
            "filled": [
                {"question": f.question, "from": f.source, "value": _json(f.value), "step": f.step} for f in self.filled
            ],
            "archived": [_json(a.entry()) | {"placed": a.placed} for a in self.archived],
            "unanswered_required": list(self.unanswered_required),
            "migrated": self.logged,
        }


def _json(value: Any) -> Any:
    """Plain JSON data: dates as ISO text, lists and mappings all the way down."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_json(v) for v in items]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- planning


def plan_migration(path: Path, to: str | None = None, *, now: dt.datetime | None = None) -> MigrationPlan:
    """Where every answer of the assessment at ``path`` goes on the way to version ``to``.

    ``to`` is ``ID@VERSION`` or ``VERSION`` (default: the newest available version).
    ``now`` (default: the current UTC time, to the second) is the time logged under
    ``migrated:``. Raises :class:`RiskcheckError` with file, line and column for every fault.
    """
    from riskcheck.core.assessment import AssessmentFile

    path = Path(path)
    document = load_yaml(path, what="assessment")
    assessment = validate_model(AssessmentFile, document, AnswersError)
    catalog, source = _catalog(assessment.questionnaire, document, path)
    target = _target(catalog, to, source)
    old = catalog.get(source)
    if old is None:
        raise AnswersError.from_problems(
            [
                document.problem(
                    ("questionnaire",),
                    f"the assessment answers {catalog.questionnaire_id}@{source}, which is not available "
                    f"(available: {', '.join(catalog.versions())})",
                )
            ]
        )
    state = _checked_answers(document, assessment.answers, old)
    steps = catalog.chain(source, target)
    problems = [p for step in steps for p in check_step(step, catalog.loaded[step.source])]
    if problems:
        raise SpecError.from_problems(problems)
    work = _Work(catalog.questionnaire_id)
    for step in steps:
        state = work.apply(step, state, catalog)
    logged = None
    if steps:
        work.operations.append(("ref", target))
        logged = _log_entry(catalog.questionnaire_id, source, target, now)
        work.operations.append(("log", logged))
    final = catalog.loaded[target]
    return MigrationPlan(
        path=path,
        questionnaire_id=catalog.questionnaire_id,
        source=source,
        target=target,
        steps=tuple(step.label for step in steps),
        moved=tuple(work.moved),
        filled=tuple(work.filled),
        archived=tuple(work.archived),
        unanswered_required=_unanswered(final, old, state),
        answers=state,
        operations=tuple(work.operations),
        signoffs=len(assessment.signoffs),
        logged=logged,
    )


def _log_entry(questionnaire_id: str, source: str, target: str, now: dt.datetime | None) -> dict[str, str]:
    """The ``migrated:`` entry for a move from ``source`` to ``target``."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if moment.tzinfo is None:
        raise RiskcheckError(f"migrate: the timestamp needs a time zone, got {moment.isoformat()}")
    return {
        "from": f"{questionnaire_id}@{source}",
        "to": f"{questionnaire_id}@{target}",
        "timestamp": moment.isoformat(),
    }


def _catalog(ref: Any, document: Document, path: Path) -> tuple[Catalog, str]:
    """The versions available for the assessment's questionnaire, and the version it answers."""
    if ref.path is None:
        from riskcheck.core.loader import bundled_questionnaires

        if ref.id not in bundled_questionnaires():
            known = ", ".join(sorted(bundled_questionnaires())) or "none"
            raise AnswersError.from_problems(
                [document.problem(("questionnaire",), f"unknown bundled questionnaire {ref.id!r} (bundled: {known})")]
            )
        return bundled_catalog(ref.id), ref.version
    questionnaire = Path(ref.path)
    questionnaire = questionnaire if questionnaire.is_absolute() else path.parent / questionnaire
    if ref.version is None:
        raise AnswersError.from_problems(
            [
                document.problem(
                    ("questionnaire", "path"),
                    "the assessment does not say which version of its questionnaire it answers; "
                    "add questionnaire.version (the version the answers were given for) before migrating",
                )
            ]
        )
    if not questionnaire.is_file():
        raise AnswersError.from_problems(
            [document.problem(("questionnaire", "path"), f"no such questionnaire file: {questionnaire}")]
        )
    return path_catalog(questionnaire), ref.version


def _target(catalog: Catalog, to: str | None, source: str) -> str:
    """The version to move to: ``--to``, else the questionnaire file's own, else the newest."""
    own = next((v for v, f in catalog.files.items() if f == catalog.path), None)
    if to is None:
        return own or catalog.latest()
    qid, at, version = to.rpartition("@")
    if at and qid != catalog.questionnaire_id:
        raise RiskcheckError(
            f"--to {to}: the assessment answers {catalog.questionnaire_id}; "
            "a migration moves answers between versions of one questionnaire"
        )
    if version not in catalog.files:
        raise RiskcheckError(
            f"--to {to}: {catalog.questionnaire_id}@{version} is not available "
            f"(available: {', '.join(catalog.versions())})"
        )
    if own is not None and version != own:
        raise RiskcheckError(
            f"--to {to}: the assessment's questionnaire is {catalog.path}, which is "
            f"{catalog.questionnaire_id}@{own}; an assessment that names its questionnaire "
            "by path answers the version in that file, so it can only move to that version"
        )
    if semver_key(version) < semver_key(source):
        raise RiskcheckError(
            f"--to {to}: the assessment answers {catalog.questionnaire_id}@{source}, which is newer; "
            "migrations only move answers forward"
        )
    return version


def _checked_answers(document: Document, answers: Mapping[str, Any], old: CompiledQuestionnaire) -> dict[str, Any]:
    """The answers as written, after checking each against the version they answer."""
    from riskcheck.core.assessment import AnswerEntry

    problems: list[Problem] = []
    for qid, raw in answers.items():
        loc = ("answers", qid)
        compiled = old.questions.get(qid)
        if compiled is None:
            problems.append(document.problem(loc, f"no question {qid!r} in {old.id}@{old.version}", key=True))
            continue
        try:
            entry = AnswerEntry.model_validate(raw) if isinstance(raw, dict) else AnswerEntry(value=raw)
            normalise_answer(compiled.question, entry.value)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, document, loc))
        except ValueError as exc:
            problems.append(document.problem((*loc, "value") if isinstance(raw, dict) else loc, str(exc)))
    if problems:
        raise AnswersError.from_problems(problems)
    return dict(answers)


def value_of(raw: Any) -> Any:
    return raw.get("value") if isinstance(raw, dict) else raw


def _notes(raw: Any) -> tuple[str | None, tuple[str, ...]]:
    if not isinstance(raw, dict):
        return None, ()
    return raw.get("comment"), tuple(raw.get("evidence") or ())


def _plain(value: Any) -> Any:
    """A normalised answer as the file holds it (a set of options becomes a sorted list)."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


class _Work:
    """The running record of one migration: what moved, what was archived, the operations."""

    def __init__(self, questionnaire_id: str) -> None:
        self.questionnaire_id = questionnaire_id
        self.moved: list[Moved] = []
        self.filled: list[Filled] = []
        self.archived: list[Archived] = []
        self.operations: list[Operation] = []

    def archive(self, qid: str, raw: Any, version: str, reason: str, *, placed: bool) -> None:
        comment, evidence = _notes(raw)
        if value_of(raw) is None and not comment and not evidence:
            self.operations.append(("drop", qid))  # an empty placeholder: there is nothing to keep
            return
        entry = Archived(qid, f"{self.questionnaire_id}@{version}", reason, value_of(raw), comment, evidence, placed)
        self.archived.append(entry)
        self.operations.append(("archive", qid, entry.entry()))

    def apply(self, step: Step, state: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
        """The answers after ``step``; every answer that does not move is archived."""
        old, new = catalog.loaded[step.source], catalog.loaded[step.target]
        migration = step.migration
        env = {qid: None for qid in old.questions}
        for qid, raw in state.items():
            env[qid] = normalise_answer(old.questions[qid].question, value_of(raw))
        result: dict[str, Any] = {}
        for qid, raw in state.items():
            if qid in migration.removed:
                reason = f"removed in {new.id}@{new.version}: {migration.removed[qid]}"
                self.archive(qid, raw, step.source, reason, placed=True)
            elif qid in migration.split:
                self._split(step, qid, raw, env, (old, new), result)
            else:
                self._move(step, qid, raw, new, result)
        return result

    def _split(
        self,
        step: Step,
        qid: str,
        raw: Any,
        env: dict[str, Any],
        versions: tuple[CompiledQuestionnaire, CompiledQuestionnaire],
        result: dict[str, Any],
    ) -> None:
        old, new = versions
        variables = variables_of(old)  # the conditions read the answers to the earlier version
        targets = step.migration.split[qid]
        comment, evidence = _notes(raw)
        for target, cases in targets.items():
            value = None
            for case in cases:
                condition = expr.compile_expression(case.when, variables)
                if condition(env):
                    value = _plain(normalise_answer(new.questions[target].question, case.value))
                    break
            self.filled.append(Filled(target, qid, value, step.label))
            if value is None:
                continue
            filled: Any = value
            if comment or evidence:
                filled = {"value": value} | ({"comment": comment} if comment else {})
                filled |= {"evidence": list(evidence)} if evidence else {}
            result[target] = filled
            self.operations.append(("insert", target, filled, qid))
        names = ", ".join(repr(t) for t in targets)
        reason = f"split into {names} in {new.id}@{new.version}; the answer as given is kept here"
        self.archive(qid, raw, step.source, reason, placed=True)

    def _move(self, step: Step, qid: str, raw: Any, new: CompiledQuestionnaire, result: dict[str, Any]) -> None:
        migration = step.migration
        target = migration.renamed.get(qid, qid)
        here = f"{new.id}@{new.version}"
        if target in migration.changed_meaning:
            reason = f"the question changed meaning in {here}: {migration.changed_meaning[target]}"
            self.archive(qid, raw, step.source, reason, placed=True)
            return
        compiled = new.questions.get(target)
        if compiled is None:
            reason = f"{here} has no question {qid!r}, and its migration from {step.source} does not say where it went"
            self.archive(qid, raw, step.source, reason, placed=False)
            return
        before = value_of(raw)
        mapping = migration.options.get(target) or {}
        dropped = [v for v in _items(before) if v in mapping and mapping[v] is None]
        if dropped:
            names = ", ".join(repr(v) for v in dropped)
            reason = f"option {names} of {target!r} has no counterpart in {here}; answer the question again"
            self.archive(qid, raw, step.source, reason, placed=True)
            return
        after = _mapped(before, mapping)
        try:
            normalise_answer(compiled.question, after)
        except ValueError as exc:
            reason = f"not a valid answer to {target!r} in {here}: {exc}"
            self.archive(qid, raw, step.source, reason, placed=False)
            return
        if target in result:
            reason = f"{target!r} in {here} is already answered from another question"
            self.archive(qid, raw, step.source, reason, placed=False)
            return
        if target != qid:
            self.operations.append(("rename", qid, target))
        if after != before:
            self.operations.append(("set", target, after))
            raw = {**raw, "value": after} if isinstance(raw, dict) else after
        if target != qid or after != before:
            self.moved.append(Moved(qid, target, before, after, step.label))
        result[target] = raw


def _items(value: Any) -> list[Any]:
    """The option values an answer holds, as option text."""
    from riskcheck.core.questionnaire import option_text

    if value is None:
        return []
    return [option_text(v) for v in value] if isinstance(value, list) else [option_text(value)]


def _mapped(value: Any, mapping: Mapping[str, str | None]) -> Any:
    """``value`` with its option values mapped; merged values are listed once."""
    if not mapping or value is None:
        return value
    from riskcheck.core.questionnaire import option_text

    if isinstance(value, list):
        return list(dict.fromkeys(mapping.get(option_text(v), v) for v in value))
    return mapping.get(option_text(value), value)


def _unanswered(final: CompiledQuestionnaire, old: CompiledQuestionnaire, state: Mapping[str, Any]) -> tuple[str, ...]:
    from riskcheck.core.engine import visible_values

    values = {qid: normalise_answer(final.questions[qid].question, value_of(raw)) for qid, raw in state.items()}
    _env, visible = visible_values(final, values)
    return tuple(
        q.id
        for q in final.order
        if q.question.required and q.id in visible and values.get(q.id) is None and q.id not in old.questions
    )


# ---------------------------------------------------------------- writing


def migrate(
    path: Path, to: str | None = None, *, dry_run: bool = False, now: dt.datetime | None = None
) -> MigrationPlan:
    """Plan the migration of the assessment at ``path`` and, unless ``dry_run``, write it.

    The plan is made and written under the file's edit lock, so no other riskcheck
    edit can come between them. On any fault the file is left as it was. ``now`` is
    the time logged under ``migrated:`` (default: the current UTC time).
    """
    from riskcheck.files.fileio import edit_lock

    path = Path(path)
    if not path.is_file():
        raise RiskcheckError(f"{path}: no such file")
    with edit_lock(path):
        plan = plan_migration(path, to, now=now)
        if plan.changed and not dry_run:
            from riskcheck.lifecycle.migrate_yaml import apply_plan

            apply_plan(plan)
    return plan
