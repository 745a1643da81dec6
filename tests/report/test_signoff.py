"""Sign-off records: appending, role checks, staleness, and the gate."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.cli.main import main
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.loader import load_assessment
from riskcheck.files.yamledit import set_answers
from riskcheck.pipeline import content_parts_of
from tests.report.conftest import flat, render

NOW = dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.UTC)


def approve_all(path: Path) -> None:
    for name, role in (("Priya Product", "product"), ("Lena Legal", "legal"), ("Paul Privacy", "privacy")):
        sign(path, name=name, role=role, decision="approve", now=NOW)


def test_sign_appends_a_record_hashed_over_the_content_and_keeps_comments(demo: Path) -> None:
    before = demo.read_text()
    content = api.score(demo).hashes.content
    outcome = sign(demo, name="Lena Legal", role="legal", decision="approve", comment="Fine for launch.", now=NOW)
    after = demo.read_text()
    assert after.startswith(before.rstrip("\n"))
    assert "# Assessment used by the report tests. Keep the comments" in after
    parts = content_parts_of(load_assessment(demo), api.score(demo))
    covers = "".join(f'      {key}: "{digest[:16]}"\n' for key, digest in parts.items())
    assert after[len(before.rstrip("\n")) :] == (
        "\nsignoffs:\n"
        "  - name: Lena Legal\n"
        "    role: legal\n"
        "    decision: approve\n"
        "    comment: Fine for launch.\n"
        "    timestamp: '2026-10-20T09:30:00+00:00'\n"
        "    questionnaire: report-demo@1.2.0\n"
        f"    content_sha256: {content}\n"
        "    covers:\n" + covers
    )
    assert '      system.purpose: "' in covers
    assert '      answers.monitoring: "' in covers
    assert '      evidence.docs/bias/2026-09.md: "' in covers
    assert outcome.signoffs.status == "pending"
    assert outcome.signoffs.roles == (("product", "missing"), ("legal", "approved"), ("privacy", "missing"))


def test_sign_refuses_an_undeclared_role_without_writing(demo: Path) -> None:
    before = demo.read_text()
    with pytest.raises(RiskcheckError) as error:
        sign(demo, name="Carl", role="cfo", decision="approve", now=NOW)
    assert str(error.value) == (
        f"{demo}: sign: --role: 'cfo' is not a sign-off role of report-demo@1.2.0; "
        "expected one of: product, legal, privacy"
    )
    assert demo.read_text() == before


def test_sign_refuses_an_unknown_decision(demo: Path) -> None:
    with pytest.raises(RiskcheckError) as error:
        sign(demo, name="Lena", role="legal", decision="maybe", now=NOW)
    assert str(error.value) == f"{demo}: sign: --decision: expected approve or reject, got 'maybe'"


def test_require_signoff_names_each_role_without_a_current_approval(demo: Path) -> None:
    sign(demo, name="Lena Legal", role="legal", decision="approve", now=NOW)
    outcome = api.check(demo, require_signoff=True)
    assert [(r.role, r.message) for r in outcome.failed if r.kind == "signoff"] == [
        ("product", "role 'product' has no decision recorded"),
        ("privacy", "role 'privacy' has no decision recorded"),
    ]
    assert [r.message for r in outcome.failed if r.kind == "signoff"] == [
        "role 'product' has no decision recorded",
        "role 'privacy' has no decision recorded",
    ]


def test_all_roles_approved_passes_the_signoff_gate(demo: Path) -> None:
    approve_all(demo)
    outcome = api.check(demo, require_signoff=True)
    assert [r for r in outcome.failed if r.kind == "signoff"] == []
    assert outcome.result.signoffs.status == "approved"


def test_current_rejection_fails_and_says_who_and_why(demo: Path) -> None:
    approve_all(demo)
    sign(demo, name="Lena Legal", role="legal", decision="reject", comment="DPIA missing.", now=NOW)
    outcome = api.check(demo, require_signoff=True)
    assert [r.message for r in outcome.failed if r.kind == "signoff"] == [
        "role 'legal' rejected the current content (Lena Legal, 2026-10-20T09:30:00+00:00): DPIA missing."
    ]
    assert outcome.result.signoffs.status == "rejected"


def test_changing_an_answer_makes_approvals_stale_in_check_and_report(demo: Path) -> None:
    approve_all(demo)
    assert api.check(demo, require_signoff=True).result.signoffs.status == "approved"
    set_answers(demo, {"monitoring": "continuous"})
    outcome = api.check(demo, require_signoff=True)
    assert outcome.result.signoffs.status == "stale"
    assert [r.message for r in outcome.failed if r.kind == "signoff"] == [
        f"role {role!r} has no current approval; its latest decision "
        f"(approve by {name}, 2026-10-20T09:30:00+00:00) is stale: "
        f"changed since {name}'s approval on 2026-10-20: answer 3.3"
        for role, name in (("product", "Priya Product"), ("legal", "Lena Legal"), ("privacy", "Paul Privacy"))
    ]
    text = flat(render(demo).text)
    assert "SIGN-OFF STATUS ↻ STALE product: stale · legal: stale · privacy: stale" in text
    assert (
        "Legal ↻ STALE Role legal Name Lena Legal Decision approve (stale) Date 2026-10-20 09:30 UTC "
        "Why it is stale changed since Lena Legal's approval on 2026-10-20: answer 3.3 Signature"
    ) in text


def test_changing_the_fairness_evidence_makes_approvals_stale(demo: Path) -> None:
    approve_all(demo)
    data = demo.parent / "decisions.csv"
    data.write_text(data.read_text().replace("group_a,1,1\n", "group_a,1,0\n", 1))
    assert api.check(demo, require_signoff=True).result.signoffs.status == "stale"


def test_a_new_approval_on_the_changed_content_is_current(demo: Path) -> None:
    approve_all(demo)
    set_answers(demo, {"monitoring": "continuous"})
    approve_all(demo)
    result = api.check(demo, require_signoff=True).result
    assert result.signoffs.status == "approved"
    text = flat(render(demo).text)
    assert "Legal ✓ APPROVED Role legal Name Lena Legal Decision approve (current) Date 2026-10-20 09:30 UTC" in text
    # The earlier, now stale, records are kept and shown as history.
    assert "Other sign-off records" in text
    assert (
        "legal Lena Legal approve 2026-10-20 09:30 UTC "
        "changed since Lena Legal's approval on 2026-10-20: answer 3.3 stale"
    ) in text


def test_a_stale_later_record_does_not_revoke_a_current_one(demo: Path) -> None:
    approve_all(demo)
    set_answers(demo, {"monitoring": "continuous"})
    sign(demo, name="Lena Legal", role="legal", decision="reject", now=NOW)
    set_answers(demo, {"monitoring": "quarterly"})  # back to what everyone approved
    result = api.check(demo, require_signoff=True).result
    assert dict(result.signoffs.roles) == {"product": "approved", "legal": "approved", "privacy": "approved"}


def test_sign_and_check_from_the_command_line(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sign", str(demo), "--name", "Lena Legal", "--role", "legal", "--decision", "approve"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"{demo}: recorded approve by Lena Legal (legal) at ")
    assert out.endswith("  sign-off status: pending\n    product: missing\n    legal: approved\n    privacy: missing\n")
    assert main(["check", str(demo), "--require-signoff"]) == 1
    out = capsys.readouterr().out
    assert "  x sign-off product: role 'product' has no decision recorded\n" in out
    assert "  x sign-off privacy: role 'privacy' has no decision recorded\n" in out


def test_sign_bad_input_exits_2(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sign", str(demo), "--name", "X", "--role", "cfo", "--decision", "approve"]) == 2
    assert capsys.readouterr().err == (
        f"error: {demo}: sign: --role: 'cfo' is not a sign-off role of report-demo@1.2.0; "
        "expected one of: product, legal, privacy\n"
    )
    assert (
        main(["sign", str(demo.parent / "missing.yaml"), "--name", "X", "--role", "legal", "--decision", "approve"])
        == 2
    )


def test_sign_keeps_long_lines_as_written(demo: Path) -> None:
    long_comment = (
        "Analysts review every application the model flags, and may approve or refuse"
        " any application below the cut-off."
    )
    assert len(long_comment) > 100
    text = demo.read_text().replace(
        "    comment: Analysts review every application the model flags.\n",
        f"    comment: {long_comment}\n",
    )
    demo.write_text(text)
    sign(demo, name="Lena Legal", role="legal", decision="approve", comment=long_comment, now=NOW)
    after = demo.read_text()
    assert after.startswith(text.rstrip("\n"))
    assert f"    comment: {long_comment}\n    timestamp: '2026-10-20T09:30:00+00:00'\n" in after


def test_with_no_roles_declared_a_stale_approval_still_says_what_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sign-off as a whole (a questionnaire that declares no roles) names the change, as a role's check does."""
    source = Path(__file__).resolve().parents[2] / "examples" / "classification" / "loan-scoring.yaml"
    path = tmp_path / "loan-scoring.yaml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_assessment(path).questionnaire.spec.signoff.roles == []
    sign(path, name="Lena Legal", role="legal", decision="approve", now=NOW)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  purpose: ", "  purpose: Now also sets credit limits. ", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(path), "--require-signoff", "--fail-on", "none"]) == 1
    out = capsys.readouterr().out
    assert (
        "no current sign-off approval; every decision recorded is stale; the latest (approve by Lena Legal, "
        "2026-10-20T09:30:00+00:00): changed since Lena Legal's approval on 2026-10-20: system.purpose"
    ) in out


def test_an_empty_name_is_refused_in_riskchecks_words(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = demo.read_text()
    assert main(["sign", str(demo), "--name", "", "--role", "legal", "--decision", "approve"]) == 2
    assert capsys.readouterr().err == (
        f"error: {demo}: sign: --name: expected text that should have at least 1 character, got ''\n"
    )
    assert demo.read_text() == before


@pytest.mark.parametrize(("limit", "says"), [(None, "sha256 of every byte"), ("0", "not tamper-evident")])
def test_sign_says_what_identifies_the_fairness_data_it_binds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    limit: str | None,
    says: str,
) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    (tmp_path / "data").mkdir()
    shutil.copy(examples / "data" / "german_credit_scored.csv", tmp_path / "data")
    shutil.copy(examples / "credit-scoring.yaml", tmp_path / "credit.yaml")
    if limit is not None:
        monkeypatch.setenv("RISKCHECK_FULL_HASH_LIMIT", limit)
    monkeypatch.chdir(tmp_path)
    assert main(["sign", "credit.yaml", "--name", "Lena Legal", "--role", "legal", "--decision", "approve"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("fairness data:"))
    assert says in line
