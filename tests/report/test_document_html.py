"""The PDF's HTML is drawn from the report's document, the one the Word report is written from.

Every line of the document reaches the HTML, for every bundled example and in each
language; the built-in templates hold no sentence of their own, so the report's
words exist once (in riskcheck/report/document.py), with one placeholder style.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from riskcheck import api
from riskcheck.core.loader import load_assessment
from riskcheck.report.document import BulletList, Figure, Heading, Paragraph, Table, walk
from riskcheck.report.render import render_html, report_document, templates_dir

ROOT = Path(__file__).resolve().parents[2] / "examples"
#: Every bundled example in English, and in French the one whose questionnaire ships a French catalogue.
CASES = [(p, "en") for p in sorted(ROOT.glob("*.yaml"))] + [
    (ROOT / "classification" / "loan-scoring.yaml", "fr"),
]


def _text(markup: str) -> str:
    body = markup[markup.index("<body>") :]
    body = re.sub(r"<style>.*?</style>|<title>.*?</title>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", "", body)))


def _lines(document: object) -> list[str]:
    """Each piece of text the document holds, as one reader would see it in a row."""
    found: list[str] = []

    def inline(runs: tuple) -> str:
        return "".join(r.text for r in runs)

    for block in walk(document.sections):  # type: ignore[attr-defined]
        if isinstance(block, Heading):
            found.append(inline(block.runs) if block.runs else block.text)
        elif isinstance(block, Paragraph):
            found.append(inline(block.runs))
        elif isinstance(block, BulletList):
            found += [inline(item) for item in block.items]
        elif isinstance(block, Table):
            found += list(block.header)
            for row in (*block.rows, *((block.footer,) if block.footer else ())):
                found += [inline(line) for cell in row for line in cell.lines]
        elif isinstance(block, Figure):
            found.append(block.caption)
    return [line for line in (re.sub(r"\s+", " ", x).strip() for x in found) if line]


@pytest.mark.parametrize(("example", "lang"), CASES, ids=[f"{p.stem}-{lang}" for p, lang in CASES])
def test_every_line_of_the_document_is_in_the_pdf_html(example: Path, lang: str) -> None:
    loaded = load_assessment(example)
    result = api.score(loaded).to_dict()
    _data, document = report_document(result, loaded, lang=lang)
    text = _text(render_html(result, loaded, strict=True, lang=lang))
    lines = _lines(document)
    assert len(lines) > 100
    missing = [line for line in lines if line not in text]
    assert missing == [], f"{example.name} ({lang}): the HTML leaves out {missing[:5]}"
    # The parts of the document, in its order, each once.
    ids = re.findall(r'<section class="[^"]*" id="([^"]+)"', render_html(result, loaded, lang=lang))
    assert ids == [s.id for s in document.sections]


def test_the_builtin_report_templates_write_no_sentence_of_their_own() -> None:
    """No {% trans %} block or message with a placeholder: the report's words are the document's.

    The stylesheet's page footer is the one exception: its placeholders are CSS functions.
    """
    from riskcheck.report.translations import extract

    templates = sorted(templates_dir().rglob("*.html"))
    assert {p.name for p in templates} == {"report.html", "nodes.html", "charts.html"}
    for template in templates:
        source = template.read_text(encoding="utf-8")
        assert "{% trans" not in source, template
        for msgid in extract((template,)):
            assert "%(" not in msgid and "{" not in msgid, (template, msgid)
