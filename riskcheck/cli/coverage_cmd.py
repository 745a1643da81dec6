from __future__ import annotations

import click

from riskcheck import api
from riskcheck.cli.errors import EXIT_OK


@click.command("coverage")
@click.argument("questionnaire")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def command(questionnaire: str, fmt: str) -> int:
    """For each framework clause referenced, the questions and rules that address it."""
    rows = api.coverage(questionnaire)
    if fmt == "json":
        from riskcheck.core.result import dumps

        click.echo(dumps([{"clause": c, "questions": q, "rules": r} for c, q, r in rows]))
        return EXIT_OK
    for clause, questions, rules in rows:
        click.echo(clause)
        if questions:
            click.echo(f"  questions: {', '.join(questions)}")
        if rules:
            click.echo(f"  rules:     {', '.join(rules)}")
    click.echo(f"{len(rows)} clause(s)")
    return EXIT_OK
