"""The PDF report in French and German: real WeasyPrint renders through ``riskcheck report --lang``."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from riskcheck.cli.main import main
from riskcheck.core.loader import load_assessment
from riskcheck.pipeline import assess
from riskcheck.report.render import render_html
from tests.report.conftest import FIXTURES, flat

CATALOGUES = Path(__file__).parent / "docx_i18n"

#: Headings and labels the templates write, in English. None may remain in a translated PDF.
ENGLISH = (
    "Executive summary",
    "Overall risk tier",
    "Sign-off status",
    "Date of assessment",
    "Tier and thresholds",
    "Score by section",
    "Findings at a glance",
    "Required mitigation",
    "Disparities",
    "Metrics by group",
    "Answers",
    "Sign-off",
    "Appendix A. Framework index",
    "Appendix B. Scoring trace",
    "Points by answer",
    "Rules fired",
    "Appendix C. Hashes and provenance",
    "Figure 1. The score",
    "Figure 2. Risk points",
    "Figure 3. Disparities",
    "Page 1 of",
    "Not answered",
    "content sha256",
)

#: What the reader sees instead, in each language.
TRANSLATED = {
    "fr": (
        "Synthèse",
        "Niveau de risque global",
        "État de la validation",
        "Date de l'évaluation 15 octobre 2026",
        "Niveau et seuils",
        "Score par section",
        "Aperçu des constats",
        "Mesure d'atténuation requise",
        "Écarts",
        "Mesures par groupe",
        "Réponses",
        "Validation",
        "Annexe A. Index des référentiels",
        "Annexe B. Trace du calcul du score",
        "Annexe C. Empreintes et provenance",
        "Figure 1. Le score sur l'échelle des niveaux",
        "Page 1 sur",
        "sha256 du contenu",
        # The context's phrases and the charts' captions.
        "seuil : la valeur (0,7865) doit être ≥ 0,8",
        "part du maximum de points de risque de la section",
        "Score 44,05 sur 100",
        # The questionnaire's own text, from its catalogue beside it.
        "1. Profil du système",
        "Règlement sur l'IA art. 10(2)(f)",
    ),
    "de": (
        "Zusammenfassung",
        "Gesamtrisikostufe",
        "Freigabestatus",
        "Datum der Bewertung 15. Oktober 2026",
        "Stufe und Schwellenwerte",
        "Punktzahl nach Abschnitt",
        "Feststellungen im Überblick",
        "Erforderliche Maßnahme",
        "Disparitäten",
        "Kennzahlen nach Gruppe",
        "Antworten",
        "Freigabe",
        "Anhang A. Verzeichnis der Rahmenwerke",
        "Anhang C. Hashwerte und Herkunft",
        "Seite 1 von",
        "Inhalts-sha256",
        "Schwellenwert: der Wert (0,7865) muss ≥ 0,8 sein",
        "Anteil an den höchstmöglichen Risikopunkten des Abschnitts",
        "Punktzahl 44,05 von 100",
        "1. Systemprofil",
        "KI-Verordnung Art. 10(2)(f)",
    ),
}


@dataclass(frozen=True)
class TranslatedPdf:
    lang: str
    reader: PdfReader
    text: str


def _render(folder: Path, lang: str) -> TranslatedPdf:
    shutil.copytree(FIXTURES, folder)
    shutil.copy(CATALOGUES / f"questionnaire.{lang}.po", folder / f"questionnaire.{lang}.po")
    pdf = folder / "report.pdf"
    assert main(["report", str(folder / "assessment.yaml"), "-o", str(pdf), "--lang", lang]) == 0
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return TranslatedPdf(lang, reader, flat("\n".join(page.extract_text() for page in reader.pages)))


@pytest.fixture(scope="module", params=["fr", "de"])
def translated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TranslatedPdf:
    return _render(tmp_path_factory.mktemp(request.param) / "demo", request.param)


def test_the_headings_are_translated_and_no_english_one_remains(translated: TranslatedPdf) -> None:
    # Labels are set in capitals by the stylesheet: compare without case.
    text = translated.text.casefold()
    missing = [phrase for phrase in TRANSLATED[translated.lang] if phrase.casefold() not in text]
    assert missing == []
    remaining = [phrase for phrase in ENGLISH if phrase.casefold() in text]
    assert remaining == []


def test_the_language_is_recorded_in_the_pdf_and_its_result(translated: TranslatedPdf) -> None:
    assert translated.reader.trailer["/Root"]["/Lang"] == translated.lang
    attached = json.loads(translated.reader.attachments["riskcheck-result.json"][0])
    assert attached["lang"] == translated.lang
    # The figures stay as computed: only what the reader sees is translated.
    assert attached["tier"] == "medium"
    assert attached["questionnaire"]["title"] == "Responsible-AI pre-launch review"


def test_an_english_report_records_english(demo: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    assert main(["report", str(demo), "-o", str(pdf)]) == 0
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert json.loads(reader.attachments["riskcheck-result.json"][0])["lang"] == "en"


def _french_html(assessment: Path, template_dir: Path | None = None) -> str:
    shutil.copy(CATALOGUES / "questionnaire.fr.po", assessment.parent / "questionnaire.fr.po")
    loaded = load_assessment(assessment)
    result = assess(loaded).result.to_dict()
    return render_html(result, loaded, template_dir=template_dir, strict=True, lang="fr")


def test_a_template_override_is_translated_too(demo: Path, tmp_path: Path) -> None:
    """--template-dir: an override can use the same catalogue, and one that does not still renders."""
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "report.html").write_text(
        '{% extends "builtin/report.html" %}{% block findings %}'
        '<section id="findings"><h1>{{ _("Findings") }}</h1>'
        '<p>{{ tn("{count} finding in all", "{count} findings in all", findings|length) }}</p>'
        "<p>Our own wording, {{ findings|length }}.</p></section>{% endblock %}\n",
        encoding="utf-8",
    )
    html = _french_html(demo, tmp_path / "templates")
    assert '<section id="findings"><h1>Constats</h1><p>3 constats au total</p>' in html
    assert "<p>Our own wording, 3.</p>" in html
    assert '<html lang="fr">' in html


def test_values_put_into_a_translated_message_are_escaped(demo: Path) -> None:
    text = demo.read_text(encoding="utf-8")
    hostile = text.replace("name: Loan pre-screening", 'name: "<script>alert(1)</script>"', 1)
    assert hostile != text
    demo.write_text(hostile, encoding="utf-8")
    html = _french_html(demo)
    assert "<script>alert(1)</script>" not in html
    # In the cover's "{name}, version {version}", a message with the value put in by gettext.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;, version 2.3.1" in html


@pytest.mark.parametrize("lang", ["xx", "fr_FR"])
def test_an_unknown_language_is_an_error_listing_those_available(
    lang: str, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "report.pdf"
    code = main(["report", str(demo), "-o", str(pdf), "--lang", lang])
    assert (code, capsys.readouterr().err) == (
        2,
        f"error: --lang {lang}: the report has no such language; available: de, en, fr\n",
    )
    assert not pdf.exists()


def test_the_template_messages_are_in_the_catalogue_lint(tmp_path: Path) -> None:
    """The templates' messages are extracted; a broken %(name)s or a stray % fails the lint at its line."""
    from riskcheck.core.i18n import LOCALE_DIR
    from riskcheck.report.translations import extract, lint_catalogue, template_messages

    used = extract()
    assert "Page %(page)s of %(pages)s" in used  # the stylesheet's footer
    plural = "Nothing was saved: %(count)s answer needs correcting"  # the web form's
    assert used[plural] == (plural, "Nothing was saved: %(count)s answers need correcting")
    # The report's words are the document's (Python, {name}); its templates only draw them.
    assert "Executive summary" in used and "Executive summary" not in template_messages()
    assert "Cover" in template_messages()
    text = (LOCALE_DIR / "fr" / "LC_MESSAGES" / "riskcheck.po").read_text(encoding="utf-8")
    broken = text.replace('msgstr "Page %(page)s sur %(pages)s"', 'msgstr "Page %(pag)s sur %(pages)s"')
    assert broken.count("\n") == text.count("\n") and broken != text
    catalogue = tmp_path / "riskcheck.po"
    catalogue.write_text(broken, encoding="utf-8")
    page = broken.splitlines().index('msgid "Page %(page)s of %(pages)s"') + 1
    assert [str(p) for p in lint_catalogue(catalogue)] == [
        f"{catalogue}:{page}: msgid 'Page %(page)s of %(pages)s': placeholders ['%(pag)', '%(pages)'] "
        "in the translation, expected ['%(page)', '%(pages)']",
    ]
    # A template's message is %-formatted by Jinja2: a stray % where %% was meant is caught too.
    stray = tmp_path / "stray.po"
    stray.write_text('msgid ""\nmsgstr ""\n\nmsgid "%(share)s%%"\nmsgstr "%(share)s %"\n', encoding="utf-8")
    share = {"%(share)s%%": ("%(share)s%%",)}
    assert [str(p) for p in lint_catalogue(stray, share, set(share))] == [
        f"{stray}:4: msgid '%(share)s%%': placeholders ['%', '%(share)'] in the translation, "
        "expected ['%%', '%(share)']",
    ]


def test_the_word_report_records_its_language_too(tmp_path: Path) -> None:
    """read_result gives the language back from the Word document, as from the PDF's attachment."""
    import docx

    from riskcheck.report.docx import read_result

    folder = tmp_path / "demo"
    shutil.copytree(FIXTURES, folder)
    shutil.copy(CATALOGUES / "questionnaire.de.po", folder / "questionnaire.de.po")
    word = folder / "bericht.docx"
    assert main(["report", str(folder / "assessment.yaml"), "-o", str(word), "--lang", "de"]) == 0
    assert read_result(word.read_bytes())["lang"] == "de"
    document = docx.Document(str(word))
    assert document.core_properties.language == "de"
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[:2] == ["Zusammenfassung", "Risikoklasse nach der KI-Verordnung"]


def test_the_french_classification_example_as_a_pdf(tmp_path: Path) -> None:
    """examples/classification/loan-scoring.yaml, with the bundled eu-ai-act-classification.fr.po, as a PDF."""
    pdf = tmp_path / "classification.pdf"
    example = Path(__file__).resolve().parents[2] / "examples" / "classification" / "loan-scoring.yaml"
    assert main(["report", str(example), "-o", str(pdf), "--lang", "fr"]) == 0
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    for phrase in (
        "Classification des risques selon le règlement sur l'IA",
        "2. Pratiques interdites (art. 5)",
        "4. Utilisations à haut risque (art. 6(2), annexe III)",
        "Obligations et dates d'application",
    ):
        assert phrase in text
    assert "Executive summary" not in text and "Duties and when they apply" not in text
