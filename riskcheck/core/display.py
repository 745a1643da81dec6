"""Values and numbers as people read them: the one formatter behind every output.

The text and markdown renderers, the gate's messages, the report, the web form and
``riskcheck fill`` all show answers, scores and figures through these functions, so
the same value reads the same everywhere:

- :func:`number`: a score, a count or a threshold. Whole numbers lose their decimals
  (``40``, ``1,250``); others keep ``decimals`` (``0.50``).
- :func:`short` and :func:`signed`: a number and a change with at most four decimals
  (``0.8``, ``+2``).
- :func:`figure`: a fairness figure, always with four decimals, so ``1.0000`` lines up
  with ``0.7762``.
- :func:`plain`: any value of an answer or a rule's variable, without knowing its
  question (``yes``, ``0.8``, ``[a, b]``, ``2026-03-02``).
- :func:`answer_lines` and :func:`answer_text`: an answer in the words of its question
  (an option's label, a number with its unit).

Pure and language-neutral: the report translates the words it passes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the questionnaire's models load pydantic: only the answer functions need them
    from riskcheck.core.questionnaire import Question

#: What a figure that cannot be computed (a zero denominator) shows.
UNDEFINED = "n/a"


def number(value: float | None, decimals: int = 2, whole: bool = True) -> str:
    """A score, count or threshold: ``40``, ``1,250``, ``0.50``; :data:`UNDEFINED` for None.

    Whole numbers lose their decimals unless ``whole`` is false, for figures of a kind
    always shown with the same decimals.
    """
    if value is None:
        return UNDEFINED
    if whole and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}"


def figure(value: float | None) -> str:
    """A fairness figure: four decimals, enough to compare against a threshold."""
    return UNDEFINED if value is None else f"{value:.4f}"


def count(value: float | None) -> str:
    """A number of rows or people: ``12,345``."""
    return UNDEFINED if value is None else f"{int(value):,}"


def short(value: float | None) -> str:
    """A number with at most four decimals and no trailing zeros: ``12``, ``0.8``; n/a for None."""
    return UNDEFINED if value is None else plain(float(value))


def signed(value: float | None) -> str:
    """A change: ``+2``, ``-0.5``, ``0``."""
    if value is None:
        return UNDEFINED
    return ("+" if value > 0 else "") + short(value)


def plain(value: Any) -> str:
    """An answer or a rule's variable without its question: ``yes``, ``0.8``, ``[a, b]``."""
    if value is None:
        return "unanswered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, (frozenset, set)):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(plain(v) for v in value) + "]"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def answer_lines(
    question: Question | None,
    value: Any,
    *,
    yes: str = "Yes",
    no: str = "No",
    decimal: Callable[[float, int], str] | None = None,
) -> list[str]:
    """An answer as lines of text in its question's words; an empty list means unanswered.

    ``yes`` and ``no`` are the words for a yes/no answer, so a caller can translate them;
    ``decimal(value, decimals)`` writes a number answer in the reader's digits (default
    :func:`number`).
    """
    from riskcheck.core.questionnaire import (
        EvidenceQuestion,
        MultipleChoiceQuestion,
        NumberQuestion,
        SingleChoiceQuestion,
        YesNoQuestion,
    )

    if value is None:
        return []
    if isinstance(question, YesNoQuestion) or isinstance(value, bool):
        if isinstance(value, str):
            return [{"yes": yes, "no": no}.get(value.lower(), value.capitalize())]
        return [yes if value else no]
    if isinstance(question, SingleChoiceQuestion):
        return [question.option_label(str(value))]
    if isinstance(question, MultipleChoiceQuestion):
        chosen = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        order = {o.value: i for i, o in enumerate(question.options)}
        return [question.option_label(str(v)) for v in sorted(chosen, key=lambda v: order.get(str(v), 99))]
    if isinstance(question, NumberQuestion):
        text = (decimal or number)(float(value), 4) if isinstance(value, (int, float)) else str(value)
        return [f"{text} {question.unit}" if question.unit else text]
    if isinstance(question, EvidenceQuestion):
        return [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    if isinstance(value, (dt.date, dt.datetime)):
        return [value.isoformat()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_joined(sorted(value) if isinstance(value, (set, frozenset)) else value)]
    return [str(value)]


def answer_text(
    question: Question | None,
    value: Any,
    *,
    unanswered: str = "Not answered",
    none_selected: str | None = None,
    yes: str = "Yes",
    no: str = "No",
    separator: str = "; ",
    decimal: Callable[[float, int], str] | None = None,
) -> str:
    """An answer in words: Yes, No, an option's label, a number with its unit, or ``unanswered``.

    Never ``True``, ``False`` or ``None``. ``none_selected`` is shown for a multiple-choice
    answer with nothing chosen (default: ``unanswered``). ``decimal``: as for :func:`answer_lines`.
    """
    lines = answer_lines(question, value, yes=yes, no=no, decimal=decimal)
    if lines:
        return separator.join(lines)
    return none_selected if value is not None and none_selected is not None else unanswered


def clip(text: str, limit: int = 70) -> str:
    """``text`` on one line, cut to ``limit`` characters with ``...`` when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _joined(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)
