"""Renaming and deleting in the web form keep the assessment a .yaml file inside the served folder."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.web import create_app

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
SYSTEM = "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"


@pytest.fixture
def served(tmp_path: Path) -> Path:
    directory = tmp_path / "served"
    directory.mkdir()
    shutil.copy(MINI / "questionnaire.yaml", directory / "q.yaml")
    (directory / "a.yaml").write_text(SYSTEM + "questionnaire: {path: q.yaml}\nanswers: {}\n", encoding="utf-8")
    return directory


@pytest.fixture
def client(served: Path) -> Iterator[TestClient]:
    with TestClient(create_app(served), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _form(client: TestClient) -> dict[str, str]:
    page = client.get("/setup/a.yaml").text
    return dict(re.findall(r'name="(csrf_token|file_version)" value="([^"]*)"', page))


@pytest.mark.parametrize("name", ["conftest.py", "notes.txt", "x.pth"])
def test_rename_keeps_a_yaml_suffix(client: TestClient, served: Path, name: str) -> None:
    before = (served / "a.yaml").read_bytes()
    response = client.post("/setup/a.yaml", data={**_form(client), "action": "rename", "filename": name})
    assert response.status_code == 422
    assert not (served / name).exists()
    assert (served / "a.yaml").read_bytes() == before


def test_delete_never_moves_the_file_through_a_planted_trash_link(
    client: TestClient, served: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (served / ".riskcheck-trash").symlink_to(outside)  # as a pull request can commit it
    response = client.post("/setup/a.yaml", data={**_form(client), "action": "delete", "confirm": "yes"})
    assert response.status_code == 422
    assert "symbolic link" in response.text
    assert list(outside.iterdir()) == []
    assert (served / "a.yaml").is_file()


def test_a_review_link_is_never_stored_through_a_planted_link(client: TestClient, served: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (served / ".riskcheck-review").symlink_to(outside)  # ignored: the store is in per-user state
    page = client.get("/signoff/a.yaml").text
    csrf = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', page))
    response = client.post("/signoff/a.yaml", data={**csrf, "name": "Dana", "role": "legal"})
    assert response.status_code == 200
    assert "/review/" in response.text
    assert list(outside.iterdir()) == []


def test_a_review_link_spent_meanwhile_records_nothing(
    client: TestClient, served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcheck.web.handlers import review

    page = client.get("/signoff/a.yaml").text
    csrf = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', page))
    invited = client.post("/signoff/a.yaml", data={**csrf, "name": "Dana", "role": "legal"}).text
    link = re.search(r'value="http://127.0.0.1(/review/[^"]+)"', invited)
    assert link is not None
    form = dict(re.findall(r'name="(csrf_token|version)" value="([^"]*)"', client.get(link.group(1)).text))
    token = link.group(1).rsplit("/", 1)[1]
    # Two posts of one link at once: the other one spends it between this one's check and its lock.
    real_lock = type(client.app.app.state.site).lock  # type: ignore[attr-defined]

    def lock_after_spending(site: object, path: Path) -> object:
        review._spend(served, token, review.dt.datetime.now(review.dt.UTC))
        return real_lock(site, path)  # type: ignore[arg-type]

    monkeypatch.setattr(type(client.app.app.state.site), "lock", lock_after_spending)  # type: ignore[attr-defined]
    before = (served / "a.yaml").read_bytes()
    response = client.post(link.group(1), data={**form, "decision": "reject", "comment": "no"})
    assert response.status_code == 404
    assert (served / "a.yaml").read_bytes() == before


def test_review_links_of_a_deleted_file_never_sign_a_new_file_of_that_name(client: TestClient, served: Path) -> None:
    page = client.get("/signoff/a.yaml").text
    csrf = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', page))
    invited = client.post("/signoff/a.yaml", data={**csrf, "name": "Dana", "role": "legal"}).text
    link = re.search(r'value="http://127.0.0.1(/review/[^"]+)"', invited)
    assert link is not None
    response = client.post("/setup/a.yaml", data={**_form(client), "action": "delete", "confirm": "yes"})
    assert response.status_code == 200  # followed to the list
    other = SYSTEM.replace("name: S", "name: Another system")
    (served / "a.yaml").write_text(other + "questionnaire: {path: q.yaml}\nanswers: {}\n", encoding="utf-8")
    assert "Another system" not in client.get(link.group(1)).text


def test_the_review_link_store_never_writes_through_a_dangling_link(
    client: TestClient, served: Path, tmp_path: Path
) -> None:
    (served / ".riskcheck-review").mkdir()
    elsewhere = tmp_path / "elsewhere.txt"  # does not exist: reading the store finds no links
    (served / ".riskcheck-review" / "links.json").symlink_to(elsewhere)
    page = client.get("/signoff/a.yaml").text
    csrf = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', page))
    client.post("/signoff/a.yaml", data={**csrf, "name": "Dana", "role": "legal"})
    assert not elsewhere.exists(), "the link store was written outside the served directory"


def test_a_review_link_store_linked_to_a_device_is_refused(client: TestClient, served: Path) -> None:
    from riskcheck.web.handlers import review

    store = review.store_path(served)
    store.parent.mkdir(parents=True)
    store.symlink_to("/dev/zero")  # read without end, before
    response = client.get("/signoff/a.yaml")
    assert response.status_code == 422
    assert "links.json: cannot read the review links" in response.text
