"""The logic of filling in an assessment, shared by ``riskcheck fill`` and the web form.

Pure functions over a questionnaire and a set of answers: which questions apply,
which one comes next, how far each section is, what a typed answer means, what
the score would be, and which answers a change would hide. No prompts, no I/O
except :func:`save_answers`, which goes through the atomic, comment-keeping
:mod:`riskcheck.files.yamledit`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from riskcheck.core.compiler import CompiledQuestion, CompiledQuestionnaire
from riskcheck.core.display import answer_text
from riskcheck.core.engine import AnswerSet, evaluate, visible_values
from riskcheck.core.i18n import _, current, format_number, format_short
from riskcheck.core.loader import LoadedAssessment, normalise_answer
from riskcheck.core.questionnaire import (
    DateQuestion,
    EvidenceQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
)
from riskcheck.core.result import Result


@dataclass(frozen=True)
class SectionProgress:
    """How far one section is: its questions that apply now, and how many are answered."""

    id: str
    title: str
    answered: int
    total: int
    visible: bool

    def __str__(self) -> str:
        return _("{section} — {answered} of {total}", section=self.title, answered=self.answered, total=self.total)


@dataclass(frozen=True)
class FillState:
    """A questionnaire and the answers given so far (normalised; unanswered ones absent)."""

    questionnaire: CompiledQuestionnaire
    values: Mapping[str, Any]
    system: Mapping[str, Any] = field(default_factory=dict)
    comments: Mapping[str, str] = field(default_factory=dict)
    evidence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_loaded(cls, loaded: LoadedAssessment) -> FillState:
        return cls(
            questionnaire=loaded.questionnaire,
            values=dict(loaded.answers.values),
            system=loaded.system(),
            comments=dict(loaded.answers.comments),
            evidence=dict(loaded.answers.evidence),
        )

    # ------------------------------------------------------------ what applies

    def visible_ids(self) -> set[str]:
        return visible_values(self.questionnaire, self.values)[1]

    def questions(self) -> list[CompiledQuestion]:
        """Every question, in the order the questionnaire lists them."""
        return sorted(self.questionnaire.questions.values(), key=lambda q: (q.section_index, q.index))

    def visible_questions(self) -> list[CompiledQuestion]:
        visible = self.visible_ids()
        return [q for q in self.questions() if q.id in visible]

    def is_answered(self, qid: str) -> bool:
        return self.values.get(qid) is not None

    def next_question(self, skip: Iterable[str] = ()) -> CompiledQuestion | None:
        """The first question that applies and has no answer (leaving out ``skip``)."""
        skipped = set(skip)
        for question in self.visible_questions():
            if question.id not in skipped and not self.is_answered(question.id):
                return question
        return None

    def resume_skips(self) -> set[str]:
        """Optional questions left empty before the first unanswered required one.

        Resuming starts where the person stopped: an optional question they passed
        over is not asked again (the review screen still offers it).
        """
        skipped: set[str] = set()
        for question in self.visible_questions():
            if self.is_answered(question.id):
                continue
            if question.question.required:
                return skipped
            skipped.add(question.id)
        return skipped

    def progress(self) -> list[SectionProgress]:
        visible = self.visible_ids()
        rows = []
        for section in self.questionnaire.spec.sections:
            shown = [q.id for q in section.questions if q.id in visible]
            rows.append(
                SectionProgress(
                    id=section.id,
                    title=section.title,
                    answered=sum(1 for qid in shown if self.is_answered(qid)),
                    total=len(shown),
                    visible=bool(shown),
                )
            )
        return rows

    def section_progress(self, section_id: str) -> SectionProgress:
        return next(p for p in self.progress() if p.id == section_id)

    def position(self, qid: str) -> tuple[int, int]:
        """``(n, total)``: the question is the n-th of the ``total`` that apply in its section."""
        question = self.questionnaire.questions[qid]
        shown = [q for q in self.visible_questions() if q.section.id == question.section.id]
        ids = [q.id for q in shown]
        return (ids.index(qid) + 1 if qid in ids else 0), len(ids)

    def hidden_answers(self) -> set[str]:
        """Questions that have an answer although they no longer apply."""
        visible = self.visible_ids()
        return {qid for qid, value in self.values.items() if value is not None and qid not in visible}

    # ------------------------------------------------------------ changes

    def with_system(self, values: Mapping[str, Any]) -> FillState:
        """A copy with fields of the ``system:`` block set."""
        return replace(self, system={**self.system, **values})

    def with_answer(self, qid: str, value: Any) -> FillState:
        """A copy with ``qid`` answered (``None`` clears the answer)."""
        if qid not in self.questionnaire.questions:
            raise KeyError(qid)
        values = dict(self.values)
        if value is None:
            values.pop(qid, None)
        else:
            values[qid] = value
        return replace(self, values=values)

    def with_answers(self, values: Mapping[str, Any]) -> FillState:
        state = self
        for qid, value in values.items():
            state = state.with_answer(qid, value)
        return state

    def without(self, qids: Iterable[str]) -> FillState:
        drop = set(qids)
        return replace(self, values={k: v for k, v in self.values.items() if k not in drop})

    def dropped_by(self, changed: FillState) -> list[str]:
        """Answers that ``changed`` hides and that were not hidden here: dropped if it is saved."""
        before = self.hidden_answers()
        order = [q.id for q in self.questions()]
        return sorted(changed.hidden_answers() - before, key=order.index)

    # ------------------------------------------------------------ scoring

    def answer_set(self) -> AnswerSet:
        return AnswerSet(self.values, self.comments, self.evidence)

    def result(self, fairness: Any = None, evidence_hash: str | None = None) -> Result:
        """The live score for the answers as they stand."""
        return evaluate(
            self.questionnaire,
            self.answer_set(),
            system=self.system,
            fairness=fairness,
            evidence_hash=evidence_hash,
        )


# ---------------------------------------------------------------- the system: block


@dataclass(frozen=True)
class SystemField:
    """A field of the ``system:`` block that ``fill`` asks for when it is missing or a placeholder."""

    key: str
    max_length: int

    @property
    def prompt(self) -> str:
        """The question ``fill`` asks, in the language in use."""
        return _SYSTEM_WORDS[self.key][0]()

    @property
    def hint(self) -> str:
        """What kind of text is expected, in the language in use."""
        return _SYSTEM_WORDS[self.key][1]()


#: Asked before the questions, in this order.
SYSTEM_FIELDS = (
    SystemField("name", 200),
    SystemField("owner", 200),
    SystemField("version", 100),
    SystemField("purpose", 5000),
    SystemField("assessed_on", 10),
)

#: Each field's prompt and hint, translated when they are shown (the language is not known at import).
_SYSTEM_WORDS: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
    "name": (lambda: _("The AI system's name"), lambda: _("text")),
    "owner": (lambda: _("The team or person who answers for it"), lambda: _("text, an e-mail say")),
    "version": (lambda: _("The version of the system assessed"), lambda: _("text, e.g. 1.4.0")),
    "purpose": (lambda: _("Its purpose: what the system does, and for whom"), lambda: _("text")),
    "assessed_on": (lambda: _("The date of the assessment"), lambda: _("a date, YYYY-MM-DD")),
}


def system_fields_to_ask(system: Mapping[str, Any]) -> list[SystemField]:
    """The system fields that are missing, empty, or still hold the skeleton's placeholder text."""
    from riskcheck.core.draft import placeholder_fields

    placeholders = set(placeholder_fields(system, {}))
    return [
        f
        for f in SYSTEM_FIELDS
        if system.get(f.key) is None
        or (isinstance(system.get(f.key), str) and not str(system.get(f.key)).strip())
        or f"system.{f.key}" in placeholders
    ]


def check_system_field(field: SystemField, text: str) -> Any:
    """The value for ``field`` from what a person typed, or ``ValueError`` with what is expected."""
    from riskcheck.core.draft import PLACEHOLDERS

    stripped = text.strip()
    key = field.key  # the file's own name for the field: never translated
    if not stripped:
        raise ValueError(_("{field}: expected {hint}, got nothing", field=key, hint=field.hint))
    if stripped in PLACEHOLDERS:
        raise ValueError(
            _("{field}: expected the real text, got the placeholder {value}", field=key, value=repr(stripped))
        )
    if len(stripped) > field.max_length:
        raise ValueError(
            _(
                "{field}: expected at most {limit} characters, got {length}",
                field=key,
                limit=format_number(field.max_length),
                length=format_number(len(stripped)),
            )
        )
    if any(not c.isprintable() for c in stripped):
        raise ValueError(_("{field}: expected text without control characters", field=key))
    if key == "assessed_on":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", stripped):
                raise ValueError(stripped)
            return dt.date.fromisoformat(stripped)
        except ValueError:
            raise ValueError(
                _("{field}: expected {hint}, got {value}", field=key, hint=field.hint, value=repr(stripped))
            ) from None
    return stripped


def save_system(path: Path, values: Mapping[str, Any]) -> None:
    """Write fields of the ``system:`` block; atomic, under the edit lock, comments kept."""
    from riskcheck.files.yamledit import set_system

    if values:
        set_system(path, values)


# ---------------------------------------------------------------- answers typed in


_LINK_SPLIT = re.compile(r"[\s,]+")


def parse_typed(question: Question, text: str) -> Any:
    """Turn what a person typed into a raw answer for :func:`check_answer` (``None`` = left empty)."""
    stripped = text.strip()
    if not stripped:
        return None
    if isinstance(question, NumberQuestion):
        try:
            return int(stripped)
        except ValueError:
            pass
        try:
            return float(stripped)
        except ValueError:
            raise ValueError(_("expected a number, got {value}", value=repr(stripped))) from None
    if isinstance(question, EvidenceQuestion):
        return [link for link in _LINK_SPLIT.split(stripped) if link]
    if isinstance(question, MultipleChoiceQuestion):
        return [item for item in _LINK_SPLIT.split(stripped) if item]
    return text if question.type == "text" else stripped


def check_answer(question: Question, raw: Any) -> Any:
    """Validate one answer; return its normalised value, or raise ``ValueError`` with the reason."""
    return normalise_answer(question, raw)


def yaml_value(question: Question, value: Any) -> Any:
    """A normalised answer as the assessment file stores it."""
    if value is None:
        return None
    if isinstance(question, MultipleChoiceQuestion):
        order = [o.value for o in question.options]
        return [v for v in order if v in value]
    if isinstance(question, EvidenceQuestion):
        return list(value)
    return value


def describe(question: Question, value: Any) -> str:
    """An answer as a person reads it (``yes``, an option's label, a number with its unit), in the language in use."""
    return answer_text(
        question,
        value,
        unanswered=_("(not answered)"),
        none_selected=_("(none selected)"),
        yes=_("yes"),
        no=_("no"),
        separator=", ",
    )


def input_hint(question: Question) -> str:
    """What kind of answer is expected, in a few words, in the language in use."""
    if isinstance(question, NumberQuestion):
        low = None if question.min is None else _bound(question.min)
        high = None if question.max is None else _bound(question.max)
        if low is not None and high is not None:
            hint = (
                _("a whole number (at least {min}, at most {max})", min=low, max=high)
                if question.integer
                else _("a number (at least {min}, at most {max})", min=low, max=high)
            )
        elif low is not None:
            hint = (
                _("a whole number (at least {min})", min=low)
                if question.integer
                else _("a number (at least {min})", min=low)
            )
        elif high is not None:
            hint = (
                _("a whole number (at most {max})", max=high)
                if question.integer
                else _("a number (at most {max})", max=high)
            )
        else:
            hint = _("a whole number") if question.integer else _("a number")
        # The unit is the questionnaire's own word (translated with its text, where it is).
        return _("{hint}, in {unit}", hint=hint, unit=question.unit) if question.unit else hint
    if isinstance(question, DateQuestion):
        return _("a date, YYYY-MM-DD")
    if isinstance(question, EvidenceQuestion):
        return _("links (URLs or repository paths), separated by spaces or commas")
    if isinstance(question, MultipleChoiceQuestion):
        return _("choose any that apply")
    hints = {"yes_no": lambda: _("yes or no"), "single_choice": lambda: _("choose one"), "text": lambda: _("text")}
    hint_of = hints.get(question.type)
    return hint_of() if hint_of is not None else _("an answer")


def _bound(value: float) -> str:
    """A number question's bound: ``{:g}`` in English, the language's own digits otherwise."""
    return f"{value:g}" if current().lang == "en" else format_short(value)


# ---------------------------------------------------------------- saving


#: Bounds on what a person may attach to one answer for the reviewers.
MAX_COMMENT = 5_000
MAX_LINKS = 50
MAX_LINK = 2_000


def note_problems(comment: str, links: Iterable[str]) -> list[str]:
    """What is wrong with a comment and evidence links given with an answer (nothing: ``[]``)."""
    links = list(links)
    problems = []
    if len(comment) > MAX_COMMENT:
        problems.append(_("Use at most {limit} characters in the comment.", limit=format_number(MAX_COMMENT)))
    if len(links) > MAX_LINKS:
        problems.append(_("Give at most {limit} evidence links.", limit=MAX_LINKS))
    if any(len(link) > MAX_LINK for link in links):
        problems.append(_("Keep each evidence link under {limit} characters.", limit=format_number(MAX_LINK)))
    return problems


def with_notes(state: FillState, qid: str, comment: str, links: Iterable[str]) -> FillState:
    """A copy of ``state`` with the comment and evidence of ``qid`` replaced (empty removes them)."""
    comments = {k: v for k, v in state.comments.items() if k != qid}
    evidence = {k: v for k, v in state.evidence.items() if k != qid}
    if comment.strip():
        comments[qid] = comment.strip()
    unique = tuple(dict.fromkeys(link.strip() for link in links if link.strip()))
    if unique:
        evidence[qid] = unique
    return replace(state, comments=comments, evidence=evidence)


def save_answers(path: Path, before: FillState, after: FillState, *, drop: Iterable[str] = ()) -> None:
    """Write the answers, answer comments and evidence links that differ between
    ``before`` and ``after``, and remove the answers in ``drop``.

    Atomic, and the file's comments and layout are kept.
    """
    from riskcheck.files.yamledit import set_answers

    questions = after.questionnaire.questions
    dropped = tuple(drop)
    changed = {
        qid: yaml_value(questions[qid].question, value)
        for qid, value in after.values.items()
        if qid not in dropped and before.values.get(qid) != value
    }
    cleared = tuple(qid for qid in before.values if qid not in after.values and qid not in dropped)
    remove = tuple(dict.fromkeys((*cleared, *dropped)))
    comments = _changed(before.comments, after.comments, None)
    evidence = _changed(before.evidence, after.evidence, ())
    if changed or remove or comments or evidence:
        set_answers(path, changed, remove=remove, comments=comments, evidence=evidence)


def _changed(before: Mapping[str, Any], after: Mapping[str, Any], empty: Any) -> dict[str, Any]:
    """The entries of ``after`` that differ from ``before``; a removed one maps to ``empty``."""
    return {
        qid: after.get(qid) or empty
        for qid in {*before, *after}
        if (before.get(qid) or empty) != (after.get(qid) or empty)
    }


def reference_text(questionnaire: CompiledQuestionnaire, reference: str, words: Mapping[str, str] | None = None) -> str:
    """``eu-ai-act:art-10(2)`` -> ``EU AI Act art-10(2)`` using the questionnaire's framework titles
    (``words``: English -> the reader's language, from the questionnaire's catalogue)."""
    framework, _sep, clause = reference.partition(":")
    titles = {f.id: f.title for f in questionnaire.spec.frameworks}
    known = {"eu-ai-act": "EU AI Act", "gdpr": "GDPR", "nist-ai-rmf": "NIST AI RMF", "iso-42001": "ISO/IEC 42001"}
    title = titles.get(framework) or known.get(framework, framework)
    return f"{(words or {}).get(title, title)} {clause}"
