"""Setting up an assessment in the form (details, rename, delete, new), exporting its
answers, and the autosave endpoint, through Starlette's test client."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.core.loader import load_assessment
from riskcheck.web import create_app


@pytest.fixture
def client(workdir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(workdir), base_url="http://127.0.0.1") as test_client:
        yield test_client


def tokens(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|version|file_version)" value="([^"]*)"', html))


def test_details_are_edited_in_the_form(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    # The panel says why the report would be a draft, as the report's cover does.
    form_page = client.get("/a/draft.yaml").text
    assert "<summary>The report would be a draft: 3 reasons</summary>" in form_page
    assert "<li>the date of the assessment (system.assessed_on) is not given</li>" in form_page
    page = client.get("/setup/draft.yaml").text
    assert "Still placeholder text: Purpose: what the system does, for whom." in page
    form = tokens(page)
    details = {
        "name": "Loan approvals",
        "owner": "credit-team@example.com",
        "version": "2.0.0",
        "purpose": "Scores loan applications.\nA person decides.",
        "description": "",
        "assessed_on": "2026-03-02",
    }
    response = client.post("/setup/draft.yaml", data={**form, **details, "action": "details"}, follow_redirects=False)
    assert response.status_code == 303
    system = load_assessment(path).file.system
    assert (system.version, system.purpose, str(system.assessed_on)) == (
        "2.0.0",
        "Scores loan applications.\nA person decides.",
        "2026-03-02",
    )
    assert "# riskcheck assessment for" in path.read_text(encoding="utf-8")  # the file's comments are kept
    assert "<summary>The report would be a draft: 1 reason</summary>" in client.get("/a/draft.yaml").text
    # Bad input is refused with a reason, and nothing is written.
    before = path.read_bytes()
    form = tokens(client.get("/setup/draft.yaml").text)
    response = client.post(
        "/setup/draft.yaml",
        data={**form, **details, "purpose": "", "assessed_on": "2026-13-40", "action": "details"},
    )
    assert response.status_code == 422
    assert "Enter the purpose." in response.text
    assert "Expected a date such as 2026-03-02, got &#39;2026-13-40&#39;." in response.text
    assert path.read_bytes() == before


def test_rename_completes_the_name_and_never_overwrites(client: TestClient, workdir: Path) -> None:
    form = tokens(client.get("/setup/draft.yaml").text)
    (workdir / "taken.yaml").write_text("x: 1\n", encoding="utf-8")
    response = client.post("/setup/draft.yaml", data={**form, "action": "rename", "filename": "taken"})
    assert response.status_code == 422
    assert "taken.yaml: a file with this name already exists; choose another name" in response.text
    invited = client.post("/signoff/draft.yaml", data={**form, "name": "Dana", "role": "legal"}).text
    link = re.search(r'value="http://127.0.0.1(/review/[^"]+)"', invited)
    assert link is not None
    response = client.post(
        "/setup/draft.yaml", data={**form, "action": "rename", "filename": "loans"}, follow_redirects=False
    )
    assert response.headers["location"] == "/a/loans.yaml?renamed=1"
    assert not (workdir / "draft.yaml").exists()
    assert load_assessment(workdir / "loans.yaml").file.system.name == "Loan approvals"
    assert (workdir / "taken.yaml").read_text(encoding="utf-8") == "x: 1\n"
    assert "in the name of <strong>Dana</strong>" in client.get(link.group(1)).text  # the link follows the file


def test_delete_asks_first_and_keeps_the_file_recoverable(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    text = path.read_text(encoding="utf-8")
    form = tokens(client.get("/setup/draft.yaml").text)
    response = client.post("/setup/draft.yaml", data={**form, "action": "delete"})
    assert "<strong>Delete draft.yaml?</strong>" in response.text
    assert path.exists()
    response = client.post(
        "/setup/draft.yaml", data={**form, "action": "delete", "confirm": "yes"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert not path.exists()
    (moved,) = (workdir / ".riskcheck-trash").iterdir()
    assert moved.name.endswith("-draft.yaml")
    assert moved.read_text(encoding="utf-8") == text
    index = client.get(response.headers["location"]).text
    assert f"Deleted: moved to .riskcheck-trash/{moved.name}. Move it back to restore it." in index
    assert "Loan approvals" not in index


def test_new_assessment_defaults_to_the_prelaunch_check_and_completes_the_name(
    client: TestClient, workdir: Path
) -> None:
    page = client.get("/new").text
    assert re.search(r'id="questionnaire" value="bundled:rai-prelaunch" checked', page)
    form = tokens(page)
    response = client.post(
        "/new",
        data={**form, "questionnaire": "bundled:rai-prelaunch", "name": "SmartRoute", "filename": "smartroute"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/a/smartroute.yaml?created=1"
    response = client.post(
        "/new",
        data={**form, "questionnaire": "bundled:rai-prelaunch", "name": "Ticket Triage", "filename": ""},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/a/ticket-triage.yaml?created=1"
    assert load_assessment(workdir / "ticket-triage.yaml").file.system.name == "Ticket Triage"


def test_export_csv_and_xlsx(client: TestClient, workdir: Path) -> None:
    form = tokens(client.get("/a/draft.yaml").text)
    client.post(
        "/a/draft.yaml",
        data={
            **form,
            "q.decision_type": "automated",
            "n.decision_type": '=HYPERLINK("http://x")',
            "l.decision_type": "https://wiki.example.com/a",
        },
    )
    response = client.get("/export/draft.yaml?format=csv")
    assert response.headers["content-disposition"] == 'attachment; filename="draft-answers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Question ID", "Question", "Required", "Applies", "Answer", "Comment", "Evidence"]
    assert rows[1] == [
        "System profile",
        "decision_type",
        "How are decisions about people made?",
        "yes",
        "yes",
        "Fully automated",
        '\'=HYPERLINK("http://x")',  # a formula is quoted, never run where the file is opened
        "https://wiki.example.com/a",
    ]
    assert rows[3][1:6] == ["people_count", "How many people does it affect per year?", "yes", "no", ""]
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    response = client.get("/export/draft.yaml?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:6] == [
        "System profile",
        "decision_type",
        "How are decisions about people made?",
        "yes",
        "yes",
        "Fully automated",
    ]
    assert client.get("/export/draft.yaml?format=pdf").status_code == 400


def test_autosave_merges_saves_valid_answers_and_reports_the_rest(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    page = client.get("/a/draft.yaml").text
    form = tokens(page)
    # Another tab saves an answer after this page was loaded.
    client.post("/a/draft.yaml", data={**form, "q.decision_type": "advisory"}, follow_redirects=False)
    data = client.post(
        "/autosave/draft.yaml",
        data={**form, "q.affects_people": "yes", "q.people_count": "350k", "q.bias_notes": "Planned."},
    ).json()
    assert data["outcome"] == "saved"
    assert data["errors"] == {"people_count": "expected a number, got '350k'"}
    assert data["clashes"] == []
    values = load_assessment(path).answers.values
    assert dict(values) == {"decision_type": "advisory", "affects_people": True, "bias_notes": "Planned."}
    assert data["values"]["q.decision_type"] == ["advisory"]
    assert data["summary"]["provisional"] is True
    # A change that hides answered questions waits for confirmation.
    form["version"] = data["version"]
    base = {"b.q.affects_people": "yes", "b.q.decision_type": "advisory"}
    data = client.post("/autosave/draft.yaml", data={**form, **base, "q.people_count": "350000"}).json()
    assert data["outcome"] == "saved"
    assert load_assessment(path).answers.values["people_count"] == 350000
    form["version"] = data["version"]
    base["b.q.people_count"] = "350000"
    hide = {**form, **base, "q.affects_people": "no", "q.people_count": "350000"}
    data = client.post("/autosave/draft.yaml", data=hide).json()
    assert data["outcome"] == "confirm"
    assert data["drop"] == [{"text": "How many people does it affect per year?", "value": "350,000 people"}]
    assert load_assessment(path).answers.values["affects_people"] is True
    data = client.post("/autosave/draft.yaml", data={**hide, "confirm_drop": "1"}).json()
    assert data["outcome"] == "saved"
    assert "people_count" not in load_assessment(path).answers.values
