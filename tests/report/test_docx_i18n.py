"""The Word report's own strings in French and German: catalogues, their lint, --lang."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from riskcheck.cli.main import main
from riskcheck.report.i18n import LOCALE_DIR, extract, languages, lint_all, lint_catalogue

ROOT = Path(__file__).resolve().parents[2]
CREDIT = ROOT / "examples" / "credit-scoring.yaml"
FRENCH = LOCALE_DIR / "fr" / "LC_MESSAGES" / "riskcheck.po"


def test_the_bundled_catalogues_pass_the_lint() -> None:
    assert languages() == ("de", "en", "fr")
    assert lint_all() == []


def test_the_template_lists_every_message_the_report_uses() -> None:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / "riskcheck.pot").open("rb") as handle:
        template = read_po(handle)
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in template if m.id}
    # A new string in riskcheck/report/document.py needs the template and each catalogue updated.
    assert ids == set(extract())


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
    word = tmp_path_factory.mktemp("fr") / "rapport.docx"
    assert main(["report", str(CREDIT), "-o", str(word), "--lang", "fr"]) == 0
    return docx.Document(str(word))


def test_the_french_word_report(french: docx.document.Document) -> None:
    headings = [p.text for p in french.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:4] == ["Synthèse", "Constats", "Équité", "Réponses"]
    assert "Annexe A. Index des référentiels" in headings
    cells = [c.text for t in french.tables for row in t.rows for c in row.cells]
    assert "Date de l'évaluation" in cells
    assert "2 mars 2026" in cells  # the date as French writes it
    assert "Score 15,35 sur 100" in "\n".join(cells)  # and the decimal comma
    assert french.core_properties.language == "fr"


def test_an_unknown_language_lists_those_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(CREDIT), "-o", str(tmp_path / "r.docx"), "--lang", "xx"])
    assert (code, capsys.readouterr().err) == (
        2,
        "error: --lang xx: the report has no such language; available: de, en, fr\n",
    )
    code = main(["report", str(CREDIT), "-o", str(tmp_path / "r.pdf"), "--lang", "de"])
    assert (code, capsys.readouterr().err) == (
        2,
        "error: --lang de: the PDF and HTML report are in English only for now; "
        "give -o report.docx for a translated Word report\n",
    )
