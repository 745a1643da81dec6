"""The review-link store lives in per-user state, never in the served folder.

Served folders are git checkouts: a pull request could commit
``.riskcheck-review/links.json`` holding the hash of a token its author knows, and
then sign in someone else's name. Such a folder is ignored, with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.core.loader import load_assessment
from riskcheck.web import create_app
from riskcheck.web.handlers import review

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
SYSTEM = "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"
TOKEN = "known-to-the-author-of-the-pull-request"


@pytest.fixture
def served(tmp_path: Path) -> Path:
    directory = tmp_path / "served"
    directory.mkdir()
    shutil.copy(MINI / "questionnaire.yaml", directory / "q.yaml")
    (directory / "a.yaml").write_text(SYSTEM + "questionnaire: {path: q.yaml}\nanswers: {}\n", encoding="utf-8")
    return directory


def _plant(served: Path) -> None:
    """A store as a pull request could commit it: a link for Dana, whose token the author knows."""
    now = dt.datetime.now(dt.UTC)
    link = {
        "token_sha256": hashlib.sha256(TOKEN.encode()).hexdigest(),
        "file": "a.yaml",
        "role": "legal",
        "name": "Dana Legal",
        "created": now.isoformat(),
        "expires": (now + dt.timedelta(days=7)).isoformat(),
        "used": None,
    }
    (served / ".riskcheck-review").mkdir()
    (served / ".riskcheck-review" / "links.json").write_text(json.dumps({"links": [link]}), encoding="utf-8")


@pytest.fixture
def client(served: Path) -> Iterator[TestClient]:
    _plant(served)
    with TestClient(create_app(served), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_a_committed_link_store_signs_nothing(client: TestClient, served: Path) -> None:
    before = (served / "a.yaml").read_bytes()
    assert client.get(f"/review/{TOKEN}").status_code == 404
    page = client.get("/signoff/a.yaml").text
    csrf = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', page))
    assert csrf
    response = client.post(f"/review/{TOKEN}", data={**csrf, "version": "", "decision": "reject", "comment": "x"})
    assert response.status_code == 404
    assert (served / "a.yaml").read_bytes() == before
    assert load_assessment(served / "a.yaml").file.signoffs == []


def test_links_are_kept_in_private_per_user_state(client: TestClient, served: Path, private_state_home: Path) -> None:
    page = client.get("/signoff/a.yaml").text
    csrf = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', page))
    response = client.post("/signoff/a.yaml", data={**csrf, "name": "Eve", "role": "legal"})
    assert response.status_code == 200
    key = hashlib.sha256(str(served.resolve()).encode()).hexdigest()
    store = private_state_home / "riskcheck" / "review" / key / "links.json"
    assert review.store_path(served) == store
    assert "Eve" in store.read_text(encoding="utf-8")
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    # The planted store is neither read nor written.
    assert "Eve" not in (served / ".riskcheck-review" / "links.json").read_text(encoding="utf-8")


def test_the_default_state_home_is_under_the_home_folder(
    served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert review.store_path(served).is_relative_to(tmp_path / "home" / ".local" / "state" / "riskcheck" / "review")
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")  # not absolute: ignored, as the spec says
    assert review.store_path(served).is_relative_to(tmp_path / "home" / ".local" / "state")


def test_a_review_folder_in_the_served_folder_is_warned_about_once(
    served: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plant(served)
    with TestClient(create_app(served), base_url="http://127.0.0.1") as client:
        client.get("/signoff/a.yaml")
        client.get("/signoff/a.yaml")
    err = capsys.readouterr().err
    assert err.count(".riskcheck-review") == 1
    assert "ignoring" in err
