"""``riskcheck migrate FILE``: move an assessment's answers to a newer questionnaire version."""

from __future__ import annotations

from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK


@click.command("migrate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--to", "to", metavar="ID@VERSION", help="The version to move to (default: the newest available).")
@click.option("--dry-run", is_flag=True, help="Print what would move; change nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(file: Path, to: str | None, dry_run: bool, fmt: str) -> int:
    """Move FILE's answers to a newer version of its questionnaire, in place.

    Applies the migrations the questionnaire declares, version after version
    (1.0.0 -> 1.1.0 -> 1.2.0). Answers are renamed, their options mapped, split into
    new questions, or, when they cannot be placed, kept under archived_answers: with
    the reason: nothing is dropped. Comments and layout stay; the file is written
    atomically, or not at all on any error. The run is logged at the end of the
    file under migrated: (from, to, when), so that the sign-offs it makes stale
    name the migration.
    """
    from riskcheck.lifecycle.migrate import migrate

    plan = migrate(file, to, dry_run=dry_run)
    if fmt == "json":
        from riskcheck.core.result import dumps

        click.echo(dumps(plan.to_dict() | {"written": plan.changed and not dry_run}))
    else:
        from riskcheck.render.migration import migration_text

        click.echo(migration_text(plan, dry_run=dry_run), nl=False)
    return EXIT_OK
