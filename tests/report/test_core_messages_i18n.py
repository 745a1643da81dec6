"""What the core writes into a result, in the report's language: ``riskcheck report --lang fr|de``.

The assessment is the report tests' demo (whose fairness threshold is breached), made a
draft (no assessment date, a required answer missing) and given an approval that a
migration made stale. Real WeasyPrint and python-docx renders through the command line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from riskcheck.cli.main import main
from tests.report.conftest import FIXTURES, flat

CATALOGUES = Path(__file__).parent / "docx_i18n"

#: Why the report is a draft, why the approval is stale, the breach's mitigation and the breach itself (its
#: figures in the language's digits), in each language.
EXPECTED = {
    "en": (
        "the assessment is incomplete: 1 required question(s) unanswered",
        "the date of the assessment (system.assessed_on) is not given",
        "the assessment was migrated from report-demo@1.1.0 to report-demo@1.2.0 after Claire Martin's approval "
        "on 2026-11-02 (riskcheck migrate); re-approve the migrated answers",
        "Investigate the gap between the groups named, mitigate it (re-weighting, threshold adjustment, "
        "better data) and re-measure before launch.",
        "demographic_parity_ratio is 0.7865, below the minimum 0.8000; selection_rate: lowest group_b 0.4938, "
        "highest group_a 0.6278 (left out for too little evidence: group_d)",
    ),
    "fr": (
        "l'évaluation est incomplète : 1 question obligatoire sans réponse",
        "la date de l'évaluation (system.assessed_on) n'est pas indiquée",
        "l'évaluation a été migrée de report-demo@1.1.0 vers report-demo@1.2.0 après l'approbation de "
        "Claire Martin du 2 novembre 2026 (riskcheck migrate) ; approuvez de nouveau les réponses migrées",
        "Analysez l'écart entre les groupes nommés, atténuez-le (repondération, ajustement du seuil, "
        "meilleures données) et mesurez-le de nouveau avant la mise en service.",
        "demographic_parity_ratio vaut 0,7865, en dessous du minimum 0,8000 ; selection_rate : le plus bas "
        "group_b 0,4938, le plus haut group_a 0,6278 (écartés faute de données suffisantes : group_d)",
    ),
    "de": (
        "die Bewertung ist unvollständig: 1 Pflichtfrage unbeantwortet",
        "das Datum der Bewertung (system.assessed_on) ist nicht angegeben",
        "die Bewertung wurde nach der Genehmigung von Claire Martin vom 2. November 2026 von report-demo@1.1.0 "
        "auf report-demo@1.2.0 migriert (riskcheck migrate); genehmigen Sie die migrierten Antworten erneut",
        "Untersuchen Sie den Abstand zwischen den genannten Gruppen, mindern Sie ihn (Neugewichtung, Anpassung "
        "des Schwellenwerts, bessere Daten) und messen Sie vor der Inbetriebnahme erneut.",
        "demographic_parity_ratio beträgt 0,7865 und liegt unter dem Minimum 0,8000; selection_rate: niedrigster "
        "Wert group_b 0,4938, höchster Wert group_a 0,6278 (wegen zu geringer Evidenz ausgelassen: group_d)",
    ),
}


def stale_draft(folder: Path) -> Path:
    """The demo assessment without its date and one required answer, approved under 1.1.0 and migrated since."""
    from riskcheck.audit.signoff import sign

    shutil.copytree(FIXTURES, folder)
    for lang in ("fr", "de"):
        shutil.copy(CATALOGUES / f"questionnaire.{lang}.po", folder / f"questionnaire.{lang}.po")
    path = folder / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  assessed_on: 2026-10-15\n", "").replace("  monitoring: quarterly\n", "")
    path.write_text(text, encoding="utf-8")
    sign(
        path, name="Claire Martin", role="legal", decision="approve", now=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    )
    # As `riskcheck migrate` leaves it: the record names the version it was made under, the
    # questionnaire part has changed since, and the file logs the migration.
    text = path.read_text(encoding="utf-8")
    text = text.replace("questionnaire: report-demo@1.2.0", "questionnaire: report-demo@1.1.0")
    text = re.sub(r'(\n {6}questionnaire: )"[0-9a-f]{16}"', r'\g<1>"0000000000000000"', text)
    text = re.sub(r"content_sha256: [0-9a-f]{64}", "content_sha256: " + "f" * 64, text)
    text += "migrated:\n  - {from: report-demo@1.1.0, to: report-demo@1.2.0, timestamp: '2026-11-20T10:00:00+00:00'}\n"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Report:
    lang: str
    text: str
    #: The result attached to the PDF (None for a Word report).
    result: dict[str, Any] | None


def pdf_report(assessment: Path, lang: str) -> Report:
    pdf = assessment.parent / f"report-{lang}.pdf"
    options = ["--lang", lang] if lang != "en" else []
    assert main(["report", str(assessment), "-o", str(pdf), *options]) == 0
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    # A line may break after the hyphen of "report-demo": join it again for phrase searches.
    text = flat("\n".join(page.extract_text() for page in reader.pages)).replace("- ", "-")
    return Report(lang, text, json.loads(reader.attachments["riskcheck-result.json"][0]))


def word_report(assessment: Path, lang: str) -> Report:
    path = assessment.parent / f"report-{lang}.docx"
    assert main(["report", str(assessment), "-o", str(path), "--lang", lang]) == 0
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return Report(lang, flat("\n".join(parts)), None)


@pytest.fixture(scope="module")
def assessment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stale_draft(tmp_path_factory.mktemp("core-messages") / "demo")


@pytest.fixture(scope="module")
def pdfs(assessment: Path) -> dict[str, Report]:
    return {lang: pdf_report(assessment, lang) for lang in ("en", "fr")}


def test_the_french_pdf_gives_the_draft_reasons_the_stale_note_and_the_mitigation_in_french(
    pdfs: dict[str, Report],
) -> None:
    text = pdfs["fr"].text
    assert [phrase for phrase in EXPECTED["fr"] if phrase not in text] == []
    assert [phrase for phrase in EXPECTED["en"] if phrase in text] == []


def test_the_english_pdf_is_as_it_was(pdfs: dict[str, Report]) -> None:
    assert [phrase for phrase in EXPECTED["en"] if pdfs["en"].text.count(phrase) == 0] == []
    assert "l'évaluation" not in pdfs["en"].text


def test_the_result_attached_to_the_french_pdf_holds_the_french_messages(pdfs: dict[str, Report]) -> None:
    result = pdfs["fr"].result
    assert result is not None
    assert result["lang"] == "fr"
    assert result["draft"] == list(EXPECTED["fr"][:2])
    assert [r["note"] for r in result["signoffs"]["records"]] == [EXPECTED["fr"][2]]
    breach = next(f for f in result["findings"] if f["source"] == "fairness")
    assert breach["mitigation"] == EXPECTED["fr"][3]
    assert breach["message"] == EXPECTED["fr"][4]
    # Why a group was left out of the disparities (too few rows), in French words.
    reasons = [entry["reason"] for entry in result["fairness"]["insufficient_evidence"]]
    assert reasons and all("lignes, moins que min_group_size" in r or "ligne, moins que" in r for r in reasons)
    # Machine fields stay as they are: ids, codes, states.
    assert (breach["id"], breach["severity"]) == ("fairness.demographic_parity_ratio", "high")
    assert (result["signoffs"]["status"], result["status"], result["tier"]) == ("stale", "incomplete", "medium")


def test_french_and_english_runs_of_the_same_assessment_have_the_same_hashes(pdfs: dict[str, Report]) -> None:
    """An approval covers what the signer saw, never the language it was shown in."""
    english, french = pdfs["en"].result, pdfs["fr"].result
    assert english is not None and french is not None
    assert french["hashes"] == english["hashes"]
    assert french["hashes"]["content"] == english["hashes"]["content"]
    assert (french["score"], french["tier"], french["signoffs"]["status"]) == (
        english["score"],
        english["tier"],
        english["signoffs"]["status"],
    )


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_the_word_report_gives_them_in_its_language(assessment: Path, lang: str) -> None:
    text = word_report(assessment, lang).text
    assert [phrase for phrase in EXPECTED[lang] if phrase not in text] == []
    assert [phrase for phrase in EXPECTED["en"] if phrase in text] == []


def test_a_french_report_leaves_the_gate_and_later_english_runs_in_english(
    assessment: Path, pdfs: dict[str, Report], capsys: pytest.CaptureFixture[str]
) -> None:
    """The language is set around one report's work only: the gate that follows speaks English."""
    capsys.readouterr()
    assert main(["score", str(assessment), "--format", "json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored["draft"] == list(EXPECTED["en"][:2])
    assert [r["note"] for r in scored["signoffs"]["records"]] == [EXPECTED["en"][2]]
    assert scored["hashes"] == pdfs["fr"].result["hashes"]  # type: ignore[index]


def test_answer_checks_and_input_hints_in_the_language_in_use() -> None:
    from riskcheck.authoring.fill import check_answer, input_hint
    from riskcheck.core.i18n import use_language
    from riskcheck.core.loader import load_questionnaire

    question = load_questionnaire(FIXTURES / "questionnaire.yaml").questions["people_count"].question
    said: dict[str, tuple[str, str]] = {}
    for lang in ("en", "fr", "de"):
        with use_language(lang), pytest.raises(ValueError) as raised:
            check_answer(question, -5)
        with use_language(lang):
            said[lang] = (str(raised.value), input_hint(question))
    assert said == {
        "en": ("expected a number >= 0, got -5", "a whole number (at least 0), in people per year"),
        "fr": ("attendu un nombre ≥ 0, reçu -5", "un nombre entier (au moins 0), en people per year"),
        "de": ("erwartet eine Zahl ≥ 0, erhalten -5", "eine ganze Zahl (mindestens 0), in people per year"),
    }
