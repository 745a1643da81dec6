"""What a sign-off covers: everything the signer sees, hashed part by part.

The content hash is one sha256 over named parts, each hashed on its own:

- ``system.<field>``: each field of the ``system:`` block;
- ``questionnaire``: the canonical questionnaire, which holds its id and version;
- ``answers.<question id>``: each answer with its comment and evidence links;
- ``fairness.settings`` and ``fairness.evidence``: the ``fairness:`` block and the
  fingerprints of the data and model it measured;
- ``archived_answers``: the answers a migration could not place, which the report
  shows (left out while there are none, so earlier hashes still hold);
- ``evidence.<link>``: the bytes of each local file an answer (or an archived
  answer) links to;
- ``translation.<lang>``: the bytes of each translation catalogue beside the
  questionnaire (``q.fr.po``), which the report and the web form show in place of
  its text (left out while there are none, so earlier hashes still hold).

Only the sign-off records and the log of migrations (``migrated:``) are left out:
they record what was done to the file, not what it says, so an unmigrated file keeps
its hash. A record keeps a short hash of every part, so a stale approval can name
what changed since it was given, and the questionnaire version it was made under, so
a migration can be named (see :func:`riskcheck.core.engine._signoffs`). Pure functions: the
bytes of evidence files are hashed by the caller (:mod:`riskcheck.pipeline`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.i18n import _, _n, current
from riskcheck.core.result import canonical_hash

#: The version of the content hash. Records without per-part hashes came before it.
SCHEME = 2
#: How many hex digits of each part's hash a sign-off record keeps: enough to name a change.
PART_DIGITS = 16
#: Stands in for the hash of evidence that could not be read or computed.
NOT_AVAILABLE = "not available"


def content_parts(
    compiled: CompiledQuestionnaire,
    answers: Any,
    system: Mapping[str, Any] | None,
    *,
    fairness_settings: Mapping[str, Any] | None = None,
    fairness_fingerprint: str | None = None,
    evidence_files: Mapping[str, str | None] | None = None,
    archived_answers: Sequence[Mapping[str, Any]] | None = None,
    translations: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Part name -> sha256 of that part. ``answers`` is an :class:`~riskcheck.core.engine.AnswerSet`;
    ``translations``: language -> sha256 of its catalogue's bytes (``None`` when unreadable)."""
    parts: dict[str, str] = {}
    for key, value in (system or {}).items():
        parts[f"system.{key}"] = canonical_hash(value)
    parts["questionnaire"] = compiled.sha256
    values, comments, evidence = answers.values, answers.comments, answers.evidence
    for qid in set(values) | set(comments) | set(evidence):
        text = "\x1f".join((_token(values.get(qid)), _token(comments.get(qid)), _token(evidence.get(qid, ()))))
        parts[f"answers.{qid}"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if fairness_settings is not None:
        parts["fairness.settings"] = canonical_hash(fairness_settings)
        parts["fairness.evidence"] = fairness_fingerprint or canonical_hash(NOT_AVAILABLE)
    if archived_answers:
        parts["archived_answers"] = canonical_hash(list(archived_answers))
    for link, digest in (evidence_files or {}).items():
        parts[f"evidence.{link}"] = digest or canonical_hash(NOT_AVAILABLE)
    for lang, digest in (translations or {}).items():
        parts[f"translation.{lang}"] = digest or canonical_hash(NOT_AVAILABLE)
    return dict(sorted(parts.items()))


def _token(value: Any) -> str:
    """An answer's value as unambiguous text: its type, then its content.

    Scoring runs once per assessment on every path, and a part per answer is hashed
    each time; this is several times faster than canonical JSON per answer. Text is
    JSON-quoted, so nothing inside it can pass for another value.
    """
    if value is None:
        return "n"
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, str):
        return "s" + encode_basestring(value)
    if isinstance(value, (frozenset, set)):
        return "S[" + ",".join(sorted(_token(v) for v in value)) + "]"
    if isinstance(value, (list, tuple)):
        return "L[" + ",".join(_token(v) for v in value) + "]"
    if isinstance(value, (dt.date, dt.datetime)):
        return "d" + value.isoformat()
    return "h" + canonical_hash(value)


def content_hash(
    compiled: CompiledQuestionnaire,
    answers: Any,
    system: Mapping[str, Any] | None,
    *,
    fairness_settings: Mapping[str, Any] | None = None,
    fairness_fingerprint: str | None = None,
    evidence_files: Mapping[str, str | None] | None = None,
    archived_answers: Sequence[Mapping[str, Any]] | None = None,
    translations: Mapping[str, str | None] | None = None,
) -> str:
    """The one hash a sign-off is recorded against: the same parts as :func:`content_parts`,
    hashed in one pass (scoring computes it every time; the parts only when a record
    needs them)."""
    covered: dict[str, Any] = {
        "scheme": SCHEME,
        "system": dict(system or {}),
        "questionnaire": compiled.sha256,
        "answers": answers.sha256,
        "fairness": None
        if fairness_settings is None
        else {"settings": fairness_settings, "evidence": fairness_fingerprint or NOT_AVAILABLE},
        "evidence_files": {link: digest or NOT_AVAILABLE for link, digest in (evidence_files or {}).items()},
    }
    if archived_answers:  # only when there are any: a file without them keeps its hash
        covered["archived_answers"] = list(archived_answers)
    if translations:  # likewise: a questionnaire without catalogues keeps its hashes
        covered["translations"] = {lang: digest or NOT_AVAILABLE for lang, digest in translations.items()}
    return canonical_hash(covered)


def translation_catalogues(questionnaire: Path) -> dict[str, Path]:
    """Each language's translation catalogue beside ``questionnaire``: ``q.fr.po`` -> ``{"fr": q.fr.po}``.

    The one place the naming lives: the report and the web form read these catalogues
    (:mod:`riskcheck.report.qcatalog`), and the content hash covers each of them.
    """
    prefix, found = questionnaire.stem + ".", {}
    try:
        names = sorted(entry.name for entry in questionnaire.parent.iterdir())
    except OSError:
        return {}
    for name in names:
        if name.startswith(prefix) and name.endswith(".po") and len(name) > len(prefix) + len(".po"):
            found[name[len(prefix) : -len(".po")]] = questionnaire.parent / name
    return found


def fairness_fingerprint(fairness: Mapping[str, Any] | None, evidence_hash: str | None = None) -> str | None:
    """The fingerprint of the fairness evidence measured: the data and model file hashes."""
    if fairness is None:
        return evidence_hash
    return canonical_hash({"data_sha256": fairness.get("data_sha256"), "model_sha256": fairness.get("model_sha256")})


def short_parts(parts: Mapping[str, str]) -> dict[str, str]:
    """What a sign-off record keeps of each part."""
    return {key: digest[:PART_DIGITS] for key, digest in parts.items()}


def changed_parts(recorded: Mapping[str, str], parts: Mapping[str, str]) -> list[str]:
    """The parts added, removed or changed since ``recorded`` (short hashes) was taken."""
    current = short_parts(parts)
    return sorted(key for key in set(recorded) | set(current) if recorded.get(key) != current.get(key))


def question_number(compiled: CompiledQuestionnaire, qid: str) -> str | None:
    """``2.3`` for the third question of the second section, as the report numbers them."""
    question = compiled.questions.get(qid)
    if question is None:
        return None
    return f"{question.section_index + 1}.{question.index + 1}"


#: The parts a reader knows by a name, in the language in use (``system.<field>`` keeps its own).
_PART_WORDS: dict[str, Callable[[], str]] = {
    "questionnaire": lambda: _("questionnaire"),
    "fairness.settings": lambda: _("fairness settings"),
    "fairness.evidence": lambda: _("fairness evidence"),
    "archived_answers": lambda: _("archived answers"),
}


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def describe_parts(keys: Iterable[str], compiled: CompiledQuestionnaire) -> str:
    """``system.purpose, answers 2.3 and 4.11, evidence file docs/dpia.pdf`` for a reader, in the language in use."""
    keys = list(keys)
    others: list[str] = []
    numbers: list[str] = []
    unknown: list[str] = []
    files: list[str] = []
    for key in keys:
        if key.startswith("answers."):
            number = question_number(compiled, key[len("answers.") :])
            if number is None:
                unknown.append(key[len("answers.") :])
            else:
                numbers.append(number)
        elif key.startswith("evidence."):
            files.append(key[len("evidence.") :])
        elif key.startswith("translation."):
            language = language_name(key[len("translation.") :])
            others.append(_("the {language} translation of the questionnaire", language=language))
        else:
            word = _PART_WORDS.get(key)
            others.append(word() if word is not None else key)
    words = list(others)
    if numbers:
        numbers.sort(key=_number_key)
        words.append(_n("answer {numbers}", "answers {numbers}", len(numbers), numbers=_and(numbers)))
    if unknown:
        words.append(_n("answer {numbers}", "answers {numbers}", len(unknown), numbers=_and(sorted(unknown))))
    if files:
        words.append(_n("evidence file {files}", "evidence files {files}", len(files), files=_and(files)))
    return ", ".join(words)


def language_name(lang: str) -> str:
    """``French`` for ``fr`` in English (``français`` in French), with Babel, which the
    report's extras bring; else the code itself."""
    try:
        from babel import Locale

        locale = Locale.parse(lang)
        reader = current().lang
        name = locale.english_name if reader == "en" else locale.get_display_name(reader)
        return str(name or lang)
    except Exception:  # no Babel, or a code it does not know
        return lang


def _and(items: list[str]) -> str:
    """``a, b and c``, with the language in use's word for "and"."""
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])
