"""The web form never runs a model the person serving it did not choose to trust,
and the list page never computes fairness figures at all (issue 11, item 1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from riskcheck import api
from riskcheck.web import create_app
from tests.pm.conftest import write_draft


def with_fairness(path: Path, block: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")


@pytest.fixture
def client(workdir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(workdir), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call to the fairness evaluation, which answers as if it computed nothing."""
    calls: list[Any] = []

    def fake(loaded: Any, progress: Any = None) -> Any:
        calls.append(loaded)
        raise api.RiskcheckError("no figures in this test")

    monkeypatch.setattr(api, "evaluate_fairness_block", fake)
    return calls


PREDICTIONS = "fairness:\n  data: data.csv\n  target: y\n  prediction: p\n  sensitive: [sex]\n"


def test_the_list_page_never_computes_fairness(client: TestClient, workdir: Path, evaluations: list[Any]) -> None:
    with_fairness(workdir / "draft.yaml", PREDICTIONS)
    html = client.get("/").text
    assert evaluations == []
    assert "Fairness figures not computed here: open the assessment to compute them." in html
    assert 'class="badge badge-provisional">Provisional<' in html


def test_the_list_uses_figures_the_form_already_computed(
    client: TestClient, workdir: Path, evaluations: list[Any]
) -> None:
    with_fairness(workdir / "draft.yaml", PREDICTIONS)
    client.get("/a/draft.yaml")
    assert len(evaluations) == 1
    client.get("/")
    assert len(evaluations) == 1  # cached with the file's version; the list added nothing


def test_the_form_never_loads_a_pickle_model(client: TestClient, workdir: Path, evaluations: list[Any]) -> None:
    (workdir / "m.pkl").write_bytes(b"not really a pickle")
    with_fairness(
        workdir / "draft.yaml", "fairness:\n  data: data.csv\n  target: y\n  model: m.pkl\n  sensitive: [sex]\n"
    )
    html = client.get("/a/draft.yaml").text
    assert evaluations == []
    assert (
        "Fairness figures not computed: the model m.pkl is a pickle file, which the web form never loads. "
        "Run riskcheck check or riskcheck score on the command line, where you can choose to trust it."
    ) in html
    client.get("/")
    assert evaluations == []


def test_the_list_caches_rows_until_a_file_changes(client: TestClient, workdir: Path) -> None:
    first = client.get("/").text
    assert "Loan approvals" in first
    write_draft(workdir, "draft.yaml", system="Renamed system")
    assert "Renamed system" in client.get("/").text


def test_the_list_notices_a_changed_evidence_file(client: TestClient, workdir: Path) -> None:
    import datetime as dt

    from riskcheck.audit.signoff import sign
    from riskcheck.files.yamledit import set_answers

    (workdir / "bias.md").write_text("Disparity measured.\n", encoding="utf-8")
    set_answers(workdir / "draft.yaml", {}, evidence={"decision_type": ["bias.md"]})
    sign(workdir / "draft.yaml", name="Dana", role="legal", decision="approve", now=dt.datetime.now(dt.UTC))
    row = client.get("/").text
    assert 'badge-stale">Stale' not in row
    (workdir / "bias.md").write_text("Disparity measured again, differently.\n", encoding="utf-8")
    assert 'badge-stale">Stale' in client.get("/").text
