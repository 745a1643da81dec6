"""Making text from files safe to print in logs and to post as markdown.

Names, messages and labels come from assessments, questionnaires and datasets that
may have been written by someone else. Printed as they are, a newline followed by
``::error::`` or ``::stop-commands::`` becomes a GitHub Actions workflow command (the
runner reads one from any output line that starts with ``::`` after spaces), and in a
pull-request comment ``@name`` notifies a user, ``![](url)`` loads a tracking image
and raw HTML renders.
"""

from __future__ import annotations

import re
from typing import Any

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|!~])")


def one_line(text: Any) -> str:
    """``text`` on one line, without control characters, and never starting a workflow command."""
    flat = "".join(c if c.isprintable() else " " for c in str(text))
    if flat.lstrip().startswith("::"):
        flat = flat.replace("::", ": :", 1)
    return flat


def md(text: Any) -> str:
    """``text`` as inert markdown: no HTML, links, images, emphasis, table breaks or @mentions."""
    escaped = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)
    return escaped.replace("@", "@&#8203;")


def md_code(text: Any, *, in_table: bool = False) -> str:
    """``text`` as an inline code span that no backtick inside it can close.

    In a table cell a ``|`` splits the row even inside a code span, so it is escaped.
    """
    flat = one_line(text)
    if in_table:
        flat = flat.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or flat.startswith(" ") or flat.endswith(" ") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
