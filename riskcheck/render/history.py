"""An assessment's history (:mod:`riskcheck.audit.history`) as text."""

from __future__ import annotations

from typing import Any

from riskcheck.audit.history import Delta, History
from riskcheck.core.display import clip, plain
from riskcheck.render.safe import one_line


def history_text(history: History) -> str:
    """``riskcheck history`` as text: one block per commit, oldest first."""
    lines = [f"{history.path}: {len(history.entries)} change(s), oldest first"]
    for entry in history.entries:
        lines.append("")
        if entry.commit:
            when = entry.date.replace("T", " ")[:16]
            lines.append(f"{entry.commit[:10]}  {when}  {entry.author} <{entry.email}>  {entry.subject}")
        else:
            lines.append(f"working tree  {entry.subject}")
        if entry.renamed_from:
            lines.append(f"  renamed from {entry.renamed_from}")
        if entry.created:
            tier = f"; tier: {entry.tier_after}" if entry.tier_after else ""
            lines.append(f"  created with {len(entry.answers)} answer(s){tier}")
            lines.extend(f"  sign-off: {text}" for text in entry.signoffs_added)
            if entry.problem:
                lines.append(f"  {entry.problem}")
            continue
        if entry.tier_before != entry.tier_after:
            lines.append(f"  tier: {entry.tier_before or 'none'} -> {entry.tier_after or 'none'}")
        elif entry.tier_after is not None:
            lines.append(f"  tier: {entry.tier_after} (unchanged)")
        if entry.questionnaire:
            lines.append(f"  questionnaire: {_ref(entry.questionnaire.before)} -> {_ref(entry.questionnaire.after)}")
        lines.extend(f"  migrated: {text} (riskcheck migrate)" for text in entry.migrated)
        for delta in entry.system:
            lines.append(f"  system.{_change(delta)}")
        for delta in entry.answers:
            lines.append(f"  answers.{_change(delta)}")
        if entry.archived_added:
            lines.append(f"  archived answers: +{entry.archived_added}")
        lines.extend(f"  sign-off: {text}" for text in entry.signoffs_added)
        lines.extend(f"  sign-off now stale: {text}" for text in entry.signoffs_stale)
        if entry.problem:
            lines.append(f"  {entry.problem}")
    # Links, names and answers come from files and git: one line each, no control characters.
    return "\n".join(one_line(line) for line in lines) + "\n"


def _ref(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _change(delta: Delta) -> str:
    if delta.before is None:
        return f"{delta.name}: added {_show(delta.after)}"
    if delta.after is None:
        return f"{delta.name}: removed (was {_show(delta.before)})"
    return f"{delta.name}: {_show(delta.before)} -> {_show(delta.after)}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        parts = [plain(value.get("value"))]
        if value.get("comment"):
            parts.append(f"comment {clip(str(value['comment']))!r}")
        if value.get("evidence"):
            parts.append(f"{len(value['evidence'])} evidence link(s)")
        return ", ".join(parts)
    return clip(plain(value))
