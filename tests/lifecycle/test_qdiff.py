"""riskcheck diff for questionnaires, and lint --since: the version a change asks for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from tests.lifecycle.gitrepo import commit, init

VERSIONS = Path(__file__).parent / "versions"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_diff_of_two_questionnaire_files_numbers_the_questions(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = VERSIONS / "released" / "demo@1.0.0.yaml", VERSIONS / "released" / "demo@1.1.0.yaml"
    code, out, err = run(capsys, "diff", str(old), str(new))
    assert (code, err) == (0, "")
    assert out == (
        f"demo@1.0.0 ({old}) -> demo@1.1.0 ({new})\n"
        "11 change(s); they ask for a major version bump, the version made a minor bump: NOT ENOUGH\n"
        "\n"
        "Questions:\n"
        "  > 1.1 uses_ai: renamed to 1.1 uses_ml (declared in the migration from 1.0.0)  [major]\n"
        "  ~ 1.1 uses_ml: text: Does the system use machine learning?  [patch]\n"
        "  - 1.2 bias_tested: split by the migration into bias_tested_any, bias_scope  [major]\n"
        "  - 1.4 legacy_flag: removed by the migration: Legacy status is now recorded in the system block.  [major]\n"
        "  + 1.2 bias_tested_any: required yes_no: Was the model tested for bias at all?  [major]\n"
        "  + 1.3 bias_scope: required single_choice: For which groups?  [major]\n"
        "  + 1.6 oversight: required yes_no: Does a person oversee its decisions?  [major]\n"
        "\n"
        "Options and points:\n"
        "  - 1.5 data_kind: option 'personal' (1 points); the migration maps it to 'personal_data'  [major]\n"
        "  - 1.5 data_kind: option 'sensitive' (2 points); the migration maps it to 'personal_data'  [major]\n"
        "  + 1.5 data_kind: option 'personal_data' (2 points)  [minor]\n"
        "\n"
        "Rules:\n"
        "  ~ rule untested: when: bias_tested == 'none' -> bias_tested_any == 'no'  [major]\n"
    )


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = init(tmp_path / "repo")
    shutil.copy(VERSIONS / "released" / "demo@1.0.0.yaml", repo / "demo.yaml")
    commit(repo, "demo 1.0.0")
    monkeypatch.chdir(repo)
    return repo


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, int, str]]]:
    code, out, _ = run(capsys, "lint", "--format", "json", *args)
    problems = json.loads(out)[0]["problems"]
    mine = {"version-bump", "removed-without-migration"}
    return code, [(p["code"], p["line"], p["message"]) for p in problems if p["code"] in mine]


def test_lint_since_wants_the_bump_a_change_asks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _project(tmp_path, monkeypatch)
    path = repo / "demo.yaml"
    assert _codes(capsys, "--since", "HEAD", "demo.yaml")[1] == []
    path.write_text(path.read_text(encoding="utf-8").replace("{value: none, points: 3}", "{value: none, points: 4}"))
    code, found = _codes(capsys, "--since", "HEAD", "demo.yaml")
    assert code == 1
    assert found == [
        (
            "version-bump",
            2,
            "the changes since HEAD ask for a major version bump from 1.0.0, got 1.0.0 (no bump); "
            "for example 1.2 bias_tested: changed",
        )
    ]
    code, out, _ = run(capsys, "lint", "--since", "HEAD", "demo.yaml")
    assert "demo.yaml:2:10: version: the changes since HEAD ask for a major version bump" in out
    # A patch release for wording only is enough; a major one for points.
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 2.0.0"))
    assert _codes(capsys, "--since", "HEAD", "demo.yaml")[1] == []


def test_lint_since_wants_a_migration_for_a_removed_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _project(tmp_path, monkeypatch)
    path = repo / "demo.yaml"
    text = path.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 2.0.0")
    removed = "      - id: legacy_flag\n        type: yes_no\n        text: Is it a legacy system?\n"
    removed += "        required: false\n"
    assert removed in text
    path.write_text(text.replace(removed, ""), encoding="utf-8")
    assert _codes(capsys, "--since", "HEAD", "demo.yaml")[1] == [
        (
            "removed-without-migration",
            2,
            "question 1.4 legacy_flag of 1.0.0 is gone, and no migration from 1.0.0 says where its answers go; "
            "declare it under migrations: (renamed, split, removed or changed_meaning)",
        )
    ]
    path.write_text(
        path.read_text(encoding="utf-8") + "migrations:\n  - from: 1.0.0\n    removed: {legacy_flag: Not asked.}\n",
        encoding="utf-8",
    )
    assert _codes(capsys, "--since", "HEAD", "demo.yaml")[1] == []


def test_diff_reads_a_questionnaire_at_a_git_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _project(tmp_path, monkeypatch)
    path = repo / "demo.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("What is it for?", "What is it for, and for whom?"))
    code, out, _ = run(capsys, "diff", "HEAD", "demo.yaml")
    assert code == 0
    assert out == (
        "demo@1.0.0 (HEAD:demo.yaml) -> demo@1.0.0 (demo.yaml)\n"
        "1 change(s); they ask for a patch version bump, the version made no bump: NOT ENOUGH\n"
        "\n"
        "Questions:\n"
        "  ~ 1.3 purpose: text: What is it for, and for whom?  [patch]\n"
    )
    code, out, _ = run(capsys, "diff", "HEAD:demo.yaml", "demo.yaml", "--format", "json")
    data = json.loads(out)
    assert (data["required_bump"], data["actual_bump"], data["bump_ok"]) == ("patch", None, False)
    code, _, err = run(capsys, "diff", "nosuchrev", "demo.yaml")
    assert code == 2
    assert "revision 'nosuchrev' does not exist" in err


def test_lint_since_checks_the_migration_against_the_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _project(tmp_path, monkeypatch)
    path = repo / "demo.yaml"
    text = path.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 2.0.0")
    path.write_text(text + "migrations:\n  - from: 1.0.0\n    removed: {legacy_flg: Not asked.}\n", encoding="utf-8")
    code, found = _codes(capsys, "--since", "HEAD", "demo.yaml")
    assert found == []  # the codes above; this one is its own
    code, out, _ = run(capsys, "lint", "--since", "HEAD", "demo.yaml")
    assert code == 1
    assert (
        "demo.yaml:46:15: migrations[0].removed.legacy_flg: removes 'legacy_flg', which is not a question of "
        "demo@1.0.0 [migration-invalid]\n"
    ) in out


def test_diff_of_bundled_versions_by_id_in_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "diff", "eu-ai-act-classification@1.0.0", "eu-ai-act-classification@2.0.0", "--format", "markdown"
    )
    assert (code, err) == (0, "")
    assert out.startswith(
        "## eu-ai-act-classification@1.0.0 (`eu-ai-act-classification@1.0.0`) -> "
        "eu-ai-act-classification@2.0.0 (`eu-ai-act-classification@2.0.0`)\n"
    )
    assert "the version made a major bump: ok\n" in out
    assert "\n### Questions\n" in out
    assert (
        "- removed **4.6 employment\\_use**: option 'recruitment' (0 points); the migration maps it to "
        "'candidate\\_evaluation' (major)\n"
    ) in out


def test_questionnaire_text_in_a_markdown_diff_stays_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A question's wording reaches a pull-request comment: no mention, image or HTML survives."""
    text = (VERSIONS / "released" / "demo@1.0.0.yaml").read_text(encoding="utf-8")
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(text, encoding="utf-8")
    question = next(line for line in text.splitlines() if line.strip().startswith("text:"))
    hostile = question.split("text:")[0] + 'text: "@octocat ![x](https://e.example/t.png) <img src=x>"'
    new.write_text(text.replace(question, hostile, 1).replace("version: 1.0.0", "version: 1.0.1", 1), encoding="utf-8")
    code, out, err = run(capsys, "diff", str(old), str(new), "--format", "markdown")
    assert (code, err) == (0, "")
    assert "reworded" in out
    assert "@&#8203;octocat" in out and "&lt;img src=x&gt;" in out
    assert "<img" not in out and "![x](" not in out and "@octocat" not in out


def test_an_evidence_requirement_asks_for_a_major_bump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (VERSIONS / "released" / "demo@1.0.0.yaml").read_text(encoding="utf-8")
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(text, encoding="utf-8")
    text = text.replace("        points: {yes: 2}\n", "        points: {yes: 2}\n        requires_evidence: yes\n", 1)
    new.write_text(text.replace("{value: all_groups}", "{value: all_groups, requires_evidence: true}"))
    out = run(capsys, "diff", str(old), str(new))[1]
    assert "  ~ 1.1 uses_ai: requires evidence for: none -> yes  [major]\n" in out
    assert "  ~ 1.2 bias_tested: option 'all_groups': requires evidence: no -> yes  [major]\n" in out
