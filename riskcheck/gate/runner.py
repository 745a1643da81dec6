"""The gate over many assessments: expand paths, load, score, decide, and apply a baseline.

Pure of output: this module returns a :class:`GateRun`, and the command line and
the pytest plugin render it. Any exception other than :class:`RiskcheckError`
(a crash inside a fairness computation, say) propagates, so a bug can never pass
the gate silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from riskcheck.core.errors import CheckFailed, RiskcheckError
from riskcheck.core.filekind import FileKind, classify
from riskcheck.core.loader import LoadedAssessment, load_assessment
from riskcheck.core.result import Result
from riskcheck.gate.decision import Check, GateOutcome, decide
from riskcheck.gate.policy import AppliedPolicy, Policy
from riskcheck.pipeline import assess

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BaselineInfo:
    """What the assessment looked like at the baseline revision (``result`` is None if it did not exist)."""

    revision: str
    result: Result | None


@dataclass(frozen=True)
class CheckedAssessment:
    loaded: LoadedAssessment
    outcome: GateOutcome
    #: The policy this assessment was gated by.
    applied: AppliedPolicy
    baseline: BaselineInfo | None = None

    @property
    def path(self) -> Path:
        return self.loaded.path

    @property
    def result(self) -> Result:
        return self.outcome.result

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.outcome.checks

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


class GateFailed(CheckFailed):
    """The gate ran, and at least one assessment failed it: exit code 1.

    Raised once the gate's report is printed and its outputs written, so the command
    line adds nothing to what the user has already been shown.
    """

    def __init__(self, run: GateRun) -> None:
        failed = sum(1 for a in run.assessments if not a.passed)
        super().__init__(f"the gate failed: {failed} of {len(run.assessments)} assessment(s) failed")
        self.run = run


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
            candidates, linked = _yaml_below(path)
            for folder in linked:
                # Fail closed: the assessments behind a link would go unchecked, so a link is an
                # error unless the project excludes it.
                pattern = policy.excludes(folder, follow_links=False) if policy is not None else None
                if pattern is None:
                    raise RiskcheckError(
                        f"{folder}: a symbolic link to a folder; riskcheck does not follow links, so the "
                        "assessments behind it would go unchecked: name its target on the command line, or "
                        "list it under [tool.riskcheck] exclude"
                    )
                skipped.append(SkippedFile(folder, f"excluded by [tool.riskcheck] exclude {pattern!r}"))
            for candidate in candidates:
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


def _yaml_below(root: Path) -> tuple[list[Path], list[Path]]:
    """The YAML files below ``root`` (``.yaml``/``.yml`` in any case; hidden paths left out),
    and the symbolic links to folders found on the way, which are not followed."""
    import os

    files: list[Path] = []
    linked: list[Path] = []
    for directory, folders, names in os.walk(root, followlinks=False):
        here = Path(directory)
        for folder in list(folders):
            if folder.startswith("."):
                folders.remove(folder)
            elif (here / folder).is_symlink():
                linked.append(here / folder)
        files.extend(
            here / name for name in names if not name.startswith(".") and Path(name).suffix.lower() in (".yaml", ".yml")
        )
    return sorted(files), sorted(linked)


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
        applied = policy.applied(assessment.questionnaire)
        outcome = decide(assessment, assess(assessment, progress=progress).result, applied)
        info = None
        if baseline is not None:
            base_result = baseline_result(assessment.path, baseline, progress=progress, warn=warn)
            info = BaselineInfo(baseline, base_result)
            base_outcome = None if base_result is None else decide(assessment, base_result, applied)
            outcome = apply_baseline(outcome, base_outcome, baseline)
        checked.append(CheckedAssessment(assessment, outcome, applied, info))
    return GateRun(policy, baseline, tuple(checked), found.skipped)


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
            return assess(load_assessment(old.path), progress=progress).result
        except RiskcheckError as exc:
            raise old.rename(exc) from None


def apply_baseline(head: GateOutcome, base: GateOutcome | None, revision: str) -> GateOutcome:
    """Mark ``accepted`` each failed check that the baseline ``revision`` already failed the same way.

    New risk is a higher tier, a required question that was answered there, a role
    whose approval was current there, or a finding that did not fail the baseline the
    same way (blocking, or above the maximum severity). An accepted check passes, and
    says so in its details.
    """
    if base is None:
        return head
    note = f"accepted: already present at the baseline {revision}"
    checks = tuple(
        replace(check, status="passed", accepted=True, details=(*check.details, note))
        if check.status == "failed" and _in_baseline(check, head.result, base)
        else check
        for check in head.checks
    )
    return replace(head, checks=checks)


def _in_baseline(check: Check, result: Result, base: GateOutcome) -> bool:
    if check.kind == "tier":
        return result.tier_index <= base.result.tier_index
    if check.kind == "completeness":
        return set(result.completeness.missing) <= set(base.result.completeness.missing)
    if check.kind == "signoff":
        if check.role is None:  # the sign-off as a whole
            return base.result.signoffs.status != "approved"
        return dict(base.result.signoffs.roles).get(check.role, "missing") != "approved"
    return any(old.id == check.id and old.status == "failed" and old.blocking == check.blocking for old in base.checks)
