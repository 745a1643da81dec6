"""The expression language: allowlist, load-time checks, semantics of unanswered values."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcheck.core.expr import (
    BOOL,
    DATE,
    NUMBER,
    SET,
    STR,
    ExpressionError,
    Variable,
    compile_expression,
)

VARIABLES = {
    "decision": Variable(STR, frozenset({"advisory", "automated"})),
    "uses_people": Variable(BOOL),
    "people": Variable(NUMBER),
    "data": Variable(SET, frozenset({"health", "biometric", "none"})),
    "launch": Variable(DATE),
    "notes": Variable(STR),
}
METRICS = frozenset({"demographic_parity_ratio"})


def ev(source: str, **env: object) -> object:
    return compile_expression(source, VARIABLES, METRICS)(env)


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        ("decision == 'automated'", {"decision": "automated"}, True),
        ("decision == 'automated'", {}, False),
        ("decision != 'automated'", {}, True),
        ("uses_people == 'yes'", {"uses_people": True}, True),
        ("uses_people == 'no'", {"uses_people": None}, False),
        ("not uses_people", {}, True),
        ("people >= 1000", {"people": 1000}, True),
        ("people >= 1000", {}, False),
        ("people < 1000", {}, False),
        ("people * 2 + 1 > 10", {"people": 5}, True),
        ("people / 0 > 1", {"people": 5}, False),
        ("'health' in data", {"data": frozenset({"health"})}, True),
        ("'health' in data", {}, False),
        ("'health' not in data", {}, True),
        ("decision in ['advisory', 'automated']", {"decision": "advisory"}, True),
        ("count(data) >= 2", {"data": frozenset({"health", "biometric"})}, True),
        ("count(data) == 0", {}, True),
        ("count(uses_people, decision == 'automated', people > 5)", {"uses_people": True, "people": 9}, 2),
        ("answered(people)", {"people": 0}, True),
        ("answered(people)", {}, False),
        ("len(notes) > 3", {"notes": "abcd"}, True),
        ("len(notes)", {}, 0),
        ("any(uses_people, people > 3)", {"people": 4}, True),
        ("all(uses_people, people > 3)", {"people": 4}, False),
        ("launch < '2026-08-02'", {"launch": dt.date(2026, 1, 1)}, True),
        ("launch < '2026-08-02'", {}, False),
        ("fairness.demographic_parity_ratio < 0.8", {"fairness.demographic_parity_ratio": 0.7}, True),
        ("fairness.demographic_parity_ratio < 0.8", {}, False),
        ("1 < people < 10", {"people": 5}, True),
        ("1 < people < 10", {"people": 50}, False),
        ("min(people, 3)", {"people": 5}, 3),
        ("max(people, 3)", {}, 3),
        ("true and not false", {}, True),
        ("-people < 0", {"people": 2}, True),
    ],
)
def test_semantics(source: str, env: dict[str, object], expected: object) -> None:
    assert ev(source, **env) == expected


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("decision == 'manual'", "'manual' is not an option of 'decision' (options: advisory, automated)", 12),
        ("'genetic' in data", "'genetic' is not an option of 'data' (options: biometric, health, none)", 0),
        ("decision in ['advisory', 'x']", "'x' is not an option of 'decision' (options: advisory, automated)", 25),
        ("unknown == 1", "unknown question 'unknown' (known: data, decision, launch, notes, people, uses_people)", 0),
        ("people == 'many'", "cannot compare number people with text 'many'", 0),
        ("uses_people == 'maybe'", "a yes/no answer can only be compared with 'yes' or 'no', got 'maybe'", 15),
        ("notes > 'a'", "'>' compares numbers or dates, got text notes and text 'a'", 0),
        ("people + 'x'", "expected a number in arithmetic, got text 'x'", 9),
        ("launch > 'soon'", "expected a date as 'YYYY-MM-DD', got 'soon'", 9),
        ("people in 3", "'in' needs a list, a text or a multiple-choice question on its right, got number 3", 10),
        ("fairness.accuracy_gap > 1", "unknown fairness metric 'accuracy_gap' (known: demographic_parity_ratio)", 0),
        ("decision.__class__", "attribute access is only allowed as fairness.<metric>", 0),
        ("__import__('os')", "only these functions may be called: answered, count, len, any, all, min, max", 0),
        ("open('x')", "only these functions may be called: answered, count, len, any, all, min, max", 0),
        ("[x for x in data]", "a comprehension is not allowed in an expression", 0),
        ("(lambda: 1)()", "only these functions may be called: answered, count, len, any, all, min, max", 0),
        ("data[0]", "indexing is not allowed in an expression", 0),
        ("people if people else 1", "a conditional expression is not allowed in an expression", 0),
        ("(x := 1)", "assignment is not allowed in an expression", 1),
        ("people ** 99999", "operator Pow is not allowed", 0),
        ("answered(people > 1)", "answered() takes exactly one question name", 0),
        ("count()", "count() needs at least one argument", 0),
        ("len(notes, key=1)", "functions take no keyword arguments", 0),
        ("decision ==", "invalid expression syntax: invalid syntax", 0),
        ("", "expected an expression, got an empty string", 0),
        ("f'{people}'", "an f-string is not allowed in an expression", 0),
        ("b'x' == notes", "literal b'x' is not allowed", 0),
    ],
)
def test_rejected_at_load(source: str, message: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, VARIABLES, METRICS)
    assert str(info.value) == message
    assert info.value.offset == offset


def test_size_bounds() -> None:
    with pytest.raises(ExpressionError, match="longer than 2000 characters"):
        compile_expression("people > 1 and " * 200 + "true", VARIABLES)
    with pytest.raises(ExpressionError, match="more than 300 parts"):
        compile_expression(" and ".join(["people > 1"] * 120), VARIABLES)
    with pytest.raises(ExpressionError):
        compile_expression("(" * 600 + "1" + ")" * 600, VARIABLES)


def test_names_are_recorded() -> None:
    compiled = compile_expression(
        "decision == 'automated' and fairness.demographic_parity_ratio < 0.8", VARIABLES, METRICS
    )
    assert compiled.names == frozenset({"decision"})
    assert compiled.fairness_names == frozenset({"demographic_parity_ratio"})


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes_the_compiler(source: str) -> None:
    try:
        compiled = compile_expression(source, VARIABLES, METRICS)
    except ExpressionError:
        return
    compiled({})  # an accepted expression evaluates on empty answers without raising


_values = {
    "decision": st.sampled_from([None, "advisory", "automated"]),
    "uses_people": st.sampled_from([None, True, False]),
    "people": st.one_of(st.none(), st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False)),
    "data": st.one_of(st.none(), st.frozensets(st.sampled_from(["health", "biometric", "none"]))),
}
_atoms = st.sampled_from(
    [
        "decision == 'automated'",
        "uses_people",
        "people > 100",
        "people / 3 <= 7",
        "'health' in data",
        "count(data) >= 1",
        "answered(decision)",
        "len(data) == 2",
        "people - 1 != 4",
    ]
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map(lambda t: f"({t[0]}) and ({t[1]})"),
        st.tuples(children, children).map(lambda t: f"({t[0]}) or ({t[1]})"),
        children.map(lambda c: f"not ({c})"),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(_atoms, _combine, max_leaves=8), st.fixed_dictionaries(_values))
def test_random_expressions_always_give_a_boolean(source: str, env: dict[str, object]) -> None:
    result = compile_expression(source, VARIABLES, METRICS)(env)
    assert isinstance(result, bool)
