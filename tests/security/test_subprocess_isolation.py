"""riskcheck's subprocesses import and run nothing that the files they are pointed at supply.

Issue 11, item 2: the model process was started with ``python -m``, which puts the
working directory first on ``sys.path``, so a ``json.py`` beside the data ran. git,
the other subprocess, reads a repository whose ``.git/config`` may be hostile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from tests.pm.conftest import DATA, write_draft

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run_cli(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


def planted_module(folder: Path, name: str, marker: Path) -> None:
    """A module that records its import in ``marker``; importing it must never happen."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\n", encoding="utf-8"
    )


def test_the_model_process_imports_nothing_beside_the_data_or_from_pythonpath(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd
    import skops.io as sio  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression

    data = tmp_path / "work"
    data.mkdir()
    rows = [(sex, float(x), int(x >= 5)) for sex in ("F", "M") for x in range(10)]
    frame = pd.DataFrame(rows, columns=["sex", "x", "y"])
    frame.to_csv(data / "data.csv", index=False)
    sio.dump(LogisticRegression().fit(frame[["x"]], frame["y"]), data / "model.skops")
    marker = tmp_path / "imported"
    # json is imported by the model process first thing, and already by this one
    planted_module(data, "json", marker)
    planted_module(tmp_path / "on-pythonpath", "json", marker)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "on-pythonpath"))
    monkeypatch.chdir(data)
    code, out, err = run(
        "fairness", "--data", "data.csv", "--target", "y", "--model", "model.skops", "--sensitive", "sex",
        "--min-group-size", "1", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert '"model_sha256"' in out
    assert not marker.exists()


def test_the_model_process_starts_in_isolated_mode(tmp_path: Path) -> None:
    from riskcheck.fairness.model import worker_command

    # the same interpreter flags and bootstrap, with a job that only reports where it runs
    command = worker_command(tmp_path / "job.json")
    assert command[1] == "-I"
    probe = [*command[:3], "import sys; print(sys.flags.isolated); print(sys.path)"]
    shown = subprocess.run(probe, capture_output=True, text=True, cwd=tmp_path, check=True, timeout=60).stdout
    isolated, path = shown.splitlines()
    assert isolated == "1"
    assert "''" not in path and repr(str(tmp_path)) not in path


# ---------------------------------------------------------------- git


def git(directory: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), *args], capture_output=True, text=True, check=True, input=stdin, timeout=30
    ).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_hostile_repository_config_runs_no_command_when_a_baseline_is_read(run: Run, tmp_path: Path) -> None:
    """A partial clone fetches a missing object by itself, through a transport the
    repository's own config names: ``ext::`` runs any command. Reading a baseline must not."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(DATA / "questionnaire.yaml", repo / "questionnaire.yaml")
    path = write_draft(repo, "a.yaml")
    git(repo, "init", "-q")
    git(repo, "add", "questionnaire.yaml")
    questionnaire = git(repo, "rev-parse", ":questionnaire.yaml")
    missing = "1234567890abcdef1234567890abcdef12345678"  # a.yaml's blob, never stored
    tree = git(
        repo,
        "mktree",
        "--missing",
        stdin=f"100644 blob {missing}\ta.yaml\n100644 blob {questionnaire}\tquestionnaire.yaml\n",
    )
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    commit = subprocess.run(
        ["git", "-C", str(repo), "commit-tree", tree, "-m", "old"],
        capture_output=True, text=True, check=True, env={**os.environ, **env},
    ).stdout.strip()  # fmt: skip
    git(repo, "update-ref", "refs/heads/main", commit)
    marker = tmp_path / "pwned"
    for key, value in (
        ("core.repositoryformatversion", "1"),
        ("extensions.partialclone", "evil"),
        ("remote.evil.promisor", "true"),
        ("remote.evil.url", f"ext::sh -c touch% {marker}"),
        ("protocol.ext.allow", "always"),
    ):
        git(repo, "config", key, value)
    code, _, err = run("check", str(path), "--baseline", commit, "--allow-incomplete")
    assert code == 2, err
    assert "Traceback" not in err
    assert not marker.exists()
