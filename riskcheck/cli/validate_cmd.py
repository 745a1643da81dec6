from __future__ import annotations

from pathlib import Path

import click

from riskcheck import api
from riskcheck.cli.errors import EXIT_INVALID, EXIT_OK
from riskcheck.core.errors import Problem, RiskcheckError


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def command(files: tuple[Path, ...]) -> int:
    """Check questionnaires or assessments; print every problem as file:line:col."""
    problems: list[Problem | str] = []
    for path in files:
        try:
            kind = api.validate(path)
        except RiskcheckError as exc:
            problems.extend(exc.problems or [str(exc)])
            continue
        click.echo(f"{path}: valid {kind}")
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} error(s)", err=True)
        return EXIT_INVALID
    return EXIT_OK
