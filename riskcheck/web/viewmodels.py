"""What the templates show: questions as form fields, and a submitted form as answers.

The rules (what applies, what is valid, the score) all come from
:mod:`riskcheck.authoring.fill`; this module only translates between them and HTML forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from riskcheck.authoring.fill import (
    FillState,
    check_answer,
    describe,
    input_hint,
    note_problems,
    parse_typed,
    reference_text,
    with_notes,
)
from riskcheck.core.display import number
from riskcheck.core.i18n import _
from riskcheck.core.questionnaire import (
    DateQuestion,
    EvidenceQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from riskcheck.core.result import Result

FIELD_PREFIX = "q."
#: The comment and the evidence links given with an answer.
COMMENT_PREFIX = "n."
EVIDENCE_PREFIX = "l."


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    help: str | None
    checked: bool


@dataclass(frozen=True)
class QuestionView:
    id: str
    type: str
    text: str
    help: str | None
    hint: str
    references: list[tuple[str, str]]
    required: bool
    visible: bool
    options: list[OptionView]
    raw: str
    error: str | None
    attrs: dict[str, str]
    multiline: bool
    #: The comment and the evidence links (one per line) as the fields show them.
    comment: str
    evidence: str
    #: The most characters a text answer may have (0: no counter).
    limit: int = 0

    @property
    def field(self) -> str:
        return FIELD_PREFIX + self.id

    @property
    def comment_field(self) -> str:
        return COMMENT_PREFIX + self.id

    @property
    def evidence_field(self) -> str:
        return EVIDENCE_PREFIX + self.id

    @property
    def choice(self) -> bool:
        return self.type in ("yes_no", "single_choice", "multiple_choice")

    @property
    def has_choice(self) -> bool:
        """A choice question with an option ticked (its ``raw`` is empty for multiple choice)."""
        return any(option.checked for option in self.options)


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    description: str | None
    visible: bool
    answered: int
    total: int
    questions: list[QuestionView]


@dataclass
class Submission:
    """A submitted form: the answers it gives, what was typed, and what is wrong with it."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str | list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: What was typed in the comment and evidence fields, by question id.
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Questions whose comment or evidence links cannot be saved.
    note_errors: set[str] = field(default_factory=set)


def raw_value(question: Question, value: Any) -> str | list[str]:
    """A stored answer as the form field shows it."""
    if value is None:
        return [] if isinstance(question, MultipleChoiceQuestion) else ""
    if isinstance(question, YesNoQuestion):
        return "yes" if value else "no"
    if isinstance(question, MultipleChoiceQuestion):
        return [o.value for o in question.options if o.value in value]
    if isinstance(question, NumberQuestion):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(question, DateQuestion) and isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(question, EvidenceQuestion):
        return "\n".join(value)
    return str(value)


def parse_submission(state: FillState, form: Mapping[str, Any], getlist: Any) -> tuple[FillState, Submission]:
    """Read the answers of ``form`` on top of ``state`` (the file as it was loaded).

    Returns the new state and the submission. Answers to questions that the new
    answers hide are not taken from the form: they keep the file's value, so that
    saving can list them as dropped. Errors are reported for visible questions only.
    """
    submission = Submission()
    parsed: dict[str, Any] = {}
    for compiled in state.questions():
        question = compiled.question
        name = FIELD_PREFIX + compiled.id
        if isinstance(question, MultipleChoiceQuestion):
            items = [str(v) for v in getlist(name)]
            submission.raw[compiled.id] = items
            raw: Any = items or None
        else:
            text = str(form.get(name, "") or "")
            submission.raw[compiled.id] = text
            raw = text
        try:
            if isinstance(raw, str):
                raw = parse_typed(question, raw) if question.type not in ("yes_no", "single_choice") else raw
            parsed[compiled.id] = check_answer(question, raw)
        except ValueError as exc:
            submission.errors[compiled.id] = str(exc)
            parsed[compiled.id] = None
    noted = _parse_notes(state, form, submission)
    candidate = state.without(state.values).with_answers(parsed)
    visible = candidate.visible_ids()
    merged = {qid: (parsed[qid] if qid in visible else state.values.get(qid)) for qid in parsed}
    # Answer errors count for visible questions only; a note that cannot be saved is
    # an error wherever it was typed, so that it is never dropped without a word.
    submission.errors = {
        qid: message for qid, message in submission.errors.items() if qid in visible or qid in submission.note_errors
    }
    submission.values = {qid: value for qid, value in merged.items() if value is not None}
    return noted.without(noted.values).with_answers(submission.values), submission


def _parse_notes(state: FillState, form: Mapping[str, Any], submission: Submission) -> FillState:
    """The comments and evidence links in ``form``; a question whose fields are absent keeps the file's."""
    for compiled in state.questions():
        qid = compiled.id
        comment_name, evidence_name = COMMENT_PREFIX + qid, EVIDENCE_PREFIX + qid
        if comment_name not in form and evidence_name not in form:
            continue
        comment = str(form.get(comment_name, "") or "").replace("\r\n", "\n").strip()
        links_text = str(form.get(evidence_name, "") or "")
        links = [line.strip() for line in links_text.splitlines() if line.strip()]
        submission.notes[qid] = (comment, links_text)
        problems = note_problems(comment, dict.fromkeys(links))
        if problems:
            submission.errors.setdefault(qid, " ".join(problems))
            submission.note_errors.add(qid)
            continue
        state = with_notes(state, qid, comment, links)
    return state


def questionnaire_words(questionnaire: Any, lang: str) -> dict[str, str]:
    """English -> ``lang`` for a questionnaire's text (question text, help, options, titles,
    findings), from its catalogue beside it; empty in English or when it has no such catalogue.

    For what the form shows only: answers are never translated, so what is saved stays as given.
    """
    if lang == "en":
        return {}
    from pathlib import Path

    from riskcheck.report.qcatalog import declared, translations

    source = Path(questionnaire.source)
    if not source.is_file() or lang not in declared(source):
        return {}
    return translations(source, questionnaire.spec.model_dump(mode="json", exclude_none=True), lang)


def questionnaire_lang(questionnaire: Any, lang: str) -> str:
    """``lang`` if the questionnaire has a catalogue in it, else English (the report's language)."""
    return lang if lang == "en" or questionnaire_words(questionnaire, lang) else "en"


def build_sections(
    state: FillState, submission: Submission | None = None, words: Mapping[str, str] | None = None
) -> list[SectionView]:
    words = words or {}
    visible = state.visible_ids()
    progress = {p.id: p for p in state.progress()}
    sections = []
    for section in state.questionnaire.spec.sections:
        views = []
        for question in section.questions:
            if submission is not None and question.id in submission.raw:
                raw = submission.raw[question.id]
            else:
                raw = raw_value(question, state.values.get(question.id))
            error = submission.errors.get(question.id) if submission is not None else None
            if submission is not None and question.id in submission.notes:
                notes = submission.notes[question.id]
            else:
                notes = (state.comments.get(question.id) or "", "\n".join(state.evidence.get(question.id, ())))
            views.append(_question_view(state, question, question.id in visible, raw, error, notes, words))
        p = progress[section.id]
        title = words.get(section.title, section.title)
        description = words.get(section.description, section.description) if section.description else None
        sections.append(SectionView(section.id, title, description, p.visible, p.answered, p.total, views))
    return sections


def _question_view(
    state: FillState,
    question: Question,
    visible: bool,
    raw: Any,
    error: str | None,
    notes: tuple[str, str],
    words: Mapping[str, str] | None = None,
) -> QuestionView:
    words = words or {}
    options: list[OptionView] = []
    chosen = set(raw) if isinstance(raw, list) else {raw}
    if isinstance(question, YesNoQuestion):
        yes, no = _("Yes"), _("No")
        options = [OptionView("yes", yes, None, "yes" in chosen), OptionView("no", no, None, "no" in chosen)]
    elif isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        options = [
            OptionView(
                o.value,
                words.get(o.label, o.label) if o.label else o.value,
                words.get(o.help, o.help) if o.help else o.help,
                o.value in chosen,
            )
            for o in question.options
        ]
    attrs: dict[str, str] = {}
    multiline = False
    limit = 0
    if isinstance(question, NumberQuestion):
        # A text field, not type="number": Chromium turns "350k" into 350 or into
        # nothing without a word, and the person must see what they typed refused.
        attrs = {
            "type": "text",
            "inputmode": "numeric" if question.integer else "decimal",
            "autocomplete": "off",
            "data-number": "integer" if question.integer else "decimal",
        }
        if question.min is not None:
            attrs["data-min"] = f"{question.min:g}"
        if question.max is not None:
            attrs["data-max"] = f"{question.max:g}"
    elif isinstance(question, DateQuestion):
        attrs = {"type": "date"}
        if question.min is not None:
            attrs["min"] = question.min.isoformat()
        if question.max is not None:
            attrs["max"] = question.max.isoformat()
    elif isinstance(question, TextQuestion):
        # No maxlength: the browser would cut a paste short without a word. The
        # counter warns, and the server refuses what is too long.
        limit = question.max_length
        attrs = {"data-maxlength": str(limit)}
        multiline = question.max_length > 200
    elif isinstance(question, EvidenceQuestion):
        multiline = True
    return QuestionView(
        id=question.id,
        type=question.type,
        text=words.get(question.text, question.text),
        help=words.get(question.help, question.help) if question.help else question.help,
        hint=_hint(question),
        references=[(r, reference_text(state.questionnaire, r, words)) for r in question.references],
        required=question.required,
        visible=visible,
        options=options,
        raw=raw if isinstance(raw, str) else "",
        error=error,
        attrs=attrs,
        multiline=multiline,
        comment=notes[0],
        evidence=notes[1],
        limit=limit,
    )


def _hint(question: Question) -> str:
    if isinstance(question, EvidenceQuestion):
        return _("links (URLs or repository paths), one per line")
    if isinstance(question, TextQuestion):
        return ""
    return input_hint(question)


def dropped_views(before: FillState, dropped: list[str]) -> list[tuple[str, str]]:
    """(question text, the answer that would be dropped) for display."""
    questions = before.questionnaire.questions
    return [
        (questions[qid].question.text, describe(questions[qid].question, before.values.get(qid))) for qid in dropped
    ]


def panel_context(result: Result, *, dropped: list[tuple[str, str]], fairness_note: str | None) -> dict[str, Any]:
    return {"result": result, "dropped": dropped, "fairness_note": fairness_note, "number": number}
