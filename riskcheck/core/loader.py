"""Load questionnaires and assessments from YAML, reporting every problem with its position."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from riskcheck.core.compiler import CompiledQuestionnaire, compile_questionnaire
from riskcheck.core.errors import AnswersError, Problem, RiskcheckError, SpecError
from riskcheck.core.i18n import _, _n, current, format_short
from riskcheck.core.questionnaire import (
    DateQuestion,
    EvidenceQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from riskcheck.files.yamlio import Document, format_loc, load_yaml

if TYPE_CHECKING:
    from riskcheck.core.assessment import AssessmentFile
    from riskcheck.core.engine import AnswerSet, MigrationInput, SignoffInput

Model = TypeVar("Model", bound=BaseModel)

#: The installed ``riskcheck`` package (this module is ``riskcheck/core/loader.py``).
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def bundled_dir(name: str) -> Path:
    """A directory shipped with riskcheck: inside the wheel, or at the top of a checkout."""
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    # In a checkout the directories sit at the top, as pyproject's force-include maps them.
    return _PACKAGE_DIR.parent / _CHECKOUT_DIRS.get(name, name)


#: Bundled name -> its directory in a checkout (pyproject.toml force-include, reversed).
_CHECKOUT_DIRS = {"templates": "reports/templates"}


def bundled_questionnaires() -> dict[str, Path]:
    """Bundled questionnaire id -> the file of its current version."""
    directory = bundled_dir("questionnaires")
    return {p.stem: p for p in sorted(directory.glob("*.yaml"))} if directory.is_dir() else {}


#: Released versions kept loadable beside the current one: ``released/ID@VERSION.yaml``.
RELEASED_DIR = "released"


def bundled_questionnaire(qid: str, version: str | None = None) -> Path | None:
    """The file of bundled questionnaire ``qid`` at ``version``.

    A released version lives under ``questionnaires/released/ID@VERSION.yaml``, so an
    assessment pinned to it keeps working after a newer version ships. Otherwise the
    current file is returned, and the caller's version check reports a mismatch.
    """
    if version is not None:
        released = bundled_dir("questionnaires") / RELEASED_DIR / f"{qid}@{version}.yaml"
        if released.is_file():
            return released
    return bundled_questionnaires().get(qid)


def bundled_versions(qid: str) -> list[str]:
    """The released versions of ``qid`` kept beside its current one, oldest first by name."""
    directory = bundled_dir("questionnaires") / RELEASED_DIR
    if not directory.is_dir():
        return []
    return [p.stem.split("@", 1)[1] for p in sorted(directory.glob(f"{qid}@*.yaml"))]


# ---------------------------------------------------------------- pydantic errors


def validate_model(model: type[Model], document: Document, error: type[RiskcheckError]) -> Model:
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise error.from_problems(problems_from_validation(exc, document)) from None


def problems_from_validation(
    exc: ValidationError, document: Document, prefix: Sequence[str | int] = ()
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for item in exc.errors(include_url=False):
        loc = _data_loc(document.data, (*prefix, *item["loc"]))
        message = validation_message(item)
        key = (format_loc(loc), message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(document.problem(loc, message, key=item["type"] == "extra_forbidden"))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


def _data_loc(data: Any, loc: Sequence[Any]) -> tuple[str | int, ...]:
    """Drop the parts of a pydantic location that are not in the data (union member tags)."""
    result: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        in_mapping = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            result.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str):
            following = loc[index + 1 : index + 2]
            if following and following[0] in current:
                continue  # a union tag between a mapping and one of its keys
            if _is_type_name(part):
                continue
            result.append(part)  # a missing or unknown key: the place to look at
            current = None
    return tuple(result)


_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "date", "datetime", "none", "bytes"}


def _is_type_name(part: str) -> bool:
    return "[" in part or "-" in part or part in _TYPE_NAMES or any(c.isupper() for c in part)


def validation_messages(exc: ValidationError) -> list[str]:
    """Each error of ``exc`` as ``where: what was expected, got what``, in riskcheck's words.

    For settings that do not come from a YAML file (command-line options, a Python call,
    the ``[tool.riskcheck]`` table); a file's errors go through :func:`problems_from_validation`.
    """
    lines: list[str] = []
    for item in exc.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"] if not (isinstance(part, str) and _is_type_name(part)))
        line = f"{where}: {validation_message(item)}" if where else validation_message(item)
        if line not in lines:
            lines.append(line)
    return lines


def validation_message(item: Any) -> str:
    """One pydantic error in riskcheck's words: what was expected and what was found."""
    kind = item["type"]
    found = item.get("input")
    if kind == "extra_forbidden":
        return "unknown key; check its spelling (unknown keys are errors, not ignored)"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        ctx = item.get("ctx", {})
        return f"expected one of {ctx.get('expected_tags', '')}, got {ctx.get('tag', found)!r}"
    if kind == "union_tag_not_found":
        return f"missing '{item.get('ctx', {}).get('discriminator', 'type').strip(chr(39))}' key"
    text = str(item["msg"])
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
        return text
    if text.startswith(("Input should be greater", "Input should be less")):
        text = "expected a number " + text[len("Input should be ") :]
    elif text.startswith("Input should be "):
        text = "expected " + text[len("Input should be ") :]
    elif text.startswith("String should "):
        text = "expected text that should " + text[len("String should ") :]
    elif text.startswith("List should "):
        text = "expected a list that should " + text[len("List should ") :]
    else:
        text = text[0].lower() + text[1:]
    if kind != "missing":
        text += f", got {_show(found)}"
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse_wrong_kind(
    document: Document, expected: Literal["assessment", "questionnaire"], error: type[RiskcheckError]
) -> None:
    """One error for a questionnaire given as an assessment (or the reverse), not one per key."""
    from riskcheck.core.filekind import wrong_kind_message

    message = wrong_kind_message(document.data, expected)
    if message is not None:
        raise error.from_problems([Problem(document.file, message, 1, 1)])


# ---------------------------------------------------------------- questionnaires


#: Compiled questionnaires by (file, sha256 of its bytes): a gate over 300 assessments of
#: one 2,000-line questionnaire parses and compiles it once. A compiled questionnaire is
#: frozen, so sharing it is safe; a changed file has a new hash and is loaded afresh.
_COMPILED: dict[tuple[str, str], CompiledQuestionnaire] = {}
_COMPILED_MAX = 32
_COMPILED_LOCK = threading.Lock()


def load_questionnaire(path: Path, *, document: Document | None = None) -> CompiledQuestionnaire:
    """Load, validate and compile a questionnaire file (or its already parsed ``document``).

    A file is parsed and compiled once per process for each version of its content.
    """
    if document is not None:
        return _load_questionnaire(document)
    path = Path(path)
    key = _content_key(path)
    with _COMPILED_LOCK:
        cached = _COMPILED.get(key) if key is not None else None
    if cached is not None:
        return cached
    compiled = _load_questionnaire(load_yaml(path, what="questionnaire"))
    # Kept only if the file did not change while it was read.
    if key is not None and _content_key(path) == key:
        with _COMPILED_LOCK:
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = compiled
    return compiled


def _content_key(path: Path) -> tuple[str, str] | None:
    from riskcheck.files.fileio import MAX_YAML_BYTES, sha256_file

    try:
        if not path.is_file() or path.stat().st_size > MAX_YAML_BYTES:
            return None  # load_yaml reports it
        return str(path.resolve()), sha256_file(path)
    except OSError:
        return None


def _load_questionnaire(document: Document) -> CompiledQuestionnaire:
    _refuse_wrong_kind(document, "questionnaire", SpecError)
    spec = validate_model(Questionnaire, document, SpecError)
    return compile_questionnaire(spec, document)


def resolve_questionnaire_path(
    assessment: AssessmentFile, document: Document, base_dir: Path, *, root: Path | None = None
) -> Path:
    """The questionnaire file an assessment answers.

    A path must name a ``.yaml`` or ``.yml`` file: an assessment from elsewhere must
    not make riskcheck read, and quote in its errors, a file such as ``~/.netrc``.
    With ``root`` (the web form's directory), the file must also lie inside it.
    """
    ref = assessment.questionnaire
    if ref.path is not None:
        path = Path(ref.path)
        path = path if path.is_absolute() else base_dir / path
        where = ("questionnaire", "path")
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise AnswersError.from_problems(
                [document.problem(where, f"expected the path of a .yaml or .yml questionnaire, got {ref.path!r}")]
            )
        if root is not None:
            try:
                inside = path.resolve(strict=True).is_relative_to(root.resolve())
            except (OSError, RuntimeError):
                inside = False
            if not inside:
                raise AnswersError.from_problems(
                    [document.problem(where, f"{ref.path!r}: not a questionnaire in the served directory")]
                )
        if not path.is_file():
            found = "no such file" if not path.exists() else "not a regular file"
            raise AnswersError.from_problems(
                [document.problem(where, f"expected a questionnaire file, got {ref.path!r}: {found}")]
            )
        return path
    bundled = bundled_questionnaires()
    if ref.id not in bundled:
        known = ", ".join(sorted(bundled)) or "none"
        raise AnswersError.from_problems(
            [document.problem(("questionnaire",), f"unknown bundled questionnaire {ref.id!r} (bundled: {known})")]
        )
    return bundled_questionnaire(ref.id, ref.version) or bundled[ref.id]


# ---------------------------------------------------------------- assessments


@dataclass(frozen=True)
class LoadedAssessment:
    path: Path
    document: Document
    file: AssessmentFile
    questionnaire: CompiledQuestionnaire
    answers: AnswerSet
    signoffs: tuple[SignoffInput, ...]
    #: The file's log of ``riskcheck migrate`` runs (``migrated:``), oldest first.
    migrations: tuple[MigrationInput, ...] = ()

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def system(self) -> dict[str, Any]:
        return self.file.system.model_dump(mode="json", exclude_none=True)

    def answer_position(self, qid: str) -> tuple[int, int] | None:
        return self.document.position(("answers", qid), key=True)


def load_assessment(
    path: Path, *, document: Document | None = None, questionnaire_root: Path | None = None
) -> LoadedAssessment:
    """Load an assessment, its questionnaire, and check every answer against it.

    ``questionnaire_root`` confines a questionnaire given by path to that directory
    (bundled questionnaires are always allowed); the web form passes its own.
    """
    from riskcheck.core.assessment import AnswerEntry, AssessmentFile
    from riskcheck.core.engine import AnswerSet, MigrationInput, SignoffInput

    path = Path(path)
    if document is None:
        document = load_yaml(path, what="assessment")
    _refuse_wrong_kind(document, "assessment", AnswersError)
    assessment = validate_model(AssessmentFile, document, AnswersError)
    questionnaire_path = resolve_questionnaire_path(assessment, document, path.parent, root=questionnaire_root)
    questionnaire = load_questionnaire(questionnaire_path)
    ref = assessment.questionnaire
    problems: list[Problem] = []
    if ref.id is not None and (ref.id != questionnaire.id or ref.version != questionnaire.version):
        problems.append(
            document.problem(
                ("questionnaire",),
                f"the assessment answers {ref.id}@{ref.version}, but the questionnaire available is "
                f"{questionnaire.id}@{questionnaire.version}; update the assessment's questionnaire "
                "version after reviewing what changed",
            )
        )
    if ref.path is not None and ref.version is not None and ref.version != questionnaire.version:
        problems.append(
            document.problem(
                ("questionnaire", "version"),
                f"expected {ref.path} at version {ref.version} (the version pinned here), but the file is "
                f"{questionnaire.id}@{questionnaire.version}; update the pin after reviewing what changed",
            )
        )
    values: dict[str, Any] = {}
    comments: dict[str, str] = {}
    evidence: dict[str, tuple[str, ...]] = {}
    for qid, raw in assessment.answers.items():
        loc = ("answers", qid)
        compiled = questionnaire.questions.get(qid) if isinstance(qid, str) else None
        if compiled is None:
            problems.append(
                document.problem(loc, f"no question {qid!r} in {questionnaire.id}@{questionnaire.version}", key=True)
            )
            continue
        try:
            entry = AnswerEntry.model_validate(raw) if isinstance(raw, dict) else AnswerEntry(value=raw)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, document, loc))
            continue
        value_loc = (*loc, "value") if isinstance(raw, dict) else loc
        try:
            value = normalise_answer(compiled.question, entry.value)
        except ValueError as exc:
            problems.append(document.problem(value_loc, str(exc)))
            continue
        if value is not None and not entry.evidence and _needs_evidence(compiled.question, value):
            value = None  # its option requires evidence: the answer counts once a link is attached
        if value is not None:
            values[qid] = value
        if entry.comment:
            comments[qid] = entry.comment
        if entry.evidence:
            evidence[qid] = tuple(entry.evidence)
        links: list[tuple[tuple[str | int, ...], str]] = [
            ((*loc, "evidence", i), link) for i, link in enumerate(entry.evidence)
        ]
        if isinstance(compiled.question, EvidenceQuestion) and isinstance(value, tuple):
            links += [((*value_loc, i) if isinstance(entry.value, list) else value_loc, v) for i, v in enumerate(value)]
        problems.extend(_evidence_outside(document, path, links))
    for index, archived in enumerate(assessment.archived_answers):
        links = [(("archived_answers", index, "evidence", i), link) for i, link in enumerate(archived.evidence)]
        problems.extend(_evidence_outside(document, path, links))
    roles = questionnaire.spec.signoff.roles
    for index, record in enumerate(assessment.signoffs):
        if roles and record.role not in roles:
            problems.append(
                document.problem(
                    ("signoffs", index, "role"),
                    f"expected a sign-off role of {questionnaire.id}@{questionnaire.version} "
                    f"({', '.join(roles)}), got {record.role!r}",
                )
            )
    problems.extend(_uris_from_the_file(assessment, document))
    if problems:
        raise AnswersError.from_problems(problems)
    signoffs = tuple(
        SignoffInput(
            s.name, s.role, s.decision, s.comment, s.timestamp.isoformat(), s.content_sha256, s.covers, s.questionnaire
        )
        for s in assessment.signoffs
    )
    migrations = tuple(MigrationInput(m.source, m.target, m.timestamp.isoformat()) for m in assessment.migrated)
    if assessment.fairness is not None:
        # What a fairness block reads is an input of the command, so no output may replace it.
        from riskcheck.files.fileio import note_input_patterns

        block = assessment.fairness
        note_input_patterns(path.parent, block.data, block.model, block.result, block.sensitive_data)
    return LoadedAssessment(
        path=path,
        document=document,
        file=assessment,
        questionnaire=questionnaire,
        answers=AnswerSet(values, comments, evidence),
        signoffs=signoffs,
        migrations=migrations,
    )


def _evidence_outside(document: Document, path: Path, links: list[tuple[tuple[str | int, ...], str]]) -> list[Problem]:
    """A problem for each local evidence link that leads outside the assessment's project."""
    from riskcheck.core.links import is_local_link, outside_project

    found = []
    for loc, link in links:
        if not is_local_link(link):
            continue
        root = outside_project(path.parent, link)
        if root is not None:
            found.append(
                document.problem(
                    loc,
                    f"evidence link {link!r} leads outside the project; expected a path inside {root} "
                    "(relative to the assessment, not through a symlink out of it) or a URL",
                )
            )
    return found


def _uris_from_the_file(assessment: Any, document: Document) -> list[Problem]:
    """A URI as the fairness block's data: refused, as a file checked never widens what riskcheck
    reads (``s3a://`` would read with the runner's credentials); only ``--data`` may name one."""
    spec = assessment.fairness
    if spec is None:
        return []
    from riskcheck.fairness.sources import uri_scheme
    from riskcheck.fairness.spark import URI_FROM_FILE

    return [
        document.problem(("fairness", name), f"{value}: {URI_FROM_FILE}")
        for name in ("data", "sensitive_data")
        if (value := getattr(spec, name)) is not None and uri_scheme(value) is not None
    ]


def fairness_paths_outside(loaded: LoadedAssessment, allowed: Sequence[Path] = ()) -> list[Problem]:
    """A problem for each path of the fairness block (data, sensitive data, model, saved
    result) that leads outside the assessment's project and every ``allowed`` folder, after
    symlinks, as for evidence links: a file checked never makes riskcheck read, hash or
    quote a file outside them. ``allowed`` comes from whoever runs riskcheck (the
    ``data-roots`` of ``[tool.riskcheck]``); ``--data`` and ``--model`` on the command line
    are the runner's own choice and are not confined."""
    spec = loaded.file.fairness
    if spec is None:
        return []
    from riskcheck.core.links import path_outside_project
    from riskcheck.fairness.sources import uri_scheme

    found = []
    for name in ("data", "sensitive_data", "model", "result"):
        value = getattr(spec, name, None)
        if not isinstance(value, str) or not value.strip() or uri_scheme(value) is not None:
            continue
        root = path_outside_project(loaded.base_dir, value, allowed=allowed)
        if root is not None:
            also = f" or a data-roots folder ({', '.join(map(str, allowed))})" if allowed else ""
            found.append(
                loaded.document.problem(
                    ("fairness", name),
                    f"{value!r} leads outside the project; expected a path inside {root}{also}, or list the "
                    "folder under [tool.riskcheck] data-roots in the project's pyproject.toml",
                )
            )
    return found


def fairness_tables_not_allowed(loaded: LoadedAssessment, patterns: Sequence[str] = ()) -> list[Problem]:
    """A problem for each Spark table the fairness block names (``table:``, or a table as
    ``sensitive_data:``) that the project does not list under ``data-tables``: a table is
    read with the credentials of whoever runs riskcheck, so a file may name only the tables
    the project allows, as it may name only paths inside the project."""
    spec = loaded.file.fairness
    if spec is None:
        return []
    import fnmatch

    from riskcheck.fairness.spec import names_a_table

    named = []
    if spec.table is not None:
        named.append(("table", spec.table))
    sensitive = spec.sensitive_data
    if (
        sensitive is not None
        and spec.engine == "spark"
        and names_a_table(sensitive)
        and not (loaded.base_dir / sensitive).exists()
    ):
        named.append(("sensitive_data", sensitive))
    found = []
    for key, name in named:
        plain = name.replace("`", "")
        if not any(fnmatch.fnmatchcase(plain, pattern) for pattern in patterns):
            listed = ", ".join(patterns) if patterns else "none listed"
            found.append(
                loaded.document.problem(
                    ("fairness", key),
                    f"{name!r} is a table this file names; a file may read only the tables the project lists "
                    f"under [tool.riskcheck] data-tables in its pyproject.toml ({listed}); --table on the "
                    "command line is not limited",
                )
            )
    return found


def _needs_evidence(question: Question, value: Any) -> bool:
    from riskcheck.core.links import needs_evidence

    return needs_evidence(question, value)


def normalise_answer(question: Question, value: Any) -> Any:
    """Check ``value`` against ``question`` and return its canonical form (``None`` = unanswered).

    The reason of a ``ValueError`` is in the language in use (the web form and ``fill``
    show it); option values, numbers as typed and dates stay as the file writes them.
    """
    if value is None or (isinstance(value, str) and not value.strip() and not isinstance(question, TextQuestion)):
        return None
    if isinstance(question, YesNoQuestion):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
            return value.strip().lower() == "yes"
        raise ValueError(_("expected yes or no, got {value}", value=_show(value)))
    if isinstance(question, SingleChoiceQuestion):
        options = [o.value for o in question.options]
        text = _option_text(value)
        if text not in options:
            raise ValueError(
                _("expected one of: {options}; got {value}", options=", ".join(options), value=_show(value))
            )
        return text
    if isinstance(question, MultipleChoiceQuestion):
        return _choices(question, value)
    if isinstance(question, NumberQuestion):
        return _number_answer(question, value)
    if isinstance(question, TextQuestion):
        if not isinstance(value, str):
            raise ValueError(_("expected text, got {value}", value=_show(value)))
        if len(value) > question.max_length:
            raise ValueError(
                _(
                    "expected at most {limit} characters, got {length}",
                    limit=question.max_length,
                    length=len(value),
                )
            )
        return value if value.strip() else None
    if isinstance(question, DateQuestion):
        return _date_answer(question, value)
    if isinstance(question, EvidenceQuestion):
        links = value if isinstance(value, list) else [value]
        if not all(isinstance(link, str) and link.strip() for link in links):
            raise ValueError(_("expected a list of links (URLs or repository paths)"))
        return tuple(link.strip() for link in links)
    raise ValueError(f"unsupported question type {question.type!r}")  # pragma: no cover


def _choices(question: MultipleChoiceQuestion, value: Any) -> frozenset[str]:
    options = [o.value for o in question.options]
    items = value if isinstance(value, list) else [value]
    chosen: list[str] = []
    for item in items:
        text = _option_text(item)
        if text not in options:
            raise ValueError(
                _("expected options from: {options}; got {value}", options=", ".join(options), value=_show(item))
            )
        if text in chosen:
            raise ValueError(_("option {option} is selected twice", option=repr(text)))
        chosen.append(text)
    if len(chosen) < question.min_selected:
        raise ValueError(
            _n(
                "expected at least {count} selection(s), got {got}",
                "expected at least {count} selection(s), got {got}",
                question.min_selected,
                got=len(chosen),
            )
        )
    if question.max_selected is not None and len(chosen) > question.max_selected:
        raise ValueError(
            _n(
                "expected at most {count} selection(s), got {got}",
                "expected at most {count} selection(s), got {got}",
                question.max_selected,
                got=len(chosen),
            )
        )
    return frozenset(chosen)


def _number_answer(question: NumberQuestion, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(_("expected a number, got {value}", value=_show(value)))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("expected a finite number, got {value}", value=value))
    if isinstance(value, int) and value.bit_length() > 1024:  # beyond any float: 1.8e308
        raise ValueError(_("expected a number of at most 1.8e308, got a larger whole number"))
    if question.integer and not float(value).is_integer():
        raise ValueError(_("expected a whole number, got {value}", value=_shown_number(value)))
    if question.min is not None and value < question.min:
        raise ValueError(
            _("expected a number >= {min}, got {value}", min=_shown_number(question.min), value=_shown_number(value))
        )
    if question.max is not None and value > question.max:
        raise ValueError(
            _("expected a number <= {max}, got {value}", max=_shown_number(question.max), value=_shown_number(value))
        )
    return int(value) if float(value).is_integer() else float(value)


def _date_answer(question: DateQuestion, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("expected a date as YYYY-MM-DD, got {value}", value=_show(value))) from None
    if not isinstance(value, dt.date):
        raise ValueError(_("expected a date as YYYY-MM-DD, got {value}", value=_show(value)))
    if question.min is not None and value < question.min:
        raise ValueError(_("expected a date on or after {date}, got {value}", date=question.min, value=value))
    if question.max is not None and value > question.max:
        raise ValueError(_("expected a date on or before {date}, got {value}", date=question.max, value=value))
    return value


def _option_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _shown_number(value: float) -> str:
    """A number in an answer's message: as the file writes it in English, with the
    decimal separator of the language in use otherwise."""
    return _num(value) if current().lang == "en" else format_short(float(value))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
