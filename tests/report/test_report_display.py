"""The report shows answers and numbers through :mod:`riskcheck.core.display`, in the reader's words.

Real renders of the demo assessment: the English report says what every other output
says of each answer, and the French one the same answers in French words and digits.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskcheck.core import display
from riskcheck.core.engine import visible_values
from riskcheck.core.i18n import format_number, use_language
from riskcheck.core.loader import load_assessment
from riskcheck.pipeline import assess
from riskcheck.report import charts, context
from riskcheck.report.render import render_html

CATALOGUES = Path(__file__).parent / "docx_i18n"


def _html(assessment: Path, lang: str) -> str:
    loaded = load_assessment(assessment)
    return render_html(assess(loaded).result.to_dict(), loaded, strict=True, lang=lang)


def _answer_cell(text: str) -> str:
    """An answer line as the report writes it: the cell itself when it is the cell's one line, else a div."""
    return f'"answer-text">{text}</'


def test_every_answer_in_the_english_report_reads_as_the_core_display_writes_it(demo: Path) -> None:
    html = _html(demo, "en")
    loaded = load_assessment(demo)
    _values, visible = visible_values(loaded.questionnaire, loaded.answers.values)
    shown = []
    for qid in sorted(visible):
        question = loaded.questionnaire.questions[qid].question
        value = loaded.answers.values.get(qid)
        if value is None or isinstance(value, (list, tuple, set, frozenset)):
            continue  # lists are shown one line each
        shown.append(display.answer_text(question, value))
    assert "120,000 people per year" in shown and "Yes" in shown and "No" in shown
    missing = [text for text in shown if _answer_cell(text) not in html]
    assert missing == []


def test_the_french_report_writes_the_same_answers_in_french_words_and_digits(demo: Path) -> None:
    shutil.copy(CATALOGUES / "questionnaire.fr.po", demo.parent / "questionnaire.fr.po")
    text = demo.read_text(encoding="utf-8")
    # A yes/no answer written as a quoted word is a word, which the French report translates too.
    edited = text.replace("  dpia_done: no\n", "  dpia_done: 'No'\n", 1)
    assert edited != text
    demo.write_text(edited, encoding="utf-8")
    html = _html(demo, "fr")
    assert _answer_cell("120\u202f000 people per year") in html
    assert _answer_cell("Oui") in html and _answer_cell("Non") in html
    assert _answer_cell("Yes") not in html and _answer_cell("No") not in html
    assert "120,000" not in html


@pytest.mark.parametrize(
    ("value", "decimals", "whole", "english"),
    [(40.0, 2, True, "40"), (1250.0, 2, True, "1,250"), (0.5, 2, True, "0.50"), (0.78649, 4, False, "0.7865")],
)
def test_the_report_numbers_are_the_core_numbers_in_english(
    value: float, decimals: int, whole: bool, english: str
) -> None:
    assert display.number(value, decimals, whole) == english
    with use_language("en"):
        assert format_number(value, decimals, whole) == english


def test_the_report_keeps_no_formatter_of_its_own() -> None:
    assert not hasattr(context, "format_value")
    assert not hasattr(charts, "number")
    with use_language("fr"):
        assert (context.answer_text(None, None), context.answer_text(None, True)) == ("Sans réponse", "Oui")
