"""riskcheck's own strings in other languages: gettext catalogues read with Babel.

Everything riskcheck writes for a person goes through :func:`_` and :func:`_n`: the
report's headings and sentences, the web form, ``fill``'s prompts, and the messages the
core writes into a result (draft reasons, stale approvals, fairness breaches, answer
checks). The language is chosen once, around the work (:func:`use_language`), so a
message comes out in the language of ``--lang`` wherever it is made.

The catalogues are ``riskcheck/locale/<lang>/LC_MESSAGES/riskcheck.po``, read as they
are (no compiled ``.mo`` files to keep in step). Their template, the extraction and the
translation lint are in :mod:`riskcheck.report.translations`. English is the source
language and needs no catalogue.

Messages in Python are ``str.format`` templates with named placeholders (``{count}``);
messages in the web form's Jinja2 templates are ``%``-formatted, as Jinja2 writes them
(``%(count)s``). Babel is imported inside the functions; English needs no Babel.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcheck.core.display import number
from riskcheck.core.errors import ReportError
from riskcheck.core.optional import optional_extra

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "riskcheck"
SOURCE_LANGUAGE = "en"
#: Keywords of the extraction: ``_(message, **values)`` and ``_n(singular, plural, n, **values)``.
KEYWORDS = {"_": None, "_n": (1, 2)}
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
#: A ``%`` conversion of a template message: ``%(name)s``, ``%%``, or a stray ``%`` (an error at render time).
_PERCENT = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifeEgGrx]|%%|%")


def languages() -> tuple[str, ...]:
    """English and every language with a catalogue, sorted."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted({SOURCE_LANGUAGE, *found}))


def check_language(lang: str, option: str = "--lang", what: str = "the report") -> str:
    """``lang`` if the report (or ``what`` else: the web form) has it, else an error that lists those it has."""
    if lang not in languages():
        raise ReportError(f"{option} {lang}: {what} has no such language; available: {', '.join(languages())}")
    return lang


@dataclass(frozen=True)
class Translator:
    lang: str
    messages: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    plural: Any = None

    def gettext(self, message: str) -> str:
        found = self.messages.get(message)
        return found if isinstance(found, str) and found else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        found = self.messages.get(singular)
        if isinstance(found, tuple) and all(found) and self.plural is not None:
            return found[min(int(self.plural(count)), len(found) - 1)]
        return singular if count == 1 else plural


ENGLISH = Translator(SOURCE_LANGUAGE)
_current: contextvars.ContextVar[Translator] = contextvars.ContextVar("riskcheck_translator", default=ENGLISH)


@functools.lru_cache(maxsize=8)
def translator(lang: str) -> Translator:
    """The catalogue of ``lang`` (checked), read once per process."""
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return ENGLISH
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po")
    messages: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        messages[key] = tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string
    return Translator(lang, messages, catalog.plural_expr and _plural_function(catalog.plural_expr))


def _plural_function(expression: str) -> Any:
    """gettext's plural expression (``(n != 1)``) as a function of n: the standard library's own parser."""
    import gettext

    return gettext.c2py(expression)


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[Translator]:
    """Within the block, :func:`_` and :func:`_n` translate into ``lang``."""
    token = _current.set(translator(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def current() -> Translator:
    return _current.get()


class TemplateTranslations:
    """What ``jinja2.ext.i18n`` is given (``install_gettext_translations``): at each call, the
    catalogue of the language in use (:func:`use_language`), so that one compiled
    environment renders every language."""

    def gettext(self, message: str) -> str:
        return _current.get().gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return _current.get().ngettext(singular, plural, count)


def _(message: str, **values: Any) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``values``."""
    text = _current.get().gettext(message)
    return text.format(**values) if values else text


def _n(singular: str, plural: str, count: int, **values: Any) -> str:
    """The singular or plural form for ``count`` (``{count}`` is filled too)."""
    return _current.get().ngettext(singular, plural, count).format(count=count, **values)


# ---------------------------------------------------------------- locale formats


def format_number(value: float, decimals: int = 2, whole: bool = True) -> str:
    """:func:`riskcheck.core.display.number` in the current language's digits and separators."""
    lang = _current.get().lang
    if lang == SOURCE_LANGUAGE:
        return number(value, decimals, whole)
    from babel.numbers import format_decimal

    if whole and float(value).is_integer():
        return str(format_decimal(int(value), locale=lang))
    return str(format_decimal(value, format=f"#,##0.{'0' * decimals}", locale=lang))


def format_short(value: float) -> str:
    """A bound or a tick as short as it goes (``0.25``, ``1``): ``{:g}`` in the current language."""
    lang = _current.get().lang
    if lang == SOURCE_LANGUAGE:
        return f"{value:g}"
    from babel.numbers import format_decimal

    return str(format_decimal(value, format="#,##0.######", locale=lang))


def format_date(value: dt.date | str) -> str:
    """A date as the current language writes it (``2 mars 2026``); ISO in English, as the PDF."""
    lang = _current.get().lang
    if lang == SOURCE_LANGUAGE:
        return str(value)
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    from babel.dates import format_date as babel_date

    return str(babel_date(day, format="long", locale=lang))


# ---------------------------------------------------------------- catalogues and their lint


#: The largest translation catalogue (PO file) riskcheck reads; larger ones are refused unread.
MAX_CATALOGUE_BYTES = 4 * 1024 * 1024


def _read(path: Path) -> Any:
    """A PO catalogue, read bounded and as a regular file only (never a device or a pipe)."""
    import io

    from riskcheck.core.errors import RiskcheckError
    from riskcheck.files.fileio import read_bounded_bytes

    with optional_extra("docx", "babel"):
        from babel.messages.pofile import read_po
    try:
        raw = read_bounded_bytes(path, limit=MAX_CATALOGUE_BYTES)
    except RiskcheckError as exc:
        raise ReportError(f"{exc} (a translation catalogue)") from None
    try:
        return read_po(io.BytesIO(raw), domain=DOMAIN)
    except (ValueError, LookupError) as exc:  # bytes not in its charset, or an unknown charset
        raise ReportError(f"{path}: not a readable PO catalogue: {exc}; expected a UTF-8 PO file") from None


def placeholders(text: str, percent: bool = False) -> set[str]:
    """The names of ``{name}`` placeholders; with ``percent`` (a template's message, which
    Jinja2 always ``%``-formats), each ``%(name)s``, ``%%`` and stray ``%`` too."""
    found = {m.group(1) for m in _PLACEHOLDER.finditer(text)}
    if percent:
        found |= {m.group(0) if m.group(1) is None else f"%({m.group(1)})" for m in _PERCENT.finditer(text)}
    return found
