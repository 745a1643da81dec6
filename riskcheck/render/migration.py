"""A migration plan (:mod:`riskcheck.lifecycle.migrate`) as text."""

from __future__ import annotations

from riskcheck.core.display import plain
from riskcheck.lifecycle.migrate import MigrationPlan


def migration_text(plan: MigrationPlan, *, dry_run: bool) -> str:
    """``riskcheck migrate`` as text: what moved, was filled, archived or left unanswered, and what was written."""
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
    if plan.logged is not None and not dry_run:
        entry = plan.logged
        lines.append(f"logged under migrated: {entry.get('from')} -> {entry.get('to')} at {entry.get('timestamp')}")
    if plan.signoffs:
        when = "are now" if not dry_run else "would be"
        lines.append(f"the {plan.signoffs} sign-off record(s) {when} stale: review the answers and sign again")
    return "\n".join(lines) + "\n"
