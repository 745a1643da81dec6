"""``riskcheck evidence FILE``: the evidence register of an assessment."""

from __future__ import annotations

from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK
from riskcheck.core.errors import CheckFailed


@click.command("evidence")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(file: Path, fmt: str) -> int:
    """List every evidence link of FILE: the question it supports, whether it exists, its sha256,
    and when it last changed (from git, or the file's time when git does not track it as is).

    Exit 1 when a local evidence file is missing or an answer still waits for its evidence.
    """
    from riskcheck.audit.evidence import evidence_register
    from riskcheck.core.loader import load_assessment

    register = evidence_register(load_assessment(file))
    problems = register.problems()
    if fmt == "json":
        from riskcheck.core.result import dumps

        click.echo(dumps(register.to_dict()))
    else:
        from riskcheck.render.evidence import evidence_text

        click.echo(evidence_text(register), nl=False)
        from riskcheck.render.safe import one_line

        for problem in problems:
            click.echo(one_line(problem), err=True)
    if problems:
        raise CheckFailed(f"{file}: {len(problems)} evidence problem(s)")
    return EXIT_OK
