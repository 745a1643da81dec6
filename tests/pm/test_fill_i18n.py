"""``riskcheck fill --lang fr``: fill's own prompts, answer checks and hints in French, in a pseudo-terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskcheck.core.loader import load_assessment
from tests.pm.test_fill_cli import CTRL_C, DOWN, ENTER, finish, spawn

ROOT = Path(__file__).resolve().parents[2]
REPORT_QUESTIONNAIRE = ROOT / "tests" / "report" / "fixtures" / "questionnaire.yaml"
CATALOGUES = ROOT / "tests" / "report" / "docx_i18n"
CLEAR_LINE = "\x15"  # Ctrl-U


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A new assessment of a questionnaire translated into French and German beside it."""
    from tests.pm.conftest import write_draft

    folder = tmp_path / "assessments"
    folder.mkdir()
    shutil.copy(REPORT_QUESTIONNAIRE, folder / "questionnaire.yaml")
    for lang in ("fr", "de"):
        shutil.copy(CATALOGUES / f"questionnaire.{lang}.po", folder / f"questionnaire.{lang}.po")
    write_draft(folder, system="Prêts")
    return folder


def test_fill_asks_checks_and_reports_in_french(folder: Path) -> None:
    child = spawn(folder, "draft.yaml", "--lang", "fr")
    child.expect_exact("Évaluation : draft.yaml — Prêts")
    child.expect_exact("Questions applicables avec réponse : 0 sur")
    child.expect_exact("Chaque réponse est enregistrée aussitôt ; appuyez sur Ctrl-C pour vous arrêter")
    # The system block first, with fill's own checks.
    child.expect_exact("== À propos du système ==")
    child.expect_exact("le rapport de cette évaluation est un projet et `riskcheck check` échoue.")
    child.expect_exact("Sa finalité : ce que fait le système, et pour qui")
    child.send("TODO: Describe what the system does and for whom." + ENTER)
    child.expect_exact("purpose : attendu le vrai texte, reçu le texte provisoire")
    child.send(CLEAR_LINE + "Présélection des demandes de prêt" + ENTER)
    child.expect_exact("purpose enregistré.")
    child.expect_exact("La date de l'évaluation")
    child.send(CLEAR_LINE + "2026-13-01" + ENTER)
    child.expect_exact("assessed_on : attendu une date, AAAA-MM-JJ, reçu '2026-13-01'")
    child.send(CLEAR_LINE + "2026-11-29" + ENTER)
    child.expect_exact("assessed_on enregistré.")
    # The questions: the questionnaire's text from its catalogue, fill's words from riskcheck's.
    child.expect_exact("== Profil du système ==")
    child.expect_exact("Profil du système — question 1 sur 5 (0 avec réponse)")
    child.expect_exact("Références : Règlement sur l’IA annex-iii(5)(b)")  # the framework's title from the catalogue
    child.expect_exact("À quoi sert le système ?")
    child.expect_exact("(touches fléchées, Entrée)")
    child.expect_exact("Afficher l'aide et les références")
    child.send(DOWN + ENTER)  # Marketing personalisation
    child.expect_exact("Enregistré. Profil du système — 1 sur 5 · niveau")
    child.expect_exact("Comment les décisions sont-elles prises ?")
    child.send(ENTER)  # Advisory only
    child.expect_exact("Enregistré. Profil du système — 2 sur 5 · niveau")
    child.expect_exact("Oui")
    child.send(ENTER)  # Yes: the number of people now applies
    child.expect_exact("Enregistré. Profil du système — 3 sur 6 · niveau")
    child.expect_exact("Profil du système — question 4 sur 6 (3 avec réponse)")
    child.send("-5" + ENTER)
    child.expect_exact("attendu un nombre ≥ 0, reçu -5 (tapez ? pour l'aide)")
    child.send("\x7f" * 2 + "?" + ENTER)
    child.expect_exact("Attendu : un nombre entier (au moins 0), en people per year")
    child.send(CTRL_C)
    code, output = finish(child)
    assert code == 130
    assert (
        "Arrêt. 3 réponses sont enregistrées dans draft.yaml ; lancez `riskcheck fill draft.yaml` "
        "pour reprendre là où vous vous êtes arrêté."
    ) in output
    for english in ("About the system", "Saved.", "question 1 of", "expected a number", "Stopped."):
        assert english not in output
    # What is saved is the questionnaire's values, never the words shown.
    saved = load_assessment(folder / "draft.yaml")
    assert dict(saved.answers.values) == {"use_case": "marketing", "decision_type": "advisory", "affects_people": True}
    assert saved.file.system.purpose == "Présélection des demandes de prêt"


def test_fill_in_german_names_the_system_fields_in_german(folder: Path) -> None:
    child = spawn(folder, "draft.yaml", "--lang", "de")
    child.expect_exact("Bewertung: draft.yaml — Prêts")
    child.expect_exact("== Über das System ==")
    child.expect_exact("Sein Zweck: was das System tut und für wen")
    child.send(CTRL_C)
    code, output = finish(child)
    assert code == 130
    assert "Angehalten. 0 Antworten sind in draft.yaml gespeichert" in output
