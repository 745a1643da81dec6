"""``riskcheck history FILE``: who changed which answers of an assessment, and when (from git)."""

from __future__ import annotations

from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK


@click.command("history")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-score", is_flag=True, help="Do not score each version (faster; no tiers, no stale sign-offs).")
def command(file: Path, fmt: str, no_score: bool) -> int:
    """List each commit that changed FILE: author, date, answers and system fields, tier.

    Renames are followed; uncommitted changes in the working tree come last.
    """
    from riskcheck.audit.history import file_history

    history = file_history(file, score=not no_score)
    if fmt == "json":
        from riskcheck.core.result import dumps

        click.echo(dumps(history.to_dict()))
    else:
        from riskcheck.render.history import history_text

        click.echo(history_text(history), nl=False)
    return EXIT_OK
