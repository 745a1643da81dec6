"""The translation catalogues' upkeep: extraction, the template, the merge and the lint.

``python -m riskcheck.report.translations --update`` extracts every message (the
``_``/``_n`` calls of each module that imports :mod:`riskcheck.core.i18n`, and the
Jinja2 templates), rewrites ``riskcheck/locale/riskcheck.pot`` and merges it into each
language's catalogue. The lint (:func:`lint_catalogue`) checks that each declared
language has a translation of every message with the same placeholders, and names the
file and line of each problem; :func:`lint_bundled` adds each bundled questionnaire's
catalogues.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from riskcheck.core.errors import Problem
from riskcheck.core.i18n import DOMAIN, KEYWORDS, LOCALE_DIR, SOURCE_LANGUAGE, _read, languages, placeholders

#: What marks a module whose ``_``/``_n`` calls are riskcheck's own strings: it imports them.
_USES_CATALOGUE = ("from riskcheck.core.i18n import",)
#: Jinja2 templates (the report's stylesheet is one too).
TEMPLATE_SUFFIXES = (".html", ".css")
#: The options the templates are parsed with, for extraction as for rendering.
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true", "trimmed": "true", "newstyle_gettext": "true"}


def python_sources() -> tuple[Path, ...]:
    """Every module of riskcheck that translates (imports ``_``/``_n`` from :mod:`riskcheck.core.i18n`).

    Found, not listed: a module that starts translating is extracted without a list to keep in step.
    """
    package = Path(__file__).resolve().parents[1]
    return tuple(
        path
        for path in sorted(package.rglob("*.py"))
        if path.name != "i18n.py" and any(mark in path.read_text(encoding="utf-8") for mark in _USES_CATALOGUE)
    )


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
    are dropped. ``python -m riskcheck.report.translations --update``.
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
            "# riskcheck's own strings, extracted by riskcheck/report/translations.py\n"
            "# (python -m riskcheck.report.translations --update) from the modules that import\n"
            "# riskcheck.core.i18n, reports/templates and riskcheck/web/templates."
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
    """``python -m riskcheck.report.translations``: print each translation problem; exit 1 if there is one.

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
