"""Bounds on the values that become group labels, and their shortened display form.

A group label comes from the data. A 50 MB value would be held, compared and padded
into every row of the text table; a value cut short for the result could make two
different groups one. So a sensitive value longer than :data:`MAX_LABEL_CHARS` is an
error, and displays (messages, tables) show at most :data:`DISPLAY_CHARS` of any value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from riskcheck.core.errors import DataError

#: The longest sensitive value (characters) that may name a group.
MAX_LABEL_CHARS = 200
#: The most characters of a value shown in a message or a table cell.
DISPLAY_CHARS = 60
#: Default bound on the number of (intersectional) groups a result may hold.
DEFAULT_MAX_GROUPS = 10_000


def short(value: Any, limit: int = DISPLAY_CHARS) -> Any:
    """``value`` itself, or for long text its first ``limit`` characters and the length."""
    if isinstance(value, bytes):
        value = value[: limit + 1].decode("utf-8", "replace") if len(value) > limit else value
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}… ({len(value):,} characters)"
    return value


def check_group_count(count: int, *, display: str, columns: Sequence[str], bound: int) -> None:
    """A DataError when the sensitive ``columns`` give more than ``bound`` groups."""
    if count > bound:
        named = ", ".join(repr(column) for column in columns)
        raise DataError(
            f"{display}: the sensitive column(s) {named} give more than {bound:,} groups; "
            "expected fewer (raise the bound with --max-groups, or choose coarser columns)"
        )


def check_label(value: str, *, display: str, column: str) -> None:
    """A DataError when ``value`` of sensitive ``column`` is too long to name a group."""
    if len(value) > MAX_LABEL_CHARS:
        raise DataError(
            f"{display}: column {column!r} (a sensitive column) has a value of {len(value):,} characters "
            f"({short(value, 40)!r}); a group name may have at most {MAX_LABEL_CHARS} characters"
        )


def clip(label: str, limit: int = DISPLAY_CHARS) -> str:
    """``label`` cut to ``limit`` characters for a table cell, keeping both ends (an
    intersectional label's last part often tells two groups apart)."""
    if len(label) <= limit:
        return label
    head = (limit - 1) // 2
    return label[:head] + "…" + label[len(label) - (limit - 1 - head) :]
