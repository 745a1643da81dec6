"""Numbers that no float can hold, non-finite numbers and control characters are clear
errors with file:line:col (exit 2), in the loader, the web form and ``fill``; never an
``OverflowError`` or a JSON encoding crash."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.authoring.fill import check_answer, parse_typed
from riskcheck.cli.main import main
from riskcheck.core.loader import load_questionnaire
from riskcheck.web.app import create_app

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
HUGE = "1" + "0" * 400
RISKCHECK = [sys.executable, "-m", "riskcheck"]  # a real process: click parses the option


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    shutil.copy(MINI / "assessment.yaml", tmp_path / "assessment.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HUGE, "expected a number of at most 1.8e308, got one of 401 characters"),
        (".inf", "expected a finite number, got '.inf'"),
        ("-.inf", "expected a finite number, got '-.inf'"),
        (".nan", "expected a finite number, got '.nan'"),
        ("1e400", "expected a finite number, got '1e400'"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "score", "check"])
def test_an_answer_no_float_can_hold(
    project: Path, capsys: pytest.CaptureFixture[str], command: str, value: str, message: str
) -> None:
    if value == "1e400":  # YAML 1.1 reads a float only with a dot
        value = "1.0e+400"
        message = "expected a finite number, got '1.0e+400'"
    replace(project / "assessment.yaml", "people_count: 150000", f"people_count: {value}")
    code, err = run(capsys, command, "assessment.yaml")
    assert code == 2, err
    assert "Traceback" not in err
    assert f"assessment.yaml:11:17: answers.people_count: {message}\n" in err


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("weight: 1", "weight: .inf", "9:13: sections[0].weight"),
        (
            "{value: automated, points: 4}",
            "{value: automated, points: .nan}",
            "19:40: sections[0].questions[0].options[2].points",
        ),
    ],
)
def test_a_questionnaire_number_must_be_finite(
    project: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str
) -> None:
    replace(project / "questionnaire.yaml", old, new)
    for command in ("validate", "score"):
        path = "questionnaire.yaml" if command == "validate" else "assessment.yaml"
        code, err = run(capsys, command, path)
        assert code == 2, err
        assert f"questionnaire.yaml:{where}" in err
        assert "expected a finite number" in err
        assert "Traceback" not in err


def test_a_nul_byte_is_reported_with_line_and_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace(project / "assessment.yaml", "purpose: Testing.", "purpose: Test\x00ing.")
    code, err = run(capsys, "validate", "assessment.yaml")
    assert code == 2
    assert err == (
        "assessment.yaml:5:16: the control character U+0000 is not allowed in a text file "
        "(YAML and TOML forbid it); remove it\n1 error(s)\n"
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (HUGE, "expected a number of at most 1.8e308, got a larger whole number"),
        ("1e400", "expected a finite number, got inf"),
        ("nan", "expected a finite number, got nan"),
        ("-inf", "expected a finite number, got -inf"),
    ],
)
def test_fill_refuses_what_no_float_can_hold(project: Path, typed: str, message: str) -> None:
    question = load_questionnaire(project / "questionnaire.yaml").questions["people_count"].question
    with pytest.raises(ValueError) as info:
        check_answer(question, parse_typed(question, typed))
    assert str(info.value) == message


def test_the_web_form_refuses_a_huge_number_without_a_server_error(project: Path) -> None:
    import re

    before = (project / "assessment.yaml").read_bytes()
    with TestClient(create_app(project), base_url="http://127.0.0.1") as client:
        page = client.get("/a/assessment.yaml").text
        form = dict(re.findall(r'name="(csrf_token|version)" value="([^"]*)"', page))
        response = client.post(
            "/a/assessment.yaml",
            data={**form, "action": "save", "q.decision_type": "automated", "q.affects_people": "yes"}
            | {"q.people_count": HUGE, "q.protected": "sex", "q.bias_tested": "no"},
            follow_redirects=False,
        )
    assert response.status_code == 422
    assert "expected a number of at most 1.8e308, got a larger whole number" in response.text
    assert (project / "assessment.yaml").read_bytes() == before


def test_fairness_refuses_a_threshold_that_is_not_a_number(project: Path) -> None:
    (project / "d.csv").write_text("y,s,g\n1,0.5,a\n0,0.2,b\n", encoding="utf-8")
    for value in ("nan", "inf", "-inf"):
        result = subprocess.run(
            [
                *RISKCHECK,
                "fairness",
                "--data",
                "d.csv",
                "--target",
                "y",
                "--score",
                "s",
                "--sensitive",
                "g",
                "--threshold",
                value,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=project,
        )
        assert result.returncode == 2
        assert result.stderr.endswith(f"Error: Invalid value for --threshold: expected a finite number, got {value}\n")


def test_a_parquet_list_column_as_the_target_is_a_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    frame = pd.DataFrame({"y": [[1, 0], [0]] * 40, "p": [1, 0] * 40, "g": ["a", "b"] * 40})
    frame.to_parquet(project / "lists.parquet")
    columns = ["--target", "y", "--prediction", "p", "--sensitive", "g"]
    code, err = run(capsys, "fairness", "--data", "lists.parquet", *columns)
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("error: lists.parquet: column 'y' (the target) is ")
    assert err.endswith("; expected one label per row\n")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_the_models_refuse_non_finite_numbers_from_the_api_too(value: float) -> None:
    from pydantic import ValidationError

    from riskcheck.core.questionnaire import Option

    with pytest.raises(ValidationError) as caught:
        Option(value="x", points=value)
    assert caught.value.errors()[0]["type"] == "finite_number"
