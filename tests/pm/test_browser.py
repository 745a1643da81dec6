"""End to end: the real `riskcheck serve`, driven in Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskcheck.core.loader import load_assessment
from tests.pm.conftest import CHROMIUM, chromium, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

#: Where screenshots are kept for a person to look at (the test's tmp directory otherwise).
SCREENSHOTS = os.environ.get("RISKCHECK_SCREENSHOTS")


@pytest.fixture
def server(workdir: Path) -> Iterator[str]:
    """`riskcheck serve DIR` on a free loopback port, as a user starts it."""
    with serving(workdir) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    directory = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path


def test_fill_save_reload_download_in_a_real_browser(browser: Any, server: str, workdir: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    path = workdir / "draft.yaml"
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The list of assessments.
    page.goto(server + "/")
    row = page.locator("tbody tr", has_text="Loan approvals")
    expect(row).to_contain_text("Pre-launch checklist (demo) (pm-demo@1.0.0)")
    expect(row.locator(".tier")).to_have_text("Low")
    expect(row.locator(".badge-provisional")).to_have_text("Provisional")
    expect(row).to_contain_text("0 of 4 required")
    shot(page, tmp_path, "list.png")
    row.get_by_role("link", name="Loan approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Loan approvals")

    # Fill in: the conditional question appears as soon as it applies.
    people = page.get_by_label("How many people does it affect per year?")
    expect(people).to_be_hidden()
    page.get_by_label("Fully automated").check()
    page.get_by_role("group", name="Does the system make or inform decisions about people?").get_by_label(
        "Yes", exact=True
    ).check()
    expect(people).to_be_visible()
    expect(page.locator("#announce")).to_contain_text("New question: How many people does it affect per year?")
    people.fill("150000")
    page.get_by_label("Sex or gender").check()
    bias = page.get_by_role("group", name="Has the model been tested for bias across these groups?")
    bias.get_by_label("No", exact=True).check()
    expect(page.locator("#score-panel .tier-label")).to_have_text("Critical")
    expect(page.locator("#score-panel")).to_contain_text("Automated decisions about people without bias testing.")
    expect(page.locator("#progress-profile")).to_have_text("3 of 4 answered")
    page.get_by_label("Describe the bias testing, or why it is not needed").fill("Planned <b>before</b> launch.")
    expect(page.get_by_label("Links to the bias test report")).to_be_hidden()
    # A comment and an evidence link for the reviewers, given next to the answer.
    question = page.locator("#question-affects_people")
    question.get_by_text("Comment and evidence").click()
    question.get_by_label("Comment for the reviewers").fill("Applicants only, not their households.")
    question.get_by_label("Evidence links, one per line").fill("https://wiki.example.com/scope")
    shot(page, tmp_path, "form.png")

    # Each change is saved as it is made; reload: the answers are kept.
    expect(page.locator("#save-state")).to_contain_text("Saved ")
    page.reload()
    expect(page.get_by_label("Fully automated")).to_be_checked()
    expect(people).to_have_value("150000")
    expect(page.get_by_label("Sex or gender")).to_be_checked()
    expect(bias.get_by_label("No", exact=True)).to_be_checked()
    expect(page.get_by_label("Describe the bias testing, or why it is not needed")).to_have_value(
        "Planned <b>before</b> launch."
    )
    expect(page.locator("#score-panel .tier-label")).to_have_text("Critical")
    expect(question.get_by_label("Comment for the reviewers")).to_have_value("Applicants only, not their households.")
    expect(question.get_by_label("Evidence links, one per line")).to_be_visible()  # given: shown open

    # The YAML on disk: the answers, with every comment kept.
    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    assert load_assessment(path).answers.values == {
        "decision_type": "automated",
        "affects_people": True,
        "people_count": 150000,
        "protected": frozenset({"sex"}),
        "bias_tested": False,
        "bias_notes": "Planned <b>before</b> launch.",
    }
    assert load_assessment(path).answers.comments == {"affects_people": "Applicants only, not their households."}
    assert dict(load_assessment(path).answers.evidence) == {"affects_people": ("https://wiki.example.com/scope",)}

    # Download the PDF report.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "draft-report.pdf"
    pdf = tmp_path / "report.pdf"
    download.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Loan approvals" in extracted
        assert "Applicants only, not their households." in extracted

    # Sign-off: the owner makes a review link for the legal reviewer, who decides through it.
    page.get_by_role("link", name="Sign off").click()
    page.get_by_label("Role").select_option("legal")
    page.get_by_label("Reviewer's name").fill("Dana Reviewer")
    page.get_by_role("button", name="Make a review link").click()
    link = page.get_by_label("Review link").input_value()
    page.goto(link)
    expect(page.locator(".lead")).to_contain_text("in the name of Dana Reviewer")
    page.get_by_label("Approve").check()
    page.get_by_label("Comment").fill("Approved for a pilot.")
    shot(page, tmp_path, "signoff.png")
    page.get_by_role("button", name="Record decision").click()
    # One HIGH finding is open: approving asks for confirmation first.
    expect(page.get_by_role("heading", name="Approve anyway?")).to_be_visible()
    page.get_by_label("I approve although 1 high or critical finding is open").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision recorded")
    page.goto(server + "/a/draft.yaml")
    expect(page.locator("#score-panel .roles")).to_contain_text("legal: approved")
    (record,) = load_assessment(path).file.signoffs
    assert (record.name, record.role, record.decision) == ("Dana Reviewer", "legal", "approve")
    assert record.comment == "Approved after confirming: 1 high or critical finding is open.\nApproved for a pilot."
    assert errors == []
    context.close()


def test_the_form_works_with_javascript_off_and_by_keyboard(
    browser: Any, server: str, workdir: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + "/a/draft.yaml")
    people = page.get_by_label("How many people does it affect per year?")
    expect(people).to_be_hidden()
    # Keyboard only: the skip link comes first, then the form controls in order.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_role("group", name="Does the system make or inform decisions about people?").get_by_label(
        "Yes", exact=True
    ).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Update the questions that apply").click()
    expect(page.get_by_role("status")).to_contain_text("Nothing is saved until you press Save.")
    expect(people).to_be_visible()
    people.fill("-5")
    page.locator(".panel").get_by_role("button", name="Save answers").click()
    # The summary of what to correct takes the focus, so a keyboard user starts there.
    expect(page.locator(".error-summary")).to_be_focused()
    alert = page.locator("#err-people_count")
    expect(alert).to_have_text("Error: expected a number >= 0, got -5")
    expect(people).to_have_attribute("aria-invalid", "true")
    expect(people).to_have_attribute("aria-describedby", "help-people_count err-people_count")
    shot(page, tmp_path, "error.png")
    people.fill("1200")
    people.press("Enter")  # submitting from the keyboard saves (the first submit button)
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert load_assessment(workdir / "draft.yaml").answers.values == {"affects_people": True, "people_count": 1200}
    context.close()
