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
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="Write the questions and their help in the comments in this language, from the questionnaire's "
    "catalogue beside it (QUESTIONNAIRE.LANG.po).",
)
def command(questionnaire_ref: str, output: Path, name: str, owner: str, force: bool, lang: str) -> int:
    """Start an assessment file listing every question with its help text."""
    words = None
    if lang != "en":
        from riskcheck.report.qcatalog import words_for

        words = words_for(api.questionnaire(questionnaire_ref), lang)
    compiled = api.new_assessment(questionnaire_ref, output, name=name, owner=owner, force=force, words=words)
    click.echo(f"wrote {output} ({len(compiled.questions)} questions); fill it in, then: riskcheck score {output}")
    return EXIT_OK
