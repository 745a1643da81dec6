"""Turn a validated questionnaire into something fast to evaluate.

Everything that can be wrong across the document is checked here, once, with the
file position of the fault: duplicate ids, expressions (unknown questions, options
that do not exist, type mismatches), circular ``when:`` conditions, tiers named by
rules, and the sections the scoring model needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from riskcheck.core import expr
from riskcheck.core.errors import Problem, SpecError
from riskcheck.core.questionnaire import (
    REFERENCE_PATTERNS,
    EvidenceQuestion,
    ImpactMitigationScoring,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    Rule,
    Section,
    SingleChoiceQuestion,
    YesNoQuestion,
)
from riskcheck.files.yamlio import Document

PointsFn = Callable[[Any], float]
#: (question id, section id, visibility condition, required, needs evidence links,
#:  points function, points when unanswered, maximum points)
PlanStep = tuple[str, str, "expr.Compiled | None", bool, bool, PointsFn, float, float]

_KINDS = {
    "yes_no": expr.BOOL,
    "single_choice": expr.STR,
    "multiple_choice": expr.SET,
    "number": expr.NUMBER,
    "text": expr.STR,
    "date": expr.DATE,
    "evidence": expr.LIST,
}


@dataclass(frozen=True)
class CompiledQuestion:
    question: Question
    section: Section
    section_index: int
    index: int
    when: expr.Expression | None
    max_points: float
    points: PointsFn

    @property
    def id(self) -> str:
        return self.question.id


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    when: expr.Expression
    escalate_index: int | None


@dataclass(frozen=True)
class CompiledDuty:
    id: str
    label: str
    references: tuple[str, ...]
    applies_from: dt.date | None
    when: expr.Expression | None


@dataclass(frozen=True)
class CompiledClass:
    id: str
    label: str
    references: tuple[str, ...]
    when: expr.Expression
    applies_from: dt.date | None = None
    duties: tuple[CompiledDuty, ...] = ()


@dataclass(frozen=True)
class CompiledQuestionnaire:
    spec: Questionnaire
    source: str
    #: Questions in an order where every ``when:`` comes after what it reads.
    order: tuple[CompiledQuestion, ...]
    questions: dict[str, CompiledQuestion]
    section_when: dict[str, expr.Expression]
    section_max: dict[str, float]
    rules: tuple[CompiledRule, ...]
    classes: tuple[CompiledClass, ...]
    flags: tuple[CompiledClass, ...]
    tier_ids: tuple[str, ...]
    #: The evaluation plan, flattened for speed: one tuple per question, in ``order``.
    plan: tuple[PlanStep, ...]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @cached_property
    def rule_conditions(self) -> tuple[tuple[expr.Compiled, CompiledRule], ...]:
        """Each rule with its condition's function, for the scoring loop."""
        return tuple((rule.when.evaluate, rule) for rule in self.rules)

    @cached_property
    def tier_rows(self) -> tuple[tuple[str, str, float], ...]:
        """(id, label, lower bound) per tier, for weighted-sections scoring."""
        return tuple((t.id, t.label or t.id, float(t.min or 0)) for t in self.spec.scoring.tiers)

    @cached_property
    def sha256(self) -> str:
        """Hash of the canonical questionnaire (independent of YAML layout and comments)."""
        from riskcheck.core.result import canonical_hash

        return canonical_hash(self.spec.model_dump(mode="json"))


def compile_questionnaire(spec: Questionnaire, document: Document) -> CompiledQuestionnaire:
    """Check cross-references and compile expressions; raise :class:`SpecError` with every problem.

    The phases, in order: index the questions, compile the ``when:`` conditions and
    order the questions by them, the rules, the classification, the checks on the
    whole document, then (when nothing was wrong) the evaluation plan.
    """
    compiler = _Compiler(spec, document)
    compiler.index_questions()
    section_when, whens, order_ids = compiler.conditions()
    rules = compiler.rules()
    classes, flags = compiler.classification()
    compiler.check_scoring_sections()
    compiler.check_migrations()
    if compiler.problems:
        raise SpecError.from_problems(compiler.problems)
    return compiler.assemble(section_when, whens, order_ids, rules, classes, flags)


class _Compiler:
    """The state the phases of :func:`compile_questionnaire` share; each phase adds
    what it finds wrong to ``problems``, so that every problem is reported at once."""

    def __init__(self, spec: Questionnaire, document: Document) -> None:
        self.spec = spec
        self.document = document
        self.problems: list[Problem] = []
        self.variables: dict[str, expr.Variable] = {}
        #: question id -> (section index, question index, section, question)
        self.located: dict[str, tuple[int, int, Section, Question]] = {}
        self.declared_frameworks = {f.id for f in spec.frameworks} | set(REFERENCE_PATTERNS)
        self.tier_ids = tuple(t.id for t in spec.scoring.tiers)

    def index_questions(self) -> None:
        """Unique section and question ids, reserved words, the expression variables, framework references."""
        spec, document, problems, located = self.spec, self.document, self.problems, self.located
        section_ids: set[str] = set()
        for s_index, section in enumerate(spec.sections):
            if section.id in section_ids:
                problems.append(
                    document.problem(("sections", s_index, "id"), f"section id {section.id!r} appears twice")
                )
            section_ids.add(section.id)
            for q_index, question in enumerate(section.questions):
                loc: tuple[str | int, ...] = ("sections", s_index, "questions", q_index)
                if question.id in located:
                    first = located[question.id]
                    problems.append(
                        document.problem(
                            (*loc, "id"),
                            f"question id {question.id!r} is already used by "
                            f"sections[{first[0]}].questions[{first[1]}]",
                        )
                    )
                    continue
                if question.id in expr.CONSTANT_NAMES or question.id in expr.FUNCTIONS or question.id == "fairness":
                    problems.append(document.problem((*loc, "id"), f"{question.id!r} is a reserved word"))
                located[question.id] = (s_index, q_index, section, question)
                options = None
                if isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
                    options = frozenset(o.value for o in question.options)
                self.variables[question.id] = expr.Variable(_KINDS[question.type], options)
                for r_index, reference in enumerate(question.references):
                    self.check_framework(reference, (*loc, "references", r_index))

    def compile_at(self, source: str, loc: tuple[str | int, ...]) -> expr.Expression | None:
        try:
            return expr.compile_expression(source, self.variables, FAIRNESS_METRICS)
        except expr.ExpressionError as exc:
            self.problems.append(self.document.problem(loc, str(exc), offset=exc.offset))
            return None

    def check_framework(self, reference: str, loc: tuple[str | int, ...]) -> None:
        _check_framework(reference, self.declared_frameworks, self.document, loc, self.problems)

    def conditions(
        self,
    ) -> tuple[dict[str, expr.Expression], dict[str, expr.Expression | None], list[str]]:
        """Section and question conditions, and the question order that respects them."""
        whens: dict[str, expr.Expression | None] = {}
        section_when: dict[str, expr.Expression] = {}
        for s_index, section in enumerate(self.spec.sections):
            if section.when is not None:
                compiled = self.compile_at(section.when, ("sections", s_index, "when"))
                if compiled is not None:
                    section_when[section.id] = compiled
        for qid, (s_index, q_index, _section, question) in self.located.items():
            whens[qid] = None
            if question.when is not None:
                whens[qid] = self.compile_at(question.when, ("sections", s_index, "questions", q_index, "when"))
        depends: dict[str, set[str]] = {}
        for qid, (_, _, section, _) in self.located.items():
            condition = whens[qid]
            depends[qid] = set(condition.names) if condition is not None else set()
            if section.id in section_when:
                depends[qid] |= section_when[section.id].names
        order_ids = _topological(depends, self.located, self.document, self.problems)
        return section_when, whens, order_ids

    def rules(self) -> list[CompiledRule]:
        """Each rule's condition, and the tier it escalates to."""
        rules: list[CompiledRule] = []
        rule_ids: set[str] = set()
        tier_ids = self.tier_ids
        for r_index, rule in enumerate(self.spec.rules):
            loc = ("rules", r_index)
            if rule.id in rule_ids:
                self.problems.append(self.document.problem((*loc, "id"), f"rule id {rule.id!r} appears twice"))
            rule_ids.add(rule.id)
            escalate = None
            if rule.escalate_to is not None:
                if rule.escalate_to not in tier_ids:
                    self.problems.append(
                        self.document.problem(
                            (*loc, "escalate_to"),
                            f"unknown tier {rule.escalate_to!r}; expected one of: {', '.join(tier_ids)}",
                        )
                    )
                else:
                    escalate = tier_ids.index(rule.escalate_to)
            for i, reference in enumerate(rule.references):
                self.check_framework(reference, (*loc, "references", i))
            compiled_rule = self.compile_at(rule.when, (*loc, "when"))
            if compiled_rule is not None:
                rules.append(CompiledRule(rule, compiled_rule, escalate))
        return rules

    def classification(self) -> tuple[list[CompiledClass], list[CompiledClass]]:
        """The classification's classes and flags, each with its dated duties."""
        classes: list[CompiledClass] = []
        flags: list[CompiledClass] = []
        if self.spec.classification is None:
            return classes, flags
        for key, target in (("classes", classes), ("flags", flags)):
            for c_index, outcome in enumerate(getattr(self.spec.classification, key)):
                compiled_class = self.compile_at(outcome.when, ("classification", key, c_index, "when"))
                duties = []
                for d_index, duty in enumerate(outcome.duties):
                    duty_loc = ("classification", key, c_index, "duties", d_index)
                    duty_when = self.compile_at(duty.when, (*duty_loc, "when")) if duty.when is not None else None
                    for i, reference in enumerate(duty.references):
                        self.check_framework(reference, (*duty_loc, "references", i))
                    duties.append(
                        CompiledDuty(duty.id, duty.label, tuple(duty.references), duty.applies_from, duty_when)
                    )
                if compiled_class is not None:
                    target.append(
                        CompiledClass(
                            outcome.id,
                            outcome.label,
                            tuple(outcome.references),
                            compiled_class,
                            outcome.applies_from,
                            tuple(duties),
                        )
                    )
        return classes, flags

    def check_scoring_sections(self) -> None:
        """The sections the scoring model needs are there."""
        if isinstance(self.spec.scoring, ImpactMitigationScoring):
            roles = {s.role for s in self.spec.sections}
            for role in ("impact", "mitigation"):
                if role not in roles:
                    self.problems.append(
                        self.document.problem(
                            ("scoring", "model"),
                            f"impact_mitigation scoring needs at least one section with role: {role}",
                        )
                    )

    def check_migrations(self) -> None:
        """The questionnaire's migrations from earlier versions name questions that exist."""
        if self.spec.migrations:
            from riskcheck.core.migrations import check_migrations

            questions = {qid: entry[3] for qid, entry in self.located.items()}
            self.problems.extend(check_migrations(self.spec, self.document, questions))

    def assemble(
        self,
        section_when: dict[str, expr.Expression],
        whens: dict[str, expr.Expression | None],
        order_ids: list[str],
        rules: list[CompiledRule],
        classes: list[CompiledClass],
        flags: list[CompiledClass],
    ) -> CompiledQuestionnaire:
        """The compiled questionnaire and its flat evaluation plan, from a document without problems."""
        spec, located = self.spec, self.located
        compiled_questions: dict[str, CompiledQuestion] = {}
        for qid in order_ids:
            s_index, q_index, section, question = located[qid]
            compiled_questions[qid] = CompiledQuestion(
                question=question,
                section=section,
                section_index=s_index,
                index=q_index,
                when=whens[qid],
                max_points=max_points(question),
                points=points_function(question),
            )
        section_max = {
            section.id: sum(compiled_questions[q.id].max_points for q in section.questions) for section in spec.sections
        }
        plan = tuple(
            (
                q.id,
                q.section.id,
                _visibility(
                    section_when[q.section.id].evaluate if q.section.id in section_when else None,
                    q.when.evaluate if q.when is not None else None,
                ),
                q.question.required,
                isinstance(q.question, EvidenceQuestion),
                q.points,
                q.points(None),
                q.max_points,
            )
            for q in (compiled_questions[qid] for qid in order_ids)
        )
        return CompiledQuestionnaire(
            plan=plan,
            spec=spec,
            source=self.document.file,
            order=tuple(compiled_questions[qid] for qid in order_ids),
            questions={qid: compiled_questions[qid] for qid in located},
            section_when=section_when,
            section_max=section_max,
            rules=tuple(rules),
            classes=tuple(classes),
            flags=tuple(flags),
            tier_ids=self.tier_ids,
        )


class _FairnessMetricNames:
    """``fairness.<metric>`` names, imported only when an expression uses one.

    The fairness package's models are not needed to validate most questionnaires,
    and importing them costs start-up time.
    """

    def _names(self) -> frozenset[str]:
        from riskcheck.fairness.spec import METRIC_NAMES

        return METRIC_NAMES

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


FAIRNESS_METRICS = _FairnessMetricNames()


def _visibility(section: expr.Compiled | None, question: expr.Compiled | None) -> expr.Compiled | None:
    """One condition for a question: its section's and its own, both must hold."""
    if section is None:
        return question
    if question is None:
        return section
    return lambda env: bool(section(env)) and bool(question(env))


def _check_framework(
    reference: str, declared: set[str], document: Document, loc: tuple[str | int, ...], problems: list[Problem]
) -> None:
    framework = reference.partition(":")[0]
    if framework not in declared:
        problems.append(
            document.problem(
                loc,
                f"reference {reference!r} names framework {framework!r}, which is neither built in "
                f"({', '.join(sorted(REFERENCE_PATTERNS))}) nor declared under 'frameworks'",
            )
        )


def _topological(
    depends: dict[str, set[str]],
    located: dict[str, tuple[int, int, Section, Question]],
    document: Document,
    problems: list[Problem],
) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[frozenset[str]] = set()

    def visit(qid: str, stack: list[str]) -> None:
        mark = state.get(qid)
        if mark == 2:
            return
        if mark == 1:
            cycle = [*stack[stack.index(qid) :], qid]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                s_index, q_index, _, _ = located[cycle[0]]
                problems.append(
                    document.problem(
                        ("sections", s_index, "questions", q_index, "when"),
                        f"circular 'when:' conditions: {' -> '.join(cycle)}",
                    )
                )
            return
        state[qid] = 1
        stack.append(qid)
        for dependency in sorted(depends[qid]):
            if dependency in depends:
                visit(dependency, stack)
        stack.pop()
        state[qid] = 2
        order.append(qid)

    for qid in located:
        visit(qid, [])
    return order


# ---------------------------------------------------------------- points


def max_points(question: Question) -> float:
    """The most points an answer to ``question`` can give, from the questionnaire alone."""
    if isinstance(question, YesNoQuestion):
        return max(question.points.yes, question.points.no)
    if isinstance(question, SingleChoiceQuestion):
        return max(o.points for o in question.options)
    if isinstance(question, MultipleChoiceQuestion):
        values = sorted((o.points for o in question.options), reverse=True)
        if question.combine == "max":
            return values[0]
        return sum(values[: question.max_selected] if question.max_selected else values)
    if isinstance(question, NumberQuestion):
        return max((r.points for r in question.points), default=0)
    if isinstance(question, EvidenceQuestion):
        return question.points_if_missing
    return 0


class _PointsTable(dict[Any, float]):
    """Points by answer value; a value without points (or ``None``) scores 0."""

    def __missing__(self, key: Any) -> float:
        return 0


def points_function(question: Question) -> PointsFn:
    """A function from a normalised answer (or ``None``) to its points."""
    # Scoring throughput rests on these: where a table lookup does, the function is
    # the table's own (C-level) __getitem__, and an unknown value scores 0.
    if isinstance(question, YesNoQuestion):
        return _PointsTable({True: question.points.yes, False: question.points.no}).__getitem__
    if isinstance(question, SingleChoiceQuestion):
        return _PointsTable({o.value: o.points for o in question.options}).__getitem__
    if isinstance(question, MultipleChoiceQuestion):
        table = _PointsTable({o.value: o.points for o in question.options})
        if question.combine == "max":
            return lambda value: max(map(table.__getitem__, value), default=0) if value else 0
        return lambda value: sum(map(table.__getitem__, value)) if value else 0
    if isinstance(question, NumberQuestion):
        ranges = [
            (r.min if r.min is not None else float("-inf"), r.max if r.max is not None else float("inf"), r.points)
            for r in question.points
        ]

        def number_points(value: Any) -> float:
            if value is None:
                return 0
            for low, high, points in ranges:
                if low <= value <= high:
                    return points
            return 0

        return number_points
    if isinstance(question, EvidenceQuestion):
        missing, needed = question.points_if_missing, max(question.min_links, 1)
        return lambda value: missing if value is None or len(value) < needed else 0
    return lambda value: 0
