"""The public Python API. Each command line command is a thin wrapper around one of these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.loader import LoadedAssessment, load_assessment, load_questionnaire
from riskcheck.files.yamlio import Document, load_yaml

if TYPE_CHECKING:
    # Scoring modules are imported where used, so that `riskcheck validate` starts fast.
    from riskcheck.core.compiler import CompiledQuestionnaire
    from riskcheck.core.result import Result
    from riskcheck.gate.decision import GateOutcome

Kind = Literal["questionnaire", "assessment"]


def detect_kind(path: Path) -> Kind:
    """``assessment`` when the file shows any sign of one (:mod:`riskcheck.core.filekind`), else ``questionnaire``."""
    return _kind_of(load_yaml(Path(path)))


def _kind_of(document: Document) -> Kind:
    from riskcheck.core.filekind import kind_of

    return "assessment" if kind_of(document.data)[0] == "assessment" else "questionnaire"


def validate(path: Path) -> Kind:
    """Validate a questionnaire or an assessment; raise :class:`RiskcheckError` listing every problem."""
    from riskcheck.core.errors import Problem
    from riskcheck.core.filekind import neither_message

    document = load_yaml(Path(path))
    kind = _kind_of(document)
    if kind == "assessment":
        load_assessment(path, document=document)
    else:
        message = neither_message(document.data)
        if message is not None:
            raise RiskcheckError.from_problems([Problem(document.file, message, 1, 1)])
        load_questionnaire(path, document=document)
    return kind


def score(
    path: Path | LoadedAssessment,
    *,
    with_fairness: bool = True,
    progress: Callable[[str], None] | None = None,
    as_of: dt.date | None = None,
) -> Result:
    """Score an assessment file, computing its fairness block when it has one.

    Dated duties are compared with ``as_of``, else the system's ``assessed_on``.
    Goes through :func:`riskcheck.pipeline.assess`, like every other path; without
    ``with_fairness`` the fairness evidence is left out and the result is a draft.
    """
    from riskcheck.pipeline import assess

    return assess(path, progress=progress, as_of=as_of, skip_fairness=not with_fairness).result


def evaluate_fairness_block(loaded: LoadedAssessment, progress: Callable[[str], None] | None = None) -> Any:
    """Run (or read) the assessment's fairness evidence. Needs the ``fairness`` extra."""
    from riskcheck.pipeline import evaluate_fairness_block as evaluate

    return evaluate(loaded, progress=progress)


def fairness_evidence_hash(loaded: LoadedAssessment, fairness: Any) -> str:
    """The hash that binds a result to the fairness settings and the data and model it was computed on."""
    from riskcheck.pipeline import fairness_evidence_hash as evidence_hash

    return evidence_hash(loaded, fairness)


def questionnaire(path_or_id: str | Path) -> CompiledQuestionnaire:
    """Load a questionnaire by file path or bundled id."""
    from riskcheck.core.loader import bundled_questionnaire, bundled_questionnaires

    bundled = bundled_questionnaires()
    text = str(path_or_id)
    qid = text.split("@", 1)[0]
    if qid in bundled and not Path(text).exists():
        loaded = load_questionnaire(
            bundled_questionnaire(qid, text.split("@", 1)[1] if "@" in text else None) or bundled[qid]
        )
        if "@" in text and text.split("@", 1)[1] != loaded.version:
            raise RiskcheckError(
                f"bundled questionnaire {qid} is version {loaded.version}, not {text.split('@', 1)[1]}"
            )
        return loaded
    path = Path(text)
    if not path.exists():
        known = ", ".join(sorted(bundled)) or "none"
        raise RiskcheckError(f"{text}: no such file, and not a bundled questionnaire id (bundled: {known})")
    return load_questionnaire(path)


# ---------------------------------------------------------------- the gate


def gate(
    result: Result,
    path: Path,
    *,
    fail_on: str | None = None,
    allow_incomplete: bool = False,
    require_signoff: bool = False,
    max_severity: str | None = None,
) -> GateOutcome:
    """The gate's checks of the assessment at ``path``, given its ``result`` (:func:`riskcheck.gate.decision.decide`).

    Without ``fail_on`` no tier fails (unlike :func:`check`, which applies the
    questionnaire's default gate). ``max_severity`` is the most severe finding allowed.
    """
    from riskcheck.gate.decision import decide
    from riskcheck.gate.policy import NO_TIER, Policy

    loaded = load_assessment(Path(path))
    policy = Policy().merged(
        fail_on=fail_on or NO_TIER,
        allow_incomplete=allow_incomplete,
        require_signoff=require_signoff,
        max_severity=max_severity,
        source="fail_on",
    )
    return decide(loaded, result, policy.applied(loaded.questionnaire))


def check(
    path: Path,
    *,
    fail_on: str | None = None,
    allow_incomplete: bool = False,
    require_signoff: bool = False,
    max_severity: str | None = None,
) -> GateOutcome:
    """Score ``path`` and apply the gate, as ``riskcheck check`` does.

    With no ``fail_on``, the questionnaire's default gate applies (``gate: {fail_on: high}``
    in the bundled ones); ``fail_on="none"`` switches the tier check off. The outcome's
    ``failed`` checks say why it fails.
    """
    from riskcheck.gate.decision import decide
    from riskcheck.gate.policy import Policy

    policy = Policy().merged(
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        require_signoff=require_signoff,
        max_severity=max_severity,
        source="fail_on",
    )
    loaded = load_assessment(Path(path))
    return decide(loaded, score(loaded), policy.applied(loaded.questionnaire))


def schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema of a questionnaire or an assessment file."""
    if kind == "questionnaire":
        from riskcheck.core.questionnaire import Questionnaire

        data = Questionnaire.model_json_schema()
        data["title"] = "riskcheck questionnaire"
    elif kind == "assessment":
        from riskcheck.core.assessment import AssessmentFile

        data = AssessmentFile.model_json_schema()
        data["title"] = "riskcheck assessment"
        _questionnaire_reference_forms(data)
    else:
        raise RiskcheckError(f"unknown schema {kind!r}; expected questionnaire or assessment")
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return data


def _questionnaire_reference_forms(data: dict[str, Any]) -> None:
    """State both forms of ``questionnaire:`` the loader takes, as editors only see the schema.

    pydantic describes the mapping; the loader also reads ``rai-prelaunch@1.0.0``, and
    takes ``path`` or ``id`` with ``version``, never both.
    """
    from riskcheck.core.questionnaire import SEMVER_PATTERN, SLUG_PATTERN

    mapping = dict(data["$defs"]["QuestionnaireRef"])
    description = mapping.pop("description", None)
    mapping["oneOf"] = [
        {"required": ["path"], "not": {"required": ["id"]}},
        {"required": ["id", "version"], "not": {"required": ["path"]}},
    ]
    text = {
        "type": "string",
        "pattern": SLUG_PATTERN.removesuffix("$") + "@" + SEMVER_PATTERN.removeprefix("^"),
        "description": "A bundled questionnaire as id@version, e.g. rai-prelaunch@1.0.0.",
    }
    data["$defs"]["QuestionnaireRef"] = {"description": description, "anyOf": [text, mapping]}


def new_assessment(
    questionnaire_ref: str | Path,
    output: Path,
    *,
    name: str = "",
    owner: str = "",
    force: bool = False,
    words: Mapping[str, str] | None = None,
) -> CompiledQuestionnaire:
    """Write a new assessment skeleton for a bundled questionnaire id or a questionnaire file.

    Never overwrites an existing file unless ``force`` is given. ``words`` translates the
    questionnaire's text in the skeleton's comments (English -> the reader's language).
    """
    import json
    import os

    from riskcheck.authoring.skeleton import assessment_skeleton
    from riskcheck.files.fileio import check_output, write_output

    output = Path(output)
    if output.exists() and not force:
        raise RiskcheckError(f"{output}: already exists; answers are never overwritten (use --force to replace it)")
    check_output(output, option="-o", create_parent=True)
    compiled = questionnaire(questionnaire_ref)
    reference = None
    if Path(questionnaire_ref).exists():
        relative = os.path.relpath(Path(questionnaire_ref).resolve(), output.resolve().parent)
        reference = f"{{path: {json.dumps(relative)}}}"
    skeleton = assessment_skeleton(compiled, name=name, owner=owner, reference=reference, words=words)
    write_output(output, skeleton, option="-o", create_parent=True)
    return compiled


def coverage(questionnaire_ref: str | Path) -> list[tuple[str, list[str], list[str]]]:
    """For each framework clause referenced: the questions and the rules that address it."""
    from riskcheck.authoring.coverage import clause_coverage

    return clause_coverage(questionnaire(questionnaire_ref))


def iter_assessment_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into the assessment files below them, as ``riskcheck check`` does."""
    from riskcheck.gate.runner import expand_paths

    return expand_paths(paths)
