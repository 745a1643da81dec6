"""What an approval covers: every leaf outside ``signoffs:``, named when it changes."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.cli.main import main
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.result import canonical_hash
from riskcheck.files.yamlio import load_yaml
from tests.report.conftest import FIXTURES, flat, render

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
ROLES = (("Priya Product", "product"), ("Ada Legal", "legal"), ("Paul Privacy", "privacy"))


def approve_all(path: Path) -> None:
    for name, role in ROLES:
        sign(path, name=name, role=role, decision="approve", now=NOW)


def read(path: Path) -> Any:
    """The data as riskcheck reads it (YAML 1.1 with riskcheck's resolver)."""
    return load_yaml(path).data


def edit(path: Path, change: Any) -> None:
    data = read(path)
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def stale_reasons(path: Path) -> list[str]:
    outcome = api.check(path, require_signoff=True)
    return [r.message for r in outcome.failed if r.kind == "signoff"]


def test_changing_the_system_block_makes_approvals_stale_and_names_the_fields(demo: Path) -> None:
    # issue 12, break 1: the approval did not cover the system block.
    approve_all(demo)

    def rename(data: dict[str, Any]) -> None:
        data["system"]["name"] = "Applicant ranker"
        data["system"]["purpose"] = "Scores job applicants and rejects the bottom half automatically"

    edit(demo, rename)
    result = api.score(demo)
    assert result.signoffs.status == "stale"
    legal = next(r for r in result.signoffs.records if r.role == "legal")
    assert legal.changed == ("system.name", "system.purpose")
    assert legal.note == "changed since Ada Legal's approval on 2026-11-02: system.name, system.purpose"
    assert (
        "role 'legal' has no current approval; its latest decision (approve by Ada Legal, "
        "2026-11-02T09:30:00+00:00) is stale: changed since Ada Legal's approval on 2026-11-02: "
        "system.name, system.purpose"
    ) in stale_reasons(demo)
    rendered = render(demo)
    assert "changed since Ada Legal's approval on 2026-11-02: system.name, system.purpose" in flat(rendered.text)
    # The cover says it once for the approvals the same change made stale.
    assert (
        "changed since the approvals of Priya Product, Ada Legal and Paul Privacy on 2026-11-02: "
        "system.name, system.purpose"
    ) in flat(rendered.pages[0])


def test_stale_message_names_answers_by_number_and_evidence_files(demo: Path) -> None:
    approve_all(demo)

    def change(data: dict[str, Any]) -> None:
        data["answers"]["monitoring"] = "continuous"
        data["answers"]["use_case"] = "marketing"

    edit(demo, change)
    (demo.parent / "docs" / "bias" / "2026-09.md").write_text("rewritten\n")
    legal = next(r for r in api.score(demo).signoffs.records if r.role == "legal")
    assert legal.note == (
        "changed since Ada Legal's approval on 2026-11-02: answers 1.1 and 3.3, evidence file docs/bias/2026-09.md"
    )


def test_a_record_under_the_older_scheme_loads_and_never_counts(demo: Path) -> None:
    result = api.score(demo)
    old = canonical_hash([result.hashes.questionnaire, result.hashes.answers, result.hashes.evidence])
    records = "".join(
        f"  - name: {name}\n    role: {role}\n    decision: approve\n"
        f"    timestamp: 2026-11-02T09:30:00+00:00\n    content_sha256: {old}\n"
        for name, role in ROLES
    )
    demo.write_text(demo.read_text() + "signoffs:\n" + records)
    result = api.score(demo)
    assert result.signoffs.status == "stale"
    legal = next(r for r in result.signoffs.records if r.role == "legal")
    assert (legal.current, legal.scheme) == (False, "legacy")
    assert legal.note == (
        "Ada Legal's approval on 2026-11-02 was made under an older hash scheme that did not cover "
        "the system block, the fairness settings or local evidence files; it never counts as current: "
        "record the decision again"
    )


def test_an_edited_content_hash_is_never_current(demo: Path) -> None:
    approve_all(demo)
    text = demo.read_text()
    content = api.score(demo).hashes.content
    demo.write_text(text.replace(content, "ab" * 32, 1))
    result = api.score(demo)
    product = result.signoffs.records[0]
    assert not product.current
    assert product.note == (
        "Priya Product's approval on 2026-11-02 does not match its own part hashes "
        "(was the record edited by hand?); it never counts as current: record the decision again"
    )
    assert dict(result.signoffs.roles)["product"] == "stale"


def test_a_record_for_a_role_the_questionnaire_does_not_require_is_an_error(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    approve_all(demo)
    demo.write_text(demo.read_text().replace("role: privacy", "role: cfo", 1))
    assert main(["check", str(demo), "--require-signoff"]) == 2
    err = capsys.readouterr().err
    assert "signoffs[2].role: expected a sign-off role of report-demo@1.2.0 (product, legal, privacy), got 'cfo'" in err
    assert "Traceback" not in err


def test_a_misspelt_decision_is_an_error(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    approve_all(demo)
    demo.write_text(demo.read_text().replace("decision: approve", "decision: aprove", 1))
    with pytest.raises(RiskcheckError) as error:
        api.score(demo)
    assert "signoffs[0].decision: expected 'approve' or 'reject', got 'aprove'" in str(error.value)


# ---------------------------------------------------------------- every leaf


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(data, list):
        return [leaf for i, value in enumerate(data) for leaf in _leaves(value, (*path, i))]
    return [path]


def _mutated(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return round(value / 2, 6)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    if value is None:
        return "added"
    return f"{value} (changed)"


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


_APPROVED = tempfile.mkdtemp(prefix="riskcheck-approved-")
shutil.copytree(FIXTURES, Path(_APPROVED) / "demo")
approve_all(Path(_APPROVED) / "demo" / "assessment.yaml")
_ASSESSMENT_LEAVES = [
    ("assessment.yaml", leaf) for leaf in _leaves(read(FIXTURES / "assessment.yaml")) if leaf[0] != "signoffs"
]
_QUESTIONNAIRE_LEAVES = [("questionnaire.yaml", leaf) for leaf in _leaves(read(FIXTURES / "questionnaire.yaml"))]
_FILES = [("decisions.csv", ()), ("docs/bias/2026-09.md", ())]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(_ASSESSMENT_LEAVES) | st.sampled_from(_QUESTIONNAIRE_LEAVES) | st.sampled_from(_FILES))
def test_mutating_any_leaf_outside_signoffs_makes_every_approval_stale(target: tuple[str, tuple[Any, ...]]) -> None:
    name, leaf = target
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "demo"
        shutil.copytree(Path(_APPROVED) / "demo", folder)
        path = folder / name
        if leaf:
            data = read(path)
            _set(data, leaf, _mutated(_get(data, leaf)))
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        elif name.endswith(".csv"):
            # Flip one prediction: the same columns, other evidence.
            lines = path.read_text().splitlines(keepends=True)
            row = lines[1].rstrip("\n").split(",")
            row[-1] = "0" if row[-1] == "1" else "1"
            path.write_text("".join([lines[0], ",".join(row) + "\n", *lines[2:]]))
        else:
            path.write_bytes(path.read_bytes() + b"\n")
        try:
            result = api.score(folder / "assessment.yaml")
        except RiskcheckError:
            return  # a change that breaks the file is an error, never a current approval
        assert result.signoffs.status == "stale"
        assert all(not r.current and r.changed for r in result.signoffs.records)


def test_an_unchanged_rewrite_keeps_the_approvals_current() -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "demo"
        shutil.copytree(Path(_APPROVED) / "demo", folder)
        path = folder / "assessment.yaml"
        path.write_text(yaml.safe_dump(read(path), sort_keys=False))
        assert api.score(path).signoffs.status == "approved"


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def test_the_web_form_names_what_changed_since_an_approval(demo: Path) -> None:
    from starlette.testclient import TestClient

    from riskcheck.web import create_app

    approve_all(demo)
    with TestClient(create_app(demo.parent), base_url="http://127.0.0.1") as client:
        page = client.get("/signoff/assessment.yaml").text
        assert "Stale" not in page
        demo.write_text(demo.read_text().replace("Ranks consumer loan applications", "Rejects loan applications"))
        page = client.get("/signoff/assessment.yaml").text
    assert "changed since Ada Legal&#39;s approval on 2026-11-02: system.purpose" in page
