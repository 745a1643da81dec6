"""The web form in French: ``riskcheck serve --lang fr``, through real HTTP requests to the real server."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from riskcheck.core.loader import load_assessment
from tests.pm.conftest import CHROMIUM, DATA, chromium, serving

REPORT_FIXTURES = Path(__file__).resolve().parents[1] / "report" / "fixtures"
FRENCH_CATALOGUE = Path(__file__).resolve().parents[1] / "report" / "docx_i18n" / "questionnaire.fr.po"


@pytest.fixture(scope="module")
def french_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A served folder: the report tests' assessment, whose questionnaire has a French catalogue
    beside it, and in a subfolder one whose questionnaire has none."""
    root = tmp_path_factory.mktemp("served") / "assessments"
    shutil.copytree(REPORT_FIXTURES, root)
    shutil.copy(FRENCH_CATALOGUE, root / "questionnaire.fr.po")
    english = root / "english"
    english.mkdir()
    shutil.copy(DATA / "questionnaire.yaml", english / "questionnaire.yaml")
    from tests.pm.conftest import write_draft

    write_draft(english)
    with serving(root, "--lang", "fr") as base:
        yield base


def text_of(html: str) -> str:
    """The words of a page, without its markup."""
    shown = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)  # the script's messages are not page text
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", shown)).split())


def test_the_list_in_french(french_site: str) -> None:
    page = httpx.get(french_site + "/", timeout=30)
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    words = text_of(page.text)
    for phrase in ("Évaluations", "Nouvelle évaluation", "Niveau de risque", "Aller au contenu", "Validation"):
        assert phrase in words
    for english in ("New assessment", "Risk tier", "Skip to content", "Sign-off"):
        assert english not in words


def test_an_assessment_in_french_with_its_questionnaire_text(french_site: str) -> None:
    page = httpx.get(french_site + "/a/assessment.yaml", timeout=30)
    assert page.status_code == 200
    words = text_of(page.text)
    # The form's own strings.
    for phrase in ("Enregistrer les réponses", "Télécharger le PDF", "Score de risque", "Prochaines actions"):
        assert phrase in words
    # The questionnaire's text, from the catalogue beside it; the tier label in the panel too.
    for phrase in ("Profil du système", "À quoi sert le système ?", "Moyen", "Protection des données"):
        assert phrase in words
    for english in ("Save answers", "Download PDF", "Risk score", "What is the system used for?", "System profile"):
        assert english not in words
    # Answers are shown (and sent back) as given, never translated.
    assert 'value="credit_scoring" checked' in page.text


def test_a_questionnaire_without_french_keeps_its_english_text(french_site: str) -> None:
    page = httpx.get(french_site + "/a/english/draft.yaml", timeout=30)
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Enregistrer les réponses" in words  # the form's own strings are French
    assert "How many people does it affect per year?" in words  # the questionnaire has no French


def test_the_new_assessment_page_in_french(french_site: str) -> None:
    page = httpx.get(french_site + "/new", timeout=30)
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Créer l'évaluation" in words and "Nom du système d'IA" in words
    assert "Create assessment" not in words


def test_an_expired_form_is_explained_in_french(french_site: str) -> None:
    response = httpx.post(
        french_site + "/a/assessment.yaml", data={"csrf_token": "0" * 64, "action": "save"}, timeout=30
    )
    assert response.status_code == 403
    words = text_of(response.text)
    assert "Formulaire expiré" in words
    assert "Ce formulaire a expiré ou ne provient pas de cette page : rien n'a été enregistré." in words


def test_the_downloaded_pdf_is_french(french_site: str) -> None:
    response = httpx.get(french_site + "/pdf/assessment.yaml", timeout=120)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert json.loads(reader.attachments["riskcheck-result.json"][0])["lang"] == "fr"
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Synthèse" in text and "Executive summary" not in text


def test_a_questionnaire_without_french_gives_an_english_pdf(french_site: str) -> None:
    response = httpx.get(french_site + "/pdf/english/draft.yaml", timeout=120)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert json.loads(reader.attachments["riskcheck-result.json"][0])["lang"] == "en"


def test_serve_refuses_an_unknown_language(workdir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "riskcheck", "serve", str(workdir), "--lang", "xx"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        2,
        "error: --lang xx: the web form has no such language; available: de, en, fr\n",
    )


def test_the_scripts_messages_come_translated_and_escaped(french_site: str) -> None:
    page = httpx.get(french_site + "/a/assessment.yaml", timeout=30)
    block = re.search(r'<script type="application/json" id="riskcheck-strings">(.*?)</script>', page.text, re.S)
    assert block is not None
    strings = json.loads(block.group(1))
    assert strings["Unsaved changes"] == "Modifications non enregistrées"
    assert strings["Saved {time}"] == "Enregistré à {time}"
    # tojson escapes what could end the block early.
    assert "<" not in block.group(1) and ">" not in block.group(1)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
def test_the_form_speaks_french_in_chromium(tmp_path: Path) -> None:
    """What the script writes as you type (live errors, the save state), in French."""
    from playwright.sync_api import expect

    root = tmp_path / "served"
    shutil.copytree(REPORT_FIXTURES, root)
    shutil.copy(FRENCH_CATALOGUE, root / "questionnaire.fr.po")
    with serving(root, "--lang", "fr") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/a/assessment.yaml")
        people = page.get_by_label("Combien de personnes concerne-t-il par an ?")
        people.fill("")
        people.click()
        page.keyboard.type("350k")
        expect(page.locator("#live-people_count")).to_have_text(
            "Pas un nombre entier : « 350k ». Saisissez uniquement des chiffres, par exemple 350000. "
            "Rien n'est enregistré tant que ce n'est pas un nombre."
        )
        expect(page.locator("#save-state")).to_contain_text("sauf 1 réponse à corriger", timeout=10_000)
        expect(page.get_by_role("button", name="Replier ou déplier Profil du système")).to_have_count(1)
    # The number refused is not saved; the answer given before stays.
    assert dict(load_assessment(root / "assessment.yaml").answers.values)["people_count"] == 120000
