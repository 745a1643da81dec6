"""``riskcheck fill`` driven the way a person uses it: through a pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from riskcheck.core.loader import load_assessment

UP, DOWN, ENTER, SPACE, CTRL_C = "\x1b[A", "\x1b[B", "\r", " ", "\x03"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(workdir: Path, *args: str) -> pexpect.spawn:
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", NO_COLOR="1", COLUMNS="120", LINES="40")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "riskcheck", "fill", *args],
        cwd=str(workdir),
        env=env,
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=15,
    )
    child.logfile_read = open(workdir.parent / "terminal.log", "a", encoding="utf-8")  # noqa: SIM115
    return child


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, ANSI.sub("", child.before or "")


def answers(path: Path) -> dict[str, object]:
    return dict(load_assessment(path).answers.values)


@pytest.fixture(autouse=True)
def system_given(workdir: Path) -> None:
    """The draft's system block filled in, so fill goes straight to the questions."""
    from riskcheck.authoring.fill import save_system

    save_system(workdir / "draft.yaml", {"purpose": "Approves small loans", "assessed_on": dt.date(2026, 11, 1)})


def test_fill_asks_for_the_system_fields_first(workdir: Path) -> None:
    from tests.pm.conftest import write_draft

    path = write_draft(workdir, "new.yaml", system="Loan approvals 2")
    child = spawn(workdir, "new.yaml")
    child.expect_exact("== About the system ==")
    child.expect_exact("Its purpose: what the system does, and for whom")
    child.send("TODO: Describe what the system does and for whom." + ENTER)
    child.expect_exact("expected the real text")
    child.send("\x15" + "Scores loan applications" + ENTER)  # Ctrl-U clears the line
    child.expect_exact("Saved purpose.")
    child.expect_exact("The date of the assessment")
    child.send("\x15" + "2026-13-01" + ENTER)
    child.expect_exact("assessed_on: expected a date, YYYY-MM-DD")
    child.send("\x15" + "2026-11-29" + ENTER)
    child.expect_exact("Saved assessed_on.")
    child.expect_exact("How are decisions about people made?")
    child.send(CTRL_C)
    finish(child)
    system = load_assessment(path).file.system
    assert (system.purpose, system.assessed_on) == ("Scores loan applications", dt.date(2026, 11, 29))


def test_fill_without_a_terminal_points_to_new_and_an_editor(workdir: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "riskcheck", "fill", "draft.yaml"],
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == (
        "error: riskcheck fill needs an interactive terminal, and draft.yaml was not given one. "
        "To fill in an assessment without a terminal, start it with "
        "`riskcheck new --questionnaire ID -o FILE`, answer the questions in your editor, "
        "then check it with `riskcheck validate FILE`.\n"
    )


def test_fill_interrupt_resume_review_and_drop(workdir: Path) -> None:
    path = workdir / "draft.yaml"
    original_comments = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")
    ]

    child = spawn(workdir, "draft.yaml")
    child.expect_exact("0 of 6 questions that apply are answered.")
    child.expect_exact("System profile — question 1 of 3 (0 answered)")
    child.expect_exact("References: EU AI Act art-14")
    child.expect_exact("How are decisions about people made?")
    child.send(DOWN * 3 + ENTER)  # "Show help and references"
    child.expect_exact("Pick the option closest to how the system's output is used in production.")
    child.expect_exact("Reference: EU AI Act art-14 (eu-ai-act:art-14)")
    child.expect_exact("How are decisions about people made?")
    child.send(DOWN * 2 + ENTER)  # Fully automated
    # people_count is hidden until affects_people is answered, so its 3 points are not in the maximum yet.
    child.expect_exact("Saved. System profile — 1 of 3 · tier Low (score 19.05)")
    assert answers(path) == {"decision_type": "automated"}

    child.expect_exact("Does the system make or inform decisions about people?")
    child.send(ENTER)  # Yes
    child.expect_exact("Saved. System profile — 2 of 4 · tier Low (score 23.33)")
    child.expect_exact("System profile — question 3 of 4 (2 answered)")
    child.expect_exact("How many people does it affect per year?")
    child.send("lots" + ENTER)
    child.expect_exact("expected a number, got 'lots' (type ? for help)")
    child.send("\x7f" * 4 + "150000" + ENTER)
    child.expect_exact("Saved. System profile — 3 of 4 · tier Medium (score 33.33)")
    child.expect_exact("Planned launch date")
    child.send(ENTER)  # optional: skipped
    child.expect_exact("Fairness — question 1 of 3 (0 answered)")
    child.expect_exact("Which protected attributes does the model use or could it infer?")
    child.send(SPACE + ENTER)  # Sex or gender
    child.expect_exact("Saved. Fairness — 1 of 3 · tier High (score 50)")
    child.expect_exact("Has the model been tested for bias across these groups?")
    child.send(CTRL_C)
    code, output = finish(child)
    assert code == 130
    assert (
        "Stopped. 4 answer(s) are saved in draft.yaml; run `riskcheck fill draft.yaml` to carry on where you stopped."
        in output
    )
    assert answers(path) == {
        "decision_type": "automated",
        "affects_people": True,
        "people_count": 150000,
        "protected": frozenset({"sex"}),
    }

    # Resume: straight to the first unanswered required question.
    child = spawn(workdir, "draft.yaml")
    child.expect_exact("4 of 7 questions that apply are answered.")
    child.expect_exact("Fairness — question 2 of 3 (1 answered)")
    child.expect_exact("Has the model been tested for bias across these groups?")
    child.send(DOWN + ENTER)  # No
    child.expect_exact("Saved. Fairness — 2 of 3 · tier Critical (score 83.33)")
    child.expect_exact("Describe the bias testing, or why it is not needed")
    child.send("Planned for Q1 <script>alert(1)</script>" + ENTER)
    child.expect_exact("Saved. Fairness — 3 of 3")

    # The review screen: change an answer, see the score move and the dropped answer.
    child.expect_exact("== Review ==")
    child.expect_exact("Tier: Critical   score 83.33 of 100   (complete, 5/5 required answered)")
    child.expect_exact("[high] Automated decisions about people without bias testing.")
    child.expect_exact("Change an answer, or finish:")
    child.send(UP * 3 + ENTER)  # Finish -> bias_notes -> bias_tested -> protected
    child.expect_exact("Change the answer")
    child.send(ENTER)
    child.expect_exact("Which protected attributes does the model use or could it infer?")
    child.send(SPACE + DOWN * 2 + SPACE + ENTER)  # untick sex, tick "None of these"
    child.expect_exact("Score 83.33 -> 33.33; tier Critical -> Medium")
    child.expect_exact("This answer hides 1 question(s) that no longer apply. Their answers will be dropped:")
    child.expect_exact("  - Has the model been tested for bias across these groups? (was: no)")
    child.expect_exact("Drop those answers and save?")
    child.send("y")
    child.expect_exact("Saved. Fairness — 2 of 2 · tier Medium (score 33.33)")

    # A comment and evidence links for the reviewers, from the review screen.
    child.expect_exact("Change an answer, or finish:")
    child.send(UP * 2 + ENTER)  # Finish -> bias_notes -> protected
    child.expect_exact("Add or change the comment and evidence links for the reviewers")
    child.send(DOWN + ENTER)
    child.expect_exact("Comment for the reviewers")
    child.send("x" * 5001 + ENTER)
    child.expect_exact("Use at most 5,000 characters in the comment.")
    child.send("\x15" + "Checked with the data owner." + ENTER)  # Ctrl-U clears the line
    child.expect_exact("Evidence link 1")
    child.send("https://wiki.example.com/attributes" + ENTER)
    child.expect_exact("Evidence link 2")
    child.send("docs/Attribute review 2026.md" + ENTER)  # a path with spaces stays one link
    child.expect_exact("Evidence link 3")
    child.send(ENTER)
    child.expect_exact("Saved: a comment and 2 evidence links for protected.")
    child.expect_exact("Change an answer, or finish:")
    child.send(ENTER)  # Finish
    child.expect_exact("Done: tier Medium, score 33.33 of 100 (complete).")
    code, _ = finish(child)
    assert code == 0

    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == original_comments
    assert "  bias_tested:\n" in text
    assert "  bias_notes: Planned for Q1 <script>alert(1)</script>\n" in text
    assert (
        "  protected:\n    value:\n      - none\n    comment: Checked with the data owner.\n"
        "    evidence:\n      - https://wiki.example.com/attributes\n      - docs/Attribute review 2026.md\n"
    ) in text
    assert answers(path) == {
        "decision_type": "automated",
        "affects_people": True,
        "people_count": 150000,
        "protected": frozenset({"none"}),
        "bias_notes": "Planned for Q1 <script>alert(1)</script>",
    }
    loaded = load_assessment(path)
    assert loaded.answers.comments == {"protected": "Checked with the data owner."}
    assert dict(loaded.answers.evidence) == {
        "protected": ("https://wiki.example.com/attributes", "docs/Attribute review 2026.md")
    }


@pytest.mark.parametrize("answered", [True])
def test_fill_goes_to_review_when_everything_is_answered(workdir: Path, answered: bool) -> None:
    path = workdir / "draft.yaml"
    from riskcheck.files.yamledit import set_answers

    set_answers(path, {"decision_type": "advisory", "affects_people": False, "protected": ["none"]})
    child = spawn(workdir, "draft.yaml")
    child.expect_exact("== Review ==")
    child.expect_exact("Tier: Low   score 0 of 100   (complete, 3/3 required answered)")
    child.send(ENTER)
    child.expect_exact("Done: tier Low, score 0 of 100 (complete).")
    code, _ = finish(child)
    assert code == 0
