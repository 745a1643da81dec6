"""Translations of a questionnaire: a gettext catalogue per language beside it.

``questionnaires/eu-ai-act-classification.yaml`` is translated into French by
``questionnaires/eu-ai-act-classification.fr.po``. Each entry's ``msgctxt`` is the
place of the string in the questionnaire (``sections[scope].questions[is_ai_system].text``)
and its ``msgid`` the English text there, so that a change to the English makes the
translation stale instead of silently wrong. Translated: the title and description,
section titles and descriptions, question text and help, option labels, rule
messages and mitigations, classification labels.

Why a catalogue beside the questionnaire rather than inline ``text: {en: ..., fr: ...}``:
the YAML stays the one authoritative text that reviewers read and that content hashes
cover; the translations are work for translators, whose tools (Poedit, Weblate) read
PO files and flag what changed; and twenty-four languages inline would bury the
questions. A sign-off covers each catalogue too (``translation.<lang>`` in
:mod:`riskcheck.core.content`): a changed translation makes approvals stale.
Babel reads the catalogues; the lint (:func:`lint_catalogue`) names file:line of each
missing, stale, untranslated or misplaced-placeholder entry.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from riskcheck.core.content import translation_catalogues
from riskcheck.core.errors import Problem, ReportError
from riskcheck.core.i18n import placeholders

#: The fields of a questionnaire that readers see as text.
TRANSLATABLE = ("title", "description", "text", "help", "label", "message", "mitigation")


def strings(spec: Mapping[str, Any]) -> dict[str, str]:
    """Each translatable string of a questionnaire (its JSON form), by its place: ``place -> English``."""
    return dict(_walk(spec, ""))


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            place = f"{path}.{key}" if path else str(key)
            if key in TRANSLATABLE and isinstance(item, str) and item:
                yield place, item
            elif isinstance(item, (Mapping, list)):
                yield from _walk(item, place)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            name = item.get("id", item.get("value", index)) if isinstance(item, Mapping) else index
            yield from _walk(item, f"{path}[{name}]")


def catalogue_path(questionnaire: Path, lang: str) -> Path:
    return questionnaire.with_name(f"{questionnaire.stem}.{lang}.po")


def declared(questionnaire: Path) -> tuple[str, ...]:
    """English and each language with a catalogue beside the questionnaire (each one the
    sign-off's content hash covers: :func:`riskcheck.core.content.translation_catalogues`)."""
    return tuple(sorted({"en", *translation_catalogues(questionnaire)}))


def check_declared(questionnaire: Path, lang: str) -> None:
    available = declared(questionnaire)
    if lang not in available:
        raise ReportError(
            f"{questionnaire}: --lang {lang}: the questionnaire has no {lang} translation "
            f"({catalogue_path(questionnaire, lang).name}); available: {', '.join(available)}"
        )


def words_for(questionnaire: Any, lang: str) -> dict[str, str]:
    """English -> ``lang`` for a compiled questionnaire's text, for ``fill --lang`` and ``new --lang``.

    An unknown language, or one the questionnaire has no catalogue for, is an error that
    lists the languages available (exit 2).
    """
    from riskcheck.core.i18n import check_language

    check_language(lang, what="riskcheck")
    source = Path(questionnaire.source)
    if lang == "en":
        return {}
    check_declared(source, lang)
    return translations(source, questionnaire.spec.model_dump(mode="json", exclude_none=True), lang)


def _entries(path: Path) -> list[Any]:
    from riskcheck.core.i18n import _read

    return [m for m in _read(path) if m.id]


def translations(questionnaire: Path, spec: Mapping[str, Any], lang: str) -> dict[str, str]:
    """English -> translation for the strings of ``spec`` whose catalogue entry is current and translated."""
    if lang == "en":
        return {}
    check_declared(questionnaire, lang)
    english = strings(spec)
    table: dict[str, str] = {}
    for place, msgid, text, fuzzy in _translated(catalogue_path(questionnaire, lang)):
        source = english.get(place)
        if source is not None and source == msgid and text and not fuzzy:
            table[source] = text
    return table


def _translated(path: Path) -> tuple[tuple[str, str, str, bool], ...]:
    """(place, msgid, translation, fuzzy) of each entry: read once per version of the file, as the web
    form asks for a questionnaire's words on every page and preview."""
    try:
        stat = path.stat()
    except OSError:
        return _read_translated(str(path), 0, -1)  # not there: reading it says so
    return _read_translated(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _read_translated(path: str, _mtime_ns: int, _size: int) -> tuple[tuple[str, str, str, bool], ...]:
    return tuple(
        (m.context or "", str(m.id), str(m.string or ""), bool(m.fuzzy))
        for m in _entries(Path(path))
        if isinstance(m.id, str)
    )


def translate(value: Any, table: Mapping[str, str]) -> Any:
    """A copy of ``value`` (dicts, lists, tuples and named tuples, dataclasses, strings) with each English
    source string translated."""
    if not table:
        return value
    if isinstance(value, str):
        return table.get(value, value)
    if isinstance(value, dict):
        return {key: translate(item, table) for key, item in value.items()}
    if isinstance(value, list):
        return [translate(item, table) for item in value]
    if isinstance(value, tuple):
        items = [translate(item, table) for item in value]
        # A named tuple (a result's section score, say) keeps its type.
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Chart geometry: its labels (section titles, tier labels) are the questionnaire's.
        changes = {f.name: translate(getattr(value, f.name), table) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def lint_catalogue(questionnaire: Path, spec: Mapping[str, Any], catalogue: Path) -> list[Problem]:
    """Every string of the questionnaire present, current, translated, with the same placeholders."""
    english = strings(spec)
    problems: list[Problem] = []
    seen: set[str] = set()
    for message in _entries(catalogue):
        place, line = message.context or "", message.lineno
        where = f"msgctxt {place!r}" if place else f"msgid {message.id!r}"
        if place not in english:
            obsolete = f"{where}: no such string in {questionnaire.name} (obsolete)"
            problems.append(Problem(str(catalogue), obsolete, line))
            continue
        seen.add(place)
        if message.id != english[place]:
            problems.append(
                Problem(str(catalogue), f"{where}: stale: the English text changed; translate the new msgid", line)
            )
        elif not message.string:
            problems.append(Problem(str(catalogue), f"{where}: not translated", line))
        elif message.fuzzy:
            problems.append(Problem(str(catalogue), f"{where}: marked fuzzy; check it and remove the flag", line))
        elif placeholders(str(message.string)) != placeholders(english[place]):
            problems.append(
                Problem(
                    str(catalogue),
                    f"{where}: placeholders {sorted(placeholders(str(message.string)))} in the translation, "
                    f"expected {sorted(placeholders(english[place]))}",
                    line,
                )
            )
    for place in english:
        if place not in seen:
            problems.append(Problem(str(catalogue), f"msgctxt {place!r}: missing from the catalogue"))
    return problems


def lint_questionnaire(questionnaire: Path) -> list[Problem]:
    """The lint of each catalogue beside ``questionnaire``."""
    from riskcheck.core.loader import load_questionnaire

    spec = load_questionnaire(questionnaire).spec.model_dump(mode="json", exclude_none=True)
    problems: list[Problem] = []
    for lang in declared(questionnaire):
        if lang != "en":
            problems += lint_catalogue(questionnaire, spec, catalogue_path(questionnaire, lang))
    return problems
