"""riskcheck evidence: the register of evidence links, and answers that need evidence to count."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from tests.lifecycle.gitrepo import commit, init

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
  bias_tested:
    value: all_groups
    evidence:
      - reports/bias.md
      - https://wiki.example.com/bias
      - reports/missing.pdf
  purpose:
    value: Sorts the mail.
    evidence: [notes/purpose.txt#intro]
  data_kind: [public]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = init(tmp_path / "repo")
    shutil.copy(VERSIONS / "released" / "demo@1.0.0.yaml", repo / "demo.yaml")
    (repo / "reports").mkdir()
    (repo / "reports" / "bias.md").write_text("# Bias tests\nAll groups.\n", encoding="utf-8")
    (repo / "assessment.yaml").write_text(ASSESSMENT, encoding="utf-8")
    commit(repo, "Bias report", author="Grace Hopper", date="2026-03-02T11:30:00+00:00")
    (repo / "notes").mkdir()
    (repo / "notes" / "purpose.txt").write_text("intro\n", encoding="utf-8")
    os.utime(repo / "notes" / "purpose.txt", (1767225600, 1767225600))  # 2026-01-01T00:00:00Z
    monkeypatch.chdir(repo)
    return repo


def test_the_register_hashes_local_files_and_reports_missing_ones(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "evidence", "assessment.yaml")
    assert code == 1
    digest = hashlib.sha256(b"# Bias tests\nAll groups.\n").hexdigest()
    assert out == (
        "assessment.yaml: 4 evidence link(s), 3 local file(s), 1 missing\n"
        "\n"
        "1.2 bias_tested: reports/bias.md\n"
        f"  sha256 {digest}  25 bytes\n"
        "  last changed 2026-03-02T11:30:00+00:00 (git by Grace Hopper)\n"
        "\n"
        "1.2 bias_tested: https://wiki.example.com/bias\n"
        "  external link (not checked)\n"
        "\n"
        "1.2 bias_tested: reports/missing.pdf\n"
        "  MISSING (line 14)\n"
        "\n"
        "1.3 purpose: notes/purpose.txt#intro\n"
        f"  sha256 {hashlib.sha256(b'intro' + bytes([10])).hexdigest()}  6 bytes\n"
        "  last changed 2026-01-01T00:00:00+00:00 (mtime)\n"
    )
    assert err == "assessment.yaml:14:9: answers.bias_tested: evidence file reports/missing.pdf not found\n"
    data = json.loads(run(capsys, "evidence", "assessment.yaml", "--format", "json")[1])
    assert [(i["question"], i["exists"], i["changed_from"]) for i in data["items"]] == [
        ("bias_tested", True, "git"),
        ("bias_tested", None, None),
        ("bias_tested", False, None),
        ("purpose", True, "mtime"),
    ]
    # A committed file changed since its commit: its own time counts, not the commit's.
    (repo / "reports" / "bias.md").write_text("# Bias tests\nSome groups.\n", encoding="utf-8")
    data = json.loads(run(capsys, "evidence", "assessment.yaml", "--format", "json")[1])
    assert data["items"][0]["changed_from"] == "mtime"


def test_an_answer_that_requires_evidence_counts_only_with_a_link(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questionnaire = repo / "demo.yaml"
    text = questionnaire.read_text(encoding="utf-8")
    questionnaire.write_text(text.replace("{value: all_groups}", "{value: all_groups, requires_evidence: true}"))
    path = repo / "assessment.yaml"
    path.write_text(
        ASSESSMENT.replace(
            "    evidence:\n      - reports/bias.md\n      - https://wiki.example.com/bias\n"
            "      - reports/missing.pdf\n",
            "",
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "evidence", "assessment.yaml")
    assert code == 1
    assert "bias_tested: waiting for evidence (line 9); the answer does not count until a link is attached" in out
    assert err == (
        "assessment.yaml:9:3: answers.bias_tested: this answer needs an evidence link (its option requires "
        "evidence); it does not count until one is attached\n"
    )
    result = json.loads(run(capsys, "score", "assessment.yaml", "--format", "json")[1])
    assert "bias_tested" in result["completeness"]["missing"]
    path.write_text(ASSESSMENT.replace("      - reports/missing.pdf\n", ""), encoding="utf-8")
    assert run(capsys, "evidence", "assessment.yaml")[0] == 0
    result = json.loads(run(capsys, "score", "assessment.yaml", "--format", "json")[1])
    assert "bias_tested" not in result["completeness"]["missing"]


def test_evidence_works_on_the_projects_own_examples(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "evidence", "examples/cv-screening.yaml")
    assert (code, err) == (0, "")
    assert out.startswith("examples/cv-screening.yaml: ")
    assert "https://wiki.example.com/ml/talentrank/model-card\n  external link (not checked)\n" in out


def test_the_report_appendix_carries_the_register(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from riskcheck import api
    from riskcheck.core.loader import load_assessment
    from riskcheck.report.render import render_html

    loaded = load_assessment(repo / "assessment.yaml")
    html = render_html(api.score(loaded, with_fairness=False).to_dict(), loaded, strict=True)
    register = html[html.index('id="appendix-evidence"') :]
    register = register[: register.index("</section>")]
    digest = hashlib.sha256(b"# Bias tests\nAll groups.\n").hexdigest()
    assert "<h1>Appendix D. Evidence register</h1>" in register
    assert f'<td class="mono answer-text">reports/bias.md</td><td class="mono hash">{digest}</td>' in register
    assert '<td class="mono answer-text">reports/missing.pdf</td><td><strong>missing</strong></td>' in register
    assert "https://wiki.example.com/bias</td><td>external link</td>" in register
    assert "2026" not in register  # no dates: a report does not depend on the checkout's clock


def test_the_links_an_evidence_question_holds_are_in_the_register(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questionnaire = repo / "demo.yaml"
    text = questionnaire.read_text(encoding="utf-8")
    extra = "      - {id: test_report, type: evidence, text: Link the test report., required: false}\nrules:"
    questionnaire.write_text(text.replace("rules:", extra, 1), encoding="utf-8")
    path = repo / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  test_report: [reports/bias.md, docs/gone.md]\n")
    assert run(capsys, "evidence", "assessment.yaml", "--format", "json")[0] == 1
    items = json.loads(run(capsys, "evidence", "assessment.yaml", "--format", "json")[1])["items"]
    assert [(i["number"], i["question"], i["link"], i["source"], i["exists"]) for i in items[-2:]] == [
        ("1.6", "test_report", "reports/bias.md", "answer", True),
        ("1.6", "test_report", "docs/gone.md", "answer", False),
    ]
    err = run(capsys, "evidence", "assessment.yaml")[2]
    assert "assessment.yaml:19:34: answers.test_report: evidence file docs/gone.md not found\n" in err
