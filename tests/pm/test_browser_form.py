"""The PM's form in Chromium (issue 18): what is left, provisional results, the tier
explained, autosave, merging two tabs, honest inputs, keyboard use, a phone-sized
screen, and axe-core on every page type.

One browser and one `riskcheck serve` per module keep this fast; each test works on
its own assessment file in the served directory.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskcheck.core.loader import load_assessment
from tests.pm.conftest import CHROMIUM, DATA, chromium, serving, write_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("served")
    shutil.copy(DATA / "questionnaire.yaml", directory / "questionnaire.yaml")
    return directory


@pytest.fixture(scope="module")
def server(served: Path) -> Iterator[str]:
    with serving(served) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context
    context.close()


def new_page(context: Any) -> tuple[Any, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def draft(served: Path, name: str) -> Path:
    return write_draft(served, name, system=f"System {name}")


def group(page: Any, name: str) -> Any:
    return page.get_by_role("group", name=name)


def saved(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)


def test_whats_left_provisional_and_the_tier_explained(context: Any, server: str, served: Path) -> None:
    from playwright.sync_api import expect

    path = draft(served, "left.yaml")
    page, errors = new_page(context)
    page.goto(server + "/a/left.yaml")
    # Unanswered looks unanswered: nothing ticked; required questions are marked.
    decisions = group(page, "How are decisions about people made? Required")
    expect(decisions.locator("input:checked")).to_have_count(0)
    expect(page.locator("#question-decision_type .required-mark")).to_have_text("Required")
    expect(page.locator("#question-launch_date .qtext .optional")).to_have_text("(optional)")
    panel = page.locator("#score-panel")
    expect(panel.locator(".tier-box .badge-provisional")).to_have_text("Provisional")
    expect(panel.locator(".completeness")).to_contain_text("the total can grow as answers reveal more questions")
    # The required questions left, by text and section, each a link to its question.
    panel.get_by_text("4 required questions left").click()
    expect(panel.locator(".left .left-list li").nth(2)).to_have_text(
        "Which protected attributes does the model use or could it infer? (Fairness)"
    )
    panel.get_by_role("link", name="Which protected attributes does the model use or could it infer?").click()
    expect(page.locator("#q-protected")).to_be_focused()
    # "Next unanswered" goes to the first question without an answer.
    page.get_by_role("link", name="Next unanswered question").click()
    expect(page.locator("#q-decision_type")).to_be_focused()
    page.get_by_label("Fully automated").check()
    saved(page)
    page.get_by_role("link", name="Next unanswered question").click()
    expect(page.locator("#q-affects_people")).to_be_focused()

    # The tier is explained, with the findings behind it and what to do next.
    group(page, "Does the system make or inform decisions about people? Required").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("How many people does it affect per year?").fill("150000")
    page.get_by_label("Sex or gender").check()
    group(page, "Has the model been tested for bias across these groups? Required").get_by_label(
        "No", exact=True
    ).check()
    saved(page)
    expect(panel.locator(".tier-label")).to_have_text("Critical")
    expect(panel.locator(".badge-provisional")).to_have_count(0)  # nothing left can change it
    expect(panel.locator(".tier-reason")).to_have_text(
        "Critical from the score of the answers given so far. 1 high or critical finding is open: "
        "the tier does not count it, but reviewers will expect the mitigation."
    )
    expect(panel).not_to_contain_text("Next tier")
    expect(panel.locator(".actions-list li").first).to_have_text(
        "Run a disparity analysis on the protected attributes before launch."
    )
    finding = panel.locator(".finding.sev-high")
    expect(finding.locator(".finding-because a")).to_have_text(
        ["Has the model been tested for bias across these groups?", "How are decisions about people made?"]
    )
    panel.get_by_text("Points by section").click()
    expect(panel.locator(".points-table tbody tr").first).to_contain_text("System profile")
    expect(page.locator("#section-nav .section-item").first).to_contain_text("System profile Done")
    expect(page.locator("#section-nav .section-item").nth(1)).to_contain_text("Fairness Done, 1 finding")
    assert load_assessment(path).answers.values["bias_tested"] is False
    assert errors == []


def test_autosave_keeps_focus_warns_before_leaving_and_survives_a_reload(
    context: Any, server: str, served: Path
) -> None:
    from playwright.sync_api import expect

    path = draft(served, "autosave.yaml")
    page, errors = new_page(context)
    page.goto(server + "/a/autosave.yaml")
    notes = page.get_by_label("Describe the bias testing, or why it is not needed")
    notes.scroll_into_view_if_needed()
    scroll = page.evaluate("window.scrollY")
    notes.click()
    page.keyboard.type("Tested on the 2026 holdout.")
    expect(page.locator("#save-state")).to_have_text("Unsaved changes")
    # Leaving with unsaved changes asks first.
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()
    # The change saves itself; focus and scroll stay where they were.
    saved(page)
    expect(page.locator("#save-state")).to_contain_text("Saved ")
    expect(notes).to_be_focused()
    assert abs(page.evaluate("window.scrollY") - scroll) < 5
    assert load_assessment(path).answers.values == {"bias_notes": "Tested on the 2026 holdout."}
    # Nothing unsaved: leaving does not ask.
    page.reload()
    expect(notes).to_have_value("Tested on the 2026 holdout.")
    assert dialogs == ["beforeunload"]
    assert errors == []


def test_two_tabs_merge_and_only_a_real_clash_is_shown(context: Any, server: str, served: Path) -> None:
    from playwright.sync_api import expect

    path = draft(served, "tabs.yaml")
    first, first_errors = new_page(context)
    second, second_errors = new_page(context)
    first.goto(server + "/a/tabs.yaml")
    second.goto(server + "/a/tabs.yaml")
    first.get_by_label("Advisory only").check()
    saved(first)
    # The second tab was loaded before that save; its own change merges with it.
    group(second, "Does the system make or inform decisions about people? Required").get_by_label(
        "Yes", exact=True
    ).check()
    saved(second)
    assert load_assessment(path).answers.values == {"decision_type": "advisory", "affects_people": True}
    expect(second.get_by_label("Advisory only")).to_be_checked()  # brought in from the other tab
    expect(second.locator("#autosave-clashes")).to_be_hidden()
    # Both change the same answer: only that one is shown, and the saved one stays.
    first.get_by_label("Describe the bias testing, or why it is not needed").fill("From the first tab.")
    saved(first)
    second.get_by_label("Describe the bias testing, or why it is not needed").fill("From the second tab.")
    second.get_by_label("Sex or gender").check()
    expect(second.locator("#autosave-clashes")).to_be_visible(timeout=10_000)
    expect(second.locator("#autosave-clash-list li")).to_have_text(
        [
            "Describe the bias testing, or why it is not needed: saved “From the first tab.”; "
            "yours “From the second tab.”, not saved."
        ]
    )
    expect(second.get_by_label("Describe the bias testing, or why it is not needed")).to_have_value(
        "From the first tab."
    )
    saved(second)
    values = load_assessment(path).answers.values
    assert values["bias_notes"] == "From the first tab."
    assert values["protected"] == frozenset({"sex"})
    assert first_errors == second_errors == []


def test_honest_inputs(context: Any, server: str, served: Path) -> None:
    from playwright.sync_api import expect

    path = draft(served, "inputs.yaml")
    page, errors = new_page(context)
    page.goto(server + "/a/inputs.yaml")
    group(page, "Does the system make or inform decisions about people? Required").get_by_label(
        "Yes", exact=True
    ).check()
    people = page.get_by_label("How many people does it affect per year?")
    people.click()
    page.keyboard.type("350k")
    # Refused as it is typed, and not saved as 350.
    expect(page.locator("#live-people_count")).to_have_text(
        "Not a whole number: “350k”. Type digits only, e.g. 350000. It is not saved until it is a number."
    )
    expect(people).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#save-state")).to_contain_text("except 1 answer to correct", timeout=10_000)
    expect(page.locator("#question-people_count .from-save")).to_have_text("Not saved: expected a number, got '350k'")
    assert "people_count" not in load_assessment(path).answers.values
    expect(people).to_have_value("350k")
    # A text answer over its limit is never cut short: the counter says so, nothing is saved.
    notes = page.get_by_label("Describe the bias testing, or why it is not needed")
    notes.fill("x" * 2100)
    expect(page.locator("#count-bias_notes")).to_have_text(
        "2,100 of 2,000 characters: 100 too many. Shorten it; it is not saved until it fits."
    )
    expect(notes).to_have_value("x" * 2100)
    page.wait_for_timeout(1200)
    assert "bias_notes" not in load_assessment(path).answers.values
    notes.fill("x" * 1999)
    expect(page.locator("#count-bias_notes")).to_have_text("1,999 of 2,000 characters")
    people.fill("350000")
    saved(page)
    values = load_assessment(path).answers.values
    assert (values["people_count"], len(values["bias_notes"])) == (350000, 1999)
    assert errors == []


def test_a_section_completed_with_the_keyboard_alone(context: Any, server: str, served: Path) -> None:
    from playwright.sync_api import expect

    path = draft(served, "keyboard.yaml")
    page, errors = new_page(context)
    page.goto(server + "/a/keyboard.yaml")
    for _ in range(60):  # Tab to the "Next unanswered question" control
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "next-unanswered":
            break
    else:
        pytest.fail("'Next unanswered question' is not reachable with Tab")
    # The focus ring is visible and strong enough (#0b3d91: 10:1 against white, WCAG 1.4.11 asks 3:1),
    # and the "Expected: ..." hint is AA text (#5b6478: 5.9:1 against white, 1.4.3 asks 4.5:1).
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert outline == "rgb(11, 61, 145)"
    hint = page.evaluate("getComputedStyle(document.querySelector('.hint')).color")
    assert hint == "rgb(91, 100, 120)"
    page.keyboard.press("Enter")
    expect(page.locator("#q-decision_type")).to_be_focused()
    page.keyboard.press("Space")  # Advisory only
    page.keyboard.press("Tab")  # the question's comment and evidence
    page.keyboard.press("Tab")
    expect(page.locator("#q-affects_people")).to_be_focused()
    page.keyboard.press("Space")  # Yes
    expect(page.get_by_label("How many people does it affect per year?")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#q-people_count")).to_be_focused()
    page.keyboard.type("1200")
    saved(page)
    expect(page.locator("#section-nav .section-item").first).to_contain_text("System profile Done · 3/4")
    assert load_assessment(path).answers.values == {
        "decision_type": "advisory",
        "affects_people": True,
        "people_count": 1200,
    }
    assert errors == []


def test_a_phone_sized_screen(browser: Any, server: str, served: Path) -> None:
    from playwright.sync_api import expect

    draft(served, "phone.yaml")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page, errors = new_page(context)
    page.goto(server + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the list fits, no sideways scroll
    expect(page.locator("tr.entry", has_text="System phone.yaml").locator("td[data-label='Risk tier']")).to_be_visible()
    page.goto(server + "/a/phone.yaml")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # One section at a time: the first with a required question left is open.
    fairness = page.locator("#section-fairness")
    expect(fairness.locator(".section-body")).to_be_hidden()
    expect(page.locator("#section-profile .section-body")).to_be_visible()
    fairness.get_by_role("button", name="Collapse or expand Fairness").click()
    expect(fairness.get_by_role("button", name="Collapse or expand Fairness")).to_have_attribute(
        "aria-expanded", "true"
    )
    # The score bar with Save stays on screen wherever the person is in the form.
    page.locator("#question-bias_notes").scroll_into_view_if_needed()
    save = page.locator(".panel-bar").get_by_role("button", name="Save answers")
    expect(save).to_be_in_viewport()
    page.get_by_label("Advisory only").check()
    saved(page)
    expect(page.locator("#bar-tier")).to_contain_text("(provisional)")
    assert errors == []
    context.close()


def test_setup_from_new_assessment_to_details(context: Any, server: str, served: Path) -> None:
    from playwright.sync_api import expect

    page, errors = new_page(context)
    page.goto(server + "/new")
    expect(page.get_by_label("Responsible-AI pre-launch assessment")).to_be_checked()
    page.get_by_label("AI system name").fill("SmartRoute")
    page.get_by_label("File name").fill("smartroute")
    page.get_by_role("button", name="Create assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SmartRoute")
    expect(page.locator(".lead")).to_contain_text("date of assessment not set")
    page.get_by_role("link", name="Details, rename, delete").click()
    page.get_by_label("Purpose: what the system does, for whom").fill("Prioritises support tickets.")
    page.get_by_label("Date of the assessment").fill("2026-11-29")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_have_text("Details saved.")
    system = load_assessment(served / "smartroute.yaml").file.system
    assert (system.purpose, str(system.assessed_on)) == ("Prioritises support tickets.", "2026-11-29")
    assert errors == []


def test_axe_finds_no_serious_violation_on_any_page_type(context: Any, server: str, served: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    draft(served, "axe.yaml")
    page, _ = new_page(context)
    page.goto(server + "/signoff/axe.yaml")
    page.get_by_label("Reviewer's name").fill("Dana")
    page.get_by_role("button", name="Make a review link").click()
    review = page.get_by_label("Review link").input_value()
    axe = Axe()
    found = {}
    for url in ("/", "/new", "/a/axe.yaml", "/setup/axe.yaml", "/signoff/axe.yaml", review, "/a/missing.yaml"):
        page.goto(url if url.startswith("http") else server + url)
        results = axe.run(page).response
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            found[url] = serious
    assert found == {}
