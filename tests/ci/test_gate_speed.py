"""A gate over many files reads each file once (issue 13 section 3; the timing is benchmarks/bench_gate.py)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import riskcheck.files.yamlio
from riskcheck.core.loader import load_assessment
from tests.ci.conftest import DATA


def _copies(directory: Path, count: int) -> None:
    text = (DATA / "low.yaml").read_text(encoding="utf-8")
    for index in range(count):
        (directory / f"system-{index}.yaml").write_text(text.replace("Low system", f"System {index}"))


def test_each_questionnaire_and_assessment_is_parsed_once_per_run(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DATA / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    _copies(tmp_path, 5)
    # A fresh questionnaire file: nothing of it is cached from other tests.
    (tmp_path / "questionnaire.yaml").write_text(
        (DATA / "questionnaire.yaml").read_text() + f"# {tmp_path.name}\n", encoding="utf-8"
    )
    parsed: Counter[str] = Counter()
    real = riskcheck.files.yamlio.parse_yaml

    def counting(text: str, name: str, **kwargs: Any) -> Any:
        parsed[Path(name).name] += 1
        return real(text, name, **kwargs)

    monkeypatch.setattr(riskcheck.files.yamlio, "parse_yaml", counting)
    monkeypatch.chdir(tmp_path)
    run = cli("check", ".", "--fail-on", "high")
    assert run.code == 0, run.err
    assert parsed == {"questionnaire.yaml": 2, **{f"system-{i}.yaml": 1 for i in range(5)}}  # found, then loaded


def test_a_compiled_questionnaire_is_shared_until_its_file_changes(tmp_path: Path) -> None:
    shutil.copy(DATA / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    _copies(tmp_path, 2)
    first, second = load_assessment(tmp_path / "system-0.yaml"), load_assessment(tmp_path / "system-1.yaml")
    assert first.questionnaire is second.questionnaire
    questionnaire = tmp_path / "questionnaire.yaml"
    questionnaire.write_text(questionnaire.read_text().replace("title: Main", "title: Main, renamed"))
    changed = load_assessment(tmp_path / "system-0.yaml").questionnaire
    assert changed is not first.questionnaire
    assert changed.spec.sections[0].title == "Main, renamed"
