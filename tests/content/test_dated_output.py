"""Every output carries the law the questionnaire reflects and dates its duties."""

from __future__ import annotations

import json

from click.testing import CliRunner

from riskcheck.cli.main import cli

from .conftest import EXAMPLES

LOAN = str(EXAMPLES / "classification" / "loan-scoring.yaml")


def _score(*args: str) -> str:
    result = CliRunner().invoke(cli, ["score", LOAN, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_carries_law_as_at_and_the_date_duties_are_measured_against() -> None:
    data = json.loads(_score("--format", "json"))
    assert data["as_of"] == "2026-11-29"
    assert data["law_as_at"]["date"] == "2026-11-29"
    kinds = {source["kind"] for source in data["law_as_at"]["sources"]}
    assert kinds == {"primary", "secondary"}
    fria = next(d for d in data["classification"]["duties"] if d["id"] == "fria-required")
    assert fria == {
        "id": "fria-required",
        "label": "Fundamental rights impact assessment before first use (Art. 27)",
        "source": "fria-required",
        "references": ["eu-ai-act:art-27(1)", "eu-ai-act:art-27(3)", "eu-ai-act:art-27(4)"],
        "applies_from": "2027-12-02",
        "status": "applies_later",
        "when": "applies from 2 Dec 2027",
    }


def test_as_of_moves_the_date_and_the_text_output_shows_it() -> None:
    text = _score("--as-of", "2027-12-02")
    assert "  duty, applies now: Fundamental rights impact assessment before first use (Art. 27)\n" in text
    assert "Law as at 2026-11-29 (the questionnaire's law_as_at)\n" in text
    before = _score()
    assert "  duty, applies from 2 Dec 2027: Fundamental rights impact assessment before first use" in before


def test_markdown_lists_duties_and_law_as_at() -> None:
    out = _score("--format", "markdown")
    assert "| applies now | AI literacy: take measures to support the AI literacy of staff and others" in out
    assert "_Law as at 2026-11-29 (the questionnaire's law_as_at)._" in out


def test_the_class_carries_its_own_date() -> None:
    data = json.loads(_score("--format", "json"))
    assert data["classification"]["applies_from"] == "2027-12-02"
    duty_ids = [d["id"] for d in data["classification"]["duties"]]
    assert "high-risk-annex-iii" not in duty_ids  # its duties name what follows from it
