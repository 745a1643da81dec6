"""The exceptions riskcheck raises, and the exit codes they map to.

Every error a user can cause is a :class:`RiskcheckError`. The command line turns
it into a message and exit code 2; anything else is a bug and exits 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class RiskcheckError(Exception):
    """Base class: bad input that the user can fix. Exit code 2."""

    #: The command line's exit code for this error; a subclass may differ.
    exit_code: ClassVar[int] = 2
    #: True when the command has already shown the user everything (a failed gate's
    #: report): the command line then exits with :attr:`exit_code` and prints nothing more.
    reported: ClassVar[bool] = False

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        return super().__str__()

    @classmethod
    def from_problems(cls, problems: list[Problem] | tuple[Problem, ...]) -> RiskcheckError:
        return cls(f"{len(problems)} problem(s)", tuple(problems))


class CheckFailed(RiskcheckError):
    """A check ran and found what it looks for (a failed gate, a missing evidence file, a
    lint problem, a broken signature): exit code 1.

    Raised once the command has printed its findings, so the command line adds nothing.
    """

    exit_code: ClassVar[int] = 1
    reported: ClassVar[bool] = True


class YamlError(RiskcheckError):
    """A file is not readable YAML within riskcheck's bounds."""


class SpecError(RiskcheckError):
    """A questionnaire is invalid: schema, expressions, references."""


class AnswersError(RiskcheckError):
    """An assessment is invalid, or does not fit its questionnaire."""


class DataError(RiskcheckError):
    """A dataset, model or fairness configuration cannot be used."""


class ReportError(RiskcheckError):
    """A report cannot be rendered (templates, theme, output path)."""


class MissingDependencyError(RiskcheckError):
    """An optional extra is needed for this command but is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this needs the optional dependency {package!r}; install it with: pip install 'riskcheck[{extra}]'"
        )
        self.package = package
        self.extra = extra
