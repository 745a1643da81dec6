"""What changed between two questionnaire versions (:mod:`riskcheck.lifecycle.qdiff`), as text or markdown."""

from __future__ import annotations

from riskcheck.lifecycle.qdiff import QuestionnaireDiff
from riskcheck.render.safe import md, md_code

_SYMBOLS = {"added": "+", "removed": "-", "renamed": ">", "changed": "~", "reworded": "~"}
_KIND_TITLES = {
    "question": "Questions",
    "option": "Options and points",
    "section": "Sections",
    "rule": "Rules",
    "scoring": "Scoring",
    "tier": "Tiers",
    "classification": "Classification",
    "gate": "Default gate",
}


def questionnaire_diff_text(diff: QuestionnaireDiff, *, markdown: bool = False) -> str:
    """The diff as a person reads it: changes grouped by kind, each with the bump it asks for."""
    qid = diff.questionnaire_id
    head = f"{qid}@{diff.base_version} ({diff.base_label}) -> {qid}@{diff.head_version} ({diff.head_label})"
    if markdown:
        # The labels are paths and revisions someone typed: code spans, never markup or @mentions.
        base, new = md_code(diff.base_label), md_code(diff.head_label)
        head = f"{qid}@{diff.base_version} ({base}) -> {qid}@{diff.head_version} ({new})"
    lines = [f"## {head}" if markdown else head]
    required, actual = diff.required_bump, diff.actual_bump
    if required is None:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    verdict = "ok" if diff.bump_ok else "NOT ENOUGH"
    lines.append(
        f"{len(diff.changes)} change(s); they ask for a {required} version bump, "
        f"the version made {('a ' + actual + ' bump') if actual else 'no bump'}: {verdict}"
    )
    for kind, title in _KIND_TITLES.items():
        changes = [c for c in diff.changes if c.kind == kind]
        if not changes:
            continue
        lines.append("")
        lines.append(f"### {title}" if markdown else f"{title}:")
        for change in changes:
            detail = f": {change.detail}" if change.detail else ""
            if markdown:
                lines.append(f"- {change.action} **{md(change.subject)}**{md(detail)} ({change.level})")
            else:
                lines.append(f"  {_SYMBOLS[change.action]} {change.subject}{detail}  [{change.level}]")
    return "\n".join(lines) + "\n"
