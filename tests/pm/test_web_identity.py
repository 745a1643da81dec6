"""`riskcheck serve --identity-header`: behind a trusted sign-in proxy, a review link
records a decision only for the signed-in person it was made for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from riskcheck.core.loader import load_assessment
from riskcheck.web import create_app


@pytest.fixture
def client(workdir: Path) -> Iterator[TestClient]:
    app = create_app(workdir, identity_header="X-Remote-User")
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def tokens(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|version)" value="([^"]*)"', html))


def test_only_the_signed_in_person_named_by_the_link_can_decide(client: TestClient, workdir: Path) -> None:
    page = client.get("/signoff/draft.yaml").text
    assert "Exactly as the sign-in proxy gives it: only that person can use the link." in page
    made = client.post("/signoff/draft.yaml", data={**tokens(page), "name": "dana@example.com", "role": "product"})
    link = re.search(r'value="http://127.0.0.1(/review/[^"]+)"', made.text)
    assert link is not None
    url = link.group(1)
    response = client.get(url)
    assert response.status_code == 403
    assert "none came with this request" in response.text
    response = client.get(url, headers={"X-Remote-User": "eve@example.com"})
    assert response.status_code == 403
    assert (
        "This review link was made for dana@example.com, and you are signed in as eve@example.com. "
        "Ask the owner of the assessment for a link in your name."
    ) in response.text
    form = tokens(client.get(url, headers={"X-Remote-User": "Dana@example.com"}).text)
    data = {**form, "decision": "reject", "comment": "Not yet."}
    assert client.post(url, data=data, headers={"X-Remote-User": "eve@example.com"}).status_code == 403
    assert load_assessment(workdir / "draft.yaml").file.signoffs == []
    response = client.post(url, data=data, headers={"X-Remote-User": "dana@example.com"}, follow_redirects=False)
    assert response.status_code == 303
    (record,) = load_assessment(workdir / "draft.yaml").file.signoffs
    assert (record.name, record.role, record.decision) == ("dana@example.com", "product", "reject")


def test_the_flag_is_explained_in_the_help() -> None:
    from riskcheck.cli.serve_cmd import command

    output = CliRunner().invoke(command, ["--help"]).output
    assert "--identity-header HEADER" in output
    assert "Only behind a proxy that sets it and strips it from clients' requests." in " ".join(output.split())
