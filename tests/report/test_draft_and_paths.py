"""A report never looks more final than it is, and every path gives the same answer (issue 12)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from riskcheck import api
from riskcheck.cli.main import main
from riskcheck.core.loader import load_assessment
from riskcheck.pipeline import Assessed, assess
from riskcheck.report.render import render_pdf
from riskcheck.web import create_app
from tests.report.conftest import FIXTURES, flat


def report_pdf(assessed: Assessed) -> bytes:
    """The one path from a result to the report."""
    return render_pdf(assessed.result.to_dict(), assessed.loaded)


ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def pages(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    path = tmp_path / "new.yaml"
    assert main(["new", "--questionnaire", "rai-prelaunch", "-o", str(path)]) == 0
    return path


def test_a_report_of_a_new_skeleton_is_a_draft_on_every_page(skeleton: Path, tmp_path: Path) -> None:
    # issue 12, break 3: a blank assessment rendered as an official-looking LOW report dated 2000-01-01.
    out = tmp_path / "new.pdf"
    assert main(["report", str(skeleton), "-o", str(out)]) == 0
    text = pages(out.read_bytes())
    assert all(page.startswith("DRAFT") or " DRAFT " in f" {page} " for page in text), [p[:80] for p in text]
    cover = text[0]
    assert "This report is a draft, not a record to sign, because:" in cover
    assert "the assessment is incomplete:" in cover
    assert "still holds placeholder text: system.name, system.owner, system.purpose" in cover
    assert "the date of the assessment (system.assessed_on) is not given" in cover
    # Unanswered questions by number, never by id.
    assert "Unanswered required questions: 1.1, 1.2, 1.3," in " ".join(text)
    assert "2000-01-01" not in " ".join(text)
    # Nor in the document properties a viewer shows: a draft without a date carries none.
    metadata = PdfReader(out).metadata
    assert metadata is not None and "/CreationDate" not in metadata and "/ModDate" not in metadata


def test_a_complete_dated_assessment_is_not_a_draft() -> None:
    result = api.score(FIXTURES / "assessment.yaml")
    assert result.draft == ()
    pdf = render_pdf(result.to_dict(), load_assessment(FIXTURES / "assessment.yaml"))
    assert not any("DRAFT" in page for page in pages(pdf))


def test_a_missing_assessment_date_makes_a_draft(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "demo")
    path = tmp_path / "demo" / "assessment.yaml"
    path.write_text(path.read_text().replace("  assessed_on: 2026-10-15\n", ""))
    assert api.score(path).draft == ("the date of the assessment (system.assessed_on) is not given",)


def test_check_fails_on_placeholder_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # issue 12, break 3: check passed a filled-in file that still held the placeholder purpose.
    path = tmp_path / "spam.yaml"
    text = (EXAMPLES / "spam-filter.yaml").read_text()
    text = text.replace(
        "  purpose: Moves unsolicited bulk and phishing e-mail into the spam folder.\n",
        '  purpose: "Describe what the system does and for whom."\n',
    )
    path.write_text(text)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "assessment still holds the placeholder text of `riskcheck new` in system.purpose" in out


def test_a_missing_evidence_file_is_a_draft_reason_with_its_place(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "demo")
    path = tmp_path / "demo" / "assessment.yaml"
    (tmp_path / "demo" / "docs" / "bias" / "2026-09.md").unlink()
    assert api.score(path).draft == (f"{path}:28:3: answers.bias_report: evidence file docs/bias/2026-09.md not found",)


# ---------------------------------------------------------------- missing fairness evidence


@pytest.fixture
def without_data(tmp_path: Path) -> Path:
    """examples/credit-scoring.yaml copied without its data folder."""
    path = tmp_path / "credit-scoring.yaml"
    shutil.copy(EXAMPLES / "credit-scoring.yaml", path)
    return path


@pytest.fixture
def client(without_data: Path) -> Iterator[TestClient]:
    with TestClient(create_app(without_data.parent), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_missing_evidence_is_the_same_error_on_every_path(
    without_data: Path, client: TestClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # issue 12, break 2: the web form's Download PDF dropped the fairness section silently.
    with pytest.raises(Exception) as error:
        assess(without_data)
    message = str(error.value).splitlines()[0]
    assert "no such file" in message
    assert main(["report", str(without_data), "-o", str(tmp_path / "r.pdf")]) == 2
    assert message in capsys.readouterr().err
    assert main(["score", str(without_data)]) == 2
    assert message in capsys.readouterr().err
    # The pytest plugin, in a pytest session of its own, as CI runs it.
    plugin = subprocess.run(
        [sys.executable, "-m", "pytest", "--riskcheck", "-p", "no:cacheprovider", "-p", "no:randomly", "-q"],
        cwd=without_data.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert plugin.returncode != 0
    assert message in plugin.stdout
    response = client.get("/pdf/credit-scoring.yaml")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "no such file" in response.text
    assert not (tmp_path / "r.pdf").exists()


def test_allowing_missing_evidence_gives_a_draft_that_says_why(
    without_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.pdf"
    assert main(["report", str(without_data), "-o", str(out), "--allow-missing-evidence"]) == 0
    text = pages(out.read_bytes())
    assert all("DRAFT" in page for page in text)
    assert "fairness evidence could not be computed:" in text[0]


# ---------------------------------------------------------------- one pipeline


@pytest.mark.parametrize("name", ["spam-filter.yaml", "cv-screening.yaml"])
def test_every_path_renders_the_same_report(name: str, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / name, tmp_path / name)
    path = tmp_path / name
    out = tmp_path / "cli.pdf"
    assert main(["report", str(path), "-o", str(out)]) == 0
    by_cli = out.read_bytes()
    by_api = report_pdf(assess(path))
    with TestClient(create_app(tmp_path), base_url="http://127.0.0.1") as web:
        response = web.get(f"/pdf/{name}")
    assert response.status_code == 200
    assert by_cli == by_api == response.content
    # The gate (check, and the pytest plugin through the same api.score) sees the same result.
    assert api.score(path).to_json() == assess(path).result.to_json()
