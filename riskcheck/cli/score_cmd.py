from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from riskcheck import api


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
def command(file: Path, fmt: str, output: Path | None, as_of: dt.datetime | None) -> int:
    """Score an assessment: tier, sections, findings, trace."""
    result = api.score(
        file,
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
        from riskcheck.fileio import atomic_write_text

        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False)
    return 0
