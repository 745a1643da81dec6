"""riskcheck history: each commit's author, date, answer and system changes, and tiers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from tests.lifecycle.gitrepo import commit, git, init

VERSIONS = Path(__file__).parent / "versions"
ROOT = Path(__file__).parent.parent.parent

ASSESSMENT = """\
system:
  name: Demo
  owner: team@example.com
  version: "1"
  purpose: Sorts the mail.
questionnaire: {path: demo.yaml, version: 1.0.0}
answers:
  uses_ai: yes
  bias_tested: all_groups
  purpose: Sorts the mail.
  data_kind: [public]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = init(tmp_path / "repo")
    (repo / "risk").mkdir()
    shutil.copy(VERSIONS / "released" / "demo@1.0.0.yaml", repo / "risk" / "demo.yaml")
    (repo / "risk" / "mail.yaml").write_text(ASSESSMENT, encoding="utf-8")
    commit(repo, "Assess the mail sorter", date="2026-03-01T10:00:00+00:00")
    path = repo / "risk" / "mail.yaml"
    text = ASSESSMENT.replace("bias_tested: all_groups", "bias_tested: none").replace(
        "purpose: Sorts the mail.\nquestionnaire", "purpose: Sorts and answers the mail.\nquestionnaire"
    )
    path.write_text(text, encoding="utf-8")
    commit(repo, "Bias testing was dropped", author="Grace Hopper", date="2026-03-02T11:30:00+00:00")
    git(repo, "mv", "risk/mail.yaml", "risk/mail-sorter.yaml")
    commit(repo, "Rename the assessment", date="2026-03-03T09:00:00+00:00")
    monkeypatch.chdir(repo)
    return repo


def test_history_lists_who_changed_what_with_tiers_and_follows_renames(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path("risk/mail-sorter.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("data_kind: [public]", "data_kind: [personal]"))
    code, out, err = run(capsys, "history", str(path))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "risk/mail-sorter.yaml: 4 change(s), oldest first"
    assert lines[2].endswith("  2026-03-01 10:00  Ada Lovelace <ada@example.com>  Assess the mail sorter")
    assert lines[3] == "  created with 4 answer(s); tier: low"
    assert "2026-03-02 11:30  Grace Hopper <grace@example.com>  Bias testing was dropped" in out
    assert (
        "  tier: low -> high\n"
        "  system.purpose: Sorts the mail. -> Sorts and answers the mail.\n"
        "  answers.bias_tested: all_groups -> none\n"
    ) in out
    assert "Rename the assessment\n  renamed from risk/mail.yaml\n  tier: high (unchanged)\n" in out
    assert out.endswith(
        "working tree  uncommitted changes in the working tree\n"
        "  tier: high (unchanged)\n"
        "  answers.data_kind: [public] -> [personal]\n"
    )
    data = json.loads(run(capsys, "history", str(path), "--format", "json", "--no-score")[1])
    assert [(e["author"], e["path"], e["tier_after"]) for e in data["entries"]] == [
        ("Ada Lovelace", "risk/mail.yaml", None),
        ("Grace Hopper", "risk/mail.yaml", None),
        ("Ada Lovelace", "risk/mail-sorter.yaml", None),
        ("", "risk/mail-sorter.yaml", None),
    ]
    assert data["entries"][1]["answers"] == [{"name": "bias_tested", "before": "all_groups", "after": "none"}]


def test_history_outside_git_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mail.yaml"
    path.write_text(ASSESSMENT, encoding="utf-8")
    code, out, err = run(capsys, "history", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"error: {path}: not inside a git repository; riskcheck history reads the file's git history, "
        "so commit the assessment to git first\n"
    )


def test_history_of_a_file_never_committed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("risk/new.yaml").write_text(ASSESSMENT, encoding="utf-8")
    code, _, err = run(capsys, "history", "risk/new.yaml")
    assert (code, err) == (2, "error: risk/new.yaml: no git history yet (the file was never committed)\n")


def test_history_works_on_the_projects_own_examples(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "history", "examples/spam-filter.yaml", "--no-score")
    assert (code, err) == (0, "")
    assert out.startswith("examples/spam-filter.yaml: ")
    assert "Add five example assessments" in out
    assert "  created with " in out


def test_the_report_carries_the_change_log_since_the_first_approval(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path("risk/mail-sorter.yaml")
    assert run(capsys, "sign", str(path), "--name", "Lee Legal", "--role", "legal", "--decision", "approve")[0] == 0
    commit(repo, "Legal approves", author="Lee Legal", date="2026-03-04T09:00:00+00:00")
    path.write_text(path.read_text(encoding="utf-8").replace("data_kind: [public]", "data_kind: [personal]"))
    commit(repo, "Personal data after all", author="Grace Hopper", date="2026-03-05T09:00:00+00:00")
    code, _, err = run(capsys, "report", str(path), "--html", "report.html", "--history")
    assert code == 0, err
    html = Path("report.html").read_text(encoding="utf-8")
    log = html[html.index('id="appendix-changelog"') :]
    assert "<h1>Appendix D. Change log</h1>" in log
    assert "since its first approval (commit" in log
    assert "2026-03-04, by Lee Legal" in log
    assert "Personal data after all" in log
    assert '<div class="mono">answers.data_kind: [public] -&gt; [personal]</div>' in log
    assert "Bias testing was dropped" not in log  # before the approval
    # Without --history the report has no change log.
    assert run(capsys, "report", str(path), "--html", "plain.html")[0] == 0
    assert 'id="appendix-changelog"' not in Path("plain.html").read_text(encoding="utf-8")
