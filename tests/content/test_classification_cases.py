"""The EU AI Act classification cases: one file per case, each with its legal basis.

Every ``data/classification-cases/*.yaml`` (except ``_base.yaml``) is a case a lawyer
can read: a description, the answers that differ from ``_base.yaml`` (an in-scope
provider that triggers nothing; ``null`` removes a base answer), and the expected
class, tier, flags, findings and dated duties. ``assessed_on`` defaults to
2026-11-29 (``null``: no date); ``as_of`` scores as of another day. A case is
complete and has no hidden answers unless it lists them (``hidden_answers: "*"``
accepts any, for systems outside the Act, which hide every later question).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcheck import api

CASES = Path(__file__).parent / "data" / "classification-cases"
QUESTIONNAIRE = "eu-ai-act-classification@2.0.0"


def _case_files() -> list[Path]:
    return sorted(p for p in CASES.glob("*.yaml") if not p.name.startswith("_"))


def _write(directory: Path, case: dict[str, Any]) -> Path:
    base = yaml.safe_load((CASES / "_base.yaml").read_text(encoding="utf-8"))
    answers = {k: v for k, v in {**base, **case["answers"]}.items() if v is not None}
    system: dict[str, Any] = {"name": "Case", "owner": "legal@example.com", "version": "1", "purpose": "A case."}
    assessed_on = case.get("assessed_on", "2026-11-29")
    if assessed_on is not None:
        system["assessed_on"] = str(assessed_on)
    data = {"system": system, "questionnaire": case.get("questionnaire", QUESTIONNAIRE), "answers": answers}
    path = directory / "case.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("case_file", _case_files(), ids=lambda p: p.stem)
def test_classification_case(case_file: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    as_of = case.get("as_of")
    result = api.score(_write(tmp_path, case), as_of=dt.date.fromisoformat(str(as_of)) if as_of else None)
    data = result.to_dict()
    expect = case["expect"]
    classification = data["classification"]
    assert classification["outcome"] == expect["class"]
    assert data["tier"] == expect["tier"]
    assert data["blocked"] is expect.get("blocked", False)
    assert data["status"] == "complete", data["completeness"]["missing"]
    hidden = expect.get("hidden_answers", [])
    if hidden != "*":
        assert sorted(data["completeness"]["hidden_answers"]) == sorted(hidden)
    flags = [f["id"] for f in classification["flags"]]
    if "flags" in expect:
        assert flags == expect["flags"]
    assert set(expect.get("flags_include", [])) <= set(flags), flags
    assert not set(expect.get("flags_exclude", [])) & set(flags), flags
    findings = [f["id"] for f in data["findings"]]
    assert set(expect.get("findings_include", [])) <= set(findings), findings
    duties = {d["id"]: d["when"] for d in classification["duties"]}
    for duty, when in expect.get("duties", {}).items():
        assert duties.get(duty) == when, (duty, duties)
    assert not set(expect.get("duties_absent", [])) & set(duties), duties
    assert data["law_as_at"]["date"] == "2026-11-29"


def test_there_are_at_least_forty_cases_each_with_its_legal_basis() -> None:
    files = _case_files()
    assert len(files) >= 40
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# Legal basis: "), path.name
