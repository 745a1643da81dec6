"""The Word report's own strings in French and German: catalogues, their lint, --lang."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from riskcheck.cli.main import main
from riskcheck.core.i18n import LOCALE_DIR, languages
from riskcheck.core.loader import load_questionnaire
from riskcheck.report import qcatalog
from riskcheck.report.translations import extract, lint_all, lint_bundled, lint_catalogue
from tests.report.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
CREDIT = ROOT / "examples" / "credit-scoring.yaml"
FRENCH = LOCALE_DIR / "fr" / "LC_MESSAGES" / "riskcheck.po"
#: The French catalogue of the report tests' questionnaire (tests/report/fixtures/questionnaire.yaml).
QUESTIONNAIRE_FR = Path(__file__).parent / "docx_i18n" / "questionnaire.fr.po"


def test_the_bundled_catalogues_pass_the_lint() -> None:
    assert languages() == ("de", "en", "fr")
    assert lint_all() == []
    # What python -m riskcheck.report.translations checks: the report's and every bundled questionnaire's catalogues.
    assert lint_bundled() == []


def test_the_template_lists_every_message_the_report_uses() -> None:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / "riskcheck.pot").open("rb") as handle:
        template = read_po(handle)
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in template if m.id}
    # A new string in riskcheck/report/document.py needs the template and each catalogue updated.
    assert ids == set(extract())
    # Extraction cannot see a call inside an f-string: such a string would never be translated.
    source = (ROOT / "riskcheck" / "report" / "document.py").read_text(encoding="utf-8")
    assert "{_(" not in source and "{_n(" not in source


def test_a_broken_placeholder_fails_the_lint_at_its_line(tmp_path: Path) -> None:
    text = FRENCH.read_text(encoding="utf-8")
    broken = text.replace('msgstr "Version {version}"', 'msgstr "Version {versoin}"')
    assert broken != text
    catalogue = tmp_path / "riskcheck.po"
    catalogue.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('msgid "Version {version}"') + 1
    assert [str(p) for p in lint_catalogue(catalogue)] == [
        f"{catalogue}:{line}: msgid 'Version {{version}}': placeholders ['versoin'] in the translation, "
        "expected ['version']"
    ]


def test_a_missing_and_an_untranslated_message_fail_the_lint(tmp_path: Path) -> None:
    text = FRENCH.read_text(encoding="utf-8")
    text = text.replace('msgid "Warnings"\nmsgstr "Avertissements"\n', "")
    text = text.replace('msgstr "Outil"', 'msgstr ""')
    catalogue = tmp_path / "riskcheck.po"
    catalogue.write_text(text, encoding="utf-8")
    line = text.splitlines().index('msgid "Tool"') + 1
    assert [str(p) for p in lint_catalogue(catalogue)] == [
        f"{catalogue}:{line}: msgid 'Tool': not translated",
        f"{catalogue}: msgid 'Warnings': missing from the catalogue",
    ]


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> docx.document.Document:
    """The report tests' demo assessment in French: its questionnaire's catalogue beside it."""
    folder = tmp_path_factory.mktemp("fr") / "demo"
    shutil.copytree(FIXTURES, folder)
    shutil.copy(QUESTIONNAIRE_FR, folder / "questionnaire.fr.po")
    word = folder / "rapport.docx"
    assert main(["report", str(folder / "assessment.yaml"), "-o", str(word), "--lang", "fr"]) == 0
    return docx.Document(str(word))


def test_the_french_word_report(french: docx.document.Document) -> None:
    headings = [p.text for p in french.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[:6] == [
        "Synthèse",
        "Classe de risque selon le règlement sur l’IA",
        "Niveau et seuils",
        "Score par section",
        "Aperçu des constats",
        "Constats",
    ]
    # The questionnaire's own text, from its catalogue.
    assert "1. Profil du système" in headings
    assert "4. Pratiques interdites" in headings
    assert "Annexe A. Index des référentiels" in headings
    cells = [c.text for t in french.tables for row in t.rows for c in row.cells]
    assert "Date de l'évaluation" in cells
    assert "15 octobre 2026" in cells  # the date as French writes it
    assert "Moyen\nScore 44,05 sur 100" in cells  # and the decimal comma
    assert "12 questions obligatoires sur 12 renseignées (complète)" in cells
    assert "À haut risque (annexe III)" in cells
    assert "Oui" in cells and "Yes" not in cells  # answers in words of the language
    question = "Le système évalue-t-il des personnes en fonction de leur comportement social (notation sociale) ?"
    assert f"{question}\nsocial_scoring · Règlement sur l'IA art. 5(1)(c)" in cells
    assert french.core_properties.language == "fr"


def test_a_language_the_questionnaire_lacks_lists_those_it_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", str(CREDIT), "-o", str(tmp_path / "r.docx"), "--lang", "fr"])
    questionnaire = ROOT / "questionnaires" / "rai-prelaunch.yaml"
    assert (code, capsys.readouterr().err) == (
        2,
        f"error: {questionnaire}: --lang fr: the questionnaire has no fr translation (rai-prelaunch.fr.po); "
        "available: en\n",
    )
    assert not (tmp_path / "r.docx").exists()


def test_the_questionnaire_catalogue_lint(tmp_path: Path) -> None:
    questionnaire = FIXTURES / "questionnaire.yaml"
    spec = load_questionnaire(questionnaire).spec.model_dump(mode="json", exclude_none=True)
    assert qcatalog.lint_catalogue(questionnaire, spec, QUESTIONNAIRE_FR) == []
    text = QUESTIONNAIRE_FR.read_text(encoding="utf-8")
    # The English changed under a translation; a translation lost its entry.
    text = text.replace('msgid "Fairness is not monitored after launch."', 'msgid "Fairness is not watched."')
    text = text.replace(
        'msgctxt "sections[data].title"\nmsgid "Data protection"\nmsgstr "Protection des données"\n', ""
    )
    broken = tmp_path / "questionnaire.fr.po"
    broken.write_text(text, encoding="utf-8")
    line = text.splitlines().index('msgid "Fairness is not watched."') + 1
    assert [str(p) for p in qcatalog.lint_catalogue(questionnaire, spec, broken)] == [
        f"{broken}:{line}: msgctxt 'rules[no-monitoring].message': stale: the English text changed; "
        "translate the new msgid",
        f"{broken}: msgctxt 'sections[data].title': missing from the catalogue",
    ]


def test_an_unknown_language_lists_those_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(CREDIT), "-o", str(tmp_path / "r.docx"), "--lang", "xx"])
    assert (code, capsys.readouterr().err) == (
        2,
        "error: --lang xx: the report has no such language; available: de, en, fr\n",
    )
    # The PDF takes --lang too: German is the report's, but the questionnaire has no German.
    code = main(["report", str(CREDIT), "-o", str(tmp_path / "r.pdf"), "--lang", "de"])
    questionnaire = ROOT / "questionnaires" / "rai-prelaunch.yaml"
    assert (code, capsys.readouterr().err) == (
        2,
        f"error: {questionnaire}: --lang de: the questionnaire has no de translation (rai-prelaunch.de.po); "
        "available: en\n",
    )
    assert not (tmp_path / "r.pdf").exists()


def test_the_french_classification_example(tmp_path: Path) -> None:
    """examples/classification/loan-scoring.yaml in French: the bundled eu-ai-act-classification.fr.po."""
    word = tmp_path / "classification.docx"
    example = ROOT / "examples" / "classification" / "loan-scoring.yaml"
    assert main(["report", str(example), "-o", str(word), "--lang", "fr"]) == 0
    document = docx.Document(str(word))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert "2. Pratiques interdites (art. 5)" in headings
    assert "4. Utilisations à haut risque (art. 6(2), annexe III)" in headings
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "À haut risque - utilisation de l'annexe III (art. 6(2))" in cells
    assert "Classification des risques selon le règlement sur l'IA\neu-ai-act-classification@2.0.0" in cells
    assert qcatalog.declared(ROOT / "questionnaires" / "eu-ai-act-classification.yaml") == ("en", "fr")
