"""The report's and the web form's own strings in other languages: gettext catalogues read with Babel.

The catalogues are ``riskcheck/report/locale/<lang>/LC_MESSAGES/riskcheck.po``, read
as they are (no compiled ``.mo`` files to keep in step), with the template of every
message in ``riskcheck/report/locale/riskcheck.pot``, extracted by Babel from the
Python sources (keywords ``_`` and ``_n``) and the Jinja2 templates (see :func:`extract`);
``python -m riskcheck.report.i18n --update`` rewrites the template and merges it into
each catalogue. English is the source language and needs no catalogue.

Messages in Python are ``str.format`` templates with named placeholders (``{count}``);
messages in the Jinja2 templates (the PDF report's ``reports/templates`` and the web
form's ``riskcheck/web/templates``, through ``jinja2.ext.i18n``) are ``%``-formatted,
as Jinja2 writes them (``%(count)s``, ``%%`` for a percent sign). One catalogue holds
both. The translation lint (:func:`lint_catalogue`) checks that each declared language
has a translation of every message with the same placeholders, and names the file and
line of each problem.

Babel is imported inside the functions; English needs no Babel.
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
from riskcheck.core.errors import Problem, ReportError
from riskcheck.core.optional import optional_extra

LOCALE_DIR = Path(__file__).parent / "locale"
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


#: The Python files whose ``_``/``_n`` calls are the report's and the web form's own strings.
PYTHON_SOURCES = (
    "report/document.py",
    "report/context.py",
    "report/charts.py",
    "web/app.py",
    "web/render.py",
    "web/viewmodels.py",
    "web/progress.py",
    "web/handlers/form.py",
    "web/handlers/manage.py",
    "web/handlers/review.py",
    "web/handlers/spreadsheet.py",
)
#: Jinja2 templates (the report's stylesheet is one too).
TEMPLATE_SUFFIXES = (".html", ".css")
#: The options the templates are parsed with, for extraction as for rendering.
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true", "trimmed": "true", "newstyle_gettext": "true"}


def python_sources() -> tuple[Path, ...]:
    package = Path(__file__).resolve().parents[1]
    return tuple(package / name for name in PYTHON_SOURCES if (package / name).is_file())


def template_sources() -> tuple[Path, ...]:
    """The report's templates and the web form's: every ``.html`` and ``.css`` under them."""
    from riskcheck.core.loader import bundled_dir

    package = Path(__file__).resolve().parents[1]
    found: list[Path] = []
    for folder in (bundled_dir("templates"), package / "web" / "templates"):
        found += sorted(p for p in folder.rglob("*") if p.suffix in TEMPLATE_SUFFIXES)
    return tuple(found)


def extract(sources: tuple[Path, ...] | None = None) -> dict[str, tuple[str, ...]]:
    """Every message the sources use: msgid -> (msgid, msgid_plural?).

    Python files through their ``_`` and ``_n`` calls; templates (``.html``) through
    ``{% trans %}`` blocks and ``_()``/``ngettext()`` calls, as ``jinja2.ext.i18n`` sees them.
    """
    return {msgid: parts for msgid, (parts, _places) in _extract(sources).items()}


def template_messages(sources: tuple[Path, ...] | None = None) -> set[str]:
    """The msgids a template uses: Jinja2 ``%``-formats them, so their ``%`` signs are checked too."""
    return {
        msgid
        for msgid, (_parts, places) in _extract(sources).items()
        if any(place.endswith(TEMPLATE_SUFFIXES) for place, _line in places)
    }


def _extract(sources: tuple[Path, ...] | None) -> dict[str, tuple[tuple[str, ...], list[tuple[str, int]]]]:
    from babel.messages.extract import extract_python

    found: dict[str, tuple[tuple[str, ...], list[tuple[str, int]]]] = {}
    for source in sources or (*python_sources(), *template_sources()):
        items: list[Any]
        with source.open("rb") as handle:
            if source.suffix in TEMPLATE_SUFFIXES:
                from jinja2.ext import babel_extract

                # css_content(message, ...): a message of the stylesheet (page footer, bookmarks).
                keywords = ("_", "gettext", "ngettext", "css_content")
                items = list(babel_extract(handle, keywords, [], {**JINJA_OPTIONS, "silent": "false"}))
            else:
                items = list(extract_python(handle, KEYWORDS, [], {}))
        for line, function, message, _comments in items:
            # Babel collects every string of the call, keyword values too: keep the msgid (and plural).
            strings = (
                [str(m) for m in message if m is not None] if isinstance(message, (tuple, list)) else [str(message)]
            )
            plural = function in ("_n", "ngettext")
            parts = tuple(strings[: 2 if plural else 1])
            entry = found.setdefault(parts[0], (parts, []))
            entry[1].append((_relative(source), line))
    return found


def _relative(source: Path) -> str:
    package = Path(__file__).resolve().parents[1]
    for root in (package.parent, package):
        try:
            return source.resolve().relative_to(root).as_posix()
        except ValueError:
            continue
    return source.name


def update_catalogues() -> None:
    """Rewrite ``riskcheck.pot`` from the sources and merge it into each language's catalogue.

    New messages arrive untranslated (the lint names them); messages no longer used
    are dropped. ``python -m riskcheck.report.i18n --update``.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    # A fixed creation date: regenerating the template changes it only where a message changed.
    created = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    template = Catalog(
        project="riskcheck",
        version="VERSION",
        domain=DOMAIN,
        charset="utf-8",
        creation_date=created,
        header_comment=(
            "# The report's and the web form's own strings, extracted by riskcheck/report/i18n.py\n"
            "# (python -m riskcheck.report.i18n --update) from riskcheck/report/{document,context,charts}.py,\n"
            "# reports/templates, riskcheck/web/templates and the web form's handlers."
        ),
    )
    for msgid, (parts, places) in sorted(_extract(None).items(), key=lambda item: item[1][1][0]):
        flags = ("python-format",) if any(p.endswith(TEMPLATE_SUFFIXES) for p, _ in places) and "%" in msgid else ()
        files: list[Any] = [(name, None) for name in dict.fromkeys(place for place, _line in places)]
        template.add(parts if len(parts) > 1 else parts[0], locations=files, flags=flags)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, width=100, sort_output=False, include_lineno=False)
    for lang in languages():
        if lang == SOURCE_LANGUAGE:
            continue
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        catalog = _read(path)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True, include_previous=False, include_lineno=False)


def placeholders(text: str, percent: bool = False) -> set[str]:
    """The names of ``{name}`` placeholders; with ``percent`` (a template's message, which
    Jinja2 always ``%``-formats), each ``%(name)s``, ``%%`` and stray ``%`` too."""
    found = {m.group(1) for m in _PLACEHOLDER.finditer(text)}
    if percent:
        found |= {m.group(0) if m.group(1) is None else f"%({m.group(1)})" for m in _PERCENT.finditer(text)}
    return found


def lint_catalogue(
    path: Path, expected: dict[str, tuple[str, ...]] | None = None, formatted: set[str] | None = None
) -> list[Problem]:
    """Each message missing, untranslated, fuzzy or with other placeholders than its source, at file:line.

    ``formatted``: the msgids the templates use, whose ``%`` conversions must match too.
    """
    expected = extract() if expected is None else expected
    formatted = template_messages() if formatted is None else formatted
    catalog = _read(path)
    problems: list[Problem] = []
    seen: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)
        seen.add(ids[0])
        line = message.lineno
        if ids[0] not in expected:
            problems.append(Problem(str(path), f"msgid {ids[0]!r}: not used by the report (obsolete)", line))
            continue
        if message.fuzzy:
            problems.append(Problem(str(path), f"msgid {ids[0]!r}: marked fuzzy; check it and remove the flag", line))
        if not all(strings):
            problems.append(Problem(str(path), f"msgid {ids[0]!r}: not translated", line))
            continue
        percent = ids[0] in formatted
        wanted = set().union(*(placeholders(i, percent) for i in ids))
        for text in strings:
            got = placeholders(text, percent)
            if got != wanted:
                problems.append(
                    Problem(
                        str(path),
                        f"msgid {ids[0]!r}: placeholders {sorted(got)} in the translation, expected {sorted(wanted)}",
                        line,
                    )
                )
    for missing in sorted(set(expected) - seen):
        problems.append(Problem(str(path), f"msgid {missing!r}: missing from the catalogue"))
    return problems


def lint_all() -> list[Problem]:
    """The lint of every bundled catalogue."""
    expected, formatted = extract(), template_messages()
    problems: list[Problem] = []
    for lang in languages():
        if lang != SOURCE_LANGUAGE:
            problems += lint_catalogue(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", expected, formatted)
    return problems


def lint_bundled() -> list[Problem]:
    """The report's catalogues and each bundled questionnaire's: the translation lint of everything shipped."""
    from riskcheck.core.loader import bundled_dir
    from riskcheck.report.qcatalog import lint_questionnaire

    problems = lint_all()
    for questionnaire in sorted(bundled_dir("questionnaires").glob("*.yaml")):
        problems += lint_questionnaire(questionnaire)
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m riskcheck.report.i18n``: print each translation problem; exit 1 if there is one.

    With ``--update``, first rewrite the template and merge it into the catalogues.
    """
    import sys

    if "--update" in (sys.argv[1:] if argv is None else argv):
        update_catalogues()
    problems = lint_bundled()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
