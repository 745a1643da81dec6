"""``check --baseline REV`` and ``riskcheck diff`` against real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ci.conftest import git


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_baseline_accepts_existing_risk_and_fails_on_new_risk(repo: Path, cli) -> None:
    # Already high at the baseline: the plain gate fails, the baseline gate passes.
    assert cli("check", "scaled.yaml", "--fail-on", "high").code == 1
    run = cli("check", "scaled.yaml", "--fail-on", "high", "--baseline", "main")
    assert run.code == 0, run.out + run.err
    assert run.out == (
        "policy: fail on tier high or above (fail-on from --fail-on); a blocking finding; "
        "a fairness threshold breached; an unanswered required question\n"
        "PASSED  scaled.yaml  Scaled system: tier high, score 60 of 100, 1 finding(s), complete\n"
        "  baseline main: tier high\n"
        "  ~ risk tier: tier high is at or above the fail-on tier high (score 60 of 100; fail-on from --fail-on) "
        "(accepted: in the baseline)\n"
        "  ! rule automated-at-scale: fired (high), allowed by the policy: Automated decisions at scale.\n"
        "riskcheck gate passed: 1 of 1 assessment(s) passed, 0 of 7 check(s) failed\n"
    )
    # A new blocking finding is new risk.
    _edit(repo / "scaled.yaml", "prohibited: no", "prohibited: yes")
    run = cli("check", "scaled.yaml", "--fail-on", "high", "--baseline", "main", "--format", "json")
    assert run.code == 1
    assessment = json.loads(run.out)["assessments"][0]
    assert assessment["reasons"] == [
        {
            "kind": "blocking",
            "message": "blocking finding prohibited-practice: A prohibited practice under Article 5.",
            "finding": "prohibited-practice",
            "role": None,
        }
    ]
    assert [r["kind"] for r in assessment["accepted"]] == ["tier"]
    assert assessment["baseline"] == {"revision": "main", "found": True, "tier": "high", "score": 60.0}


def test_baseline_fails_on_a_tier_increase(repo: Path, cli) -> None:
    _edit(repo / "low.yaml", "automated: no\n  people: 500", "automated: yes\n  people: 200000")
    run = cli("check", "low.yaml", "--fail-on", "medium", "--baseline", "HEAD", "--format", "json")
    assert run.code == 1
    reasons = json.loads(run.out)["assessments"][0]["reasons"]
    assert reasons == [
        {"kind": "tier", "message": "tier high is at or above the fail-on tier medium", "finding": None, "role": None}
    ]


def test_a_file_new_since_the_baseline_has_only_new_risk(repo: Path, cli) -> None:
    (repo / "new.yaml").write_text((repo / "scaled.yaml").read_text().replace("Scaled system", "New system"))
    run = cli("check", "new.yaml", "--fail-on", "high", "--baseline", "main", "--format", "json")
    assert run.code == 1
    assessment = json.loads(run.out)["assessments"][0]
    assert assessment["baseline"] == {"revision": "main", "found": False, "tier": None, "score": None}
    assert [r["kind"] for r in assessment["reasons"]] == ["tier"]


def test_a_baseline_revision_that_does_not_exist_is_bad_input(repo: Path, cli) -> None:
    run = cli("check", "low.yaml", "--baseline", "no-such-branch")
    assert run.code == 2
    assert run.err == f"error: revision 'no-such-branch' does not exist in the git repository at {repo}\n"
    run = cli("check", "low.yaml", "--baseline", "--upload-pack=evil")
    assert (run.code, run.err) == (2, "error: '--upload-pack=evil' is not a git revision\n")


def test_a_baseline_outside_git_is_bad_input(project: Path, cli) -> None:
    run = cli("check", "low.yaml", "--baseline", "main")
    assert run.code == 2
    assert run.err == f"error: {project}: not inside a git repository, so revision 'main' cannot be read\n"


def test_the_temporary_baseline_file_is_removed(repo: Path, cli) -> None:
    cli("check", "low.yaml", "--baseline", "main")
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(".") and p.name != ".git") == []


def test_diff_between_two_revisions_shows_every_kind_of_change(repo: Path, cli) -> None:
    signed = "\n".join(
        [
            "signoffs:",
            "  - name: Lee Legal",
            "    role: legal",
            "    decision: approve",
            "    timestamp: 2026-11-02T10:00:00Z",
            "    content_sha256: {hash}",
            "",
        ]
    )
    content = json.loads(cli("check", "fair.yaml", "--format", "json").out)["assessments"][0]["content_sha256"]
    (repo / "fair.yaml").write_text((repo / "fair.yaml").read_text() + signed.format(hash=content))
    git(repo, "commit", "-qam", "signed")
    _edit(repo / "fair.yaml", "automated: no\n  people: 500", "automated: yes\n  people: 150000")

    run = cli("diff", "main", "fair.yaml")
    assert run.code == 0, run.err
    assert run.out == (
        "risk diff main:fair.yaml -> fair.yaml (Fair system)\n"
        "tier rose: low -> high (score 0 -> 100, +100)\n"
        "findings added:\n"
        "  + [high] automated-at-scale: Automated decisions at scale.\n"
        "  + [medium] large-scale: Large-scale impact.\n"
        "answers changed:\n"
        "  automated: no -> yes (points 0 -> 4, score +40)\n"
        "  people: 500 -> 150000 (points 0 -> 6, score +60)\n"
        "approvals made stale:\n"
        "  legal: Lee Legal (2026-11-02T10:00:00+00:00)\n"
    )
    data = json.loads(cli("diff", "main:fair.yaml", "fair.yaml", "--format", "json").out)
    assert data["tier_change"] == 2
    assert data["stale_approvals"] == [{"name": "Lee Legal", "role": "legal", "timestamp": "2026-11-02T10:00:00+00:00"}]


def test_diff_shows_fairness_figures_that_moved(project: Path, cli) -> None:
    (project / "after.csv").write_text(
        (project / "predictions.csv").read_text().replace("female,1,0\n", "female,1,1\n")
    )
    (project / "after.yaml").write_text((project / "fair.yaml").read_text().replace("predictions.csv", "after.csv"))
    data = json.loads(cli("diff", "fair.yaml", "after.yaml", "--format", "json").out)
    moved = {f["name"]: (f["before"], f["after"]) for f in data["fairness_moved"]}
    assert moved["demographic_parity_ratio"] == (0.5, 0.923076923076923)
    assert moved["overall_selection_rate"] == (0.45, 0.625)
    markdown = cli("diff", "fair.yaml", "after.yaml", "--format", "markdown").out
    assert "| `demographic_parity_ratio` | 0.5 | 0.9231 |" in markdown
    assert markdown.startswith(
        "## ➖ riskcheck: risk change for Fair system\n\n"
        "`fair.yaml` → `after.yaml`: tier unchanged: low (score 0 → 0, 0)\n"
    )


def test_diff_of_a_file_missing_at_the_revision_is_bad_input(repo: Path, cli) -> None:
    (repo / "new.yaml").write_text((repo / "low.yaml").read_text())
    run = cli("diff", "main", "new.yaml")
    assert (run.code, run.err) == (2, "error: main:new.yaml: the file does not exist at revision 'main'\n")


def test_diff_names_the_revision_in_errors_of_the_old_file(repo: Path, cli) -> None:
    _edit(repo / "low.yaml", "people: 500", "people: many")
    git(repo, "commit", "-qam", "broken")
    _edit(repo / "low.yaml", "people: many", "people: 500")
    run = cli("diff", "HEAD", "low.yaml")
    assert run.code == 2
    assert run.err == "HEAD:low.yaml:9:11: answers.people: expected a number, got 'many'\n1 error(s)\n"
