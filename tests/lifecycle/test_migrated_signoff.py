"""A migrated assessment's sign-offs are stale, and the stale note names the migration.

A sign-off record names the questionnaire version it was made under, and
``riskcheck migrate`` logs each run in the file under ``migrated:``; a record the
migration made stale says so in every output, and a record made before records named
their version is explained by the log. A record stale for any other reason keeps the
note it had before.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.cli.main import main
from riskcheck.lifecycle.migrate import migrate
from riskcheck.lifecycle.versions import bundled_catalog
from tests.lifecycle.gitrepo import commit, init

EXAMPLES = Path(__file__).parent / "examples_1_0_0"
SIGNED = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
MIGRATED = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
ROLES = (("Priya Product", "product"), ("Ada Legal", "legal"), ("Paul Privacy", "privacy"))
OLD = "rai-prelaunch@1.0.0"
NEW = f"rai-prelaunch@{bundled_catalog('rai-prelaunch').latest()}"
MIGRATION_NOTE = (
    f"the assessment was migrated from {OLD} to {NEW} after Ada Legal's approval on 2026-11-02 "
    "(riskcheck migrate); re-approve the migrated answers"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    """The spam-filter example as it answered rai-prelaunch 1.0.0, approved by every role."""
    path = tmp_path / "spam-filter.yaml"
    shutil.copy(EXAMPLES / "spam-filter.yaml", path)
    for name, role in ROLES:
        sign(path, name=name, role=role, decision="approve", now=SIGNED)
    assert api.score(path).signoffs.status == "approved"
    return path


def note_of(path: Path, role: str = "legal") -> str | None:
    result = api.score(path)
    assert result.signoffs.status == "stale"
    return next(r.note for r in result.signoffs.records if r.role == role)


def without_record_versions(path: Path) -> None:
    """The file as a riskcheck that did not record versions would have signed it."""
    text = path.read_text(encoding="utf-8")
    assert f"    questionnaire: {OLD}\n" in text
    path.write_text(text.replace(f"    questionnaire: {OLD}\n", ""), encoding="utf-8")


def test_a_record_names_the_version_it_was_made_under(signed: Path) -> None:
    records = yaml.safe_load(signed.read_text(encoding="utf-8"))["signoffs"]
    assert [r["questionnaire"] for r in records] == [OLD, OLD, OLD]


def test_a_real_migration_makes_the_approvals_stale_and_check_names_it(
    signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "migrate", str(signed))
    assert (code, err) == (0, "")
    data = yaml.safe_load(signed.read_text(encoding="utf-8"))
    assert out.endswith(
        f"written: {signed}\nlogged under migrated: {OLD} -> {NEW} at {data['migrated'][-1]['timestamp']}\n"
        "the 3 sign-off record(s) are now stale: review the answers and sign again\n"
    )
    assert data["questionnaire"] == NEW
    (logged,) = data["migrated"]
    assert (logged["from"], logged["to"]) == (OLD, NEW)

    code, out, _ = run(capsys, "check", str(signed), "--require-signoff")
    assert code == 1
    assert (
        "  x sign-off legal: role 'legal' has no current approval; its latest decision "
        f"(approve by Ada Legal, 2026-11-02T09:30:00+00:00) is stale: {MIGRATION_NOTE}\n"
    ) in out

    code, out, _ = run(capsys, "check", str(signed), "--require-signoff", "--format", "json")
    assert code == 1
    (checked,) = json.loads(out)["assessments"]
    messages = {c["id"]: c["message"] for c in checked["checks"] if c["kind"] == "signoff"}
    assert set(messages) == {"signoff:product", "signoff:legal", "signoff:privacy"}
    assert messages["signoff:legal"].endswith(f"is stale: {MIGRATION_NOTE}")
    for role_id, message in messages.items():
        assert f"migrated from {OLD} to {NEW}" in message, role_id

    # The score's JSON carries the note on each record, with every part that changed.
    scored = json.loads(run(capsys, "score", str(signed), "--format", "json")[1])
    legal = next(r for r in scored["signoffs"]["records"] if r["role"] == "legal")
    assert legal["note"] == MIGRATION_NOTE
    assert "questionnaire" in legal["changed"]
    # ...and the version each record was made under, as a field of its own.
    assert {r["questionnaire"] for r in scored["signoffs"]["records"]} == {OLD}

    # Signing again, under the new version, is current; the old records stay, stale.
    for name, role in ROLES:
        sign(signed, name=name, role=role, decision="approve", now=MIGRATED + dt.timedelta(days=1))
    result = api.score(signed)
    assert result.signoffs.status == "approved"
    assert [r.current for r in result.signoffs.records] == [False] * 3 + [True] * 3
    assert yaml.safe_load(signed.read_text(encoding="utf-8"))["signoffs"][-1]["questionnaire"] == NEW


def test_a_record_without_a_version_is_explained_by_the_migration_log(signed: Path) -> None:
    without_record_versions(signed)
    assert api.score(signed).signoffs.status == "approved"  # an older record keeps working
    migrate(signed, now=MIGRATED)
    assert note_of(signed) == MIGRATION_NOTE


def test_a_record_without_a_version_and_no_log_gets_todays_note(signed: Path) -> None:
    """A file migrated before migrations were logged: nothing says it was a migration."""
    without_record_versions(signed)
    migrate(signed, now=MIGRATED)
    text = signed.read_text(encoding="utf-8")
    head, logged, log = text.partition("\nmigrated:\n")
    assert logged and log.count("\n") == 3  # the log is the last block: one entry of three lines
    signed.write_text(head + "\n", encoding="utf-8")
    assert note_of(signed) == "changed since Ada Legal's approval on 2026-11-02: questionnaire"


def test_a_migration_logged_before_the_record_is_not_blamed(signed: Path, tmp_path: Path) -> None:
    """Signed after an earlier migration, then the answers changed: today's note."""
    path = tmp_path / "later.yaml"
    shutil.copy(EXAMPLES / "spam-filter.yaml", path)
    migrate(path, now=MIGRATED)
    sign(path, name="Ada Legal", role="legal", decision="approve", now=MIGRATED + dt.timedelta(days=1))
    without_versions = path.read_text(encoding="utf-8").replace(f"    questionnaire: {NEW}\n", "")
    path.write_text(without_versions.replace("decision_effect: minor", "decision_effect: similarly_significant"))
    result = api.score(path)
    (record,) = result.signoffs.records
    assert record.note is not None
    assert record.note.startswith("changed since Ada Legal's approval on 2026-11-21: answer ")
    assert "migrated" not in record.note


def test_a_stale_record_for_another_reason_keeps_todays_note(signed: Path) -> None:
    text = signed.read_text(encoding="utf-8")
    signed.write_text(text.replace("purpose: Moves unsolicited", "purpose: Deletes unsolicited"), encoding="utf-8")
    assert note_of(signed) == "changed since Ada Legal's approval on 2026-11-02: system.purpose"


def test_other_changes_after_a_migration_are_named_too(signed: Path) -> None:
    migrate(signed, now=MIGRATED)
    text = signed.read_text(encoding="utf-8")
    signed.write_text(text.replace("purpose: Moves unsolicited", "purpose: Deletes unsolicited"), encoding="utf-8")
    assert note_of(signed) == f"{MIGRATION_NOTE}; also changed since: system.purpose"


def test_a_version_changed_by_hand_is_not_called_a_migration(signed: Path) -> None:
    """The spam filter's answers are valid under the new version as they stand."""
    text = signed.read_text(encoding="utf-8")
    signed.write_text(text.replace(f"questionnaire: {OLD}\nanswers:", f"questionnaire: {NEW}\nanswers:"))
    assert note_of(signed) == (
        f"the assessment now answers {NEW}, but Ada Legal's approval on 2026-11-02 was made under {OLD}; "
        "re-approve the answers"
    )


def test_a_record_naming_a_version_wrongly_never_blames_a_migration(signed: Path) -> None:
    """Records are not hashed: a version edited into one says nothing unless the questionnaire changed."""
    text = signed.read_text(encoding="utf-8")
    signed.write_text(text.replace(f"    questionnaire: {OLD}\n", "    questionnaire: rai-prelaunch@0.9.0\n"))
    assert api.score(signed).signoffs.status == "approved"
    signed.write_text(
        signed.read_text(encoding="utf-8").replace("purpose: Moves unsolicited", "purpose: Deletes unsolicited")
    )
    assert note_of(signed) == "changed since Ada Legal's approval on 2026-11-02: system.purpose"


def test_the_new_fields_leave_the_content_hash_alone(signed: Path, tmp_path: Path) -> None:
    """An unmigrated file keeps its hash: the record's version and the log are not content."""
    unsigned = tmp_path / "unsigned.yaml"
    shutil.copy(EXAMPLES / "spam-filter.yaml", unsigned)
    content = api.score(unsigned).hashes.content
    assert api.score(signed).hashes.content == content
    without_record_versions(signed)
    assert api.score(signed).hashes.content == content
    text = signed.read_text(encoding="utf-8")
    signed.write_text(
        text + f"migrated:\n  - from: {OLD}\n    to: {OLD}\n    timestamp: '2026-11-20T14:00:00+00:00'\n",
        encoding="utf-8",
    )
    result = api.score(signed)
    assert (result.hashes.content, result.signoffs.status) == (content, "approved")


def test_dry_run_logs_nothing_and_json_shows_the_entry(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = signed.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "migrate", str(signed), "--dry-run", "--format", "json")
    assert code == 0
    assert signed.read_text(encoding="utf-8") == before
    dry = json.loads(out)
    assert dry["written"] is False
    assert (dry["migrated"]["from"], dry["migrated"]["to"]) == (OLD, NEW)
    code, out, _ = run(capsys, "migrate", str(signed), "--format", "json")
    assert code == 0
    written = json.loads(out)
    assert written["written"] is True
    (logged,) = yaml.safe_load(signed.read_text(encoding="utf-8"))["migrated"]
    stamp = logged["timestamp"]
    assert written["migrated"] == {
        "from": OLD,
        "to": NEW,
        "timestamp": stamp.isoformat() if isinstance(stamp, dt.datetime) else stamp,
    }
    code, out, _ = run(capsys, "migrate", str(signed), "--format", "json")
    assert (code, json.loads(out)["migrated"]) == (0, None)  # nothing to move: nothing logged
    assert len(yaml.safe_load(signed.read_text(encoding="utf-8"))["migrated"]) == 1


def test_the_migrated_file_keeps_its_layout_and_is_valid_against_the_schema(
    signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    before = signed.read_text(encoding="utf-8")
    migrate(signed, now=MIGRATED)
    text = signed.read_text(encoding="utf-8")
    # Comments stay; the log comes last, after the sign-offs, in the form the loader reads.
    assert text.startswith(before.split("questionnaire:", 1)[0])
    assert text.endswith(f'migrated:\n  - from: {OLD}\n    to: {NEW}\n    timestamp: "2026-11-20T14:00:00+00:00"\n')
    schema = json.loads(run(capsys, "schema", "assessment")[1])
    assert "migrated" in schema["properties"]
    jsonschema.validate(_json(yaml.safe_load(text)), schema)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "{from: rai-prelaunch, to: 'rai-prelaunch@2.0.0', timestamp: '2026-11-20T14:00:00+00:00'}",
            "12: migrated[0].from: expected text that should match pattern",
        ),
        (
            "{from: 'rai-prelaunch@1.0.0', to: 'rai-prelaunch@2.0.0', timestamp: '2026-11-20T14:00:00'}",
            "73: migrated[0].timestamp: input should have timezone info, got '2026-11-20T14:00:00'",
        ),
        (
            "{from: 'rai-prelaunch@1.0.0', to: 'rai-prelaunch@2.0.0'}",
            "5: migrated[0].timestamp: required key is missing",
        ),
    ],
)
def test_a_bad_log_entry_is_refused_at_its_place(
    signed: Path, capsys: pytest.CaptureFixture[str], entry: str, expected: str
) -> None:
    signed.write_text(signed.read_text(encoding="utf-8") + f"migrated:\n  - {entry}\n", encoding="utf-8")
    code, _, err = run(capsys, "score", str(signed))
    assert code == 2
    line = len(signed.read_text(encoding="utf-8").splitlines())
    assert err.startswith(f"{signed}:{line}:{expected}"), err
    before = signed.read_text(encoding="utf-8")
    code, _, err = run(capsys, "migrate", str(signed))
    assert code == 2
    assert err.startswith(f"{signed}:{line}:{expected}"), err
    assert signed.read_text(encoding="utf-8") == before


def test_a_bad_version_in_a_record_is_refused_at_its_place(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = signed.read_text(encoding="utf-8")
    line = text[: text.index(f"    questionnaire: {OLD}\n")].count("\n") + 1
    signed.write_text(text.replace(f"    questionnaire: {OLD}\n", "    questionnaire: 1.0.0\n", 1), encoding="utf-8")
    code, _, err = run(capsys, "score", str(signed))
    assert code == 2
    assert err.startswith(f"{signed}:{line}:20: signoffs[0].questionnaire: expected text that should match pattern "), (
        err
    )
    assert err.endswith(", got '1.0.0'\n1 error(s)\n"), err


def test_the_report_and_the_web_form_show_the_note(signed: Path) -> None:
    from starlette.testclient import TestClient

    from riskcheck.core.loader import load_assessment
    from riskcheck.report.render import render_html
    from riskcheck.web import create_app

    migrate(signed, now=MIGRATED)
    loaded = load_assessment(signed)
    report = render_html(api.score(loaded).to_dict(), loaded, strict=True)
    report = report.replace("&#39;", "'")
    note = escape(MIGRATION_NOTE, quote=False)
    assert f'<div class="stale-note">{note}</div>' in report  # the cover
    assert f'<td class="answer-text stale-note">{note}</td>' in report  # the sign-off section
    with TestClient(create_app(signed.parent), base_url="http://127.0.0.1") as client:
        page = client.get(f"/signoff/{signed.name}")
    assert page.status_code == 200
    assert f'<span class="stale-note">{escape(MIGRATION_NOTE, quote=False)}' in page.text.replace("&#39;", "'")


def test_history_says_which_commit_migrated_and_made_the_approvals_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = init(tmp_path / "repo")
    path = repo / "spam-filter.yaml"
    shutil.copy(EXAMPLES / "spam-filter.yaml", path)
    sign(path, name="Ada Legal", role="legal", decision="approve", now=SIGNED)
    commit(repo, "Assess and approve", date="2026-11-02T10:00:00+00:00")
    migrate(path, now=MIGRATED)
    commit(repo, "Move to the new questionnaire", date="2026-11-20T14:05:00+00:00")
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "history", "spam-filter.yaml")
    assert (code, err) == (0, "")
    assert (f"  questionnaire: {OLD} -> {NEW}\n  migrated: {OLD} -> {NEW} (riskcheck migrate)\n") in out
    assert (f"  sign-off now stale: approve by Ada Legal (legal), 2026-11-02T09:30:00+00:00: {MIGRATION_NOTE}\n") in out
    data = json.loads(run(capsys, "history", "spam-filter.yaml", "--format", "json")[1])
    first, second = data["entries"]
    assert (first["migrated"], first["signoffs_stale"]) == ([], [])
    assert second["migrated"] == [f"{OLD} -> {NEW}"]
    assert second["signoffs_stale"] == [f"approve by Ada Legal (legal), 2026-11-02T09:30:00+00:00: {MIGRATION_NOTE}"]


def _json(value: Any) -> Any:
    """YAML data as JSON has it: dates and times as ISO text."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
