"""The risk change between two versions of one assessment.

Tier change, findings added and removed, answers that changed with their effect on
the score, fairness figures that moved, and approvals the change made stale.
Pure: it compares two loaded assessments and their results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from riskcheck.core.display import plain
from riskcheck.core.engine import AnswerSet, evaluate
from riskcheck.core.loader import LoadedAssessment, normalise_answer
from riskcheck.core.result import Result, dumps

#: Fairness figures closer than this are the same figure.
FIGURE_TOLERANCE = 1e-9
DIFF_SCHEMA = "riskcheck.diff/1"


@dataclass(frozen=True)
class AnswerChange:
    question: str
    before: Any
    after: Any
    #: The question's own points, before and after (None when it is not in that questionnaire).
    points_before: float | None
    points_after: float | None
    #: How much this change alone moves the score: the score with every change, minus the
    #: score with this answer put back as it was.
    score_effect: float | None


@dataclass(frozen=True)
class FigureChange:
    name: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class StaleApproval:
    name: str
    role: str
    timestamp: str


@dataclass(frozen=True)
class RiskDiff:
    base_label: str
    head_label: str
    base: Result
    head: Result
    findings_added: tuple[tuple[str, str, str], ...]  # id, severity, message
    findings_removed: tuple[tuple[str, str, str], ...]
    answers: tuple[AnswerChange, ...]
    figures: tuple[FigureChange, ...]
    stale_approvals: tuple[StaleApproval, ...]
    #: What the reader should know about how a side was read: a file a revision refers
    #: to that was taken from the working tree, say.
    warnings: tuple[str, ...] = ()

    @property
    def tier_change(self) -> int:
        """Positive when the risk tier went up."""
        return self.head.tier_index - self.base.tier_index

    @property
    def changed(self) -> bool:
        return bool(
            self.tier_change
            or self.base.score != self.head.score
            or self.findings_added
            or self.findings_removed
            or self.answers
            or self.figures
            or self.stale_approvals
        )

    def to_dict(self) -> dict[str, Any]:
        def side(result: Result, label: str) -> dict[str, Any]:
            return {
                "label": label,
                "tier": result.tier,
                "tier_label": result.tier_label,
                "score": result.score,
                "findings": len(result.findings),
                "signoff": result.signoffs.status,
            }

        return {
            "schema": DIFF_SCHEMA,
            "system": dict(self.head.system).get("name"),
            "base": side(self.base, self.base_label),
            "head": side(self.head, self.head_label),
            "tier_change": self.tier_change,
            "score_change": round(self.head.score - self.base.score, 4),
            "findings_added": [{"id": i, "severity": s, "message": m} for i, s, m in self.findings_added],
            "findings_removed": [{"id": i, "severity": s, "message": m} for i, s, m in self.findings_removed],
            "answers_changed": [
                {
                    "question": a.question,
                    "before": plain(a.before),
                    "after": plain(a.after),
                    "points_before": a.points_before,
                    "points_after": a.points_after,
                    "score_effect": a.score_effect,
                }
                for a in self.answers
            ],
            "fairness_moved": [{"name": f.name, "before": f.before, "after": f.after} for f in self.figures],
            "stale_approvals": [
                {"name": s.name, "role": s.role, "timestamp": s.timestamp} for s in self.stale_approvals
            ],
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        return dumps(self.to_dict()) + "\n"


def risk_diff(
    base: LoadedAssessment,
    base_result: Result,
    head: LoadedAssessment,
    head_result: Result,
    *,
    base_label: str,
    head_label: str,
    warnings: tuple[str, ...] = (),
) -> RiskDiff:
    """Compare two versions of an assessment; ``warnings`` are carried into the diff as they are."""
    base_findings = {f.id: f for f in base_result.findings}
    head_findings = {f.id: f for f in head_result.findings}
    added = tuple((f.id, f.severity, f.message) for i, f in head_findings.items() if i not in base_findings)
    removed = tuple((f.id, f.severity, f.message) for i, f in base_findings.items() if i not in head_findings)
    return RiskDiff(
        base_label=base_label,
        head_label=head_label,
        base=base_result,
        head=head_result,
        findings_added=added,
        findings_removed=removed,
        answers=_answer_changes(base, base_result, head, head_result),
        figures=_figure_changes(base_result, head_result),
        stale_approvals=_stale(base_result, head_result),
        warnings=warnings,
    )


def _answer_changes(
    base: LoadedAssessment, base_result: Result, head: LoadedAssessment, head_result: Result
) -> tuple[AnswerChange, ...]:
    before, after = base.answers.values, head.answers.values
    base_points = {c.question: c.points for c in base_result.trace.contributions}
    head_points = {c.question: c.points for c in head_result.trace.contributions}
    order = [q.id for q in head.questionnaire.order] + sorted(set(before) - set(head.questionnaire.questions))
    changes = []
    for qid in dict.fromkeys(order):
        if before.get(qid) == after.get(qid):
            continue
        changes.append(
            AnswerChange(
                question=qid,
                before=before.get(qid),
                after=after.get(qid),
                points_before=base_points.get(qid, 0.0) if qid in base.questionnaire.questions else None,
                points_after=head_points.get(qid, 0.0) if qid in head.questionnaire.questions else None,
                score_effect=_score_effect(head, head_result, qid, before.get(qid)),
            )
        )
    return tuple(changes)


def _score_effect(head: LoadedAssessment, head_result: Result, qid: str, old_value: Any) -> float | None:
    if qid not in head.questionnaire.questions:
        return None
    question = head.questionnaire.questions[qid].question
    if old_value is not None:
        try:
            normalise_answer(question, sorted(old_value) if isinstance(old_value, frozenset) else old_value)
        except ValueError:
            return None  # the old answer is not valid for the current question
    values = dict(head.answers.values)
    if old_value is None:
        values.pop(qid, None)
    else:
        values[qid] = old_value
    reverted = evaluate(head.questionnaire, AnswerSet(values))
    return round(head_result.score - reverted.score, 4)


def _figure_changes(base: Result, head: Result) -> tuple[FigureChange, ...]:
    before: dict[str, Any] = (base.fairness or {}).get("variables", {})
    after: dict[str, Any] = (head.fairness or {}).get("variables", {})
    moved = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None and new is None:
            continue
        if old is not None and new is not None and abs(float(old) - float(new)) <= FIGURE_TOLERANCE:
            continue
        moved.append(FigureChange(name, old, new))
    return tuple(moved)


def _stale(base: Result, head: Result) -> tuple[StaleApproval, ...]:
    current_before = {
        (r.name, r.role, r.timestamp) for r in base.signoffs.records if r.current and r.decision == "approve"
    }
    return tuple(
        StaleApproval(r.name, r.role, r.timestamp)
        for r in head.signoffs.records
        if not r.current and (r.name, r.role, r.timestamp) in current_before
    )
