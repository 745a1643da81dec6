"""A side at a git revision is scored as it was there: questionnaire, data and result included.

Each test builds a real git repository laid out as teams do (assessments/,
questionnaires/, data/), changes the referenced files between commits, and runs
the real command line.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.ci.conftest import DATA, git

ASSESSMENT = """\
system:
  name: Credit scoring
  owner: team@example.com
  version: "1.0"
  purpose: Testing a revision's own questionnaire and data.
questionnaire: {path: ../questionnaires/ci.yaml}
answers:
  automated: yes
  people: 5000
  prohibited: no
fairness:
  data: ../data/predictions.csv
  target: outcome
  prediction: prediction
  sensitive: [sex]
  bootstrap: {replicates: 0}
  thresholds:
    demographic_parity_ratio: {min: 0.4}
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def layered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with assessments/, questionnaires/ and data/, committed once as tag v1."""
    for folder in ("assessments", "questionnaires", "data"):
        (tmp_path / folder).mkdir()
    (tmp_path / "questionnaires" / "ci.yaml").write_text((DATA / "questionnaire.yaml").read_text())
    (tmp_path / "data" / "predictions.csv").write_text((DATA / "predictions.csv").read_text())
    (tmp_path / "assessments" / "credit.yaml").write_text(ASSESSMENT)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    git(tmp_path, "tag", "v1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def _raise_high_tier(repo: Path) -> None:
    """The questionnaire's high tier starts at 70 instead of 60: a score of 60 becomes medium."""
    _edit(repo / "questionnaires" / "ci.yaml", "{id: high, min: 60}", "{id: high, min: 70}")


def _select_more_women(repo: Path) -> None:
    """Women with a positive outcome are now all predicted positive: the parity ratio rises."""
    _edit(repo / "data" / "predictions.csv", "female,1,0\n", "female,1,1\n")


def _content_hash(cli, path: str) -> str:
    run = cli("check", path, "--format", "json")
    return str(json.loads(run.out)["assessments"][0]["content_sha256"])


def _sign(repo: Path, content: str) -> None:
    with (repo / "assessments" / "credit.yaml").open("a") as handle:
        handle.write(
            "signoffs:\n"
            "  - name: Lee Legal\n"
            "    role: legal\n"
            "    decision: approve\n"
            "    timestamp: 2026-11-02T10:00:00Z\n"
            f"    content_sha256: {content}\n"
        )


def test_the_old_side_uses_the_questionnaire_and_data_of_its_revision(layered: Path, cli) -> None:
    _raise_high_tier(layered)
    _select_more_women(layered)
    run = cli("diff", "main", "assessments/credit.yaml")
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out == (
        "risk diff main:assessments/credit.yaml -> assessments/credit.yaml (Credit scoring)\n"
        "tier fell: high -> medium (score 60 -> 60, 0)\n"
        "fairness figures moved:\n"
        "  demographic_parity_difference: 0.3 -> 0.05\n"
        "  demographic_parity_ratio: 0.5 -> 0.9231\n"
        "  disparate_impact_ratio: 0.5 -> 0.9231\n"
        "  equal_opportunity_difference: 0.3 -> 0.4\n"
        "  equal_opportunity_ratio: 0.5 -> 0.6\n"
        "  equalized_odds_difference: 0.3 -> 0.4\n"
        "  overall_accuracy: 0.5 -> 0.675\n"
        "  overall_balanced_accuracy: 0.5 -> 0.675\n"
        "  overall_false_negative_rate: 0.55 -> 0.2\n"
        "  overall_precision: 0.5 -> 0.64\n"
        "  overall_selection_rate: 0.45 -> 0.625\n"
        "  overall_true_positive_rate: 0.45 -> 0.8\n"
    )
    data = json.loads(cli("diff", "main", "assessments/credit.yaml", "--format", "json").out)
    assert (data["base"]["tier"], data["head"]["tier"], data["tier_change"]) == ("high", "medium", -1)
    assert data["warnings"] == []
    moved = {f["name"]: (f["before"], f["after"]) for f in data["fairness_moved"]}
    assert moved["demographic_parity_ratio"] == (0.5, 0.923076923076923)


def test_both_sides_at_revisions(layered: Path, cli) -> None:
    _raise_high_tier(layered)
    _select_more_women(layered)
    git(layered, "commit", "-qam", "v2")
    git(layered, "tag", "v2")
    # The working tree moves on again; neither side may see it.
    _edit(layered / "data" / "predictions.csv", "\nmale,1,1\n", "\nmale,1,0\n")
    _edit(layered / "questionnaires" / "ci.yaml", "{id: medium, min: 30}", "{id: medium, min: 90}")
    data = json.loads(cli("diff", "v1:assessments/credit.yaml", "v2:assessments/credit.yaml", "--format", "json").out)
    labels = (data["base"]["label"], data["head"]["label"])
    assert labels == ("v1:assessments/credit.yaml", "v2:assessments/credit.yaml")
    assert (data["base"]["tier"], data["head"]["tier"]) == ("high", "medium")
    moved = {f["name"]: (f["before"], f["after"]) for f in data["fairness_moved"]}
    assert moved["demographic_parity_ratio"] == (0.5, 0.923076923076923)


def test_an_approval_goes_stale_when_only_the_data_changes(layered: Path, cli) -> None:
    _sign(layered, _content_hash(cli, "assessments/credit.yaml"))
    git(layered, "commit", "-qam", "signed")
    _select_more_women(layered)

    run = cli("diff", "main", "assessments/credit.yaml")
    assert run.code == 0, run.err
    assert run.out.startswith(
        "risk diff main:assessments/credit.yaml -> assessments/credit.yaml (Credit scoring)\n"
        "tier unchanged: high (score 60 -> 60, 0)\n"
        "fairness figures moved:\n"
    )
    assert run.out.endswith("approvals made stale:\n  legal: Lee Legal (2026-11-02T10:00:00+00:00)\n")
    assert "answers changed" not in run.out

    # The gate with a baseline sees the approval as current there, so losing it is new risk.
    run = cli("check", "assessments/credit.yaml", "--baseline", "main", "--require-signoff", "--format", "json")
    assert run.code == 1, run.err
    assessment = json.loads(run.out)["assessments"][0]
    assert [(r["kind"], r["message"]) for r in assessment["reasons"]] == [
        (
            "signoff",
            "role 'legal' has no current approval; its latest decision (approve by Lee Legal, "
            "2026-11-02T10:00:00+00:00) is stale: Lee Legal's approval on 2026-11-02 was made under an older "
            "hash scheme that did not cover the system block, the fairness settings or local evidence files, and "
            "the content has changed since; it never counts as current: record the decision again",
        )
    ]
    assert [(r["kind"], r["message"]) for r in assessment["accepted"]] == [
        ("signoff", "role 'product' has no decision recorded")
    ]


def test_a_file_git_did_not_track_falls_back_to_the_working_tree_with_a_warning(layered: Path, cli) -> None:
    git(layered, "rm", "-q", "--cached", "data/predictions.csv")
    git(layered, "commit", "-qm", "data is no longer tracked")
    _select_more_women(layered)
    run = cli("diff", "HEAD", "assessments/credit.yaml", "--format", "json")
    assert run.code == 0, run.err
    assert run.err == (
        "warning: HEAD:assessments/credit.yaml: fairness data ../data/predictions.csv is not tracked "
        "by git at HEAD; it is read from the working tree\n"
    )
    data = json.loads(run.out)
    assert data["fairness_moved"] == []  # both sides read the same working-tree file
    assert data["warnings"] == [run.err.rstrip("\n")]
    markdown = cli("diff", "HEAD", "assessments/credit.yaml", "--format", "markdown").out
    assert markdown.endswith(
        "\n\n> ⚠️ HEAD:assessments/credit.yaml: fairness data ../data/predictions.csv is not tracked "
        "by git at HEAD; it is read from the working tree  \n"
    )

    run = cli("check", "assessments/credit.yaml", "--baseline", "HEAD")
    assert run.code == 0, run.err
    assert run.err == (
        "warning: HEAD:assessments/credit.yaml: fairness data ../data/predictions.csv is not tracked "
        "by git at HEAD; it is read from the working tree\n"
    )


def test_errors_in_a_referenced_file_name_it_at_the_revision(layered: Path, cli) -> None:
    _edit(layered / "questionnaires" / "ci.yaml", "weight: 1", "weight: heavy")
    git(layered, "commit", "-qam", "broken questionnaire")
    _edit(layered / "questionnaires" / "ci.yaml", "weight: heavy", "weight: 1")
    run = cli("diff", "HEAD", "assessments/credit.yaml")
    assert run.code == 2
    assert run.err == (
        "HEAD:questionnaires/ci.yaml:7:13: sections[0].weight: expected a valid number, unable to parse string "
        "as a number, got 'heavy'\n1 error(s)\n"
    )


def test_a_data_file_over_the_size_limit_at_the_revision_is_refused_unread(
    layered: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskcheck.fairness.data

    monkeypatch.setattr(riskcheck.fairness.data, "MAX_DATA_BYTES", 100)
    size = (layered / "data" / "predictions.csv").stat().st_size
    run = cli("diff", "main", "assessments/credit.yaml")
    assert (run.code, run.err) == (
        2,
        f"error: main:data/predictions.csv: file is {size:,} bytes; riskcheck reads at most 100 bytes\n",
    )


def test_the_temporary_tree_is_removed(layered: Path, cli, monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _select_more_women(layered)
    assert cli("diff", "main", "assessments/credit.yaml").code == 0
    assert cli("check", "assessments/credit.yaml", "--baseline", "main").code == 0
    _edit(layered / "assessments" / "credit.yaml", "people: 5000", "people: lots")
    git(layered, "commit", "-qam", "broken")
    assert cli("check", "assessments/credit.yaml", "--baseline", "HEAD").code == 2
    assert list(scratch.iterdir()) == []


def test_a_file_outside_the_repository_is_read_from_the_working_tree(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "assessments").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "predictions.csv").write_text((DATA / "predictions.csv").read_text())
    (repo / "ci.yaml").write_text((DATA / "questionnaire.yaml").read_text())
    (repo / "assessments" / "credit.yaml").write_text(
        ASSESSMENT.replace("../questionnaires/ci.yaml", "../ci.yaml").replace(
            "../data/predictions.csv", "../../shared/predictions.csv"
        )
    )
    # Data outside the project is read only from a folder the project lists.
    (repo / "pyproject.toml").write_text('[tool.riskcheck]\ndata-roots = ["../shared"]\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "v1")
    monkeypatch.chdir(repo / "assessments")
    _edit(repo / "ci.yaml", "{id: high, min: 60}", "{id: high, min: 70}")
    run = cli("diff", "main", "credit.yaml", "--format", "json")
    assert run.code == 0, run.err
    assert run.err == (
        "warning: main:credit.yaml: fairness data ../../shared/predictions.csv is outside the git "
        "repository; it is read from the working tree\n"
    )
    data = json.loads(run.out)
    assert (data["base"]["tier"], data["head"]["tier"], data["fairness_moved"]) == ("high", "medium", [])


def test_a_git_lfs_pointer_at_the_revision_falls_back_to_the_working_tree(layered: Path, cli) -> None:
    data = layered / "data" / "predictions.csv"
    real = data.read_text()
    data.write_text(f"version https://git-lfs.github.com/spec/v1\noid sha256:{'ab' * 32}\nsize {len(real)}\n")
    git(layered, "commit", "-qam", "data in LFS")
    data.write_text(real)  # what `git lfs pull` leaves in the working tree
    run = cli("diff", "HEAD", "assessments/credit.yaml", "--format", "json")
    assert run.code == 0, run.err
    assert run.err == (
        "warning: HEAD:assessments/credit.yaml: fairness data ../data/predictions.csv is stored in Git LFS "
        "at HEAD; it is read from the working tree\n"
    )
    assert json.loads(run.out)["fairness_moved"] == []
