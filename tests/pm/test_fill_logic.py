from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskcheck.authoring.fill import FillState, check_answer, describe, input_hint, parse_typed, save_answers
from riskcheck.core.loader import load_assessment


def state_of(path: Path) -> FillState:
    return FillState.from_loaded(load_assessment(path))


def test_next_question_follows_the_questionnaire_and_skips_what_does_not_apply(workdir: Path) -> None:
    state = state_of(workdir / "draft.yaml")
    assert state.next_question().id == "decision_type"  # type: ignore[union-attr]
    state = state.with_answers({"decision_type": "automated", "affects_people": False})
    # people_count applies only to systems affecting people; launch_date is next.
    assert state.next_question().id == "launch_date"  # type: ignore[union-attr]
    assert state.next_question(skip={"launch_date"}).id == "protected"  # type: ignore[union-attr]
    state = state.with_answer("affects_people", True)
    assert state.next_question().id == "people_count"  # type: ignore[union-attr]


def test_progress_counts_only_the_questions_that_apply(workdir: Path) -> None:
    state = state_of(workdir / "draft.yaml").with_answers({"decision_type": "advisory", "affects_people": False})
    assert [str(p) for p in state.progress()] == ["System profile — 2 of 3", "Fairness — 0 of 3"]
    state = state.with_answers({"affects_people": True, "protected": frozenset({"sex"}), "bias_tested": True})
    assert [str(p) for p in state.progress()] == ["System profile — 2 of 4", "Fairness — 2 of 4"]
    assert state.position("people_count") == (3, 4)
    assert state.position("bias_report") == (4, 4)


def test_a_change_that_hides_answers_lists_them_as_dropped(workdir: Path) -> None:
    state = state_of(workdir / "draft.yaml").with_answers(
        {"affects_people": True, "people_count": 150000, "protected": frozenset({"sex"}), "bias_tested": True}
    )
    changed = state.with_answer("protected", frozenset({"none"}))
    assert state.dropped_by(changed) == ["bias_tested"]
    assert state.dropped_by(changed.with_answer("affects_people", False)) == ["people_count", "bias_tested"]
    assert state.dropped_by(state.with_answer("people_count", 10)) == []


def test_live_score_follows_the_answers(workdir: Path) -> None:
    state = state_of(workdir / "draft.yaml").with_answers(
        {"decision_type": "automated", "affects_people": True, "people_count": 150000}
    )
    result = state.result()
    assert (result.tier, result.score, result.status) == ("medium", 33.3333, "incomplete")
    result = state.with_answers({"protected": frozenset({"sex"}), "bias_tested": False}).result()
    assert (result.tier, result.score) == ("critical", 83.3333)  # (1 × 10/10 + 2 × 6/8) / 3
    assert [f.id for f in result.findings] == ["untested-bias", "scale"]


@pytest.mark.parametrize(
    ("qid", "typed", "expected"),
    [
        ("people_count", " 1200 ", 1200),
        ("launch_date", "2027-03-01", dt.date(2027, 3, 1)),
        (
            "bias_report",
            "https://a.example/r1, docs/bias.md\nhttps://b.example",
            ("https://a.example/r1", "docs/bias.md", "https://b.example"),
        ),
        ("bias_notes", "  Tested on 2026 data.  ", "  Tested on 2026 data.  "),
        ("people_count", "", None),
    ],
)
def test_typed_answers_are_parsed_and_checked(workdir: Path, qid: str, typed: str, expected: object) -> None:
    question = state_of(workdir / "draft.yaml").questionnaire.questions[qid].question
    assert check_answer(question, parse_typed(question, typed)) == expected


@pytest.mark.parametrize(
    ("qid", "typed", "message"),
    [
        ("people_count", "lots", "expected a number, got 'lots'"),
        ("people_count", "-5", "expected a number >= 0, got -5"),
        ("people_count", "2.5", "expected a whole number, got 2.5"),
        ("launch_date", "next week", "expected a date as YYYY-MM-DD, got 'next week'"),
        ("launch_date", "2019-12-31", "expected a date on or after 2020-01-01, got 2019-12-31"),
        ("decision_type", "sometimes", "expected one of: advisory, human_in_loop, automated; got 'sometimes'"),
    ],
)
def test_bad_answers_are_refused_with_the_reason(workdir: Path, qid: str, typed: str, message: str) -> None:
    question = state_of(workdir / "draft.yaml").questionnaire.questions[qid].question
    with pytest.raises(ValueError) as info:
        check_answer(question, parse_typed(question, typed))
    assert str(info.value) == message


def test_describe_and_hints_read_as_a_person_would(workdir: Path) -> None:
    questions = state_of(workdir / "draft.yaml").questionnaire.questions
    assert describe(questions["protected"].question, frozenset({"age", "sex"})) == "Sex or gender, Age"
    assert describe(questions["decision_type"].question, "human_in_loop") == "A person reviews each decision"
    assert describe(questions["people_count"].question, 1200) == "1,200 people"
    assert describe(questions["affects_people"].question, None) == "(not answered)"
    assert input_hint(questions["people_count"].question) == "a whole number (at least 0), in people"


def test_save_answers_keeps_comments_and_drops_only_what_was_confirmed(workdir: Path) -> None:
    path = workdir / "draft.yaml"
    before = state_of(path)
    after = before.with_answers(
        {"affects_people": True, "people_count": 150000, "protected": frozenset({"age", "sex"}), "bias_tested": True}
    )
    save_answers(path, before, after)
    text = path.read_text(encoding="utf-8")
    assert "  # Which protected attributes does the model use or could it infer?\n" in text
    assert "  people_count: 150000\n" in text
    assert "  protected:\n    - sex\n    - age\n" in text  # in the questionnaire's order
    saved = state_of(path)
    changed = saved.with_answer("affects_people", False)
    save_answers(path, saved, changed, drop=saved.dropped_by(changed))
    text = path.read_text(encoding="utf-8")
    assert "  affects_people: false\n" in text
    assert "  people_count:\n" in text  # the key and its comments stay; the answer is gone
    assert "  #   shown when: affects_people\n" in text
    assert state_of(path).values == {
        "affects_people": False,
        "protected": frozenset({"age", "sex"}),
        "bias_tested": True,
    }


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            frozenset({"none"}),
            "  protected:\n    - none\n  # Has the model been tested for bias across these groups?\n",
        ),
        (None, "  protected:\n  # Has the model been tested for bias across these groups?\n"),
    ],
)
def test_replacing_a_list_answer_keeps_the_comments_below_it(workdir: Path, new: object, expected: str) -> None:
    path = workdir / "draft.yaml"
    before = state_of(path)
    first = before.with_answer("protected", frozenset({"sex", "age"}))
    save_answers(path, before, first)
    save_answers(path, first, first.with_answer("protected", new))
    assert expected in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the system: block


def test_fill_asks_for_the_placeholders_and_the_missing_date(workdir: Path) -> None:
    from riskcheck.authoring.fill import system_fields_to_ask

    # write_draft gives a name and an owner; the purpose is the skeleton's, and no date.
    state = state_of(workdir / "draft.yaml")
    assert [f.key for f in system_fields_to_ask(state.system)] == ["purpose", "assessed_on"]
    blank = {"name": "TODO: the name of the AI system", "owner": "My AI system", "version": " ", "purpose": "x"}
    assert [f.key for f in system_fields_to_ask(blank)] == ["name", "owner", "version", "assessed_on"]
    done = {**blank, "name": "Loans", "owner": "a@example.com", "version": "1.0", "assessed_on": "2026-11-29"}
    assert system_fields_to_ask(done) == []


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("name", "   ", "name: expected text, got nothing"),
        ("purpose", "TODO: Describe what the system does and for whom.", "purpose: expected the real text"),
        ("name", "x" * 201, "name: expected at most 200 characters, got 201"),
        ("owner", "a\x1bb", "owner: expected text without control characters"),
        ("assessed_on", "2026-02-30", "assessed_on: expected a date, YYYY-MM-DD, got '2026-02-30'"),
        ("assessed_on", "20261129", "assessed_on: expected a date, YYYY-MM-DD, got '20261129'"),
        ("assessed_on", "29/11/2026", "assessed_on: expected a date, YYYY-MM-DD"),
    ],
)
def test_bad_system_fields_are_refused_with_what_is_expected(key: str, typed: str, message: str) -> None:
    from riskcheck.authoring.fill import SYSTEM_FIELDS, check_system_field

    field = next(f for f in SYSTEM_FIELDS if f.key == key)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_system_field(field, typed)


def test_system_fields_are_saved_in_place_keeping_comments(workdir: Path) -> None:
    from riskcheck.authoring.fill import SYSTEM_FIELDS, check_system_field, save_system, system_fields_to_ask

    path = workdir / "draft.yaml"
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    fields = {f.key: f for f in SYSTEM_FIELDS}
    values = {
        "purpose": check_system_field(fields["purpose"], " Approves small loans: yes, automatically "),
        "assessed_on": check_system_field(fields["assessed_on"], "2026-11-29"),
    }
    assert values["assessed_on"] == dt.date(2026, 11, 29)
    save_system(path, values)
    loaded = load_assessment(path)
    assert loaded.file.system.purpose == "Approves small loans: yes, automatically"
    assert loaded.file.system.assessed_on == dt.date(2026, 11, 29)
    assert loaded.file.system.name == "Loan approvals"
    assert system_fields_to_ask(loaded.system()) == []
    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    assert "assessed_on: 2026-11-29" in text
    # A value YAML 1.1 would read as something else is quoted, so it reads back as text.
    save_system(path, {"version": "yes"})
    assert load_assessment(path).file.system.version == "yes"


def test_saving_system_fields_takes_the_edit_lock(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import riskcheck.files.yamledit as yamledit
    from riskcheck.authoring.fill import save_system

    taken: list[Path] = []
    real = yamledit.edit_lock

    def spy(path: Path):  # type: ignore[no-untyped-def]
        taken.append(Path(path))
        return real(path)

    monkeypatch.setattr(yamledit, "edit_lock", spy)
    save_system(workdir / "draft.yaml", {"owner": "risk@example.com"})
    assert taken == [workdir / "draft.yaml"]
