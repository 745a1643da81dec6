"""The gate policy: what makes ``riskcheck check`` fail, stated once in ``pyproject.toml``.

A repository writes its policy in a ``[tool.riskcheck]`` table::

    [tool.riskcheck]
    fail-on = "high"
    require-signoff = true
    allow-incomplete = false
    max-severity = "medium"
    outdated-questionnaire = "warn"
    paths = ["assessments"]
    exclude = ["legacy", "**/drafts/*.yaml"]

Command-line options override the table. An unknown key is an error, not a silent
default: a misspelt ``require-sign-off`` must not quietly switch a check off.

With no ``fail-on`` from either, each assessment's questionnaire supplies its own
default gate (``gate: {fail_on: high}`` in the bundled ones); ``fail-on = "none"``
switches the tier check off explicitly. Blocking findings and fairness breaches fail
the gate whatever the policy.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from riskcheck.core.errors import RiskcheckError
from riskcheck.files.fileio import read_bounded_text

if TYPE_CHECKING:
    from riskcheck.core.compiler import CompiledQuestionnaire

from riskcheck.core.vocabulary import Severity

__all__ = ["NO_TIER", "AppliedPolicy", "Policy", "PolicyError", "Severity", "find_pyproject", "load_policy"]

#: ``fail-on = "none"``: no tier fails the gate, whatever the questionnaire's default.
NO_TIER = "none"

#: What an assessment pinned to an older questionnaire version than the newest available does.
OutdatedQuestionnaire = Literal["warn", "fail", "ignore"]

#: The largest pyproject.toml read.
MAX_PYPROJECT_BYTES = 1024 * 1024


class PolicyError(RiskcheckError):
    """The ``[tool.riskcheck]`` table of a pyproject.toml is invalid."""


class Policy(BaseModel):
    """The gate settings; every field has the command-line option of the same name."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fail_on: str | None = Field(
        None,
        alias="fail-on",
        description="Fail at or above this tier ('none': never on the tier). Default: the questionnaire's gate.",
    )
    require_signoff: bool = Field(
        False, alias="require-signoff", description="Fail unless every required role approved the current content."
    )
    allow_incomplete: bool = Field(
        False, alias="allow-incomplete", description="Do not fail on unanswered required questions."
    )
    max_severity: Severity | None = Field(
        None, alias="max-severity", description="The most severe finding allowed; anything above fails."
    )
    outdated_questionnaire: OutdatedQuestionnaire = Field(
        "warn",
        alias="outdated-questionnaire",
        description="An assessment pinned to an older questionnaire version than the newest available: "
        "'warn' (the default), 'fail' the gate, or 'ignore'.",
    )
    paths: tuple[str, ...] = Field(
        (), description="Assessment files or directories checked when none are given, relative to pyproject.toml."
    )
    trusted_models: tuple[str, ...] = Field(
        (),
        alias="trusted-models",
        description="The sha256 of each model file (pickle, joblib, or skops with types outside the allowlist) "
        "this project trusts to run code when loaded; see riskcheck.fairness.trust.",
    )
    exclude: tuple[str, ...] = Field(
        (),
        description="Paths or glob patterns, relative to pyproject.toml, that a directory search skips "
        "(a file named on the command line is always checked).",
    )
    data_tables: tuple[str, ...] = Field(
        (),
        alias="data-tables",
        description="Spark tables (catalog.schema.table; shell-style patterns such as 'lake.ml.*') that an "
        "assessment's fairness block may name with table: or sensitive_data:; no other table is read for a file.",
    )
    data_roots: tuple[str, ...] = Field(
        (),
        alias="data-roots",
        description="Folders outside the project (absolute, or relative to pyproject.toml) that an assessment's "
        "fairness block may read data, models and saved results from; inside the project needs no entry.",
    )
    #: Where ``fail_on`` was set, for the policy line every run prints.
    _fail_on_from: str = PrivateAttr("")
    #: The directory ``exclude`` patterns are relative to.
    _root: Path | None = PrivateAttr(None)

    @field_validator("trusted_models")
    @classmethod
    def _digests(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for digest in value:
            if len(digest) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in digest):
                raise ValueError("expected the sha256 of each trusted model file (64 hex digits)")
        return tuple(digest.lower() for digest in value)

    def merged(self, *, source: str = "--fail-on", **overrides: Any) -> Policy:
        """This policy with the options given on the command line (``None`` = not given).

        ``source`` names the option that set ``fail_on``, if it was given.
        """
        given = {name: value for name, value in overrides.items() if value is not None}
        policy = self.model_copy(update=given)
        if "fail_on" in given:
            policy._fail_on_from = source
        return policy

    def applied(self, questionnaire: CompiledQuestionnaire) -> AppliedPolicy:
        """The policy one assessment is gated by: the questionnaire's gate unless a tier is set."""
        fail_on, source = self.fail_on, self._fail_on_from or "[tool.riskcheck] fail-on"
        if fail_on is None:
            gate = questionnaire.spec.gate
            fail_on = gate.fail_on if gate is not None else None
            source = f"the default gate of {questionnaire.id}@{questionnaire.version}" if gate is not None else ""
        if fail_on == NO_TIER:
            fail_on = None
        return AppliedPolicy(
            fail_on=fail_on,
            fail_on_from=source if fail_on is not None or self.fail_on == NO_TIER else "",
            require_signoff=self.require_signoff,
            allow_incomplete=self.allow_incomplete,
            max_severity=self.max_severity,
            outdated_questionnaire=self.outdated_questionnaire,
        )

    def data_root_paths(self) -> tuple[Path, ...]:
        """``data-roots`` as folders, resolved against the pyproject.toml that lists them."""
        base = self._root or Path.cwd()
        return tuple(Path(os.path.abspath(base / root)).resolve() for root in self.data_roots)

    def excludes(self, path: Path, *, follow_links: bool = True) -> str | None:
        """The ``exclude`` pattern that matches ``path`` (or one of its folders), if any.

        ``follow_links=False`` matches a symbolic link by its own name, not its target's."""
        if not self.exclude:
            return None
        root = (self._root or Path.cwd()).resolve()
        named = Path(path).resolve() if follow_links else Path(path).parent.resolve() / Path(path).name
        try:
            relative = PurePosixPath(named.relative_to(root).as_posix())
        except ValueError:
            return None
        candidates = [str(relative), *(str(parent) for parent in relative.parents if str(parent) != ".")]
        for pattern in self.exclude:
            cleaned = pattern.strip("/").removeprefix("./")
            if any(fnmatch.fnmatchcase(candidate, cleaned) for candidate in candidates):
                return pattern
        return None

    def describe(self) -> dict[str, Any]:
        """The policy as JSON, with the option names users write."""
        return {
            "fail_on": self.fail_on,
            "require_signoff": self.require_signoff,
            "allow_incomplete": self.allow_incomplete,
            "max_severity": self.max_severity,
            "outdated_questionnaire": self.outdated_questionnaire,
        }


@dataclass(frozen=True)
class AppliedPolicy:
    """The policy in effect for one assessment, with where its tier came from."""

    fail_on: str | None
    #: "--fail-on", "[tool.riskcheck] fail-on", "the default gate of rai-prelaunch@1.0.0", or "".
    fail_on_from: str
    require_signoff: bool
    allow_incomplete: bool
    max_severity: Severity | None
    outdated_questionnaire: OutdatedQuestionnaire = "warn"

    def describe(self) -> dict[str, Any]:
        return {
            "fail_on": self.fail_on,
            "fail_on_from": self.fail_on_from or None,
            "require_signoff": self.require_signoff,
            "allow_incomplete": self.allow_incomplete,
            "max_severity": self.max_severity,
            "outdated_questionnaire": self.outdated_questionnaire,
        }

    def summary(self) -> str:
        """One line a person reads: what fails this assessment."""
        if self.fail_on is not None:
            tier = f"tier {self.fail_on} or above (fail-on from {self.fail_on_from})"
        elif self.fail_on_from:
            tier = f"no tier (fail-on none, from {self.fail_on_from})"
        else:
            tier = "no tier (no fail-on set, and the questionnaire declares no default gate)"
        parts = [f"fail on {tier}", "a blocking finding", "a fairness threshold breached"]
        if self.max_severity is not None:
            parts.append(f"a finding above {self.max_severity}")
        if not self.allow_incomplete:
            parts.append("an unanswered required question")
        if self.require_signoff:
            parts.append("a required role without a current approval")
        if self.outdated_questionnaire == "fail":
            parts.append("a questionnaire version older than the newest available")
        return "; ".join(parts)


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    directory = Path(start).resolve()
    if directory.is_file():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_policy(pyproject: Path | None) -> Policy:
    """Read ``[tool.riskcheck]`` from ``pyproject`` (no file or no table: the defaults)."""
    if pyproject is None:
        return Policy()
    text = read_bounded_text(pyproject, limit=MAX_PYPROJECT_BYTES)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{pyproject}: not valid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("riskcheck") if isinstance(tool, dict) else None
    if table is None:
        return Policy()
    policy = policy_from_table(table, source=str(pyproject))
    policy._root = pyproject.parent
    return policy


def policy_from_table(table: Any, *, source: str) -> Policy:
    """Validate a ``[tool.riskcheck]`` table; every problem is named with its key."""
    if not isinstance(table, Mapping):
        raise PolicyError(f"{source}: [tool.riskcheck]: expected a table, got {type(table).__name__}")
    try:
        return Policy.model_validate(dict(table))
    except ValidationError as exc:
        messages = []
        for error in exc.errors(include_url=False):
            key = ".".join(str(part) for part in error["loc"])
            if error["type"] == "extra_forbidden":
                known = ", ".join(_KEYS)
                messages.append(f"{source}: [tool.riskcheck] {key}: unknown key (known keys: {known})")
            else:
                from riskcheck.core.loader import validation_message

                message = validation_message(error)
                if ", got " not in message:  # a validator's own words: say what was found, too
                    message += f", got {error.get('input')!r}"
                messages.append(f"{source}: [tool.riskcheck] {key}: {message}")
        raise PolicyError("\n".join(messages)) from None


_KEYS = tuple(field.alias or name for name, field in Policy.model_fields.items())
