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
from riskcheck.errors import RiskcheckError
from riskcheck.loader import LoadedAssessment, load_assessment
from riskcheck.policy import Policy
from riskcheck.result import Result

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
class GateRun:
    policy: Policy
    baseline_revision: str | None
    assessments: tuple[CheckedAssessment, ...]

    @property
    def passed(self) -> bool:
        return all(a.passed for a in self.assessments)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Assessment files named, or found below the directories named (hidden paths skipped).

    A missing path, or a directory with no assessment in it, is an error: a gate
    that checks nothing must not pass.
    """
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = [
                candidate
                for candidate in sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
                if not any(part.startswith(".") for part in candidate.relative_to(path).parts)
                and _is_assessment(candidate)
            ]
            if not found:
                raise RiskcheckError(
                    f"{path}: no assessment files in this directory (looked for *.yaml and *.yml "
                    "files with a 'system:' key)"
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise RiskcheckError(f"{path}: no such file or directory")
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


def _is_assessment(path: Path) -> bool:
    from riskcheck.yamlio import load_yaml

    try:
        return "system" in load_yaml(path).data
    except RiskcheckError:
        return True  # unreadable YAML in an assessment directory is reported, not skipped


def load_all(files: Sequence[Path]) -> list[LoadedAssessment]:
    """Load every file, reporting the problems of all of them, and refuse duplicate system names."""
    loaded: list[LoadedAssessment] = []
    errors: list[str] = []
    for file in files:
        try:
            loaded.append(load_assessment(file))
        except RiskcheckError as exc:
            errors.append(str(exc))
    if errors:
        raise RiskcheckError("\n".join(errors))
    first: dict[str, LoadedAssessment] = {}
    for assessment in loaded:
        name = assessment.file.system.name
        key = name.casefold()
        if key in first:
            position = assessment.document.position(("system", "name"))
            where = f"{assessment.path}:{position[0]}:{position[1]}" if position else str(assessment.path)
            raise RiskcheckError(
                f"{where}: system.name: {name!r} is also the system name in {first[key].path}; "
                "each assessment must describe a different system"
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
    files = expand_paths(paths)
    loaded = load_all(files)
    if baseline is not None:
        from riskcheck.gitrev import verify_revision

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
        checked.append(CheckedAssessment(assessment, outcome, info))
    return GateRun(policy, baseline, tuple(checked))


def gate_one(assessment: LoadedAssessment, result: Result, policy: Policy) -> api.GateOutcome:
    return api.gate(
        result,
        assessment.path,
        fail_on=policy.fail_on,
        allow_incomplete=policy.allow_incomplete,
        require_signoff=policy.require_signoff,
        max_severity=policy.max_severity,
    )


def baseline_result(
    path: Path, revision: str, *, progress: Progress | None = None, warn: Progress | None = None
) -> Result | None:
    """The result of ``path`` as it was at ``revision``; ``None`` if the file is new since.

    The assessment and the files it refers to (questionnaire, fairness data, model,
    saved result) are all read as they were at the revision: see :mod:`riskcheck.gitrev`.
    """
    from riskcheck.gitrev import materialised

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
        role = signoff_role(reason, result)
        if role is None:
            return base.result.signoffs.status != "approved"
        return base_roles.get(role, "missing") != "approved"
    return any(r.kind == reason.kind and r.finding_id == reason.finding_id for r in base.reasons)


def signoff_role(reason: api.GateReason, result: Result) -> str | None:
    """The required role a sign-off reason is about."""
    if reason.role is not None:
        return reason.role
    for role in result.signoffs.required_roles:
        if f"role {role!r}" in reason.message:
            return role
    return None
