from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from riskcheck import api
from riskcheck.cli.errors import EXIT_OK
from riskcheck.cli.trust import trust_option


@click.command("score")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date duties against this day (YYYY-MM-DD) instead of the system's assessed_on.",
)
@trust_option
def command(file: Path, fmt: str, output: Path | None, as_of: dt.datetime | None) -> int:
    """Score an assessment: tier, sections, findings, trace."""
    from riskcheck.core.loader import load_assessment
    from riskcheck.files.fileio import check_output, write_output

    if output is not None:
        check_output(output, option="-o", inputs=[file])
    loaded = load_assessment(file)
    result = api.score(
        loaded,
        progress=lambda message: click.echo(message, err=True),
        as_of=as_of.date() if as_of is not None else None,
    )
    if fmt == "json":
        text = result.to_json() + "\n"
    elif fmt == "markdown":
        from riskcheck.render.markdown import result_markdown

        text = result_markdown(result.to_dict())
    else:
        from riskcheck.render.text import result_text

        text = result_text(result.to_dict())
    if output is not None:
        write_output(output, text, option="-o")
    else:
        click.echo(text, nl=False)
    return EXIT_OK
