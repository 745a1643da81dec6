"""The ``migrations:`` block of a questionnaire, checked against the version that declares it.

What can be checked from the declaring file alone is checked when it loads, with the
position of the fault: versions that go backwards (which would let versions form a
cycle), the same step declared twice, renames and option maps to ids and values that
do not exist, and declarations that disagree about one question. What needs the
earlier version too (the old ids, the split conditions) is checked by
:mod:`riskcheck.lifecycle.migrate` when a migration is planned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core import expr
from riskcheck.core.errors import Problem
from riskcheck.core.questionnaire import (
    Migration,
    MultipleChoiceQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
)
from riskcheck.files.yamlio import Document, load_yaml

if TYPE_CHECKING:
    from riskcheck.core.compiler import CompiledQuestionnaire

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


@dataclass(frozen=True)
class Step:
    """One declared migration: from ``source`` to ``target``, declared in ``declared_in``."""

    source: str
    target: str
    migration: Migration
    declared_in: CompiledQuestionnaire
    index: int

    @property
    def label(self) -> str:
        return f"{self.source} -> {self.target}"

    def problem(self, loc: tuple[str | int, ...], message: str, *, key: bool = False, offset: int = 0) -> Problem:
        """A problem at ``migrations[index].<loc>`` in the declaring file."""
        where = ("migrations", self.index, *loc)
        return _document(self.declared_in.source).problem(where, message, key=key, offset=offset)


def _document(path: str) -> Document:
    return load_yaml(Path(path), what="questionnaire")


def semver_key(version: str) -> tuple[Any, ...]:
    """A sort key that orders versions as semantic versioning does (a pre-release comes first)."""
    match = _SEMVER.match(version)
    if match is None:
        return (0, 0, 0, 0, ())
    major, minor, patch, pre = match.groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    parts = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, parts)


def target_version(spec: Questionnaire, migration: Migration) -> str:
    """The version a migration moves answers to (the declaring questionnaire's unless ``to`` says)."""
    return migration.to or spec.version


def check_migrations(spec: Questionnaire, document: Document, questions: Mapping[str, Question]) -> list[Problem]:
    """Every fault of ``spec.migrations`` that the declaring file alone shows."""
    problems: list[Problem] = []
    steps: dict[tuple[str, str], int] = {}
    for index, migration in enumerate(spec.migrations):
        loc: tuple[str | int, ...] = ("migrations", index)
        target = target_version(spec, migration)
        if semver_key(migration.from_version) >= semver_key(target):
            problems.append(
                document.problem(
                    (*loc, "from"),
                    f"a migration goes from an older version to a newer one, got from {migration.from_version} "
                    f"to {target}; a migration back would let versions form a cycle",
                )
            )
            continue
        if migration.to is not None and semver_key(migration.to) > semver_key(spec.version):
            problems.append(
                document.problem(
                    (*loc, "to"), f"expected a version no newer than this one ({spec.version}), got {migration.to}"
                )
            )
            continue
        step = (migration.from_version, target)
        if step in steps:
            problems.append(
                document.problem(
                    (*loc, "from"),
                    f"two migrations from {step[0]} to {step[1]} (migrations[{steps[step]}] and "
                    f"migrations[{index}]); declare each step once",
                )
            )
            continue
        steps[step] = index
        if target == spec.version:
            problems.extend(_check_step(spec, migration, document, loc, questions))
    return problems


def _check_step(
    spec: Questionnaire,
    migration: Migration,
    document: Document,
    loc: tuple[str | int, ...],
    questions: Mapping[str, Question],
) -> list[Problem]:
    """The faults of one step into this very version: every id it names must exist here."""
    from riskcheck.core.loader import normalise_answer

    problems: list[Problem] = []
    here = f"{spec.id}@{spec.version}"
    #: old id -> what the migration does with it, to find declarations that disagree.
    fate: dict[str, str] = {}
    #: new id -> where it comes from.
    filled: dict[str, str] = {}

    def decide(old: str, what: str, where: tuple[str | int, ...]) -> None:
        if old in fate and fate[old] != what:
            problems.append(
                document.problem(where, f"{old!r} is both {fate[old]} and {what}; the migration must say one", key=True)
            )
        fate.setdefault(old, what)

    def fill(new: str, source: str, where: tuple[str | int, ...]) -> None:
        if new in filled:
            problems.append(
                document.problem(where, f"{new!r} is filled both from {filled[new]} and from {source}", key=True)
            )
        filled.setdefault(new, source)

    for old, new in migration.renamed.items():
        where = (*loc, "renamed", old)
        if new not in questions:
            problems.append(document.problem(where, f"renames {old!r} to {new!r}, which is not a question of {here}"))
        decide(old, f"renamed to {new!r}", where)
        fill(new, f"{old!r}", where)
    for old, targets in migration.split.items():
        where = (*loc, "split", old)
        decide(old, f"split into {', '.join(repr(t) for t in targets)}", where)
        for new, cases in targets.items():
            new_where = (*where, new)
            fill(new, f"the split of {old!r}", new_where)
            question = questions.get(new)
            if question is None:
                problems.append(
                    document.problem(new_where, f"splits {old!r} into {new!r}, which is not a question of {here}")
                )
                continue
            for c_index, case in enumerate(cases):
                try:
                    normalise_answer(question, case.value)
                except ValueError as exc:
                    problems.append(document.problem((*new_where, c_index, "value"), f"{new}: {exc}"))
    for old, _reason in migration.removed.items():
        where = (*loc, "removed", old)
        decide(old, "removed", where)
        if old in questions and old not in filled:
            problems.append(
                document.problem(where, f"{old!r} is declared removed, but {here} still has a question {old!r}")
            )
    for qid in migration.changed_meaning:
        where = (*loc, "changed_meaning", qid)
        decide(qid, "archived as changed in meaning", where)
        if qid not in questions:
            problems.append(
                document.problem(where, f"{qid!r} changed meaning, but it is not a question of {here}", key=True)
            )
    for qid, mapping in migration.options.items():
        where = (*loc, "options", qid)
        question = questions.get(qid)
        if question is None:
            problems.append(
                document.problem(where, f"maps the options of {qid!r}, which is not a question of {here}", key=True)
            )
            continue
        if not isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            problems.append(
                document.problem(
                    where, f"maps options of {qid!r}, a {question.type} question without options", key=True
                )
            )
            continue
        values = [o.value for o in question.options]
        for old_value, new_value in mapping.items():
            if new_value is not None and new_value not in values:
                problems.append(
                    document.problem(
                        (*where, old_value),
                        f"maps {old_value!r} to {new_value!r}, which is not an option of {qid!r} in {here} "
                        f"(options: {', '.join(values)})",
                    )
                )
    return problems


def variables_of(compiled: CompiledQuestionnaire) -> dict[str, expr.Variable]:
    """What the expression checker knows of each question of ``compiled``."""
    from riskcheck.core.compiler import _KINDS

    variables = {}
    for qid, entry in compiled.questions.items():
        question = entry.question
        options = None
        if isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            options = frozenset(o.value for o in question.options)
        variables[qid] = expr.Variable(_KINDS[question.type], options)
    return variables


def check_step(step: Step, old: CompiledQuestionnaire) -> list[Problem]:
    """Faults of one step that need the earlier version ``old``: ids and values it does not have."""
    here = f"{old.id}@{old.version}"
    migration = step.migration
    problems: list[Problem] = []
    moved_away = set(migration.renamed) | set(migration.split) | set(migration.removed)
    for source, new in migration.renamed.items():
        if source not in old.questions:
            problems.append(
                step.problem(("renamed", source), f"renames {source!r}, which is not a question of {here}", key=True)
            )
        elif new in old.questions and new not in moved_away:
            problems.append(
                step.problem(
                    ("renamed", source),
                    f"renames {source!r} to {new!r}, but {here} already has a question {new!r} "
                    "that this migration keeps; the two answers would collide",
                )
            )
    variables = variables_of(old)
    for source, targets in migration.split.items():
        if source not in old.questions:
            problems.append(
                step.problem(("split", source), f"splits {source!r}, which is not a question of {here}", key=True)
            )
            continue
        for new, cases in targets.items():
            if new in old.questions and new not in moved_away:
                problems.append(
                    step.problem(
                        ("split", source, new),
                        f"splits {source!r} into {new!r}, but {here} already has a question {new!r} "
                        "that this migration keeps",
                        key=True,
                    )
                )
            for index, case in enumerate(cases):
                try:
                    expr.compile_expression(case.when, variables)
                except expr.ExpressionError as exc:
                    where = ("split", source, new, index, "when")
                    message = f"{exc} (conditions read the answers to {here})"
                    problems.append(step.problem(where, message, offset=exc.offset))
    for source in migration.removed:
        if source not in old.questions:
            problems.append(
                step.problem(("removed", source), f"removes {source!r}, which is not a question of {here}", key=True)
            )
    renamed_back = {new: source for source, new in migration.renamed.items()}
    for qid, mapping in migration.options.items():
        question = old.questions.get(renamed_back.get(qid, qid))
        if question is None or not isinstance(question.question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            continue  # a question new in this version: nothing to map from
        values = [o.value for o in question.question.options]
        for value in mapping:
            if value not in values:
                problems.append(
                    step.problem(
                        ("options", qid, value),
                        f"maps {value!r}, which is not an option of {question.id!r} in {here} "
                        f"(options: {', '.join(values)})",
                        key=True,
                    )
                )
    return problems
