"""Local evidence links stay inside the assessment's project: no command hashes, sizes or
even confirms a file outside it that a link in a pull request names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from tests.lifecycle.gitrepo import commit, init

VERSIONS = Path(__file__).parent.parent / "lifecycle" / "versions"

ASSESSMENT = """\
system:
  name: Demo
  owner: team@example.com
  version: "1"
  purpose: Sorts the mail.
questionnaire: {{path: demo.yaml, version: 1.0.0}}
answers:
  uses_ai: yes
  bias_tested:
    value: all_groups
    evidence:
      - https://wiki.example.com/bias
      - {link}
  data_kind: [public]
"""

COMMANDS = (("validate",), ("score",), ("check",), ("evidence",), ("report", "-o", "out.pdf"))


def _project(folder: Path, link: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(VERSIONS / "released" / "demo@1.0.0.yaml", folder / "demo.yaml")
    path = folder / "assessment.yaml"
    path.write_text(ASSESSMENT.format(link=link), encoding="utf-8")
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "shadow"
    target.parent.mkdir()
    target.write_text("root:$6$secret\n", encoding="utf-8")
    return target


def _links(secret: Path) -> list[str]:
    return [str(secret), "../outside/shadow", "../outside/shadow#x", "evidence/escape.txt"]


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_link_outside_the_folder_is_an_error_on_every_path(
    tmp_path: Path,
    secret: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    index: int,
) -> None:
    link = _links(secret)[index]
    path = _project(tmp_path / "project", link)
    (path.parent / "evidence").mkdir()
    (path.parent / "evidence" / "escape.txt").symlink_to(secret)
    monkeypatch.chdir(path.parent)
    code = main([command[0], "assessment.yaml", *command[1:]])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    assert f"assessment.yaml:13:9: answers.bias_tested.evidence[1]: evidence link {link!r} leads outside" in (
        captured.err
    )
    assert f"expected a path inside {path.parent.resolve()}" in captured.err
    assert "sha256" not in captured.out and secret.read_text() not in captured.out
    assert not (path.parent / "out.pdf").exists()


def test_a_link_into_another_folder_of_the_same_git_work_tree_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = init(tmp_path / "repo")
    (repo / "docs").mkdir()
    (repo / "docs" / "bias.md").write_text("# Bias\n", encoding="utf-8")
    path = _project(repo / "assessments", "../docs/bias.md")
    commit(repo, "Assessment")
    assert main(["evidence", str(path)]) == 0
    out = capsys.readouterr().out
    assert "../docs/bias.md" in out and "MISSING" not in out
    # Out of the work tree is out of the project.
    escape = _project(repo / "other", "../../outside.txt")
    (tmp_path / "outside.txt").write_text("x\n", encoding="utf-8")
    assert main(["validate", str(escape)]) == 2
    assert f"expected a path inside {repo.resolve()}" in capsys.readouterr().err


def test_the_links_of_archived_answers_are_confined(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path / "project", "https://wiki.example.com/x")
    text = path.read_text(encoding="utf-8") + (
        f"archived_answers:\n  - question: old\n    version: 0.9.0\n    reason: removed\n    evidence: [{secret}]\n"
    )
    path.write_text(text, encoding="utf-8")
    assert main(["evidence", str(path)]) == 2
    err = capsys.readouterr().err
    assert "archived_answers[0].evidence[0]" in err and "leads outside" in err


def test_the_links_an_evidence_question_holds_are_confined(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path / "project", "https://wiki.example.com/x")
    questionnaire = path.parent / "demo.yaml"
    extra = "      - {id: test_report, type: evidence, text: Link the test report., required: false}\nrules:"
    questionnaire.write_text(questionnaire.read_text(encoding="utf-8").replace("rules:", extra, 1), encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8") + "  test_report: [demo.yaml, ../outside/shadow]\n")
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "answers.test_report[1]: evidence link '../outside/shadow' leads outside" in err
    assert "test_report[0]" not in err


def test_a_committed_bare_repository_layout_does_not_make_the_disk_the_project(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder holding HEAD, config (core.worktree = /), objects/ and refs/ is a bare repository
    to git; in a fresh clone, plain git says the work tree is /. riskcheck never asks such a
    repository, so the project stays the real work tree and the link is refused."""
    repo = init(tmp_path / "repo")
    folder = repo / "assess"
    path = _project(folder, str(secret))
    (folder / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (folder / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = /\n")
    for name in ("objects", "refs"):
        (folder / name).mkdir()
        (folder / name / ".keep").write_text("", encoding="utf-8")
    commit(repo, "A pull request")
    from tests.lifecycle.gitrepo import git

    git(tmp_path, "clone", "-q", str(repo), "clone")
    cloned = tmp_path / "clone" / "assess" / path.name
    plain = git(cloned.parent, "rev-parse", "--show-toplevel").strip()
    assert plain == "/"  # what git itself would tell riskcheck
    assert main(["evidence", str(cloned)]) == 2
    captured = capsys.readouterr()
    assert "leads outside the project" in captured.err
    assert f"expected a path inside {(tmp_path / 'clone').resolve()}" in captured.err
    assert "sha256" not in captured.out
