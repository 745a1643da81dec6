"""A pytest plugin: ``pytest --riskcheck`` collects assessment files as tests.

Each assessment gives one test per check of the gate (the tier, completeness, each
rule, each fairness threshold, each required sign-off), so a failing rule reads
like a failing test, with its figures. The policy is the repository's
``[tool.riskcheck]`` table, overridable with ``--riskcheck-*`` options.

Registered through the ``pytest11`` entry point; it does nothing without
``--riskcheck``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.vocabulary import SEVERITIES
from riskcheck.gate.decision import Check


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("riskcheck", "riskcheck assessments as tests")
    group.addoption(
        "--riskcheck", action="store_true", default=False, help="Collect riskcheck assessment YAML files as tests."
    )
    group.addoption(
        "--riskcheck-fail-on",
        metavar="TIER",
        default=None,
        help="Fail at or above this tier ('none': never on the tier). Default: the questionnaire's default gate.",
    )
    group.addoption(
        "--riskcheck-require-signoff",
        action="store_true",
        default=None,
        help="Fail unless every required role approved the current content.",
    )
    group.addoption(
        "--riskcheck-allow-incomplete",
        action="store_true",
        default=None,
        help="Do not fail on unanswered required questions.",
    )
    group.addoption(
        "--riskcheck-max-severity", choices=SEVERITIES, default=None, help="The most severe finding allowed."
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    """The policy in effect, printed on every run, as ``riskcheck check`` does."""
    if not config.getoption("riskcheck"):
        return None
    try:
        policy = _policy(config)
    except RiskcheckError as exc:
        return f"riskcheck policy: {exc}"
    if policy.fail_on is None:
        tier = "each questionnaire's default gate"
    else:
        tier = f"fail-on {policy.fail_on}"
    parts = [tier, "blocking findings and fairness breaches fail"]
    if policy.max_severity is not None:
        parts.append(f"max-severity {policy.max_severity}")
    parts.append("allow-incomplete" if policy.allow_incomplete else "unanswered required questions fail")
    if policy.require_signoff:
        parts.append("require-signoff")
    return "riskcheck policy: " + "; ".join(parts)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "riskcheck: a check of a riskcheck assessment")


def _policy(config: pytest.Config) -> Any:
    cached = getattr(config, "_riskcheck_policy", None)
    if cached is not None:
        return cached
    from riskcheck.gate.policy import find_pyproject, load_policy

    policy = load_policy(find_pyproject(config.rootpath)).merged(
        fail_on=config.getoption("riskcheck_fail_on"),
        require_signoff=config.getoption("riskcheck_require_signoff"),
        allow_incomplete=config.getoption("riskcheck_allow_incomplete"),
        max_severity=config.getoption("riskcheck_max_severity"),
        source="--riskcheck-fail-on",
    )
    config._riskcheck_policy = policy  # type: ignore[attr-defined]
    return policy


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not parent.config.getoption("riskcheck") or file_path.suffix not in (".yaml", ".yml"):
        return None
    from riskcheck.core.filekind import is_assessment

    # The same decision as `riskcheck check DIR`: a file with any sign of being an
    # assessment (a broken one included) is collected, so its errors fail the run.
    try:
        excluded = _policy(parent.config).excludes(file_path)
    except RiskcheckError:
        excluded = None  # the policy error is reported when the file is collected
    if excluded is not None or not is_assessment(file_path):
        return None
    collector: AssessmentFile = AssessmentFile.from_parent(parent, path=file_path)
    return collector


class AssessmentFile(pytest.File):
    """An assessment: loaded and scored once, then one item per check."""

    def collect(self) -> Iterator[pytest.Item]:
        from riskcheck.core.loader import load_assessment
        from riskcheck.gate.decision import decide
        from riskcheck.pipeline import assess

        try:
            policy = _policy(self.config)
            loaded = load_assessment(self.path)
            outcome = decide(loaded, assess(loaded).result, policy.applied(loaded.questionnaire))
        except RiskcheckError as exc:
            raise self.CollectError(f"riskcheck: {exc}") from None
        system = loaded.file.system.name
        for check in outcome.checks:
            yield CheckItem.from_parent(self, name=check.id, check=check, system=system)


class CheckFailed(Exception):
    """A gate check that did not hold."""

    def __init__(self, check: Check) -> None:
        super().__init__(check.message)
        self.check = check


class CheckItem(pytest.Item):
    def __init__(self, *, check: Check, system: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.system = system
        self.add_marker(pytest.mark.riskcheck)

    def runtest(self) -> None:
        if self.check.status == "skipped":
            # Reported at the assessment's line, not inside this plugin.
            raise pytest.skip.Exception(self.check.message, _use_item_location=True)
        if self.check.status == "failed":
            raise CheckFailed(self.check)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            check = excinfo.value.check
            where = f"{self.path}:{check.line}" if check.line is not None else str(self.path)
            lines = [f"{where}: {self.system}: {check.name} failed", f"  {check.message}"]
            lines += [f"    {detail}" for detail in check.details]
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = None if self.check.line is None else self.check.line - 1
        return self.path, line, f"riskcheck {self.system}: {self.check.name}"
