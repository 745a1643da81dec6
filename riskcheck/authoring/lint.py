"""Content lint for questionnaires: what a schema cannot see.

A questionnaire can be valid and still be poor content: a question with no help, a
rule with no mitigation, a question no answer can ever show, an option that changes
nothing. :func:`lint_questionnaire` finds these and returns them as data (never
raises for a finding), each with a code, the place in the file and a message.

Reachability is decided over the finite answer space of the questions a condition
reads. Choice and yes/no questions contribute their options (plus "unanswered");
number, text and date questions contribute the literals the questionnaire compares
them with. When the questions a condition reads, followed back through their own
conditions, give few enough combinations, every combination is tried with the real
visibility rules, so a verdict of "unreachable" is exact. Otherwise only the
condition's own inputs are enumerated (a question already shown unreachable counts
as always unanswered); if even that is too large, the question is given the benefit
of the doubt.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcheck.core import expr
from riskcheck.core.compiler import CompiledQuestion, CompiledQuestionnaire
from riskcheck.core.errors import Problem, RiskcheckError
from riskcheck.core.questionnaire import (
    REFERENCE_PATTERNS,
    DateQuestion,
    EvidenceQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from riskcheck.files.yamlio import Document, format_loc, load_yaml

#: Most answer combinations tried for one condition.
MAX_COMBINATIONS = 20_000
#: Random combinations tried first, so reachable conditions are settled quickly.
SAMPLES = 300
#: Multiple-choice questions with more relevant options than this are enumerated
#: by representative subsets (empty, each single option, all) instead of all subsets.
MAX_SUBSET_OPTIONS = 6

CODES = {
    "missing-help": "a question has no help text",
    "missing-reference": "a question cites no framework clause",
    "malformed-reference": "a reference is not a well-formed clause id",
    "missing-mitigation": "a rule has no mitigation",
    "unreachable-question": "no combination of answers shows the question",
    "rule-never-fires": "no combination of answers makes the rule fire",
    "class-never-matches": "no combination of answers selects the class or flag",
    "unused-option": "an option changes neither the score nor any condition",
    "unused-question": "a question changes neither the score nor any condition",
    "law-as-at-missing": "the questionnaire does not state the law it reflects (law_as_at)",
    "law-as-at-stale": "the questionnaire's law_as_at is older than the allowed number of months",
}

#: How many months old ``law_as_at`` may be before the lint warns (``--law-max-age``).
LAW_MAX_AGE_MONTHS = 12


@dataclass(frozen=True)
class LintProblem(Problem):
    """A content problem: a :class:`Problem` with a stable ``code``."""

    code: str = ""

    def __str__(self) -> str:
        return f"{super().__str__()} [{self.code}]"


def lint_questionnaire(
    compiled: CompiledQuestionnaire,
    document: Document | None = None,
    *,
    law_max_age_months: int = LAW_MAX_AGE_MONTHS,
    today: dt.date | None = None,
) -> list[LintProblem]:
    """Every content problem in ``compiled``, in file order.

    ``law_as_at`` older than ``law_max_age_months`` before ``today`` (default: the
    real date; content ages whatever the inputs) is reported as stale.
    """
    if document is None:
        document = _document_for(compiled)
    linter = _Linter(compiled, document)
    problems = linter.run()
    stale = _law_as_at_problem(compiled, linter, law_max_age_months, today or dt.date.today())
    if stale is not None:
        problems.insert(0, stale)
    return problems


def _law_as_at_problem(
    compiled: CompiledQuestionnaire, linter: _Linter, max_months: int, today: dt.date
) -> LintProblem | None:
    law = compiled.spec.law_as_at
    if law is None:
        linter.report(("id",), "law-as-at-missing", "no law_as_at: state the date and sources of the law it reflects")
        return linter.problems.pop()
    months = (today.year - law.date.year) * 12 + today.month - law.date.month - (today.day < law.date.day)
    if months < max_months:
        return None
    linter.report(
        ("law_as_at", "date"),
        "law-as-at-stale",
        f"law_as_at is {law.date.isoformat()}, {months} months before {today.isoformat()} "
        f"(at most {max_months}): check the sources for changes and update it",
    )
    return linter.problems.pop()


def _document_for(compiled: CompiledQuestionnaire) -> Document:
    path = Path(compiled.source)
    if path.is_file():
        try:
            return load_yaml(path, what="questionnaire")
        except RiskcheckError:
            pass
    return Document(file=compiled.source, data={})


# ---------------------------------------------------------------- expression usage


@dataclass
class _Usage:
    """What the expressions of a questionnaire do with each question."""

    #: Literal values each question is compared with (options, numbers, texts).
    literals: dict[str, set[Any]] = field(default_factory=dict)
    #: Questions whose whole value matters (len, count, compared with another question).
    whole: set[str] = field(default_factory=set)
    #: Questions read by any expression at all.
    read: set[str] = field(default_factory=set)

    def add(self, source: str, questions: Iterable[str]) -> None:
        known = set(questions)
        tree = ast.parse(source.strip(), mode="eval")
        handled: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for left, right in itertools.pairwise(operands):
                    for name, other in ((left, right), (right, left)):
                        if isinstance(name, ast.Name) and name.id in known:
                            values = _literals(other)
                            if values is not None:
                                self.literals.setdefault(name.id, set()).update(values)
                                handled.add(id(name))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "answered":
                handled.update(id(a) for a in node.args)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in known:
                self.read.add(node.id)
                if id(node) not in handled:
                    self.whole.add(node.id)


def _literals(node: ast.expr) -> list[Any] | None:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in node.elts):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return None


# ---------------------------------------------------------------- the linter


class _Linter:
    def __init__(self, compiled: CompiledQuestionnaire, document: Document) -> None:
        self.compiled = compiled
        self.document = document
        self.problems: list[LintProblem] = []
        self.usage = _Usage()
        for source in self._expression_sources():
            self.usage.add(source, compiled.questions)
        self.unreachable: set[str] = set()

    def _expression_sources(self) -> Iterator[str]:
        spec = self.compiled.spec
        for section in spec.sections:
            if section.when:
                yield section.when
            for question in section.questions:
                if question.when:
                    yield question.when
        for rule in spec.rules:
            yield rule.when
        if spec.classification is not None:
            for outcome in [*spec.classification.classes, *spec.classification.flags]:
                yield outcome.when
                yield from (duty.when for duty in outcome.duties if duty.when)

    def report(self, loc: Sequence[str | int], code: str, message: str) -> None:
        position = self.document.position(loc)
        line, column = position if position else (None, None)
        self.problems.append(LintProblem(self.document.file, message, line, column, format_loc(loc), code))

    def run(self) -> list[LintProblem]:
        spec = self.compiled.spec
        declared = {f.id for f in spec.frameworks}
        for cq in self.compiled.order:
            self._reachability(cq)
        for s_index, section in enumerate(spec.sections):
            for q_index, question in enumerate(section.questions):
                loc: tuple[str | int, ...] = ("sections", s_index, "questions", q_index)
                self._question(question, loc, declared)
        for r_index, rule in enumerate(spec.rules):
            loc = ("rules", r_index)
            if not rule.mitigation.strip():
                self.report((*loc, "mitigation"), "missing-mitigation", f"rule {rule.id!r} has no mitigation")
            self._references(rule.references, (*loc, "references"), declared)
            compiled_rule = next(r for r in self.compiled.rules if r.rule.id == rule.id)
            if self._satisfiable([compiled_rule.when]) is False:
                self.report(
                    (*loc, "when"),
                    "rule-never-fires",
                    f"rule {rule.id!r} can never fire: no combination of answers makes {rule.when!r} true",
                )
        if spec.classification is not None:
            for key, outcomes in (("classes", self.compiled.classes), ("flags", self.compiled.flags)):
                for c_index, outcome in enumerate(outcomes):
                    if self._satisfiable([outcome.when]) is False:
                        self.report(
                            ("classification", key, c_index, "when"),
                            "class-never-matches",
                            f"{key[:-1] if key == 'flags' else 'class'} {outcome.id!r} can never match: "
                            f"no combination of answers makes {outcome.when.source!r} true",
                        )
        self.problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.code))
        return self.problems

    # -------------------------------------------------------- per question

    def _question(self, question: Question, loc: tuple[str | int, ...], declared: set[str]) -> None:
        qid = question.id
        if not (question.help or "").strip():
            self.report((*loc, "id"), "missing-help", f"question {qid!r} has no help text")
        if not question.references:
            self.report((*loc, "id"), "missing-reference", f"question {qid!r} cites no framework clause")
        self._references(question.references, (*loc, "references"), declared)
        if qid in self.unreachable:
            self.report(
                (*loc, "when"),
                "unreachable-question",
                f"question {qid!r} can never be shown: no combination of answers makes its conditions true",
            )
        if question.informational:
            return
        compiled = self.compiled.questions[qid]
        if compiled.max_points == 0 and qid not in self.usage.read:
            self.report(
                (*loc, "id"),
                "unused-question",
                f"question {qid!r} gives no points and no condition reads it; "
                "use it in scoring or a rule, or mark it informational: true",
            )
            return
        if isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            points_differ = len({o.points for o in question.options}) > 1
            if points_differ or qid in self.usage.whole:
                return
            mentioned = self.usage.literals.get(qid, set())
            for o_index, option in enumerate(question.options):
                if option.points > 0 or option.informational or option.value in mentioned:
                    continue
                self.report(
                    (*loc, "options", o_index, "value"),
                    "unused-option",
                    f"option {option.value!r} of question {qid!r} changes neither the score nor any condition; "
                    "give it points, use it in a rule, or mark it informational: true",
                )

    def _references(self, references: Sequence[str], loc: tuple[str | int, ...], declared: set[str]) -> None:
        for index, reference in enumerate(references):
            framework, _, clause = reference.partition(":")
            pattern = REFERENCE_PATTERNS.get(framework)
            bad = (pattern is not None and not pattern.match(clause)) or (
                pattern is None and (framework not in declared or not clause or any(c.isspace() for c in clause))
            )
            if bad:
                self.report(
                    (*loc, index),
                    "malformed-reference",
                    f"reference {reference!r} is not a well-formed clause of a known or declared framework",
                )

    # -------------------------------------------------------- reachability

    def _reachability(self, cq: CompiledQuestion) -> None:
        conditions = self._conditions(cq)
        if conditions and self._satisfiable(conditions) is False:
            self.unreachable.add(cq.id)

    def _conditions(self, cq: CompiledQuestion) -> list[expr.Expression]:
        conditions = []
        section_when = self.compiled.section_when.get(cq.section.id)
        if section_when is not None:
            conditions.append(section_when)
        if cq.when is not None:
            conditions.append(cq.when)
        return conditions

    def _satisfiable(self, conditions: Sequence[expr.Expression]) -> bool | None:
        """True if some answers make every condition true; False if none do; None if undecided."""
        direct = sorted(set().union(*(c.names for c in conditions)))
        if any(c.fairness_names for c in conditions):
            return None  # fairness figures are unbounded numbers; do not judge
        if not direct:
            return bool(all(c({}) for c in conditions))
        closure = self._closure(direct)
        domains = {qid: self._domain(qid) for qid in closure}
        if _product(len(d) for d in domains.values()) <= MAX_COMBINATIONS:
            order = [cq for cq in self.compiled.order if cq.id in closure]
            return self._search(conditions, domains, order)
        direct_domains = {qid: ([None] if qid in self.unreachable else self._domain(qid)) for qid in direct}
        if _product(len(d) for d in direct_domains.values()) > MAX_COMBINATIONS:
            found = self._sample(conditions, direct_domains, [])
            return True if found else None
        return self._search(conditions, direct_domains, [])

    def _closure(self, names: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(names)
        while stack:
            qid = stack.pop()
            if qid in seen or qid not in self.compiled.questions:
                continue
            seen.add(qid)
            for condition in self._conditions(self.compiled.questions[qid]):
                stack.extend(condition.names)
        return seen

    def _search(
        self, conditions: Sequence[expr.Expression], domains: dict[str, list[Any]], order: list[CompiledQuestion]
    ) -> bool:
        if self._sample(conditions, domains, order):
            return True
        names = list(domains)
        for values in itertools.product(*(domains[n] for n in names)):
            if self._holds(conditions, dict(zip(names, values, strict=True)), order):
                return True
        return False

    def _sample(
        self, conditions: Sequence[expr.Expression], domains: dict[str, list[Any]], order: list[CompiledQuestion]
    ) -> bool:
        rng = random.Random(20240101)
        names = list(domains)
        for _ in range(SAMPLES):
            answers = {n: rng.choice(domains[n]) for n in names}
            if self._holds(conditions, answers, order):
                return True
        return False

    def _holds(
        self, conditions: Sequence[expr.Expression], answers: dict[str, Any], order: list[CompiledQuestion]
    ) -> bool:
        env: dict[str, Any] = dict(answers)
        for cq in order:  # apply the real visibility rules: hidden answers count as unanswered
            if not all(c(env) for c in self._conditions(cq)):
                env[cq.id] = None
        return all(bool(c(env)) for c in conditions)

    def _domain(self, qid: str) -> list[Any]:
        question = self.compiled.questions[qid].question
        literals = self.usage.literals.get(qid, set())
        values: list[Any] = [None]
        if isinstance(question, YesNoQuestion):
            values += [True, False]
        elif isinstance(question, SingleChoiceQuestion):
            values += [o.value for o in question.options]
        elif isinstance(question, MultipleChoiceQuestion):
            values += _subsets([o.value for o in question.options], literals)
        elif isinstance(question, NumberQuestion):
            values += _numbers(question, literals)
        elif isinstance(question, TextQuestion):
            values += ["text", *sorted(v for v in literals if isinstance(v, str))]
        elif isinstance(question, DateQuestion):
            values += _dates(literals)
        elif isinstance(question, EvidenceQuestion):
            values += [("https://example.com/evidence",)]
        return values


def _subsets(options: list[str], mentioned: set[Any]) -> list[frozenset[str]]:
    """Sets of options that differ in every way the expressions can tell apart."""
    relevant = [o for o in options if o in mentioned]
    others = [o for o in options if o not in mentioned]
    if others:
        relevant.append(others[0])  # one stand-in for the options no expression names
    if len(relevant) <= MAX_SUBSET_OPTIONS:
        return [
            frozenset(combo) for size in range(len(relevant) + 1) for combo in itertools.combinations(relevant, size)
        ]
    return [frozenset(), *(frozenset([o]) for o in relevant), frozenset(relevant)]


def _numbers(question: NumberQuestion, literals: set[Any]) -> list[float]:
    candidates: set[float] = {0.0}
    for value in literals:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            candidates.update({value - 1, value, value + 1})
    for points in question.points:
        for bound in (points.min, points.max):
            if bound is not None:
                candidates.add(bound)
    for bound in (question.min, question.max):
        if bound is not None:
            candidates.add(bound)
    low = question.min if question.min is not None else float("-inf")
    high = question.max if question.max is not None else float("inf")
    return sorted(float(c) for c in candidates if low <= c <= high)


def _dates(literals: set[Any]) -> list[dt.date]:
    dates = {dt.date(2025, 1, 1)}
    for value in literals:
        if isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue
            dates.update({day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)})
    return sorted(dates)


def _product(sizes: Iterable[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
        if total > MAX_COMBINATIONS:
            return total
    return total
