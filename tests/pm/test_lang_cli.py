"""``riskcheck new --lang`` and ``riskcheck fill --lang``: the questionnaire's text in the reader's language."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from riskcheck.core.loader import load_assessment
from tests.pm.test_fill_cli import CTRL_C, DOWN, ENTER, finish, spawn

ROOT = Path(__file__).resolve().parents[2]
REPORT_QUESTIONNAIRE = ROOT / "tests" / "report" / "fixtures" / "questionnaire.yaml"
FRENCH_CATALOGUE = ROOT / "tests" / "report" / "docx_i18n" / "questionnaire.fr.po"


ASSESSMENT = (
    "system: {name: x, owner: y, version: '1', purpose: z}\nquestionnaire: {path: questionnaire.yaml}\nanswers: {}\n"
)


@pytest.fixture
def french(tmp_path: Path) -> Path:
    """A folder with a questionnaire and its French catalogue beside it."""
    folder = tmp_path / "fr"
    folder.mkdir()
    shutil.copy(REPORT_QUESTIONNAIRE, folder / "questionnaire.yaml")
    shutil.copy(FRENCH_CATALOGUE, folder / "questionnaire.fr.po")
    return folder


def riskcheck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcheck", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_new_writes_the_questions_in_french(french: Path) -> None:
    run = riskcheck(
        french, "new", "-q", "questionnaire.yaml", "-o", "brouillon.yaml", "--name", "Prêts", "--lang", "fr"
    )
    assert (run.returncode, run.stderr) == (0, "")
    text = (french / "brouillon.yaml").read_text(encoding="utf-8")
    assert text.startswith("# riskcheck assessment for Revue IA responsable avant mise en service (report-demo@1.2.0)")
    assert "  # == Profil du système ==" in text
    assert "  # À quoi sert le système ?\n" in text
    assert "  #   Choisissez la réponse la plus proche.\n" in text  # help text
    assert "What is the system used for?" not in text
    # The keys and the values to answer with stay the questionnaire's own.
    assert (
        "  #   type: one of credit_scoring | marketing | internal_tooling\n"
        "  #   references: eu-ai-act:annex-iii(5)(b)\n  use_case:\n"
    ) in text
    loaded = load_assessment(french / "brouillon.yaml")
    assert loaded.file.system.name == "Prêts"
    assert riskcheck(french, "validate", "brouillon.yaml").returncode == 0


@pytest.mark.parametrize(
    ("command", "lang", "message"),
    [
        (["new", "-q", "questionnaire.yaml", "-o", "x.yaml"], "xx", "--lang xx: riskcheck has no such language; "),
        (["fill", "x.yaml"], "xx", "--lang xx: riskcheck has no such language; "),
        (["report", "x.yaml", "-o", "x.pdf"], "xx", "--lang xx: the report has no such language; "),
        (["serve", "."], "xx", "--lang xx: the web form has no such language; "),
    ],
)
def test_an_unknown_language_is_exit_2_on_every_command(
    french: Path, command: list[str], lang: str, message: str
) -> None:
    (french / "x.yaml").write_text(ASSESSMENT, encoding="utf-8")
    run = riskcheck(french, *command, "--lang", lang)
    assert (run.returncode, run.stderr) == (2, f"error: {message}available: de, en, fr\n")
    assert not (french / "x.pdf").exists()


@pytest.mark.parametrize("command", [["new", "-q", "questionnaire.yaml", "-o", "y.yaml"], ["fill", "x.yaml"]])
def test_a_language_the_questionnaire_lacks_lists_those_it_has(french: Path, command: list[str]) -> None:
    (french / "x.yaml").write_text(ASSESSMENT, encoding="utf-8")
    run = riskcheck(french, *command, "--lang", "de")
    questionnaire = "questionnaire.yaml"  # as the command line or the assessment names it
    assert (run.returncode, run.stderr) == (
        2,
        f"error: {questionnaire}: --lang de: the questionnaire has no de translation (questionnaire.de.po); "
        "available: en, fr\n",
    )
    assert not (french / "y.yaml").exists()


def test_fill_asks_in_french_and_saves_the_questionnaire_values(french: Path) -> None:
    from riskcheck.authoring.fill import save_system

    assert riskcheck(french, "new", "-q", "questionnaire.yaml", "-o", "draft.yaml", "--name", "Prêts", "--owner", "o")
    save_system(french / "draft.yaml", {"purpose": "Prêts aux particuliers", "assessed_on": dt.date(2026, 11, 1)})
    child = spawn(french, "draft.yaml", "--lang", "fr")
    child.expect_exact("== Profil du système ==")
    child.expect_exact("À quoi sert le système ?")
    child.expect_exact("Évaluation de la solvabilité de personnes physiques")
    child.expect_exact("Personnalisation marketing")
    child.send(DOWN)
    child.send(ENTER)  # the second option
    child.expect_exact("Enregistré.")
    child.expect_exact("Comment les décisions sont-elles prises ?")
    child.send(CTRL_C)
    code, output = finish(child)
    assert code == 130
    assert "What is the system used for?" not in output
    # What is saved is the option's value, never the words shown.
    assert dict(load_assessment(french / "draft.yaml").answers.values)["use_case"] == "marketing"
