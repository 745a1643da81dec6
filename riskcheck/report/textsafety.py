"""Give overlong words a place to break before WeasyPrint lays the report out.

Laying out a word that fits no line costs time that grows with the square of its
length: one 100,000-character word in an answer took minutes. Every run of more than
:data:`MAX_UNBROKEN` visible characters without a space in the report's body text gets
an invisible break opportunity (U+200B, zero width space) after each
:data:`MAX_UNBROKEN` characters. Nothing is dropped: the PDF shows the whole text,
wrapped. Tags, attributes (links, data: URIs), styles, scripts and the document head
are left exactly as they are.
"""

from __future__ import annotations

import re

#: Runs longer than this get break opportunities, every :data:`BREAK_EVERY` characters.
MAX_UNBROKEN = 30
#: Short enough that a narrow table column's first two lines each hold a break:
#: WeasyPrint lays out only a few lines' worth of text per line when it finds them,
#: and the whole rest of the paragraph (the quadratic case) when it does not.
BREAK_EVERY = 20
ZERO_WIDTH_SPACE = "\u200b"

#: Markup to leave alone: the head, styles, scripts, comments, and every tag.
_UNTOUCHED = re.compile(
    r"<head\b.*?</head\s*>|<style\b.*?</style\s*>|<script\b.*?</script\s*>|<!--.*?-->|<[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
#: A run of more than MAX_UNBROKEN characters (an entity such as &amp; counts as one) without a break.
_LONG_RUN = re.compile(rf"(?:&#?[A-Za-z0-9]{{1,32}};|[^\s&<>\u200b]|&){{{MAX_UNBROKEN + 1},}}")
_UNIT = re.compile(r"&#?[A-Za-z0-9]{1,32};|.", re.DOTALL)


def break_long_words(html: str) -> str:
    """``html`` with a zero width space after every :data:`MAX_UNBROKEN` characters of a long word."""
    pieces: list[str] = []
    position = 0
    for markup in _UNTOUCHED.finditer(html):
        pieces.append(_break_text(html[position : markup.start()]))
        pieces.append(markup.group())
        position = markup.end()
    pieces.append(_break_text(html[position:]))
    return "".join(pieces)


def _break_text(text: str) -> str:
    if len(text) <= MAX_UNBROKEN:
        return text
    return _LONG_RUN.sub(_break_run, text)


def _break_run(match: re.Match[str]) -> str:
    units = _UNIT.findall(match.group())
    return ZERO_WIDTH_SPACE.join(
        "".join(units[start : start + BREAK_EVERY]) for start in range(0, len(units), BREAK_EVERY)
    )
