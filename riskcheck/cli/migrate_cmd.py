"""``riskcheck migrate FILE``: move an assessment's answers to a newer questionnaire version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from riskcheck.cli.errors import EXIT_OK

if TYPE_CHECKING:
    from riskcheck.lifecycle.migrate import MigrationPlan


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
        click.echo(render_plan(plan, dry_run=dry_run), nl=False)
    return EXIT_OK


def render_plan(plan: MigrationPlan, *, dry_run: bool) -> str:
    from riskcheck.core.display import plain

    qid = plan.questionnaire_id
    if not plan.steps:
        return f"{plan.path}: already answers {qid}@{plan.target}; nothing to migrate\n"
    lines = [f"{plan.path}: {qid}@{plan.source} -> {qid}@{plan.target} ({len(plan.steps)} step(s): "]
    lines[0] += ", ".join(plan.steps) + ")"
    if plan.moved:
        lines.append(f"moved ({len(plan.moved)}):")
        for moved in plan.moved:
            where = moved.question if moved.to == moved.question else f"{moved.question} -> {moved.to}"
            value = "" if moved.before == moved.after else f": {plain(moved.before)} -> {plain(moved.after)}"
            lines.append(f"  {where}{value}  [{moved.step}]")
    if plan.filled:
        lines.append(f"filled from a split question ({len(plan.filled)}):")
        for filled in plan.filled:
            value = plain(filled.value) if filled.value is not None else "no declared case held; left unanswered"
            lines.append(f"  {filled.question} <- {filled.source}: {value}  [{filled.step}]")
    unplaced = [a for a in plan.archived if not a.placed]
    archived = [a for a in plan.archived if a.placed]
    if unplaced:
        lines.append(f"could not move, archived ({len(unplaced)}):")
        lines.extend(f"  {a.question} ({a.version}): {a.reason}" for a in unplaced)
    if archived:
        lines.append(f"archived ({len(archived)}):")
        lines.extend(f"  {a.question} ({a.version}): {a.reason}" for a in archived)
    if plan.unanswered_required:
        lines.append(f"new required questions now unanswered ({len(plan.unanswered_required)}):")
        lines.extend(f"  {question}" for question in plan.unanswered_required)
    lines.append("dry run: nothing was written" if dry_run else f"written: {plan.path}")
    if plan.signoffs:
        when = "are now" if not dry_run else "would be"
        lines.append(f"the {plan.signoffs} sign-off record(s) {when} stale: review the answers and sign again")
    return "\n".join(lines) + "\n"
