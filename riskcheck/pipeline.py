"""One pipeline from assessment file to result.

The command line, :mod:`riskcheck.api`, the web form and the pytest plugin all go
through :func:`assess` (or, holding the evidence already, :func:`result_of`), so the
same file gives the same result, or the same error, on every path. From result to
report there is one function too, :func:`riskcheck.report.render.render_pdf` (the
core never imports the report package, so it is not re-exported here).

Evidence that is declared but cannot be computed is an error unless the caller
allows it explicitly; then the result says so and the report is a draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import AnswersError, RiskcheckError
from riskcheck.core.i18n import _, format_number
from riskcheck.core.links import is_local_link
from riskcheck.core.loader import (
    LoadedAssessment,
    fairness_paths_outside,
    fairness_tables_not_allowed,
    load_assessment,
)

if TYPE_CHECKING:
    from riskcheck.core.engine import AnswerSet
    from riskcheck.core.result import Result


@dataclass(frozen=True)
class Assessed:
    """An assessment as loaded, and its result."""

    loaded: LoadedAssessment
    result: Result


@dataclass(frozen=True)
class ContentInputs:
    """What the content hash covers beyond the questionnaire, answers and system block."""

    fairness_settings: Mapping[str, Any] | None
    evidence_files: Mapping[str, str | None]
    #: Draft reasons for local evidence files that could not be read, with their place.
    unreadable: tuple[str, ...]
    #: The answers a migration could not place, as the report shows them.
    archived_answers: tuple[Mapping[str, Any], ...] = ()
    #: Language -> sha256 of the questionnaire's translation catalogue (None when unreadable).
    translations: Mapping[str, str | None] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "fairness_settings": self.fairness_settings,
            "evidence_files": self.evidence_files,
            "archived_answers": self.archived_answers,
            "translations": self.translations,
        }


def content_inputs(loaded: LoadedAssessment) -> ContentInputs:
    """The fairness settings, the archived answers, the hash of every local evidence
    file an answer or an archived answer links to, and of each translation catalogue
    of the questionnaire."""
    from riskcheck.core.links import outside_project
    from riskcheck.core.questionnaire import EvidenceQuestion
    from riskcheck.files.fileio import MAX_EVIDENCE_BYTES, EvidenceTooLarge, sha256_evidence

    answers = loaded.answers
    links: dict[str, str] = {}  # link -> the question that makes it (the first one)
    for qid, compiled in loaded.questionnaire.questions.items():
        value = answers.values.get(qid)
        if isinstance(compiled.question, EvidenceQuestion) and isinstance(value, (list, tuple)):
            for link in value:
                links.setdefault(str(link).strip(), qid)
    for qid, items in answers.evidence.items():
        for link in items:
            links.setdefault(link.strip(), qid)
    files: dict[str, str | None] = {}
    unreadable: list[str] = []
    for link, qid in sorted(links.items()):
        if not is_local_link(link):
            continue
        target = loaded.base_dir / link.split("#", 1)[0]
        too_large = False
        try:
            inside = outside_project(loaded.base_dir, link) is None
            files[link] = sha256_evidence(target)[0] if inside and target.is_file() else None
        except EvidenceTooLarge:
            files[link] = None
            too_large = True
        except OSError:
            files[link] = None
        if files[link] is None:
            position = loaded.answer_position(qid)
            where = f"{loaded.path}:{position[0]}:{position[1]}" if position else str(loaded.path)
            place = f"{where}: answers.{qid}"
            if too_large:
                limit = format_number(MAX_EVIDENCE_BYTES // 1024**2)
                unreadable.append(
                    _(
                        "{place}: evidence file {link} is larger than {limit} MiB, the most riskcheck hashes",
                        place=place,
                        link=link,
                        limit=limit,
                    )
                )
            else:
                unreadable.append(_("{place}: evidence file {link} not found", place=place, link=link))
    archived = tuple(a.model_dump(mode="json") for a in loaded.file.archived_answers)
    for link in sorted({str(e).strip() for a in loaded.file.archived_answers for e in a.evidence}):
        # Shown in the report's evidence register; a missing one is not a draft reason.
        if link in files or not is_local_link(link):
            continue
        target = loaded.base_dir / link.split("#", 1)[0]
        try:
            inside = outside_project(loaded.base_dir, link) is None
            files[link] = sha256_evidence(target)[0] if inside and target.is_file() else None
        except OSError:
            files[link] = None
    settings = loaded.file.fairness.model_dump(mode="json") if loaded.file.fairness is not None else None
    saved = loaded.file.fairness.result if loaded.file.fairness is not None else None
    if saved is not None and saved not in files:
        # A saved fairness result holds the figures themselves, which the data and model
        # hashes inside it do not cover: its bytes are covered, as an evidence file's are.
        target = loaded.base_dir / saved
        try:
            files[saved] = sha256_evidence(target)[0] if target.is_file() else None
        except OSError:
            files[saved] = None
    return ContentInputs(settings, files, tuple(unreadable), archived, _translations(loaded))


def _translations(loaded: LoadedAssessment) -> dict[str, str | None]:
    """The hash of each translation catalogue beside the questionnaire, which readers see in place of its text."""
    from riskcheck.core.content import translation_catalogues
    from riskcheck.files.fileio import sha256_evidence

    digests: dict[str, str | None] = {}
    for lang, path in translation_catalogues(Path(loaded.questionnaire.source)).items():
        try:
            digests[lang] = sha256_evidence(path)[0] if path.is_file() else None
        except OSError:  # unreadable or too large: an approval given over it goes stale
            digests[lang] = None
    return digests


def assess(
    source: Path | LoadedAssessment,
    *,
    allow_missing_evidence: bool = False,
    progress: Callable[[str], None] | None = None,
    as_of: dt.date | None = None,
    skip_fairness: bool = False,
) -> Assessed:
    """Load (unless given loaded), compute the fairness evidence and score: the one path to a result.

    When the fairness evidence cannot be computed, this raises the error, unless
    ``allow_missing_evidence``: then the result has no fairness figures and its
    ``draft`` reasons say why. ``skip_fairness`` leaves the evidence out on purpose
    (a quick look); the result is then a draft too. Dated duties are compared with
    ``as_of``, else the system's ``assessed_on``.
    """
    loaded = source if isinstance(source, LoadedAssessment) else load_assessment(Path(source))
    fairness = None
    evidence_hash = None
    missing: list[str] = []
    if loaded.file.fairness is not None and skip_fairness:
        missing.append(_("fairness evidence was not computed (skipped on request)"))
    elif loaded.file.fairness is not None:
        try:
            fairness = evaluate_fairness_block(loaded, progress=progress)
        except RiskcheckError as exc:
            if not allow_missing_evidence:
                raise
            missing.append(_("fairness evidence could not be computed: {error}", error=_first_line(exc)))
        else:
            evidence_hash = fairness_evidence_hash(loaded, fairness)
    result = result_of(loaded, fairness=fairness, evidence_hash=evidence_hash, missing_evidence=missing, as_of=as_of)
    return Assessed(loaded, result)


def evaluate_fairness_block(loaded: LoadedAssessment, progress: Callable[[str], None] | None = None) -> Any:
    """Run (or read) the assessment's fairness evidence. Needs the ``fairness`` extra."""
    spec = loaded.file.fairness
    assert spec is not None
    policy = _project_policy()
    refused = [
        *fairness_paths_outside(loaded, policy.data_root_paths()),
        *fairness_tables_not_allowed(loaded, policy.data_tables),
    ]
    if refused:
        raise AnswersError.from_problems(refused)
    from riskcheck.core.optional import optional_extra

    with optional_extra("fairness", "fairlearn"):
        from riskcheck.fairness.api import evaluate_fairness
    try:
        return evaluate_fairness(spec, loaded.base_dir, progress=progress)
    except RiskcheckError as exc:
        raise type(exc)(f"{loaded.path}: fairness: {exc}", exc.problems) from None


def fairness_evidence_hash(loaded: LoadedAssessment, fairness: Any) -> str:
    from riskcheck.core.result import canonical_hash

    data = fairness.to_dict()
    spec = loaded.file.fairness
    return canonical_hash(
        {
            "spec": spec.model_dump(mode="json") if spec is not None else None,
            "data_sha256": data.get("data_sha256"),
            "model_sha256": data.get("model_sha256"),
        }
    )


def _project_policy() -> Any:
    """The ``[tool.riskcheck]`` table of the pyproject.toml above the working directory: the
    project riskcheck runs in, whose ``data-roots`` and ``data-tables`` say what a fairness
    block may read (as for trusted models, never a pyproject.toml beside the assessment)."""
    from riskcheck.gate.policy import find_pyproject, load_policy

    return load_policy(find_pyproject(Path.cwd()))


def result_of(
    loaded: LoadedAssessment,
    *,
    fairness: Any = None,
    evidence_hash: str | None = None,
    missing_evidence: Sequence[str] = (),
    as_of: dt.date | None = None,
    answers: AnswerSet | None = None,
    system: Mapping[str, Any] | None = None,
) -> Result:
    """Score ``loaded`` once its fairness evidence is known (or known to be missing).

    The second half of :func:`assess`, for a caller that holds the evidence already:
    the web form, which computes it once per file version and scores ``answers`` and
    ``system`` as they are being edited. The content hash covers the same parts on
    every path.
    """
    from riskcheck.core.engine import evaluate

    inputs = content_inputs(loaded)
    return evaluate(
        loaded.questionnaire,
        loaded.answers if answers is None else answers,
        system=loaded.system() if system is None else system,
        fairness=fairness,
        signoffs=loaded.signoffs,
        evidence_hash=evidence_hash,
        missing_evidence=(*missing_evidence, *inputs.unreadable),
        as_of=as_of,
        migrations=loaded.migrations,
        **inputs.as_kwargs(),
    )


def content_parts_of(loaded: LoadedAssessment, result: Result) -> dict[str, str]:
    """The hash of each part ``result``'s content hash covers, for a sign-off record."""
    from riskcheck.core.content import content_parts, fairness_fingerprint

    inputs = content_inputs(loaded)
    return content_parts(
        loaded.questionnaire,
        loaded.answers,
        loaded.system(),
        fairness_settings=inputs.fairness_settings,
        fairness_fingerprint=fairness_fingerprint(result.fairness, result.hashes.evidence),
        evidence_files=inputs.evidence_files,
        archived_answers=inputs.archived_answers,
        translations=inputs.translations,
    )


def _first_line(exc: RiskcheckError) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
