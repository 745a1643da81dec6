"""Hostile expressions in a questionnaire: no escape, no huge objects, no runtime crash."""

from __future__ import annotations

import datetime as dt
import resource
from collections.abc import Iterator

import pytest

from riskcheck.core.expr import BOOL, DATE, LIST, NUMBER, SET, STR, ExpressionError, Variable, compile_expression

VARIABLES = {
    "name": Variable(STR),
    "people": Variable(NUMBER),
    "data": Variable(SET, frozenset({"health", "none"})),
    "launch": Variable(DATE),
    "links": Variable(LIST),
}
ENV = {
    "name": "hello",
    "people": 3,
    "data": frozenset({"health"}),
    "launch": dt.date(2026, 1, 1),
    "links": ("https://example.com",),
}


@pytest.fixture
def small_memory() -> Iterator[None]:
    """Cap the address space so that a blow-up fails fast instead of swapping."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("max(('a',)) * 999999999999 == 1", "max() takes numbers or dates, got list ('a',)"),
        ("max(name) * 99999999999 > 0", "max() takes numbers or dates, got text name"),
        ("min(name, 1) > 0", "min() takes numbers or dates, got text name"),
        ("-max(name) > 0", "max() takes numbers or dates, got text name"),
        ("max(data) * 2 > 1", "max() takes numbers or dates, got multiple choice data"),
        ("max(links) * 5 > 1", "max() takes numbers or dates, got list links"),
        ("max(launch, 1) > 1", "max() takes numbers or dates, not both"),
        ("max(launch, launch) - 1 > 0", "expected a number in arithmetic, got date max(launch, launch)"),
        ("people ** 2 > 1", "operator Pow is not allowed"),
        ("name.__class__", "attribute access is only allowed as fairness.<metric>"),
        ("__import__('os')", "only these functions may be called: answered, count, len, any, all, min, max"),
    ],
)
def test_type_confusion_through_min_and_max_is_refused_when_the_file_loads(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, VARIABLES)
    assert str(caught.value) == message


@pytest.mark.usefixtures("small_memory")
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1" + "0" * 400 + " / 1 > 0", False),  # int too large for a float: None, not OverflowError
        ("1" + "0" * 400 + " * 1.5 > 0", False),
        ("1e308 * 10 > 0", True),  # inf is a number
        ("1 in name", False),  # TypeError in the fast path of 'in'
        ("max(people, 5) == 5", True),
        ("min(launch, launch) == launch", True),
        ("max(launch) == launch", True),
    ],
)
def test_runtime_faults_give_a_value_not_an_exception(source: str, expected: object) -> None:
    assert compile_expression(source, VARIABLES)(ENV) is expected


@pytest.mark.usefixtures("small_memory")
def test_arithmetic_ignores_values_that_are_not_numbers() -> None:
    """Defence in depth: even a wrongly typed answer never reaches ``str * int``."""
    expression = compile_expression("people * 999999999999 > 0", VARIABLES)
    assert expression({"people": "a"}) is False
    assert compile_expression("-people > 0", VARIABLES)({"people": "a"}) is False


def test_a_bare_yes_no_question_is_a_boolean_condition() -> None:
    variables = {"uses_people": Variable(BOOL)}
    condition = compile_expression("uses_people", variables)
    assert [condition({"uses_people": v}) for v in (None, True, False)] == [False, True, False]
