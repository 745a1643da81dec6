"""The gate over many assessments: expand paths, load, score, apply the policy and a baseline.

Pure of output: this module returns a :class:`GateRun`, and the command line and
the pytest plugin render it. Any exception other than :class:`RiskcheckError`
(a crash inside a fairness computation, say) propagates, so a bug can never pass
the gate silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from riskcheck import api
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.filekind import FileKind, classify
from riskcheck.core.loader import LoadedAssessment, load_assessment
from riskcheck.core.result import Result
from riskcheck.gate.policy import AppliedPolicy, Policy

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BaselineInfo:
    """What the assessment looked like at the baseline revision (``result`` is None if it did not exist)."""

    revision: str
    result: Result | None


@dataclass(frozen=True)
class CheckedAssessment:
    loaded: LoadedAssessment
    outcome: api.GateOutcome
    baseline: BaselineInfo | None = None
    #: The policy this assessment was gated by (``None``: the run's policy, applied to its questionnaire).
    applied: AppliedPolicy | None = None

    @property
    def path(self) -> Path:
        return self.loaded.path

    @property
    def result(self) -> Result:
        return self.outcome.result

    @property
    def passed(self) -> bool:
        return self.outcome.passed


@dataclass(frozen=True)
class SkippedFile:
    """A YAML file found in a directory and not checked, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Found:
    """What a search of the paths given found: files to check, and files skipped."""

    files: tuple[FileKind, ...]
    skipped: tuple[SkippedFile, ...]


@dataclass(frozen=True)
class GateRun:
    policy: Policy
    baseline_revision: str | None
    assessments: tuple[CheckedAssessment, ...]
    skipped: tuple[SkippedFile, ...] = ()

    @property
    def passed(self) -> bool:
        return all(a.passed for a in self.assessments)


def expand_paths(paths: Iterable[Path], policy: Policy | None = None) -> list[Path]:
    """The assessment files to check (see :func:`find`)."""
    return [found.path for found in find(paths, policy).files]


def find(paths: Iterable[Path], policy: Policy | None = None) -> Found:
    """Assessment files named, or found below the directories named.

    Below a directory, hidden paths and the policy's ``exclude`` patterns are skipped,
    and so is YAML that is plainly not an assessment (a questionnaire, a CI
    configuration); every skip is listed with its reason. A file with any sign of
    being an assessment (:mod:`riskcheck.core.filekind`) is checked, so its errors fail
    the gate. A file named explicitly is always checked. A missing path, or a
    directory with no assessment in it, is an error: a gate that checks nothing must
    not pass.
    """
    files: list[FileKind] = []
    skipped: list[SkippedFile] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = []
            for candidate in sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]):
                if any(part.startswith(".") for part in candidate.relative_to(path).parts):
                    continue
                pattern = policy.excludes(candidate) if policy is not None else None
                if pattern is not None:
                    skipped.append(SkippedFile(candidate, f"excluded by [tool.riskcheck] exclude {pattern!r}"))
                    continue
                kind = classify(candidate)
                if kind.kind == "assessment":
                    found.append(kind)
                else:
                    skipped.append(SkippedFile(candidate, kind.reason))
            if not found:
                raise RiskcheckError(
                    f"{path}: no assessment files in this directory (looked for *.yaml and *.yml "
                    f"files with any assessment key; {len(skipped)} other YAML file(s) skipped)"
                )
            files.extend(found)
        elif path.exists():
            files.append(FileKind(path, "assessment", "named on the command line"))
        else:
            raise RiskcheckError(f"{path}: no such file or directory")
    unique: dict[Path, FileKind] = {}
    for file in files:
        unique.setdefault(file.path.resolve(), file)
    return Found(tuple(unique.values()), tuple(skipped))


def load_all(files: Sequence[Path | FileKind]) -> list[LoadedAssessment]:
    """Load every file, reporting the problems of all of them, and refuse duplicate systems.

    Two assessments of the same system name are refused only when they answer the
    same questionnaire: a system's pre-launch check and its EU AI Act classification
    side by side in one folder is normal.
    """
    loaded: list[LoadedAssessment] = []
    errors: list[str] = []
    for file in files:
        path, document = (file.path, file.document) if isinstance(file, FileKind) else (Path(file), None)
        try:
            loaded.append(load_assessment(path, document=document))
        except RiskcheckError as exc:
            errors.append(str(exc))
    if errors:
        raise RiskcheckError("\n".join(errors))
    first: dict[tuple[str, str], LoadedAssessment] = {}
    for assessment in loaded:
        name = assessment.file.system.name
        key = (assessment.questionnaire.id, name.casefold())
        if key in first:
            position = assessment.document.position(("system", "name"))
            where = f"{assessment.path}:{position[0]}:{position[1]}" if position else str(assessment.path)
            raise RiskcheckError(
                f"{where}: system.name: {name!r} is also the system name in {first[key].path}, "
                f"which answers the same questionnaire ({assessment.questionnaire.id}); "
                "each assessment of a questionnaire must describe a different system"
            )
        first[key] = assessment
    return loaded


def run_gate(
    paths: Sequence[Path],
    policy: Policy,
    *,
    baseline: str | None = None,
    progress: Progress | None = None,
    warn: Progress | None = None,
) -> GateRun:
    """Check every assessment in ``paths`` against ``policy`` (and, if given, a baseline revision).

    ``warn`` receives a line for each file a baseline assessment refers to that git did
    not track at the revision, and that is therefore read from the working tree.
    """
    found = find(paths, policy)
    loaded = load_all(found.files)
    if baseline is not None:
        from riskcheck.files.gitrev import verify_revision

        verify_revision(baseline, loaded[0].path.parent)
    checked = []
    for assessment in loaded:
        outcome = gate_one(assessment, api.score(assessment, progress=progress), policy)
        info = None
        if baseline is not None:
            base_result = baseline_result(assessment.path, baseline, progress=progress, warn=warn)
            info = BaselineInfo(baseline, base_result)
            base_outcome = None if base_result is None else gate_one(assessment, base_result, policy)
            outcome = apply_baseline(outcome, base_outcome)
        checked.append(CheckedAssessment(assessment, outcome, info, policy.applied(assessment.questionnaire)))
    return GateRun(policy, baseline, tuple(checked), found.skipped)


def gate_one(assessment: LoadedAssessment, result: Result, policy: Policy) -> api.GateOutcome:
    applied = policy.applied(assessment.questionnaire)
    outcome = api.gate(
        result,
        assessment.path,
        fail_on=applied.fail_on,
        allow_incomplete=applied.allow_incomplete,
        require_signoff=applied.require_signoff,
        max_severity=applied.max_severity,
    )
    if applied.outdated_questionnaire == "fail":
        message = outdated_message(assessment)
        if message is not None:
            outcome = replace(outcome, reasons=(*outcome.reasons, api.GateReason("outdated", message)))
    return outcome


def newest_version(assessment: LoadedAssessment) -> str | None:
    """The newest available version of the assessment's questionnaire, when newer than the one it answers.

    A bundled questionnaire's versions are its current file and ``questionnaires/released/``;
    one given by path, that file and the ``released/`` folder beside it.
    """
    from riskcheck.core.migrations import semver_key
    from riskcheck.lifecycle.versions import bundled_catalog, path_catalog

    ref = assessment.file.questionnaire
    try:
        if ref.path is not None:
            path = Path(ref.path)
            catalog = path_catalog(path if path.is_absolute() else assessment.base_dir / path)
        elif ref.id is not None:
            catalog = bundled_catalog(ref.id)
        else:  # pragma: no cover - an assessment names its questionnaire by id or by path
            return None
        latest = catalog.latest()
    except (RiskcheckError, IndexError, OSError):
        return None
    pinned = assessment.questionnaire.version
    return latest if semver_key(latest) > semver_key(pinned) else None


def outdated_message(assessment: LoadedAssessment) -> str | None:
    """What to say when the assessment answers an older questionnaire version than the newest."""
    newest = newest_version(assessment)
    if newest is None:
        return None
    qid = assessment.questionnaire.id
    return (
        f"the assessment answers {qid}@{assessment.questionnaire.version}, but {qid}@{newest} is the newest "
        f"version; `riskcheck migrate {assessment.path}` moves the answers to it"
    )


def baseline_result(
    path: Path, revision: str, *, progress: Progress | None = None, warn: Progress | None = None
) -> Result | None:
    """The result of ``path`` as it was at ``revision``; ``None`` if the file is new since.

    The assessment and the files it refers to (questionnaire, fairness data, model,
    saved result) are all read as they were at the revision: see :mod:`riskcheck.files.gitrev`.
    """
    from riskcheck.files.gitrev import materialised

    with materialised(revision, path, warn=warn) as old:
        if old is None:
            return None
        try:
            return api.score(load_assessment(old.path), progress=progress)
        except RiskcheckError as exc:
            raise old.rename(exc) from None


def apply_baseline(head: api.GateOutcome, base: api.GateOutcome | None) -> api.GateOutcome:
    """Keep only the reasons that are new since ``base``; the others become ``accepted``.

    New risk is a higher tier, a finding that did not fail the baseline, a required
    question that was answered there, or a role whose approval was current there.
    """
    if base is None:
        return head
    new: list[api.GateReason] = []
    accepted: list[api.GateReason] = []
    for reason in head.reasons:
        (accepted if _in_baseline(reason, head.result, base) else new).append(reason)
    return replace(head, reasons=tuple(new), accepted=tuple(accepted))


def _in_baseline(reason: api.GateReason, result: Result, base: api.GateOutcome) -> bool:
    if reason.kind == "tier":
        return result.tier_index <= base.result.tier_index
    if reason.kind == "incomplete":
        return set(result.completeness.missing) <= set(base.result.completeness.missing)
    if reason.kind == "signoff":
        base_roles = dict(base.result.signoffs.roles)
        role = reason.role  # the gate names the role on the reason; None: the sign-off as a whole
        if role is None:
            return base.result.signoffs.status != "approved"
        return base_roles.get(role, "missing") != "approved"
    return any(r.kind == reason.kind and r.finding_id == reason.finding_id for r in base.reasons)
