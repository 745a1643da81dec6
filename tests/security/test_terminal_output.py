"""Text from files and git reaches logs and terminals one line at a time: no workflow
command, no terminal escape sequence, whatever an evidence link, an author name or a
file name holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from tests.lifecycle.gitrepo import commit, init

VERSIONS = Path(__file__).parent.parent / "lifecycle" / "versions"
ESCAPES = "\x1b]0;owned\x07\x1b]52;c;Y2xpcGJvYXJk\x07"

ASSESSMENT = """\
system:
  name: Demo
  owner: team@example.com
  version: "1"
  purpose: Sorts the mail.
questionnaire: {path: demo.yaml, version: 1.0.0}
answers:
  uses_ai: yes
  bias_tested:
    value: all_groups
    evidence: ["missing\\n::warning::PWNED.pdf", "x\\u001b]8;;https://e.example\\u0007y.pdf"]
  data_kind: [public]
"""


def _lines_are_inert(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "\x1b" not in line and "\x07" not in line, repr(line)


def test_evidence_links_cannot_start_a_workflow_command_or_an_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(VERSIONS / "released" / "demo@1.0.0.yaml", tmp_path / "demo.yaml")
    path = tmp_path / "assessment.yaml"
    path.write_text(ASSESSMENT, encoding="utf-8")
    assert main(["evidence", str(path)]) == 1  # both local files are missing
    captured = capsys.readouterr()
    assert "PWNED.pdf" in captured.out and "MISSING" in captured.out
    _lines_are_inert(captured.out)
    _lines_are_inert(captured.err)


def test_an_author_name_cannot_send_terminal_escapes_through_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = init(tmp_path / "repo")
    shutil.copy(VERSIONS / "released" / "demo@1.0.0.yaml", repo / "demo.yaml")
    path = repo / "assessment.yaml"
    path.write_text(ASSESSMENT.replace('evidence: ["missing', 'evidence: ["https://e.example/', 1), encoding="utf-8")
    commit(repo, "First", author=f"Eve{ESCAPES} Mallory")
    assert main(["history", str(path), "--no-score"]) == 0
    out = capsys.readouterr().out
    assert "Eve" in out
    _lines_are_inert(out)


def test_an_error_naming_a_hostile_file_name_stays_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "y\n::error title=riskcheck::Legal approval revoked.yaml").write_text("system: [\n", encoding="utf-8")
    assert main(["check", str(folder), "--format", "github"]) == 2
    captured = capsys.readouterr()
    assert "Legal approval revoked" in captured.err
    _lines_are_inert(captured.err)
    _lines_are_inert(captured.out)
