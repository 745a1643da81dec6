from __future__ import annotations

from pathlib import Path

import click

from riskcheck import api
from riskcheck.cli.errors import EXIT_OK


@click.command("new")
@click.option(
    "--questionnaire", "-q", "questionnaire_ref", required=True, help="Bundled id (e.g. rai-prelaunch) or a file."
)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The assessment file to create.")
@click.option("--name", default="", help="The AI system's name.")
@click.option("--owner", default="", help="The accountable owner.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def command(questionnaire_ref: str, output: Path, name: str, owner: str, force: bool) -> int:
    """Start an assessment file listing every question with its help text."""
    compiled = api.new_assessment(questionnaire_ref, output, name=name, owner=owner, force=force)
    click.echo(f"wrote {output} ({len(compiled.questions)} questions); fill it in, then: riskcheck score {output}")
    return EXIT_OK
