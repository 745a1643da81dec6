"""One vocabulary: the gate's closed sets are the ones the models, options and JSON schema use."""

from __future__ import annotations

import json
from typing import get_args, get_type_hints

import click
import pytest

from riskcheck.core.vocabulary import CHECK_KINDS, CHECK_STATUSES, SEVERITIES
from tests.ci.conftest import ROOT

SCHEMA = json.loads((ROOT / "docs" / "gate-json-schema.json").read_text(encoding="utf-8"))


def test_severities_in_order_everywhere() -> None:
    from riskcheck.cli.check_cmd import command
    from riskcheck.core.questionnaire import Rule
    from riskcheck.core.vocabulary import SEVERITY_RANK
    from riskcheck.gate.policy import Policy

    # One vocabulary in the core: the questionnaire model, the result's order and the gate use it.
    assert list(SEVERITY_RANK) == list(SEVERITIES) == ["critical", "high", "medium", "low", "info"]
    assert set(get_args(Rule.model_fields["severity"].annotation)) == set(SEVERITIES)
    option = next(p for p in command.params if p.name == "max_severity")
    assert isinstance(option.type, click.Choice) and tuple(option.type.choices) == SEVERITIES
    with pytest.raises(ValueError):
        Policy.model_validate({"max-severity": "severe"})


def test_the_gate_json_schema_lists_the_same_kinds_and_statuses() -> None:
    from riskcheck.gate.decision import Check
    from riskcheck.render.gate_json import RECORD_KINDS

    defs = SCHEMA["$defs"]
    assert tuple(defs["check"]["properties"]["kind"]["enum"]) == CHECK_KINDS
    assert tuple(defs["check"]["properties"]["status"]["enum"]) == CHECK_STATUSES
    # The decision speaks of checks alone: its kinds and statuses are the vocabulary's Literals.
    hints = get_type_hints(Check)
    assert get_args(hints["kind"]) == CHECK_KINDS
    assert get_args(hints["status"]) == CHECK_STATUSES
    # The records under `reasons` and `accepted` keep the layout of riskcheck.gate/1, rendered from the checks.
    assert tuple(defs["reason"]["properties"]["kind"]["enum"]) == RECORD_KINDS


def test_the_pytest_plugin_prints_the_policy(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--riskcheck", "--collect-only")
    result.stdout.fnmatch_lines(
        [
            "riskcheck policy: each questionnaire's default gate; blocking findings and fairness breaches fail; "
            "unanswered required questions fail"
        ]
    )
