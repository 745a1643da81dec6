"""The sign-off checks agree with the engine on which record counts for a role."""

from __future__ import annotations

import json
from pathlib import Path


def _record(name: str, role: str, timestamp: str, content: str) -> str:
    return (
        f"  - name: {name}\n"
        f"    role: {role}\n"
        "    decision: approve\n"
        f"    timestamp: {timestamp}\n"
        f"    content_sha256: {content}\n"
    )


def test_a_role_approved_earlier_and_signed_stale_later_names_the_current_approval(project: Path, cli) -> None:
    content = json.loads(cli("check", "low.yaml", "--format", "json").out)["assessments"][0]["content_sha256"]
    stale = "ab" * 32
    (project / "low.yaml").write_text(
        (project / "low.yaml").read_text()
        + "signoffs:\n"
        + _record("Ann Approver", "legal", "2026-11-02T10:00:00Z", content)
        + _record("Pat Product", "product", "2026-11-02T11:00:00Z", content)
        + _record("Bob Later", "legal", "2026-11-03T09:00:00Z", stale)
    )
    run = cli("check", "low.yaml", "--require-signoff", "--format", "json")
    assert run.code == 0, run.out + run.err
    assessment = json.loads(run.out)["assessments"][0]
    checks = {c["id"]: c for c in assessment["checks"]}
    legal = checks["signoff:legal"]
    assert (legal["status"], legal["message"]) == (
        "passed",
        "approved by Ann Approver on 2026-11-02T10:00:00+00:00, for the current content",
    )
    # The line of Ann's record (the one that counts), not of Bob's later, stale one.
    lines = (project / "low.yaml").read_text().splitlines()
    assert lines[legal["line"] - 1].strip() == "- name: Ann Approver"
    product = checks["signoff:product"]
    assert product["message"] == "approved by Pat Product on 2026-11-02T11:00:00+00:00, for the current content"
    assert lines[product["line"] - 1].strip() == "- name: Pat Product"


def test_a_stale_role_points_at_its_latest_record(project: Path, cli) -> None:
    (project / "low.yaml").write_text(
        (project / "low.yaml").read_text()
        + "signoffs:\n"
        + _record("Ann Approver", "legal", "2026-11-02T10:00:00Z", "a" * 64)
        + _record("Bob Later", "legal", "2026-11-03T09:00:00Z", "b" * 64)
    )
    run = cli("check", "low.yaml", "--require-signoff", "--format", "json")
    assert run.code == 1
    checks = {c["id"]: c for c in json.loads(run.out)["assessments"][0]["checks"]}
    legal = checks["signoff:legal"]
    assert (legal["status"], legal["message"]) == (
        "failed",
        "role 'legal' has no current approval; its latest decision (approve by Bob Later, "
        "2026-11-03T09:00:00+00:00) is stale: Bob Later's approval on 2026-11-03 was made under an older "
        "hash scheme that did not cover the system block, the fairness settings or local evidence files, and "
        "the content has changed since; it never counts as current: record the decision again",
    )
    lines = (project / "low.yaml").read_text().splitlines()
    assert lines[legal["line"] - 1].strip() == "- name: Bob Later"
