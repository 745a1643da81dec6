"""A sign-off covers the questionnaire's translations: the French report shows the French catalogue's text.

The demo assessment with the French catalogue beside its questionnaire; approvals are
recorded with ``riskcheck sign``, the French report is a real Word document.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import docx

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.cli.main import main
from riskcheck.core.content import translation_catalogues
from riskcheck.core.loader import load_assessment
from riskcheck.pipeline import content_parts_of
from riskcheck.report.qcatalog import declared

CATALOGUES = Path(__file__).parent / "docx_i18n"
NOW = dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.UTC)
ROLES = (("Priya Product", "product"), ("Lena Legal", "legal"), ("Paul Privacy", "privacy"))
#: A rule message of the demo questionnaire, as its French catalogue has it.
FRENCH_RULE = (
    "Des données à caractère personnel sont traitées sans analyse d’impact relative à la protection des données."
)


def approve_all(path: Path) -> None:
    for name, role in ROLES:
        sign(path, name=name, role=role, decision="approve", now=NOW)


def assert_stale(path: Path, change: str, day: str = "2026-10-20") -> None:
    outcome = api.check(path, require_signoff=True)
    assert outcome.result.signoffs.status == "stale"
    assert [r.message for r in outcome.failed if r.kind == "signoff"] == [
        f"role {role!r} has no current approval; its latest decision "
        f"(approve by {name}, {day}T09:30:00+00:00) is stale: "
        f"changed since {name}'s approval on {day}: {change}"
        for name, role in ROLES
    ]


def french_docx_text(path: Path, out: Path) -> str:
    assert main(["report", str(path), "--lang", "fr", "-o", str(out)]) == 0
    document = docx.Document(str(out))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_each_catalogue_is_a_part_of_what_a_sign_off_covers(demo: Path) -> None:
    shutil.copy(CATALOGUES / "questionnaire.fr.po", demo.parent / "questionnaire.fr.po")
    loaded = load_assessment(demo)
    assert translation_catalogues(demo.parent / "questionnaire.yaml") == {"fr": demo.parent / "questionnaire.fr.po"}
    assert declared(demo.parent / "questionnaire.yaml") == ("en", "fr")
    parts = content_parts_of(loaded, api.score(loaded))
    assert [key for key in parts if key.startswith("translation.")] == ["translation.fr"]


def test_editing_the_french_translation_after_approval_makes_approvals_stale(demo: Path, tmp_path: Path) -> None:
    catalogue = demo.parent / "questionnaire.fr.po"
    shutil.copy(CATALOGUES / "questionnaire.fr.po", catalogue)
    approve_all(demo)
    assert api.check(demo, require_signoff=True).result.signoffs.status == "approved"
    assert FRENCH_RULE in french_docx_text(demo, tmp_path / "before.docx")

    text = catalogue.read_text(encoding="utf-8")
    rewritten = "Aucun risque : l’AIPD a été réalisée et ses conclusions sont favorables."
    assert FRENCH_RULE in text
    catalogue.write_text(text.replace(FRENCH_RULE, rewritten), encoding="utf-8")

    assert_stale(demo, "the French translation of the questionnaire")
    after = french_docx_text(demo, tmp_path / "after.docx")
    assert rewritten in after and FRENCH_RULE not in after
    # Why each approval is stale, in the report's language.
    assert "la traduction du questionnaire en français" in after
    # The gate fails on it, as on any change to what the signers saw.
    assert main(["check", str(demo), "--require-signoff", "--fail-on", "none"]) == 1


def test_a_translation_added_after_approval_makes_approvals_stale(demo: Path) -> None:
    approve_all(demo)  # no catalogue yet: the records cover none
    assert api.check(demo, require_signoff=True).result.signoffs.status == "approved"
    german = demo.parent / "questionnaire.de.po"
    shutil.copy(CATALOGUES / "questionnaire.de.po", german)
    assert_stale(demo, "the German translation of the questionnaire")
    german.unlink()  # back to what was approved
    assert api.check(demo, require_signoff=True).result.signoffs.status == "approved"


def test_a_translation_removed_after_approval_makes_approvals_stale(demo: Path) -> None:
    german = demo.parent / "questionnaire.de.po"
    shutil.copy(CATALOGUES / "questionnaire.de.po", german)
    approve_all(demo)
    assert api.check(demo, require_signoff=True).result.signoffs.status == "approved"
    german.unlink()
    assert_stale(demo, "the German translation of the questionnaire")


def test_an_unreadable_catalogue_does_not_pass_for_the_one_approved(demo: Path) -> None:
    catalogue = demo.parent / "questionnaire.fr.po"
    shutil.copy(CATALOGUES / "questionnaire.fr.po", catalogue)
    approve_all(demo)
    catalogue.unlink()
    catalogue.mkdir()  # still named as a catalogue, but nothing riskcheck can hash
    assert_stale(demo, "the French translation of the questionnaire")


def test_a_record_without_catalogues_keeps_its_hash(demo: Path) -> None:
    """Records made before translations were covered: a questionnaire without catalogues hashes as before."""
    loaded = load_assessment(demo)
    result = api.score(loaded)
    parts = content_parts_of(loaded, result)
    assert not [key for key in parts if key.startswith("translation.")]
    approve_all(demo)
    recorded = load_assessment(demo).signoffs[0].content_sha256
    assert recorded == result.hashes.content
    assert api.check(demo, require_signoff=True).result.signoffs.status == "approved"
