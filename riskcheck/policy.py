"""The gate policy: what makes ``riskcheck check`` fail, stated once in ``pyproject.toml``.

A repository writes its policy in a ``[tool.riskcheck]`` table::

    [tool.riskcheck]
    fail-on = "high"
    require-signoff = true
    allow-incomplete = false
    max-severity = "medium"
    paths = ["assessments"]

Command-line options override the table. An unknown key is an error, not a silent
default: a misspelt ``require-sign-off`` must not quietly switch a check off.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from riskcheck.errors import RiskcheckError
from riskcheck.fileio import read_bounded_text

Severity = Literal["critical", "high", "medium", "low", "info"]

#: The largest pyproject.toml read.
MAX_PYPROJECT_BYTES = 1024 * 1024


class PolicyError(RiskcheckError):
    """The ``[tool.riskcheck]`` table of a pyproject.toml is invalid."""


class Policy(BaseModel):
    """The gate settings; every field has the command-line option of the same name."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fail_on: str | None = Field(None, alias="fail-on", description="Fail at or above this tier.")
    require_signoff: bool = Field(
        False, alias="require-signoff", description="Fail unless every required role approved the current content."
    )
    allow_incomplete: bool = Field(
        False, alias="allow-incomplete", description="Do not fail on unanswered required questions."
    )
    max_severity: Severity | None = Field(
        None, alias="max-severity", description="The most severe finding allowed; anything above fails."
    )
    paths: tuple[str, ...] = Field(
        (), description="Assessment files or directories checked when none are given, relative to pyproject.toml."
    )

    def merged(self, **overrides: Any) -> Policy:
        """This policy with the options given on the command line (``None`` = not given)."""
        given = {name: value for name, value in overrides.items() if value is not None}
        return self.model_copy(update=given)

    def describe(self) -> dict[str, Any]:
        """The policy as JSON, with the option names users write."""
        return {
            "fail_on": self.fail_on,
            "require_signoff": self.require_signoff,
            "allow_incomplete": self.allow_incomplete,
            "max_severity": self.max_severity,
        }


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
    return policy_from_table(table, source=str(pyproject))


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
                message = str(error["msg"]).removeprefix("Value error, ")
                messages.append(f"{source}: [tool.riskcheck] {key}: {message}, got {error.get('input')!r}")
        raise PolicyError("\n".join(messages)) from None


_KEYS = tuple(field.alias or name for name, field in Policy.model_fields.items())
