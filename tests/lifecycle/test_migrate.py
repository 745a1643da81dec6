"""riskcheck migrate: declared migrations move answers across versions, and nothing is lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from riskcheck.cli.main import main

VERSIONS = Path(__file__).parent / "versions"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """demo@1.2.0 with 1.0.0 and 1.1.0 under released/, and an assessment of 1.0.0."""
    target = tmp_path / "project"
    shutil.copytree(VERSIONS, target)
    return target


def _at_1_1(project: Path) -> Path:
    """The project with demo.yaml at 1.1.0 (1.0.0 released beside it); returns demo.yaml."""
    current = project / "demo.yaml"
    shutil.move(project / "released" / "demo@1.1.0.yaml", current)
    return current


def logged_at(path: Path) -> str:
    """The time the last migration logged in ``path``, as the file holds it."""
    from riskcheck.files.yamlio import load_yaml

    return str(load_yaml(path).data["migrated"][-1]["timestamp"])


def test_a_chain_moves_every_answer_and_keeps_comments(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "assessment.yaml"
    code, out, err = run(capsys, "migrate", str(path))
    assert (code, err) == (0, "")
    assert out == (
        f"{path}: demo@1.0.0 -> demo@1.2.0 (2 step(s): 1.0.0 -> 1.1.0, 1.1.0 -> 1.2.0)\n"
        "moved (3):\n"
        "  uses_ai -> uses_ml  [1.0.0 -> 1.1.0]\n"
        "  data_kind: [personal, sensitive] -> [personal_data]  [1.0.0 -> 1.1.0]\n"
        "  uses_ml -> uses_machine_learning  [1.1.0 -> 1.2.0]\n"
        "filled from a split question (2):\n"
        "  bias_tested_any <- bias_tested: yes  [1.0.0 -> 1.1.0]\n"
        "  bias_scope <- bias_tested: partial  [1.0.0 -> 1.1.0]\n"
        "archived (3):\n"
        "  bias_tested (demo@1.0.0): split into 'bias_tested_any', 'bias_scope' in demo@1.1.0; "
        "the answer as given is kept here\n"
        "  legacy_flag (demo@1.0.0): removed in demo@1.1.0: Legacy status is now recorded in the system block.\n"
        "  purpose (demo@1.1.0): the question changed meaning in demo@1.2.0: "
        "The question now asks for whom as well; answer it again.\n"
        "new required questions now unanswered (1):\n"
        "  oversight\n"
        f"written: {path}\n"
        f"logged under migrated: demo@1.0.0 -> demo@1.2.0 at {logged_at(path)}\n"
    )
    text = path.read_text(encoding="utf-8")
    # Comments and layout stay: the header, the note on the renamed answer, the line
    # above an archived answer, the flow style of a mapped list.
    assert text.startswith("# A demo assessment\nsystem:\n")
    assert "questionnaire: {path: demo.yaml, version: 1.2.0}\n" in text
    assert "  # ---- Basics\n  uses_machine_learning: yes # checked with the team\n" in text
    assert "  # Purpose, in one line\n  data_kind: [personal_data]\n" in text
    data = yaml.safe_load(text)
    assert data["answers"] == {
        "uses_machine_learning": True,
        "bias_tested_any": {
            "value": True,
            "comment": "Tested on the two largest groups.",
            "evidence": ["reports/bias.md"],
        },
        "bias_scope": {
            "value": "partial",
            "comment": "Tested on the two largest groups.",
            "evidence": ["reports/bias.md"],
        },
        "data_kind": ["personal_data"],
    }
    assert [(a["question"], a["version"], a["value"]) for a in data["archived_answers"]] == [
        ("bias_tested", "demo@1.0.0", "some_groups"),
        ("legacy_flag", "demo@1.0.0", False),
        ("purpose", "demo@1.1.0", "Sorts the mail."),
    ]
    assert data["archived_answers"][0]["evidence"] == ["reports/bias.md"]
    # The migrated file is a valid assessment of 1.2.0, and migrating again does nothing.
    assert run(capsys, "validate", str(path))[0] == 0
    assert run(capsys, "migrate", str(path))[1] == f"{path}: already answers demo@1.2.0; nothing to migrate\n"


def test_dry_run_writes_nothing_and_to_stops_at_a_version(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "assessment.yaml"
    before = path.read_bytes()
    code, out, _ = run(capsys, "migrate", str(path), "--dry-run", "--format", "json")
    assert code == 0
    assert path.read_bytes() == before
    report = json.loads(out)
    assert (report["from"], report["to"], report["written"]) == ("1.0.0", "1.2.0", False)
    # An assessment that names its questionnaire by path answers the version in that file.
    _expect_refused(
        capsys,
        path,
        f"error: --to demo@1.1.0: the assessment's questionnaire is {project / 'demo.yaml'}, which is demo@1.2.0; "
        "an assessment that names its questionnaire by path answers the version in that file, "
        "so it can only move to that version\n",
        "--to",
        "demo@1.1.0",
    )


def test_to_stops_a_bundled_questionnaire_at_a_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "loan.yaml"
    shutil.copy(Path(__file__).parent / "examples_1_0_0" / "classification-loan-scoring.yaml", path)
    code, out, _ = run(capsys, "migrate", str(path), "--to", "eu-ai-act-classification@2.0.0")
    assert code == 0
    assert "eu-ai-act-classification@1.0.0 -> eu-ai-act-classification@2.0.0 (1 step(s): 1.0.0 -> 2.0.0)" in out
    assert "questionnaire: eu-ai-act-classification@2.0.0\n" in path.read_text(encoding="utf-8")


def test_an_answer_the_migration_does_not_place_is_archived_not_dropped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1.1.0 loses 'legacy_flag' without saying so, and drops the option 'public'.
    released = _at_1_1(project)
    text = released.read_text(encoding="utf-8")
    text = text.replace("    removed:\n      legacy_flag: Legacy status is now recorded in the system block.\n", "")
    released.write_text(text.replace("          - {value: public}\n", "          - {value: open}\n"), encoding="utf-8")
    path = project / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[personal, sensitive]", "[public]"), encoding="utf-8")
    code, out, _ = run(capsys, "migrate", str(path))
    assert code == 0
    assert (
        "could not move, archived (2):\n"
        "  legacy_flag (demo@1.0.0): demo@1.1.0 has no question 'legacy_flag', and its migration from 1.0.0 "
        "does not say where it went\n"
        "  data_kind (demo@1.0.0): not a valid answer to 'data_kind' in demo@1.1.0: "
        "expected options from: personal_data, open; got 'public'\n"
    ) in out
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {a["question"]: a["value"] for a in data["archived_answers"]} == {
        "bias_tested": "some_groups",
        "legacy_flag": False,
        "data_kind": ["public"],
    }


def _expect_refused(capsys: pytest.CaptureFixture[str], path: Path, message: str, *args: str) -> None:
    before = path.read_bytes()
    code, out, err = run(capsys, "migrate", str(path), *args)
    assert (code, out) == (2, "")
    assert message in err
    assert "Traceback" not in err
    assert path.read_bytes() == before


def test_a_rename_to_a_question_that_does_not_exist_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = project / "released" / "demo@1.1.0.yaml"
    released.write_text(released.read_text(encoding="utf-8").replace("uses_ai: uses_ml", "uses_ai: uses_mll"))
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        f"{released}:49:16: migrations[0].renamed.uses_ai: renames 'uses_ai' to 'uses_mll', "
        "which is not a question of demo@1.1.0\n",
    )


def test_an_option_map_to_a_value_that_does_not_exist_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = project / "released" / "demo@1.1.0.yaml"
    released.write_text(released.read_text(encoding="utf-8").replace("sensitive: personal_data", "sensitive: pii"))
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        f"{released}:61:20: migrations[0].options.data_kind.sensitive: maps 'sensitive' to 'pii', which is not "
        "an option of 'data_kind' in demo@1.1.0 (options: personal_data, public)\n",
    )


def test_migrations_that_disagree_are_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    released = project / "released" / "demo@1.1.0.yaml"
    text = released.read_text(encoding="utf-8")
    released.write_text(text.replace("      legacy_flag: Legacy", "      uses_ai: Gone.\n      legacy_flag: Legacy"))
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        f"{released}:63:7: migrations[0].removed.uses_ai: 'uses_ai' is both renamed to 'uses_ml' and removed; "
        "the migration must say one\n",
    )
    # The same step declared in two files, differently.
    released.write_text(text)
    current = project / "demo.yaml"
    current.write_text(
        current.read_text(encoding="utf-8")
        + "  - from: 1.0.0\n    to: 1.1.0\n    removed:\n      legacy_flag: Dropped.\n",
        encoding="utf-8",
    )
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        f"{current}:52:11: migrations[1].from: this migration from 1.0.0 to 1.1.0 disagrees with the one declared "
        f"in {released} (migrations[0]); declare it once\n",
    )


def test_a_migration_back_to_an_older_version_is_refused_as_a_cycle(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = project / "released" / "demo@1.1.0.yaml"
    released.write_text(released.read_text(encoding="utf-8") + "  - from: 1.2.0\n", encoding="utf-8")
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        f"{released}:64:11: migrations[1].from: a migration goes from an older version to a newer one, "
        "got from 1.2.0 to 1.1.0; a migration back would let versions form a cycle\n",
    )


def test_a_missing_link_names_the_versions(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "released" / "demo@1.1.0.yaml").unlink()
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        "error: no chain of migrations from demo@1.0.0 to demo@1.2.0: demo@1.2.0 declares migrations from 1.1.0 "
        "only (declared steps: 1.1.0 -> 1.2.0; available versions: 1.0.0, 1.2.0); "
        "add a migration from 1.0.0 to the version after it\n",
    )


def test_an_assessment_pinned_to_an_unavailable_version_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1.0.0}", "version: 0.9.0}"))
    _expect_refused(
        capsys,
        path,
        f"{path}:7:16: questionnaire: the assessment answers demo@0.9.0, which is not available "
        "(available: 1.0.0, 1.1.0, 1.2.0)\n",
    )


def test_a_split_condition_is_checked_against_the_earlier_version(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = project / "released" / "demo@1.1.0.yaml"
    released.write_text(
        released.read_text(encoding="utf-8").replace("bias_tested == 'all_groups'", "bias_tested == 'al'")
    )
    _expect_refused(
        capsys,
        project / "assessment.yaml",
        f"{released}:57:36: migrations[0].split.bias_tested.bias_scope[1].when: 'al' is not an option of "
        "'bias_tested' (options: all_groups, none, some_groups) (conditions read the answers to demo@1.0.0)\n",
    )


def test_migrate_bad_arguments(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "assessment.yaml"
    _expect_refused(capsys, path, "error: --to other@1.1.0: the assessment answers demo;", "--to", "other@1.1.0")
    _expect_refused(
        capsys,
        path,
        "error: --to 2.0.0: demo@2.0.0 is not available (available: 1.0.0, 1.1.0, 1.2.0)\n",
        "--to",
        "2.0.0",
    )
    code, _, err = run(capsys, "migrate", str(project / "missing.yaml"))
    assert (code, err) == (2, f"error: {project / 'missing.yaml'}: no such file\n")


def test_the_report_lists_archived_answers_in_an_appendix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from riskcheck import api
    from riskcheck.core.loader import load_assessment
    from riskcheck.report.render import render_html

    path = project / "assessment.yaml"
    assert run(capsys, "migrate", str(path))[0] == 0
    loaded = load_assessment(path)
    html = render_html(api.score(loaded).to_dict(), loaded, strict=True)
    appendix = html[html.index('id="appendix-archived"') :]
    assert "<h1>Appendix D. Archived answers</h1>" in appendix
    assert '<td><div class="mono">legacy_flag</div><div class="qid">demo@1.0.0</div></td>' in appendix
    # A cell of one line is that line; a line of several is a div each.
    assert any(f'{tag}"answer-text">no</' in appendix for tag in ("<td class=", "<div class="))
    assert "removed in demo@1.1.0: Legacy status is now recorded in the system block." in appendix
    assert any(f'{tag}"answer-text">Sorts the mail.</' in appendix for tag in ("<td class=", "<div class="))
    # An assessment with nothing archived has no such appendix.
    plain = project / "plain.yaml"
    plain.write_text(path.read_text(encoding="utf-8").split("archived_answers:")[0], encoding="utf-8")
    loaded = load_assessment(plain)
    assert 'id="appendix-archived"' not in render_html(api.score(loaded).to_dict(), loaded, strict=True)


def test_an_option_mapped_to_null_archives_the_answers_that_hold_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = _at_1_1(project)
    text = released.read_text(encoding="utf-8")
    released.write_text(text.replace("sensitive: personal_data", "sensitive: null"), encoding="utf-8")
    path = project / "assessment.yaml"
    code, out, _ = run(capsys, "migrate", str(path))
    assert code == 0
    assert (
        "  data_kind (demo@1.0.0): option 'sensitive' of 'data_kind' has no counterpart in demo@1.1.0; "
        "answer the question again\n"
    ) in out
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "data_kind" not in data["answers"]
    assert data["archived_answers"][-1]["value"] == ["personal", "sensitive"]


def test_an_empty_placeholder_of_a_removed_question_is_dropped_not_archived(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _at_1_1(project)
    path = project / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("legacy_flag: no", "legacy_flag:"), encoding="utf-8")
    code, out, _ = run(capsys, "migrate", str(path))
    assert code == 0
    assert "legacy_flag" not in out
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "legacy_flag" not in data["answers"]
    assert [a["question"] for a in data["archived_answers"]] == ["bias_tested"]


def test_a_bundled_assessment_pinned_to_an_unavailable_version_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(
        "system: {name: S, owner: o, version: '1', purpose: p}\n"
        "questionnaire: eu-ai-act-classification@0.9.0\n"
        "answers: {}\n",
        encoding="utf-8",
    )
    _expect_refused(
        capsys,
        path,
        f"{path}:2:16: questionnaire: the assessment answers eu-ai-act-classification@0.9.0, which is not available",
    )


def test_a_questionnaire_file_that_does_not_exist_is_named_at_its_place(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("path: demo.yaml", "path: nope.yaml"), encoding="utf-8")
    _expect_refused(
        capsys, path, f"{path}:7:23: questionnaire.path: no such questionnaire file: {project / 'nope.yaml'}\n"
    )


SWAP_V1 = """\
id: swap
version: 1.0.0
title: Swap
sections:
  - id: s
    title: S
    questions:
      - {id: first, type: text, text: First?}
      - {id: second, type: text, text: Second?}
      - {id: third, type: yes_no, text: Third?}
scoring:
  model: weighted_sections
  tiers: [{id: low, min: 0}]
"""


def test_two_ids_that_swap_keep_both_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "released").mkdir()
    (tmp_path / "released" / "swap@1.0.0.yaml").write_text(SWAP_V1, encoding="utf-8")
    v2 = SWAP_V1.replace("version: 1.0.0", "version: 2.0.0")
    v2 += "migrations:\n  - from: 1.0.0\n    renamed: {first: second, second: first}\n    split:\n"
    v2 += "      third:\n        first_extra: [{when: third, value: 'was yes'}]\n"
    v2 = v2.replace(
        "      - {id: third, type: yes_no, text: Third?}\n", "      - {id: first_extra, type: text, text: X?}\n"
    )
    (tmp_path / "swap.yaml").write_text(v2, encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text(
        "system: {name: S, owner: o, version: '1', purpose: p}\n"
        "questionnaire: {path: swap.yaml, version: 1.0.0}\n"
        "answers:\n  first: one  # the first\n  second: two\n  third: yes\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "migrate", str(path))
    assert (code, err) == (0, "")
    text = path.read_text(encoding="utf-8")
    assert "answers:\n  second: one # the first\n  first: two\n  first_extra: was yes\n" in text
    assert yaml.safe_load(text)["archived_answers"][0]["question"] == "third"


def test_a_newer_file_can_carry_an_earlier_step(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    released = project / "released" / "demo@1.1.0.yaml"
    text = released.read_text(encoding="utf-8")
    head, _, step = text.partition("migrations:\n")
    released.write_text(head, encoding="utf-8")
    current = project / "demo.yaml"
    carried = step.replace("  - from: 1.0.0\n", "  - from: 1.0.0\n    to: 1.1.0\n")
    current.write_text(current.read_text(encoding="utf-8") + carried, encoding="utf-8")
    code, out, _ = run(capsys, "migrate", str(project / "assessment.yaml"))
    assert code == 0
    assert "demo@1.0.0 -> demo@1.2.0 (2 step(s): 1.0.0 -> 1.1.0, 1.1.0 -> 1.2.0)" in out


def test_migrate_says_the_sign_offs_are_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "loan.yaml"
    shutil.copy(Path(__file__).parent / "examples_1_0_0" / "classification-loan-scoring.yaml", path)
    assert run(capsys, "sign", str(path), "--name", "Lee Legal", "--role", "legal", "--decision", "approve")[0] == 0
    code, out, _ = run(capsys, "migrate", str(path))
    assert code == 0
    assert out.endswith(
        f"written: {path}\nlogged under migrated: eu-ai-act-classification@1.0.0 -> eu-ai-act-classification@2.0.0 "
        f"at {logged_at(path)}\nthe 1 sign-off record(s) are now stale: review the answers and sign again\n"
    )
    result = json.loads(run(capsys, "score", str(path), "--format", "json")[1])
    assert result["signoffs"]["status"] == "stale"
