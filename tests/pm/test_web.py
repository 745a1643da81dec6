"""The web form's HTTP layer through Starlette's test client: real files, real templates."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.core.loader import load_assessment
from riskcheck.web import create_app
from riskcheck.web.handlers.review import store_path

HOSTILE = "<script>alert('x')</script> & \"quotes\""


@pytest.fixture
def client(workdir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(workdir), base_url="http://127.0.0.1") as test_client:
        yield test_client


def tokens(html: str) -> dict[str, str]:
    found = dict(re.findall(r'name="(csrf_token|version)" value="([^"]*)"', html))
    return found


def answers(path: Path) -> dict[str, object]:
    return dict(load_assessment(path).answers.values)


def open_form(client: TestClient, name: str = "draft.yaml") -> dict[str, str]:
    response = client.get(f"/a/{name}")
    assert response.status_code == 200
    return tokens(response.text)


def test_list_shows_each_assessment_with_tier_and_status(client: TestClient, workdir: Path) -> None:
    (workdir / "broken.yaml").write_text("system: {name: x}\nanswers: {}\n", encoding="utf-8")
    html = client.get("/").text
    assert '<a href="/a/draft.yaml">Loan approvals</a>' in html
    assert '<td data-label="Questionnaire">Pre-launch checklist (demo) (pm-demo@1.0.0)</td>' in html
    assert (
        '<td data-label="Risk tier"><span class="tier tier-low">Low</span> '
        '<span class="badge badge-provisional">Provisional</span></td>'
    ) in html
    assert '<td data-label="Answers">0 of 4 required <span class="badge">Incomplete</span></td>' in html
    assert '<span class="badge badge-pending">Pending</span>' in html
    assert (
        '<td colspan="4" class="invalid"><span class="badge badge-invalid">Invalid</span> '
        "broken.yaml:1:1: questionnaire: required key is missing (and 3 more)</td>"
    ) in html
    assert ">questionnaire.yaml<" not in html  # questionnaires are offered on the new-assessment page


def test_save_round_trip_keeps_comments_and_shows_the_answers(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    form = open_form(client)
    response = client.post(
        "/a/draft.yaml",
        data={
            **form,
            "action": "save",
            "q.decision_type": "automated",
            "q.affects_people": "yes",
            "q.people_count": "150000",
            "q.launch_date": "2027-03-01",
            "q.protected": ["sex", "age"],
            "q.bias_tested": "yes",
            "q.bias_notes": "Disparity measured on the 2026 holdout.",
            "q.bias_report": "https://wiki.example.com/bias\ndocs/bias.md",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/a/draft.yaml?saved=1#question-bias_report"  # back to the last change
    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    assert "  protected:\n    - sex\n    - age\n" in text
    assert "  bias_report:\n    - https://wiki.example.com/bias\n    - docs/bias.md\n" in text
    assert answers(path)["people_count"] == 150000
    page = client.get("/a/draft.yaml?saved=1").text
    assert '<p class="notice" role="status">Saved.</p>' in page
    assert 'id="q-decision_type-3" value="automated" checked>' in page
    assert 'id="q-protected" value="sex" checked>' in page
    assert (
        'name="q.people_count" value="150000" type="text" inputmode="numeric" autocomplete="off" '
        'data-number="integer" data-min="0"' in page
    )
    assert "https://wiki.example.com/bias\ndocs/bias.md</textarea>" in page
    assert '<span class="tier-label">High</span>' in page


def test_invalid_answer_is_shown_next_to_its_field_and_nothing_is_written(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    before = path.read_bytes()
    form = open_form(client)
    response = client.post(
        "/a/draft.yaml",
        data={
            **form,
            "action": "save",
            "q.affects_people": "yes",
            "q.people_count": "lots",
            "q.launch_date": "2019-01-01",
        },
    )
    assert response.status_code == 422
    assert path.read_bytes() == before
    html = response.text
    assert "<h2>Nothing was saved: 2 answers need correcting</h2>" in html
    assert (
        '<p class="error" id="err-people_count" role="alert"><span class="visually-hidden">Error: </span>'
        "expected a number, got &#39;lots&#39;</p>"
    ) in html
    assert (
        'name="q.people_count" value="lots" type="text" inputmode="numeric" autocomplete="off" '
        'data-number="integer" data-min="0" '
        'aria-describedby="help-people_count err-people_count" aria-invalid="true">'
    ) in html
    assert 'aria-describedby="err-launch_date" aria-invalid="true">' in html
    assert '<a href="#q-people_count">How many people does it affect per year? — expected a number' in html


def test_hidden_answers_are_dropped_only_after_confirmation(client: TestClient, workdir: Path) -> None:
    from riskcheck.files.yamledit import set_answers

    path = workdir / "draft.yaml"
    set_answers(path, {"affects_people": True, "people_count": 5000, "protected": ["sex"], "bias_tested": True})
    before = path.read_bytes()
    form = open_form(client)
    data = {
        **form,
        "q.affects_people": "no",
        "q.people_count": "5000",
        "q.protected": ["none"],
        "q.bias_tested": "yes",
    }
    response = client.post("/a/draft.yaml", data={**data, "action": "save"})
    assert response.status_code == 200
    assert path.read_bytes() == before
    assert "Some answers no longer apply" in response.text
    assert (
        '<li>How many people does it affect per year? <span class="muted">(was: 5,000 people)</span></li>'
        in response.text
    )
    assert '<li>Has the model been tested for bias across these groups? <span class="muted">(was: yes)</span></li>' in (
        response.text
    )
    response = client.post("/a/draft.yaml", data={**data, "action": "confirm_drop"}, follow_redirects=False)
    assert response.status_code == 303
    assert answers(path) == {"affects_people": False, "protected": frozenset({"none"})}
    assert "  people_count:\n" in path.read_text(encoding="utf-8")


def test_update_without_javascript_shows_new_questions_without_saving(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    before = path.read_bytes()
    form = open_form(client)
    assert re.search(
        r'<div class="question unanswered is-required" id="question-people_count" data-question="people_count" hidden>',
        client.get("/a/draft.yaml").text,
    )
    response = client.post("/a/draft.yaml", data={**form, "action": "update", "q.affects_people": "yes"})
    assert response.status_code == 200
    assert path.read_bytes() == before
    assert (
        '<div class="question unanswered is-required" id="question-people_count" data-question="people_count">'
        in response.text
    )
    assert "Form updated with the questions that apply. Nothing is saved until you press Save." in response.text


def test_preview_returns_visibility_and_the_score_panel(client: TestClient) -> None:
    form = open_form(client)
    response = client.post(
        "/preview/draft.yaml",
        data={
            "q.decision_type": "automated",
            "q.affects_people": "yes",
            "q.people_count": "150000",
            "q.protected": "sex",
            "q.bias_tested": "no",
        },
        headers={"X-CSRF-Token": form["csrf_token"]},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["visible"] == {
        "decision_type": True,
        "affects_people": True,
        "people_count": True,
        "launch_date": True,
        "protected": True,
        "bias_tested": True,
        "bias_notes": True,
        "bias_report": False,
    }
    assert data["sections"]["fairness"] == {"visible": True, "answered": 2, "total": 3}
    assert (data["tier"], data["score"], data["errors"], data["dropped"]) == ("critical", 83.3333, {}, [])
    assert '<span class="tier-label">Critical</span>' in data["panel"]
    assert "Automated decisions about people without bias testing." in data["panel"]


def test_every_post_needs_a_valid_csrf_token(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    before = path.read_bytes()
    form = open_form(client)
    forged = {**form, "csrf_token": "0" * 64, "q.affects_people": "yes"}
    for url, data in [
        ("/a/draft.yaml", {"version": form["version"], "q.affects_people": "yes"}),
        ("/a/draft.yaml", forged),
        ("/signoff/draft.yaml", {**forged, "name": "Mallory", "role": "legal"}),
        (
            "/new",
            {"csrf_token": "0" * 64, "questionnaire": "file:questionnaire.yaml", "name": "x", "filename": "x.yaml"},
        ),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 403, url
        assert "This form has expired or did not come from this page, so nothing was saved." in response.text
    assert client.post("/preview/draft.yaml", data={"q.affects_people": "yes"}).status_code == 403
    # A valid token without the cookie it was made for is refused too.
    with TestClient(create_app(workdir), base_url="http://127.0.0.1") as other:
        assert other.post("/a/draft.yaml", data={**form, "q.affects_people": "yes"}).status_code == 403
    assert path.read_bytes() == before
    assert not (workdir / "x.yaml").exists()


def test_two_tabs_saving_the_same_file_merge_and_show_only_the_clash(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    first_tab = open_form(client)
    second_tab = open_form(client)
    saved = client.post("/a/draft.yaml", data={**first_tab, "q.decision_type": "advisory"}, follow_redirects=False)
    assert saved.status_code == 303
    response = client.post(
        "/a/draft.yaml", data={**second_tab, "q.decision_type": "automated", "q.bias_notes": HOSTILE}
    )
    # The answer both tabs changed is held back and shown; the other one is saved.
    assert response.status_code == 409
    assert "Some answers were changed elsewhere too" in response.text
    assert (
        '<tr><th scope="row"><a href="/a/draft.yaml#q-decision_type">How are decisions about people made?</a></th>'
        '<td data-label="Your answer (not saved)">Fully automated</td>'
        '<td data-label="Saved answer">Advisory only</td></tr>'
    ) in response.text
    assert "bias_notes" not in response.text
    assert answers(path) == {"decision_type": "advisory", "bias_notes": HOSTILE}


def test_hostile_text_is_escaped_everywhere(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    text = path.read_text(encoding="utf-8").replace('name: "Loan approvals"', 'name: "<img src=x onerror=alert(1)>"')
    path.write_text(text, encoding="utf-8")
    form = open_form(client)
    client.post("/a/draft.yaml", data={**form, "q.bias_notes": HOSTILE, "q.people_count": "<b>1</b>"})
    for url in ("/", "/a/draft.yaml", "/signoff/draft.yaml"):
        html = client.get(url).text
        assert "<img src=x" not in html and "<script>alert" not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url
    html = client.get("/a/draft.yaml").text
    assert ">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;</textarea>" in html
    assert answers(path)["bias_notes"] == HOSTILE


@pytest.mark.parametrize(
    "url",
    [
        "/a/%2e%2e/outside.yaml",
        "/a/..%2foutside.yaml",
        "/a/sub/..%2f..%2foutside.yaml",
        "/a/%2Foutside.yaml",
        "/a//etc/passwd",
        "/a/%252e%252e%252foutside.yaml",
        "/a/link.yaml",
        "/a/linkdir/outside.yaml",
        "/a/.hidden.yaml",
        "/a/draft.yaml%00.yaml",
        "/a/..%5coutside.yaml",
        "/pdf/%2e%2e/outside.yaml",
        "/signoff/link.yaml",
    ],
)
def test_no_path_outside_the_directory_can_be_read(client: TestClient, workdir: Path, url: str) -> None:
    outside = workdir.parent / "outside.yaml"
    outside.write_text((workdir / "draft.yaml").read_text(encoding="utf-8").replace("Loan approvals", "SECRET"))
    (workdir / "link.yaml").symlink_to(outside)
    (workdir / "linkdir").symlink_to(workdir.parent, target_is_directory=True)
    (workdir / ".hidden.yaml").write_text("system: {}\n")
    url = url.replace("/a//etc/passwd", "/a/" + str(outside).replace("/", "%2F"))
    response = client.get(url)
    assert response.status_code == 404, url
    assert "SECRET" not in response.text
    assert "not an assessment in the served directory" in response.text
    assert "SECRET" not in client.get("/").text


def test_no_path_outside_the_directory_can_be_written(client: TestClient, workdir: Path) -> None:
    outside = workdir.parent / "outside.yaml"
    outside.write_text((workdir / "draft.yaml").read_text(encoding="utf-8"))
    before = outside.read_bytes()
    (workdir / "link.yaml").symlink_to(outside)
    form = open_form(client)
    for url in (
        "/a/link.yaml",
        "/a/%2e%2e/outside.yaml",
        "/a/" + str(outside).replace("/", "%2F"),
        "/signoff/link.yaml",
    ):
        response = client.post(
            url, data={**form, "q.decision_type": "automated", "name": "A", "role": "legal", "decision": "approve"}
        )
        assert response.status_code == 404, url
    for name in (
        "../evil.yaml",
        "/tmp/evil.yaml",
        "sub/evil.yaml",
        ".evil.yaml",
        "evil.txt",
        "draft.yaml",
        "link.yaml",
    ):
        response = client.post(
            "/new", data={**form, "questionnaire": "file:questionnaire.yaml", "name": "Evil", "filename": name}
        )
        assert response.status_code == 422, name
    response = client.post(
        "/new", data={**form, "questionnaire": "file:../outside.yaml", "name": "Evil", "filename": "ok.yaml"}
    )
    assert response.status_code == 422
    assert "Choose one of the questionnaires listed." in response.text
    assert outside.read_bytes() == before
    assert not (workdir.parent / "evil.yaml").exists() and not (workdir / "ok.yaml").exists()


def test_oversized_bodies_are_refused_with_413(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    before = path.read_bytes()
    form = open_form(client)
    big = {**form, "q.bias_notes": "x" * (1024 * 1024 + 1)}
    response = client.post("/a/draft.yaml", data=big)
    assert response.status_code == 413
    assert response.text == (
        "Request too large: riskcheck accepts at most 1,048,576 bytes per request. Nothing was saved."
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield f"csrf_token={form['csrf_token']}&version={form['version']}&q.bias_notes=".encode()
        for _ in range(20):
            yield b"y" * 65536

    response = client.post(
        "/a/draft.yaml", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert path.read_bytes() == before


def test_new_assessment_from_a_questionnaire_in_the_directory(client: TestClient, workdir: Path) -> None:
    page = client.get("/new").text
    assert 'value="file:questionnaire.yaml"' in page
    assert 'Pre-launch checklist (demo) <span class="muted">questionnaire.yaml in this directory</span>' in page
    form = tokens(page)
    response = client.post(
        "/new",
        data={
            **form,
            "questionnaire": "file:questionnaire.yaml",
            "name": "Fraud alerts",
            "owner": "risk@example.com",
            "filename": "fraud.yaml",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/a/fraud.yaml?created=1"
    loaded = load_assessment(workdir / "fraud.yaml")
    assert (loaded.file.system.name, loaded.file.system.owner, loaded.questionnaire.id) == (
        "Fraud alerts",
        "risk@example.com",
        "pm-demo",
    )
    assert "  # How many people does it affect per year?\n" in (workdir / "fraud.yaml").read_text(encoding="utf-8")
    response = client.post(
        "/new", data={**form, "questionnaire": "file:questionnaire.yaml", "name": "Again", "filename": "fraud.yaml"}
    )
    assert response.status_code == 422
    assert "fraud.yaml: a file with this name already exists; choose another name" in response.text
    response = client.post(
        "/new", data={**form, "questionnaire": "file:questionnaire.yaml", "name": "", "filename": "x.yaml"}
    )
    assert (
        '<p class="error" id="err-name" role="alert"><span class="visually-hidden">Error: </span>'
        "Give the AI system a name.</p>" in response.text
    )
    assert (
        'id="name" name="name" type="text" maxlength="200" value="" aria-describedby="err-name" aria-invalid="true">'
        in response.text
    )


def test_signoff_is_recorded_through_a_one_time_review_link(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    page = client.get("/signoff/draft.yaml").text
    form = tokens(page)
    assert '<option value="product">product</option><option value="legal">legal</option>' in page
    response = client.post("/signoff/draft.yaml", data={**form, "name": "", "role": "auditor"})
    assert response.status_code == 422
    assert "Enter the name of the person who will review." in response.text
    assert "Choose one of the roles: product, legal." in response.text
    response = client.post("/signoff/draft.yaml", data={**form, "name": "Dana Legal", "role": "legal"})
    link = re.search(r'id="review-link" type="text" readonly value="http://127.0.0.1(/review/[^"]+)"', response.text)
    assert link is not None
    assert "legal: Dana Legal" in client.get("/signoff/draft.yaml").text  # listed as not used yet
    review = client.get(link.group(1)).text
    assert "in the name of <strong>Dana Legal</strong>" in review
    assert "the assessment is incomplete (4 required answers missing)" in review
    form = tokens(review)
    # Approving an incomplete assessment asks for confirmation first; nothing is recorded yet.
    data = {**form, "decision": "approve", "comment": "OK <b>for</b> pilot"}
    response = client.post(link.group(1), data=data)
    assert "Approve anyway?" in response.text
    assert load_assessment(path).file.signoffs == []
    response = client.post(link.group(1), data={**data, "confirmed": "yes"}, follow_redirects=False)
    assert response.status_code == 303
    (record,) = load_assessment(path).file.signoffs
    assert (record.name, record.role, record.decision, record.comment) == (
        "Dana Legal",
        "legal",
        "approve",
        "Approved after confirming: the assessment is incomplete (4 required answers missing).\nOK <b>for</b> pilot",
    )
    assert record.content_sha256 == re.search(r'<code class="hash">([0-9a-f]{64})</code>', review).group(1)  # type: ignore[union-attr]
    # The link is spent: it records nothing more.
    response = client.post(link.group(1), data={**data, "confirmed": "yes", "version": ""})
    assert response.status_code == 404
    assert "This review link is not valid" in response.text
    assert len(load_assessment(path).file.signoffs) == 1
    # Only the token's hash is kept: reading the file does not let anyone sign.
    stored = store_path(workdir).read_text(encoding="utf-8")
    assert link.group(1).removeprefix("/review/") not in stored
    assert not (workdir / ".riskcheck-review").exists()  # kept in per-user state, not in the served folder


def test_pdf_download(client: TestClient) -> None:
    response = client.get("/pdf/draft.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="draft-report.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_foreign_host_headers_and_security_headers(client: TestClient, workdir: Path) -> None:
    response = client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 400
    response = client.get("/", headers={"host": "localhost:8000"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    with TestClient(create_app(workdir, allowed_hosts=None), base_url="http://10.0.0.5") as remote:
        assert remote.get("/").status_code == 200


def test_create_app_needs_a_directory(tmp_path: Path) -> None:
    from riskcheck.core.errors import RiskcheckError

    with pytest.raises(RiskcheckError) as info:
        create_app(tmp_path / "missing")
    assert str(info.value) == f"{tmp_path / 'missing'}: not a directory"
    assert os.path.isdir(tmp_path)


def test_new_assessment_from_a_bundled_questionnaire(client: TestClient, workdir: Path) -> None:
    from riskcheck.core.loader import bundled_questionnaires

    bundled = bundled_questionnaires()
    if "rai-prelaunch" not in bundled:
        pytest.skip("the bundled rai-prelaunch questionnaire is not in this checkout")
    page = client.get("/new").text
    assert 'value="bundled:rai-prelaunch"' in page
    response = client.post(
        "/new",
        data={
            **tokens(page),
            "questionnaire": "bundled:rai-prelaunch",
            "name": "Chat assistant",
            "filename": "chat.yml",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    loaded = load_assessment(workdir / "chat.yml")
    assert (loaded.file.questionnaire.id, loaded.file.system.name) == ("rai-prelaunch", "Chat assistant")
    assert client.get("/a/chat.yml").status_code == 200


def test_a_comment_and_evidence_links_are_saved_with_the_answer(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    help_lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    form = open_form(client)
    response = client.post(
        "/a/draft.yaml",
        data={
            **form,
            "action": "save",
            "q.affects_people": "yes",
            "n.affects_people": "Applicants only.\r\nNot their families.",
            "l.affects_people": "https://wiki.example.com/scope\n\n docs/scope.md \nhttps://wiki.example.com/scope",
            "n.decision_type": HOSTILE,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == help_lines
    loaded = load_assessment(path)
    assert loaded.answers.comments == {
        "affects_people": "Applicants only.\nNot their families.",
        "decision_type": HOSTILE,
    }
    assert dict(loaded.answers.evidence) == {"affects_people": ("https://wiki.example.com/scope", "docs/scope.md")}
    assert loaded.answers.values["affects_people"] is True
    assert "decision_type" not in loaded.answers.values  # a comment without an answer is kept, unanswered

    page = client.get("/a/draft.yaml").text
    assert (
        '<textarea id="n-affects_people" name="n.affects_people" rows="2" data-maxlength="5000" '
        'aria-describedby="count-n-affects_people">'
        "Applicants only.\nNot their families.</textarea>"
    ) in page
    assert "https://wiki.example.com/scope\ndocs/scope.md</textarea>" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;</textarea>" in page
    assert "<script>alert" not in page

    # A form without the comment fields (an older page, a script) leaves them as they are.
    client.post("/a/draft.yaml", data={**tokens(page), "action": "save", "q.affects_people": "no"})
    loaded = load_assessment(path)
    assert loaded.answers.values["affects_people"] is False
    assert loaded.answers.comments["affects_people"] == "Applicants only.\nNot their families."

    # Emptying the fields removes the comment and the links.
    page = client.get("/a/draft.yaml").text
    client.post(
        "/a/draft.yaml",
        data={
            **tokens(page),
            "action": "save",
            "q.affects_people": "no",
            "n.affects_people": "",
            "l.affects_people": "",
        },
    )
    loaded = load_assessment(path)
    assert "affects_people" not in loaded.answers.comments
    assert "affects_people" not in loaded.answers.evidence


def test_an_oversized_comment_is_an_error_next_to_its_question_and_nothing_is_written(
    client: TestClient, workdir: Path
) -> None:
    path = workdir / "draft.yaml"
    before = path.read_bytes()
    form = open_form(client)
    response = client.post(
        "/a/draft.yaml",
        data={**form, "action": "save", "q.affects_people": "yes", "n.affects_people": "x" * 5001},
    )
    assert response.status_code == 422
    assert (
        '<p class="error" id="err-affects_people" role="alert"><span class="visually-hidden">Error: </span>'
        "Use at most 5,000 characters in the comment.</p>"
    ) in response.text
    assert path.read_bytes() == before


def test_a_note_that_cannot_be_saved_is_an_error_even_on_a_hidden_question(client: TestClient, workdir: Path) -> None:
    path = workdir / "draft.yaml"
    before = path.read_bytes()
    form = open_form(client)
    response = client.post(
        "/a/draft.yaml",
        data={**form, "action": "save", "q.affects_people": "no", "n.people_count": "x" * 5001},
    )
    assert response.status_code == 422  # people_count is hidden by 'no'; its note is still checked
    assert "Use at most 5,000 characters in the comment." in response.text
    assert path.read_bytes() == before
