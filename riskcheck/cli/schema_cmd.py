from __future__ import annotations

import click

from riskcheck import api
from riskcheck.cli.errors import EXIT_OK
from riskcheck.core.result import dumps


@click.command("schema")
@click.argument("kind", type=click.Choice(["questionnaire", "assessment"]), default="assessment")
def command(kind: str) -> int:
    """Print the JSON Schema of a questionnaire or an assessment file."""
    click.echo(dumps(api.schema(kind)))  # type: ignore[arg-type]
    return EXIT_OK
