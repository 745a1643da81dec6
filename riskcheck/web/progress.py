"""What is left to do in an assessment, and why its tier is what it is, for the web form.

Pure functions over a :class:`~riskcheck.authoring.fill.FillState` and its
:class:`~riskcheck.core.result.Result`: which answers are still required, which
unanswered questions could still change the tier or the classification (so the
result is provisional), each section's status, and the tier explained in words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from riskcheck.authoring.fill import FillState
from riskcheck.core.compiler import CompiledQuestion, CompiledQuestionnaire
from riskcheck.core.i18n import _, _n
from riskcheck.core.result import Finding, Result
from riskcheck.core.vocabulary import SEVERITY_RANK

_DECISIVE: dict[str, frozenset[str]] = {}
_DECISIVE_GUARD = threading.Lock()


def decisive_questions(questionnaire: CompiledQuestionnaire) -> frozenset[str]:
    """The questions whose answers can change the tier, a finding or the classification.

    Those that rules and classification outcomes read, those that carry risk points
    (the tiers read the score), and, transitively, those that decide whether any of
    them is asked at all.
    """
    key = questionnaire.sha256
    with _DECISIVE_GUARD:
        known = _DECISIVE.get(key)
    if known is not None:
        return known
    names: set[str] = set()
    for rule in questionnaire.rules:
        names |= rule.when.names
    for outcome in (*questionnaire.classes, *questionnaire.flags):
        names |= outcome.when.names
    names |= {qid for qid, question in questionnaire.questions.items() if question.max_points > 0}
    frontier = list(names)
    while frontier:
        question = questionnaire.questions.get(frontier.pop())
        if question is None:
            continue
        gates: set[str] = set(question.when.names) if question.when is not None else set()
        section_when = questionnaire.section_when.get(question.section.id)
        if section_when is not None:
            gates |= section_when.names
        for name in gates - names:
            names.add(name)
            frontier.append(name)
    decisive = frozenset(name for name in names if name in questionnaire.questions)
    with _DECISIVE_GUARD:
        _DECISIVE[key] = decisive
    return decisive


def open_decisive(state: FillState) -> list[str]:
    """Questions that apply, have no answer, and could still change the tier or class."""
    decisive = decisive_questions(state.questionnaire)
    return [q.id for q in state.visible_questions() if q.id in decisive and not state.is_answered(q.id)]


@dataclass(frozen=True)
class QuestionLink:
    id: str
    text: str
    section: str


@dataclass(frozen=True)
class SectionStatus:
    id: str
    title: str
    #: "not-started", "in-progress", "done" or "hidden" (no question applies).
    status: str
    answered: int
    total: int
    findings: int

    @property
    def label(self) -> str:
        text = {
            "not-started": _("Not started"),
            "in-progress": _("In progress"),
            "done": _("Done"),
            "hidden": _("Not asked"),
        }[self.status]
        if self.findings:
            text += ", " + _n("{count} finding", "{count} findings", self.findings)
        return text


@dataclass(frozen=True)
class FindingView:
    id: str
    severity: str
    message: str
    mitigation: str
    blocks_launch: bool
    #: The answers behind it, as links to their questions.
    answers: tuple[QuestionLink, ...]
    #: Fairness figures behind it (name, value), when it came from the evidence.
    figures: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Status:
    """Everything the panel, the section list and the "what's left" list show."""

    provisional: bool
    #: Why the result is provisional, in words (empty when it is not).
    reasons: tuple[str, ...]
    #: Unanswered questions that could still change the tier or class.
    undecided: tuple[QuestionLink, ...]
    #: Required questions that apply and have no answer, in questionnaire order.
    missing: tuple[QuestionLink, ...]
    #: Any question that applies and has no answer, first in questionnaire order.
    next_unanswered: QuestionLink | None
    sections: tuple[SectionStatus, ...]
    findings: tuple[FindingView, ...]
    #: Why the tier is what it is, in one sentence.
    tier_reason: str
    #: What to do next, most consequential first.
    actions: tuple[str, ...]


def status(state: FillState, result: Result, fairness_note: str | None = None) -> Status:
    """``fairness_note`` says why declared fairness figures are missing (``None``: they are not)."""
    questions = state.questionnaire.questions

    def link(qid: str) -> QuestionLink:
        question = questions[qid]
        return QuestionLink(qid, question.question.text, question.section.title)

    visible = state.visible_questions()
    unanswered = [q.id for q in visible if not state.is_answered(q.id)]
    missing = tuple(link(q.id) for q in visible if q.question.required and not state.is_answered(q.id))
    undecided = tuple(link(qid) for qid in open_decisive(state))
    findings = tuple(_finding(f, questions, link) for f in result.findings)
    by_section: dict[str, int] = {}
    for finding in findings:
        for section_id in {questions[a.id].section.id for a in finding.answers}:
            by_section[section_id] = by_section.get(section_id, 0) + 1
    missing_by_section = {questions[q.id].section.id for q in missing}
    sections = tuple(
        SectionStatus(
            p.id,
            p.title,
            _section_state(p.answered, p.total, p.visible, p.id in missing_by_section),
            p.answered,
            p.total,
            by_section.get(p.id, 0),
        )
        for p in state.progress()
    )
    reasons = []
    if undecided:
        count = len(undecided)
        reasons.append(
            _n(
                "{count} unanswered question can still change the tier or the class",
                "{count} unanswered questions can still change the tier or the class",
                count,
            )
        )
    if fairness_note and any(rule.when.fairness_names for rule in state.questionnaire.rules):
        reasons.append(_("the fairness figures that rules read are not available"))
    return Status(
        provisional=bool(reasons),
        reasons=tuple(reasons),
        undecided=undecided,
        missing=missing,
        next_unanswered=link(unanswered[0]) if unanswered else None,
        sections=sections,
        findings=findings,
        tier_reason=tier_reason(state.questionnaire, result),
        actions=_actions(result, undecided, missing),
    )


def _section_state(answered: int, total: int, visible: bool, missing_required: bool) -> str:
    """Done once every required question that applies is answered (optional ones may stay empty)."""
    if not visible:
        return "hidden"
    if not missing_required and (answered or total == 0 or answered == total):
        return "done"
    return "in-progress" if answered else "not-started"


def _finding(
    finding: Finding, questions: Mapping[str, CompiledQuestion], link: Callable[[str], QuestionLink]
) -> FindingView:
    answers = tuple(link(name) for name, _value in finding.triggered_by if name in questions)
    figures = tuple((name, _figure(value)) for name, value in finding.triggered_by if name not in questions)
    return FindingView(
        finding.id,
        finding.severity,
        finding.message,
        finding.mitigation,
        finding.blocks_launch,
        answers,
        figures,
    )


def _figure(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def tier_reason(questionnaire: CompiledQuestionnaire, result: Result) -> str:
    """ "High because rule X escalated it (the score alone gives Medium)", or the score's reason."""
    labels = {tier_id: label for tier_id, label, _threshold in result.tiers}
    messages = {rule.rule.id: rule.rule.message for rule in questionnaire.rules}
    tier = result.tier_label
    from_score = result.trace.tier_from_score
    if result.trace.escalated_by and from_score != result.tier:
        rules = "; ".join(f"“{messages.get(r, r)}”" for r in result.trace.escalated_by)
        alone = labels.get(from_score, from_score)
        return _n(
            "{tier} because the finding {rules} raises it; the score alone gives {alone}.",
            "{tier} because the findings {rules} raise it; the score alone gives {alone}.",
            len(result.trace.escalated_by),
            tier=tier,
            rules=rules,
            alone=alone,
        )
    serious = [f for f in result.findings if SEVERITY_RANK.get(f.severity, 9) <= 1 and not f.blocks_launch]
    open_serious = ""
    if serious:
        count = len(serious)
        open_serious = " " + _n(
            "{count} high or critical finding is open: the tier does not count it, "
            "but reviewers will expect the mitigation.",
            "{count} high or critical findings are open: the tier does not count them, "
            "but reviewers will expect the mitigation.",
            count,
        )
    if result.blocked:
        return _("{tier} from the score, and launch is blocked by a knock-out finding.", tier=tier) + open_serious
    return _("{tier} from the score of the answers given so far.", tier=tier) + open_serious


def _actions(result: Result, undecided: tuple[QuestionLink, ...], missing: tuple[QuestionLink, ...]) -> tuple[str, ...]:
    """Next steps, most consequential first: what blocks launch, what raised the tier,
    the serious findings, then the questions that can still change the result."""
    ranked = sorted(
        result.findings,
        key=lambda f: (
            not f.blocks_launch,
            f.id not in result.trace.escalated_by,
            SEVERITY_RANK.get(f.severity, 9),
        ),
    )
    actions = [
        f.mitigation
        for f in ranked
        if f.blocks_launch or f.id in result.trace.escalated_by or SEVERITY_RANK.get(f.severity, 9) <= 1
    ]
    if undecided:
        count = len(undecided)
        actions.append(
            _n(
                "Answer the {count} question that can still change the tier or the class.",
                "Answer the {count} questions that can still change the tier or the class.",
                count,
            )
        )
    elif missing:
        actions.append(
            _n(
                "Answer the {count} remaining required question.",
                "Answer the {count} remaining required questions.",
                len(missing),
            )
        )
    if result.status == "complete" and not undecided and result.signoffs.status != "approved":
        actions.append(_("Ask the reviewers to sign off."))
    return tuple(dict.fromkeys(actions))
