"""Dated duties: which duties of a classification apply on the assessment date.

A class or flag of a questionnaire may carry ``applies_from`` and ``duties``, each
with its legal basis and date. The result lists them as "applies now" or "applies
from <date>" relative to one date: ``--as-of`` when given, else the system's
``assessed_on``, never "today", so the same inputs give the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from riskcheck.core.compiler import CompiledClass
from riskcheck.core.i18n import _, current, format_date
from riskcheck.core.questionnaire import Questionnaire
from riskcheck.core.result import DutyStatus


def assessment_date(system: Mapping[str, Any] | None, as_of: dt.date | None) -> dt.date | None:
    """``as_of`` if given, else the system's ``assessed_on`` (a date or ISO text), else None."""
    if as_of is not None:
        return as_of
    value = (system or {}).get("assessed_on")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def short_date(day: dt.date) -> str:
    """``2 Dec 2027``: the form the duties and the report timeline use."""
    return f"{day.day} {day.strftime('%b')} {day.year}"


def duty_status(applies_from: dt.date | None, on: dt.date | None) -> tuple[str, str]:
    """(status, text) of a duty that applies from ``applies_from``, seen on ``on``; the text
    in the language in use (the status is the code)."""
    if applies_from is None:
        return "applies_now", _("applies now")
    if on is None:
        return "undated", _("applies from {date} (no assessment date)", date=_duty_date(applies_from))
    if applies_from <= on:
        return "applies_now", _("applies now")
    return "applies_later", _("applies from {date}", date=_duty_date(applies_from))


def _duty_date(day: dt.date) -> str:
    """:func:`short_date` in English; the language's own long form otherwise (``2 décembre 2027``)."""
    return short_date(day) if current().lang == "en" else format_date(day)


def duties_for(
    outcome: CompiledClass | None, flags: Iterable[CompiledClass], env: Mapping[str, Any], on: dt.date | None
) -> tuple[DutyStatus, ...]:
    """The duties of the class and of the flags that hold, whose own conditions hold for ``env``.

    A flag with a date but no duties of its own is listed as one duty, so every dated flag
    reaches the timeline. A class's date is reported on the classification instead: its
    flags and duties already name what follows from it.
    """
    rows: list[DutyStatus] = []
    for source in (*((outcome,) if outcome else ()), *flags):
        if source is not outcome and not source.duties and source.applies_from is not None:
            status, text = duty_status(source.applies_from, on)
            rows.append(
                DutyStatus(
                    source.id,
                    source.label,
                    source.id,
                    source.references,
                    source.applies_from.isoformat(),
                    status,
                    text,
                )
            )
        for duty in source.duties:
            if duty.when is not None and not duty.when(env):
                continue
            status, text = duty_status(duty.applies_from, on)
            rows.append(
                DutyStatus(
                    duty.id,
                    duty.label,
                    source.id,
                    duty.references,
                    duty.applies_from.isoformat() if duty.applies_from else None,
                    status,
                    text,
                )
            )
    return tuple(rows)


def law_as_at(spec: Questionnaire) -> dict[str, Any] | None:
    """The questionnaire's ``law_as_at`` as plain data for the result, or None."""
    if spec.law_as_at is None:
        return None
    return spec.law_as_at.model_dump(mode="json", exclude_none=True)
