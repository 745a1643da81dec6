"""The published JSON Schema agrees with the loader, read as an editor reads YAML: version 1.2.

Every example, bundled questionnaire and test case the loader accepts must pass the
schema of ``riskcheck schema``; a sample of files the loader refuses must fail it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from riskcheck import api
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.filekind import classify
from tests.ci.conftest import ROOT

SPAM_FILTER = ROOT / "examples" / "spam-filter.yaml"
MINI = ROOT / "tests" / "cases" / "mini" / "questionnaire.yaml"


def yaml12(text: str) -> Any:
    """Parse as an editor does (YAML 1.2: ``yes`` is text), with dates as the text JSON carries."""
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 2)
    return _json_ready(reader.load(text))


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _schema_errors(kind: str, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(api.schema(kind))  # type: ignore[arg-type]
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(data)]


def _files() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for path in sorted((ROOT / "examples").rglob("*.y*ml")):
        if classify(path).kind == "assessment":
            found.append(("assessment", path))
    for path in sorted((ROOT / "questionnaires").rglob("*.yaml")):
        found.append(("questionnaire", path))
    for path in sorted((ROOT / "tests" / "cases").rglob("questionnaire.yaml")):
        found.append(("questionnaire", path))
    for path in sorted((ROOT / "tests" / "cases").rglob("assessment.yaml")):
        found.append(("assessment", path))
    for path in sorted((ROOT / "tests" / "ci" / "data").glob("*.yaml")):
        found.append((classify(path).kind, path))
    return found


@pytest.mark.parametrize(("kind", "path"), _files(), ids=lambda value: str(value).replace(str(ROOT) + "/", ""))
def test_every_file_the_loader_accepts_passes_the_schema(kind: str, path: Path) -> None:
    assert api.validate(path) == kind  # the loader accepts it
    assert _schema_errors(kind, yaml12(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("case", sorted((ROOT / "tests" / "cases").rglob("*.case.yaml")), ids=lambda p: p.name)
def test_every_test_case_passes_the_schema(case: Path) -> None:
    """A case is the answers of an assessment of the questionnaire beside it."""
    answers = yaml12(case.read_text(encoding="utf-8"))["answers"]
    assessment = {
        "system": {"name": "Case", "owner": "tests", "version": "1", "purpose": "A test case."},
        "questionnaire": {"path": "questionnaire.yaml"},
        "answers": answers,
    }
    assert _schema_errors("assessment", assessment) == []


def _refused_assessments() -> list[tuple[str, str]]:
    text = SPAM_FILTER.read_text(encoding="utf-8")
    assert "\nsystem:\n" in text and "questionnaire: rai-prelaunch@" in text
    return [
        ("misspelt top-level key", text.replace("\nsystem:\n", "\nsytem:\n")),
        ("reference without a version", text.replace("questionnaire: rai-prelaunch@", "questionnaire: rai-prelaunch#")),
        (
            "path and id both",
            text.replace("questionnaire: rai-prelaunch@2.0.0", "questionnaire: {path: q.yaml, id: x}"),
        ),
        ("system is not a mapping", text.replace("\nsystem:\n", "\nsystem: x\nold_system:\n")),
        (
            "a sign-off decision misspelt",
            text
            + "signoffs:\n  - {name: A, role: legal, decision: approved, timestamp: 2026-01-01T00:00:00Z,"
            + " content_sha256: '"
            + "0" * 64
            + "'}\n",
        ),
    ]


@pytest.mark.parametrize(("what", "text"), _refused_assessments(), ids=lambda value: value if len(value) < 40 else "")
def test_a_sample_of_refused_assessments_fails_the_schema(what: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "refused.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RiskcheckError):
        api.validate(path)
    assert _schema_errors("assessment", yaml12(text)) != [], what


@pytest.mark.parametrize(
    ("what", "old", "new"),
    [
        ("misspelt key", "sections:", "sectons:"),
        ("a severity that does not exist", "severity: high", "severity: severe"),
        ("an unknown scoring model", "model: weighted_sections", "model: weighted"),
    ],
)
def test_a_sample_of_refused_questionnaires_fails_the_schema(what: str, old: str, new: str, tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    assert old in text, what
    path = tmp_path / "questionnaire.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RiskcheckError):
        api.validate(path)
    assert _schema_errors("questionnaire", yaml12(path.read_text(encoding="utf-8"))) != [], what


def test_the_reference_forms_are_in_the_published_schema(cli) -> None:
    run = cli("schema", "assessment")
    forms = json.loads(run.out)["$defs"]["QuestionnaireRef"]["anyOf"]
    assert forms[0]["type"] == "string"
    assert forms[1]["type"] == "object"
