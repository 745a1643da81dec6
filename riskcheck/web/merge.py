"""Merge a submitted form into the file as it is now, field by field.

Every form carries, next to each answer field, the value the file held when the
page was rendered (hidden ``b.`` fields). A field the person changed is applied
when the file still holds that base value, or already holds the new one; when the
file holds a third value, someone else changed the same answer and that field is a
clash. Fields the person did not touch always keep the file's current value. So
two tabs that change different questions both keep their answers, and only real
clashes are shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from riskcheck.authoring.fill import FillState, check_answer, describe, parse_typed
from riskcheck.core.questionnaire import MultipleChoiceQuestion, Question
from riskcheck.web.viewmodels import COMMENT_PREFIX, EVIDENCE_PREFIX, FIELD_PREFIX, raw_value

BASE_PREFIX = "b."


class FormData(Mapping[str, Any]):
    """A read-only multi-valued form (what :func:`~riskcheck.web.viewmodels.parse_submission` reads)."""

    def __init__(self, items: Mapping[str, list[str]]) -> None:
        self._items = {name: list(values) for name, values in items.items()}

    def __getitem__(self, name: str) -> Any:
        values = self._items[name]
        return values[0] if values else ""

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def getlist(self, name: str) -> list[str]:
        return list(self._items.get(name, []))


def field_names(state: FillState) -> list[tuple[str, str, bool]]:
    """(field name, question id, multi-valued) of every answer, comment and evidence field."""
    names = []
    for compiled in state.questions():
        multi = isinstance(compiled.question, MultipleChoiceQuestion)
        names.append((FIELD_PREFIX + compiled.id, compiled.id, multi))
        names.append((COMMENT_PREFIX + compiled.id, compiled.id, False))
        names.append((EVIDENCE_PREFIX + compiled.id, compiled.id, False))
    return names


def file_fields(state: FillState) -> dict[str, list[str]]:
    """The fields of a form showing ``state`` exactly as the file holds it."""
    fields: dict[str, list[str]] = {}
    for compiled in state.questions():
        qid = compiled.id
        raw = raw_value(compiled.question, state.values.get(qid))
        fields[FIELD_PREFIX + qid] = list(raw) if isinstance(raw, list) else [raw]
        fields[COMMENT_PREFIX + qid] = [state.comments.get(qid) or ""]
        fields[EVIDENCE_PREFIX + qid] = ["\n".join(state.evidence.get(qid, ()))]
    return fields


def keep_missing(current: FillState, submitted: Mapping[str, Any], getlist: Any) -> FormData:
    """The submitted form, with every field missing from it holding the file's value.

    Answers are never overwritten with partial data: only a field that is sent
    clears an answer (an empty text, or the "Clear this answer" choice). A multiple
    choice with every box unticked sends nothing, so it counts as cleared when the
    form carries the values it was rendered with (its ``b.`` fields), as every page
    of this server does.
    """
    now = file_fields(current)
    fields = {name: [str(v) for v in getlist(name)] for name in submitted}
    for name, _, multi in field_names(current):
        if name in submitted or (multi and getlist(BASE_PREFIX + name)):
            continue
        fields[name] = now[name]
    return FormData(fields)


def _same(a: list[str], b: list[str], multi: bool) -> bool:
    if multi:
        return sorted(v for v in a if v) == sorted(v for v in b if v)
    return _text(a) == _text(b)


def _text(values: list[str]) -> str:
    text = values[0] if values else ""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())


@dataclass(frozen=True)
class Clash:
    """One answer changed both here and elsewhere since the page was loaded."""

    field: str
    question: str
    text: str
    #: What the person submitted, and what the file holds now (as a person reads them).
    yours: str
    theirs: str
    #: The file's value as the field shows it, so the page can offer to take it.
    theirs_raw: list[str]


@dataclass(frozen=True)
class Merged:
    form: FormData
    #: Fields the person changed that are applied.
    changed: tuple[str, ...]
    clashes: tuple[Clash, ...]


def merge(current: FillState, submitted: Mapping[str, Any], getlist: Any) -> Merged:
    """The form to save: the file's values, with the person's changes that do not clash."""
    now = file_fields(current)
    composed = dict(now)
    changed: list[str] = []
    clashes: list[Clash] = []
    for name, qid, multi in field_names(current):
        if name not in submitted and not multi:
            continue  # not in this form (a partial post): keep the file's value
        mine = [str(v) for v in getlist(name)] if multi else [str(submitted.get(name, "") or "")]
        base = [str(v) for v in getlist(BASE_PREFIX + name)]
        if not multi:
            base = base[:1] or [""]
        if _same(mine, base, multi):
            continue  # untouched here: the file's value stands, whoever wrote it
        if _same(now[name], base, multi) or _same(now[name], mine, multi):
            composed[name] = mine
            changed.append(name)
            continue
        clashes.append(_clash(current, name, qid, mine, now[name], multi))
    return Merged(FormData(composed), tuple(changed), tuple(clashes))


def _clash(current: FillState, name: str, qid: str, mine: list[str], theirs: list[str], multi: bool) -> Clash:
    question = current.questionnaire.questions[qid].question
    if name.startswith(FIELD_PREFIX):
        text = question.text
        yours = _described(question, mine, multi)
        shown = describe(question, current.values.get(qid))
    else:
        what = "comment" if name.startswith(COMMENT_PREFIX) else "evidence links"
        text = f"{question.text} ({what})"
        yours, shown = _text(mine), _text(theirs)
    return Clash(name, qid, text, yours or "(empty)", shown or "(empty)", theirs)


def _described(question: Question, raw: list[str], multi: bool) -> str:
    """A submitted answer as a person reads it (as typed, when it is not a valid answer)."""
    typed: Any = [v for v in raw if v] if multi else _text(raw)
    try:
        if isinstance(typed, str) and question.type not in ("yes_no", "single_choice"):
            typed = parse_typed(question, typed)
        return describe(question, check_answer(question, typed or None))
    except ValueError:
        return ", ".join(typed) if isinstance(typed, list) else str(typed)
