"""Saving answers never changes them: text that YAML 1.1 reads as something else stays text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskcheck.audit.signoff import sign
from riskcheck.core.loader import load_assessment
from riskcheck.files.yamledit import set_answers

QUESTIONNAIRE = """\
id: roundtrip
version: 1.0.0
title: Round trip
sections:
  - id: s
    title: S
    questions:
      - {id: note, type: text, text: Note?, required: false, max_length: 5000}
      - {id: amount, type: number, text: Amount?, required: false}
      - id: mode
        type: single_choice
        text: Mode?
        required: false
        options: [{value: "on", points: 1}, {value: "off", points: 0}]
scoring:
  model: weighted_sections
  tiers: [{id: low, min: 0}]
signoff:
  roles: [legal]
"""


@pytest.fixture
def assessment(tmp_path: Path) -> Path:
    (tmp_path / "questionnaire.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    path = tmp_path / "assessment.yaml"
    path.write_text(
        "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-01-01}\n"
        "questionnaire: {path: questionnaire.yaml}\n"
        "answers:\n  note:\n  amount:\n  mode:\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "text",
    ["yes", "No", "on", "OFF", "1:20", "0o17", "1_000", "~", "null", "2026-01-01", "\x85next", "a\u2028b", "plain"],
)
def test_a_text_answer_reads_back_as_the_same_text(assessment: Path, text: str) -> None:
    # 'yes' used to be written plain and read back as True, making the file invalid.
    set_answers(assessment, {"note": text})
    assert load_assessment(assessment).answers.values["note"] == text


@pytest.mark.parametrize("number", [1e-05, 5e-324, 1e300, 0.1, 1.5e-07])
def test_a_number_answer_reads_back_as_the_same_number(assessment: Path, number: float) -> None:
    # 1e-05 used to be written as '1e-05', which YAML 1.1 reads as text.
    set_answers(assessment, {"amount": number})
    assert load_assessment(assessment).answers.values["amount"] == number


def test_an_option_that_looks_like_a_boolean_stays_an_option(assessment: Path) -> None:
    set_answers(assessment, {"mode": "on"})
    assert load_assessment(assessment).answers.values["mode"] == "on"
    assert 'mode: "on"' in assessment.read_text(encoding="utf-8")


def test_a_sign_off_by_a_reviewer_called_yes_keeps_the_file_valid(assessment: Path) -> None:
    sign(
        assessment,
        name="Yes",
        role="legal",
        decision="approve",
        comment="no",
        now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    record = load_assessment(assessment).file.signoffs[0]
    assert (record.name, record.comment) == ("Yes", "no")


@pytest.mark.parametrize(
    "comment", ["yes", "line one\nline two", "a: b # not a comment", "x\u2028y", "{not: a mapping}"]
)
def test_an_answer_comment_and_evidence_read_back_unchanged(assessment: Path, comment: str) -> None:
    set_answers(
        assessment,
        {"note": "plain"},
        comments={"note": comment},
        evidence={"note": ["https://wiki.example.com/a", "on"]},
    )
    answers = load_assessment(assessment).answers
    assert answers.values["note"] == "plain"
    assert answers.comments["note"] == comment
    assert tuple(answers.evidence["note"]) == ("https://wiki.example.com/a", "on")


SKELETON = """\
system: {name: S, owner: o, version: '1', purpose: p}
questionnaire: {path: questionnaire.yaml}
answers:
  # Note?
  note: first
  # Amount? (help for the next question)
  amount: 1
  # Mode?
  mode:
    value: "on"
    comment: keep me
    evidence:
      - docs/mode.md
  # the end
"""


def test_comments_move_answers_to_the_long_form_and_keep_every_help_line_in_place(assessment: Path) -> None:
    assessment.write_text(SKELETON, encoding="utf-8")
    set_answers(
        assessment,
        {},
        comments={"note": "Checked with legal.\nSee the ticket."},
        evidence={"note": ["docs/note.md"], "mode": []},
    )
    text = assessment.read_text(encoding="utf-8")
    assert text == (
        "system: {name: S, owner: o, version: '1', purpose: p}\n"
        "questionnaire: {path: questionnaire.yaml}\n"
        "answers:\n"
        "  # Note?\n"
        "  note:\n"
        "    value: first\n"
        '    comment: "Checked with legal.\\nSee the ticket."\n'
        "    evidence:\n"
        "      - docs/note.md\n"
        "  # Amount? (help for the next question)\n"
        "  amount: 1\n"
        "  # Mode?\n"
        "  mode:\n"
        '    value: "on"\n'
        "    comment: keep me\n"
        "  # the end\n"
    )
    # Removing them again leaves the long form with the value, and the help lines where they were.
    set_answers(assessment, {}, comments={"note": None, "mode": None}, evidence={"note": []})
    text = assessment.read_text(encoding="utf-8")
    assert "  note:\n    value: first\n  # Amount? (help for the next question)\n" in text
    assert '  mode:\n    value: "on"\n  # the end\n' in text
    answers = load_assessment(assessment).answers
    assert (answers.comments, dict(answers.evidence)) == ({}, {})


def test_comments_on_the_answer_line_stay_on_the_value_line(assessment: Path) -> None:
    assessment.write_text(
        "system: {name: S, owner: o, version: '1', purpose: p}\n"
        "questionnaire: {path: questionnaire.yaml}\n"
        "answers:\n"
        "  # Note?\n"
        "  note: first  # from the workshop\n"
        "  # Amount?\n"
        "  amount: {value: 2}  # rough figure\n"
        "  # Mode?\n"
        "  mode:\n",
        encoding="utf-8",
    )
    set_answers(assessment, {}, comments={"note": "Checked.", "amount": "From finance."})
    assert assessment.read_text(encoding="utf-8").endswith(
        "answers:\n"
        "  # Note?\n"
        "  note:\n"
        "    value: first # from the workshop\n"
        "    comment: Checked.\n"
        "  # Amount?\n"
        "  amount: {value: 2, comment: From finance.} # rough figure\n"
        "  # Mode?\n"
        "  mode:\n"
    )
    # Removing the comment again keeps the note on the value's line and the help below.
    set_answers(assessment, {}, comments={"note": None})
    assert "  note:\n    value: first # from the workshop\n  # Amount?\n" in assessment.read_text(encoding="utf-8")
    assert load_assessment(assessment).answers.comments == {"amount": "From finance."}


def test_a_note_on_a_list_item_and_a_block_scalar_answer_keep_their_comments(assessment: Path) -> None:
    assessment.write_text(
        "system: {name: S, owner: o, version: '1', purpose: p}\n"
        "questionnaire: {path: questionnaire.yaml}\n"
        "answers:\n"
        "  # Note?\n"
        "  note: |\n"
        "    line one\n"
        "    line two\n"
        "  # Amount? (help below a block scalar)\n"
        "  amount:\n"
        "    value: 2\n"
        "    evidence:\n"
        "      - https://a.example/x  # primary source\n"
        "  # Mode?\n"
        "  mode:\n",
        encoding="utf-8",
    )
    set_answers(assessment, {}, comments={"note": "From the workshop.", "amount": "From finance."})
    assert assessment.read_text(encoding="utf-8").endswith(
        "answers:\n"
        "  # Note?\n"
        "  note:\n"
        "    comment: From the workshop.\n"
        "    value: |\n"
        "      line one\n"
        "      line two\n"
        "  # Amount? (help below a block scalar)\n"
        "  amount:\n"
        "    value: 2\n"
        "    evidence:\n"
        "      - https://a.example/x  # primary source\n"
        "    comment: From finance.\n"
        "  # Mode?\n"
        "  mode:\n"
    )
    answers = load_assessment(assessment).answers
    assert answers.values["note"] == "line one\nline two\n"
    assert answers.comments == {"note": "From the workshop.", "amount": "From finance."}
