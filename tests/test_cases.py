"""Run every declarative case in tests/cases/*/ *.case.yaml through the real loader and engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcheck import api
from riskcheck.core.errors import RiskcheckError
from tests.conftest import write_assessment


def _subset(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing from result"
            _subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, float) or isinstance(actual, float):
        assert actual == pytest.approx(expected, abs=1e-4), where
    else:
        assert actual == expected, where


def test_case(scoring_case: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(scoring_case.read_text(encoding="utf-8"))
    questionnaire = scoring_case.parent / "questionnaire.yaml"
    path = write_assessment(tmp_path, questionnaire, case["answers"])
    if "expect_error" in case:
        with pytest.raises(RiskcheckError) as info:
            api.score(path)
        assert str(info.value) == case["expect_error"].replace("ASSESSMENT", str(path))
        return
    data = api.score(path).to_dict()
    expect = dict(case["expect"])
    if "findings" in expect:
        assert [f["id"] for f in data["findings"]] == expect.pop("findings")
    if "sections" in expect:
        assert {s["id"]: s["points"] for s in data["sections"]} == expect.pop("sections")
    if "missing" in expect:
        assert list(data["completeness"]["missing"]) == expect.pop("missing")
    if "hidden_answers" in expect:
        assert list(data["completeness"]["hidden_answers"]) == expect.pop("hidden_answers")
    for key in ("tier_from_score", "escalated_by", "next_tier"):
        if key in expect:
            _subset(expect.pop(key), data["trace"][key], key)
    _subset(expect, data, "result")


def test_cases_exist() -> None:
    from tests.conftest import case_files

    assert len(case_files()) >= 8
