"""The form's save without JavaScript never overwrites answers with partial data.

A field missing from the posted form keeps the file's value, as autosave does;
only a field that is sent empty (or "Clear this answer") clears an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.core.loader import load_assessment
from riskcheck.web import create_app

FULL = {
    "q.decision_type": "automated",
    "q.affects_people": "yes",
    "q.people_count": "150000",
    "q.launch_date": "2027-03-01",
    "q.protected": ["sex", "age"],
    "q.bias_tested": "yes",
    "q.bias_notes": "Disparity measured on the 2026 holdout.",
    "n.people_count": "From the 2026 plan.",
}


@pytest.fixture
def client(workdir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(workdir), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _page(client: TestClient) -> tuple[dict[str, str], list[tuple[str, str]]]:
    html = client.get("/a/draft.yaml").text
    tokens = dict(re.findall(r'name="(csrf_token|version)" value="([^"]*)"', html))
    base = re.findall(r'<input type="hidden" name="(b\.[^"]+)" value="([^"]*)">', html)
    return tokens, base


def _answers(workdir: Path) -> dict[str, object]:
    return dict(load_assessment(workdir / "draft.yaml").answers.values)


@pytest.fixture
def answered(client: TestClient, workdir: Path) -> dict[str, object]:
    tokens, _ = _page(client)
    response = client.post("/a/draft.yaml", data={**tokens, "action": "save", **FULL}, follow_redirects=False)
    assert response.status_code == 303
    return _answers(workdir)


def test_a_save_missing_fields_keeps_their_answers(
    client: TestClient, workdir: Path, answered: dict[str, object]
) -> None:
    assert answered["people_count"] == 150000 and answered["protected"] == {"sex", "age"}
    tokens, _ = _page(client)  # the current version: no merge with another tab
    response = client.post(
        "/a/draft.yaml", data={**tokens, "action": "save", "q.launch_date": "2027-06-01"}, follow_redirects=False
    )
    assert response.status_code == 303
    after = _answers(workdir)
    assert after == {**answered, "launch_date": after["launch_date"]}
    assert str(after["launch_date"]) == "2027-06-01"
    assert load_assessment(workdir / "draft.yaml").answers.comments.get("people_count") == "From the 2026 plan."


def test_only_a_field_sent_empty_clears_its_answer(
    client: TestClient, workdir: Path, answered: dict[str, object]
) -> None:
    tokens, base = _page(client)
    data: list[tuple[str, str]] = [*tokens.items(), ("action", "save"), *base]
    # Sent empty: cleared. "Clear this answer" on a choice sends the empty value.
    data += [("q.bias_notes", ""), ("q.bias_tested", "")]
    # A multiple choice with every box unticked sends nothing, next to the values it showed.
    response = client.post("/a/draft.yaml", content=_encode(data), headers=_FORM, follow_redirects=False)
    assert response.status_code == 303
    after = _answers(workdir)
    assert "bias_notes" not in after and "bias_tested" not in after and "protected" not in after
    assert after["people_count"] == 150000 and after["decision_type"] == "automated"


_FORM = {"content-type": "application/x-www-form-urlencoded"}


def _encode(pairs: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(pairs).encode()
