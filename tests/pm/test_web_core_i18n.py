"""The web form in French beyond its own templates: the list's questionnaire titles and tier
labels, the rows the start-up thread scores, answer checks and the core's messages.

The real app, in process (its lifespan runs the warm-up thread), through Starlette's test client.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.web.app import create_app

REPORT_FIXTURES = Path(__file__).resolve().parents[1] / "report" / "fixtures"
FRENCH_CATALOGUE = Path(__file__).resolve().parents[1] / "report" / "docx_i18n" / "questionnaire.fr.po"


def words(html: str) -> str:
    shown = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", shown)).split())


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """The report tests' assessment (its questionnaire translated into French beside it), a
    draft of it without its date, and one whose answer the questionnaire refuses."""
    root = tmp_path / "served"
    shutil.copytree(REPORT_FIXTURES, root)
    shutil.copy(FRENCH_CATALOGUE, root / "questionnaire.fr.po")
    text = (root / "assessment.yaml").read_text(encoding="utf-8")
    (root / "draft.yaml").write_text(text.replace("  assessed_on: 2026-10-15\n", ""), encoding="utf-8")
    (root / "broken.yaml").write_text(text.replace("people_count: 120000", "people_count: -5"), encoding="utf-8")
    return root


@pytest.fixture
def french(served: Path) -> Iterator[TestClient]:
    with TestClient(create_app(served, lang="fr"), base_url="http://127.0.0.1") as client:
        # The rows the warm-up thread scored are the ones the list shows (cached per file version).
        for thread in threading.enumerate():
            if thread.name == "riskcheck-warm-index":
                thread.join(timeout=60)
        yield client


def test_the_list_gives_each_questionnaire_title_and_tier_label_in_french(french: TestClient) -> None:
    page = french.get("/")
    assert page.status_code == 200
    shown = words(page.text)
    assert "Revue IA responsable avant mise en service (report-demo@1.2.0)" in shown
    assert '<span class="tier tier-medium">Moyen</span>' in page.text
    for english in ("Responsible-AI pre-launch review", ">Medium<"):
        assert english not in page.text


def test_a_row_the_warm_up_thread_scored_speaks_the_servers_language(french: TestClient) -> None:
    """The thread does not inherit a request's language: it runs in the server's."""
    shown = words(french.get("/").text)
    assert "answers.people_count: attendu un nombre ≥ 0, reçu -5" in shown
    assert "expected a number" not in shown


def test_an_answer_the_form_refuses_says_why_in_french(french: TestClient) -> None:
    form = french.get("/a/draft.yaml")
    assert form.status_code == 200
    hidden = dict(re.findall(r'name="(csrf_token|version)" value="([^"]*)"', form.text))
    # The hint under a number question, and the frameworks' titles of its references, in French too.
    assert "un nombre entier (au moins 0), en people per year" in words(form.text)
    assert "Règlement sur l’IA art-14" in words(form.text)
    refused = french.post(
        "/a/draft.yaml", data={**hidden, "action": "save", "q.affects_people": "yes", "q.people_count": "-5"}
    )
    assert refused.status_code == 422
    assert "attendu un nombre ≥ 0, reçu -5" in words(refused.text)
    assert "expected a number" not in refused.text


def test_the_draft_reason_the_core_writes_is_in_french_on_the_form(french: TestClient) -> None:
    page = french.get("/a/draft.yaml")
    shown = words(page.text)
    assert "la date de l'évaluation (system.assessed_on) n'est pas indiquée" in shown
    assert "is not given" not in shown


def test_the_new_page_lists_the_questionnaires_in_french(french: TestClient) -> None:
    shown = words(french.get("/new").text)
    assert "Revue IA responsable avant mise en service questionnaire.yaml dans ce dossier" in shown
    assert "fourni avec riskcheck" in shown
    assert "in this directory" not in shown and ", bundled" not in shown


def test_in_english_the_list_is_as_it_was(served: Path) -> None:
    with TestClient(create_app(served), base_url="http://127.0.0.1") as client:
        shown = words(client.get("/").text)
    assert "Responsible-AI pre-launch review (report-demo@1.2.0)" in shown
    assert "answers.people_count: expected a number >= 0, got -5" in shown
