from __future__ import annotations

from pathlib import Path

import click

from riskcheck import api


@click.command("score")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
def command(file: Path, fmt: str, output: Path | None) -> int:
    """Score an assessment: tier, sections, findings, trace."""
    result = api.score(file, progress=lambda message: click.echo(message, err=True))
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
