"""The paths of an assessment's fairness block stay inside its project, as evidence links
do: a file in a pull request cannot make riskcheck read, hash or quote a file elsewhere.
Whoever runs riskcheck can allow folders outside it with [tool.riskcheck] data-roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskcheck.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET_GROUP = "TOPSECRET_GROUP_NAME"


def _project(tmp_path: Path, data: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    text = (EXAMPLES / "credit-scoring.yaml").read_text(encoding="utf-8")
    (project / "credit.yaml").write_text(text.replace("data: data/german_credit_scored.csv", f"data: {data}"))
    return project / "credit.yaml"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Scored data outside the project, with a group name that must never be printed."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    text = (EXAMPLES / "data" / "german_credit_scored.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    column = lines[0].split(",").index("age_group")
    for index in range(1, len(lines), 2):
        cells = lines[index].split(",")
        cells[column] = SECRET_GROUP
        lines[index] = ",".join(cells)
    (folder / "scored.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "scored.csv"


@pytest.mark.parametrize("how", ["absolute", "climbing", "symlink"])
@pytest.mark.parametrize("command", [("score",), ("check",), ("report", "-o", "r.pdf")], ids=lambda c: c[0])
def test_fairness_data_outside_the_project_is_refused_unread(
    tmp_path: Path,
    outside: Path,
    how: str,
    command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    named = {"absolute": str(outside), "climbing": "../elsewhere/scored.csv", "symlink": "linked.csv"}[how]
    path = _project(tmp_path, named)
    (path.parent / "linked.csv").symlink_to(outside)
    monkeypatch.chdir(path.parent)
    code = main([command[0], path.name, *command[1:]])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert f"fairness.data: {named!r} leads outside the project" in captured.err
    assert "[tool.riskcheck] data-roots" in captured.err
    assert SECRET_GROUP not in captured.out + captured.err
    assert not (path.parent / "r.pdf").exists()


def test_a_folder_listed_under_data_roots_may_be_read(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path, str(outside))
    (path.parent / "pyproject.toml").write_text('[tool.riskcheck]\ndata-roots = ["../elsewhere"]\n')
    monkeypatch.chdir(path.parent)
    assert main(["score", path.name, "--format", "json"]) == 0
    assert SECRET_GROUP in capsys.readouterr().out  # read, as the project allowed


def test_the_command_lines_own_data_is_not_confined(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fairness", "--data", str(outside), "--target", "risk", "--score", "score", "--threshold", "0.5"]
    assert main([*argv, "--positive-label", "1", "--sensitive", "age_group", "--format", "json"]) == 0
    assert SECRET_GROUP in capsys.readouterr().out


SPARK_BLOCK = """fairness:
  table: prod.hr.salaries
  engine: spark
  target: risk
  prediction: score
  sensitive: [age_group]
  sensitive_data: restricted.hr.people
  join_on: id
"""


def _spark_project(tmp_path: Path) -> Path:
    project = tmp_path / "spark"
    project.mkdir()
    text = (EXAMPLES / "credit-scoring.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("fairness:\n")
    (project / "a.yaml").write_text(head + SPARK_BLOCK, encoding="utf-8")
    return project / "a.yaml"


def test_a_table_a_file_names_is_read_only_when_the_project_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table is read with the runner's credentials: a file cannot name any table it likes.
    Refused before a Spark session starts, with both names at their lines."""
    path = _spark_project(tmp_path)
    monkeypatch.chdir(path.parent)
    assert main(["score", path.name]) == 2
    err = capsys.readouterr().err
    assert "fairness.table: 'prod.hr.salaries' is a table this file names" in err
    assert "fairness.sensitive_data: 'restricted.hr.people' is a table this file names" in err
    assert "data-tables in its pyproject.toml (none listed)" in err
    # Listing one of the two: only the other is refused.
    (path.parent / "pyproject.toml").write_text('[tool.riskcheck]\ndata-tables = ["prod.hr.*"]\n')
    assert main(["score", path.name]) == 2
    err = capsys.readouterr().err
    assert "prod.hr.salaries" not in err
    assert "fairness.sensitive_data: 'restricted.hr.people' is a table this file names" in err
    assert "(prod.hr.*)" in err
