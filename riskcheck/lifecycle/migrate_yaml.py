"""Write a planned migration into the assessment file, keeping its comments and layout.

The plan's operations (:mod:`riskcheck.lifecycle.migrate`) are replayed on ruamel.yaml's
round-trip document: keys are renamed in place, comment lines above and below a
removed answer stay where they were, and a list written in brackets stays in brackets.
The migration is logged at the end of ``migrated:``. The edited text is read back and
compared with the plan before it replaces the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from typing import Any

from riskcheck.core.errors import RiskcheckError
from riskcheck.lifecycle.migrate import MigrationPlan, Operation


def apply_plan(plan: MigrationPlan) -> str:
    """Replay ``plan`` on the round-trip YAML of its file and write it atomically; the new text."""
    from riskcheck.files.yamledit import edit_yaml

    def change(root: Any) -> None:
        displaced: dict[str, str] = {}
        for operation in plan.operations:
            _replay(root, operation, displaced)

    def verify(data: Any) -> None:
        answers = data.get("answers") or {}
        archived = data.get("archived_answers") or []
        expected = [a.entry() for a in plan.archived]
        ref = data.get("questionnaire")
        version = ref.get("version") if isinstance(ref, dict) else str(ref).rpartition("@")[2]
        log = data.get("migrated") or []
        logged = _logged(log[-1]) if plan.logged is not None and log else None
        if (
            answers != plan.answers
            or archived[len(archived) - len(expected) :] != expected
            or version != plan.target
            or logged != plan.logged
        ):
            raise RiskcheckError(
                f"{plan.path}: riskcheck could not write the migrated answers so that they read back "
                "unchanged; nothing was changed. Please report this."
            )

    return edit_yaml(plan.path, change, verify)


def _replay(root: Any, operation: Operation, displaced: dict[str, str]) -> None:
    """Apply one operation. Ids of the earlier version whose key a renamed or split answer
    took over (a swap of two ids, say) are moved aside first, and found in ``displaced``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from riskcheck.files.yamledit import _plain as yaml_plain

    kind = operation[0]
    if kind == "ref":
        ref = root["questionnaire"]
        if isinstance(ref, MutableMapping):
            ref["version"] = yaml_plain(operation[1])
        else:
            root["questionnaire"] = f"{str(ref).rpartition('@')[0]}@{operation[1]}"
        return
    if kind == "log":
        log = root.get("migrated")
        if log is None:
            log = CommentedSeq()
            root["migrated"] = log
        log.append(CommentedMap((key, yaml_plain(value)) for key, value in operation[1].items()))
        return
    answers = root["answers"]
    if kind == "rename":
        _, old, new = operation
        old = displaced.pop(old, old)
        _make_room(answers, new, displaced)
        _rename(answers, old, new)
    elif kind == "set":
        _, qid, value = operation
        current = answers[qid]
        holder, key = (current, "value") if isinstance(current, MutableMapping) else (answers, qid)
        holder[key] = _like(holder.get(key), yaml_plain(value))
    elif kind == "insert":
        _, qid, raw, before = operation
        if isinstance(raw, dict):
            node = CommentedMap()
            for key, item in raw.items():
                node[key] = CommentedSeq(yaml_plain(item)) if key == "evidence" else yaml_plain(item)
        else:
            node = yaml_plain(raw)
        _make_room(answers, qid, displaced)
        answers.insert(list(answers).index(displaced.get(before, before)), qid, node)
    elif kind == "drop":
        _remove_keeping_comments(answers, displaced.pop(operation[1], operation[1]))
    elif kind == "archive":
        _, qid, entry = operation
        own_line = _remove_keeping_comments(answers, displaced.pop(qid, qid))
        archived = root.get("archived_answers")
        if archived is None:
            archived = CommentedSeq()
            root["archived_answers"] = archived
        item = CommentedMap()
        for key, value in entry.items():
            if key == "evidence":
                item[key] = CommentedSeq(yaml_plain(value))
            elif key == "value" and isinstance(value, (list, dict)):
                item[key] = value if isinstance(value, dict) else CommentedSeq(yaml_plain(value))
            else:
                item[key] = yaml_plain(value)
        if own_line is not None:
            item.ca.items["value"] = [None, None, own_line, None]
        archived.append(item)


def _logged(entry: Any) -> dict[str, str] | None:
    """A ``migrated:`` entry as read back, in the plan's terms (the timestamp as ISO text)."""
    if not isinstance(entry, dict):
        return None
    stamp = entry.get("timestamp")
    return {
        "from": str(entry.get("from")),
        "to": str(entry.get("to")),
        "timestamp": stamp.isoformat() if isinstance(stamp, (dt.datetime, dt.date)) else str(stamp),
    }


def _rename(answers: Any, old: str, new: str) -> None:
    """Rename a key in place, keeping its position and its comments."""
    index = list(answers).index(old)
    value = answers[old]
    notes = answers.ca.items.pop(old, None)
    del answers[old]
    answers.insert(index, new, value)
    if notes is not None:
        answers.ca.items[new] = notes


def _make_room(answers: Any, qid: str, displaced: dict[str, str]) -> None:
    """Move an earlier answer out of the way of ``qid`` (its own operation comes later in the step)."""
    if qid in answers:
        aside = f"~{qid}~moved-aside"
        _rename(answers, qid, aside)
        displaced[qid] = aside


def _like(old: Any, new: Any) -> Any:
    """``new`` written in the style of ``old``: a list in brackets stays in brackets."""
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(new, list) and isinstance(old, CommentedSeq):
        seq = CommentedSeq(new)
        if old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    return new


def _remove_keeping_comments(answers: Any, qid: str) -> Any:
    """Delete ``answers[qid]``; the comment lines above and below it stay where they were.

    Returns the comment on the answer's own line (``id: value  # a note``), if any, so
    that it can go with the archived answer.
    """
    import copy

    from riskcheck.files.yamledit import _attach_trailing, _detach_trailing

    keys = list(answers)
    index = keys.index(qid)
    entry = answers.ca.items.get(qid)
    lines = []
    for token in (entry[1] or []) if entry and len(entry) > 1 else []:
        line = copy.copy(token)  # a comment line above the key, written at its column
        line.value = "\n" + " " * token.column + token.value
        lines.append(line)
    below = _detach_trailing(answers, qid)
    if below is not None:
        lines.append(below)
    entry = answers.ca.items.pop(qid, None)
    own_line = entry[2] if entry and len(entry) > 2 else None
    del answers[qid]
    if not lines:
        return own_line
    if index > 0:
        for line in lines:
            _attach_trailing(answers, keys[index - 1], line)
        return own_line
    # The first answer: the lines below it now come before the new first answer.
    if answers.ca.comment is None:
        answers.ca.comment = [None, []]
    if answers.ca.comment[1] is None:
        answers.ca.comment[1] = []
    for line in lines:
        text = line.value.lstrip("\n")
        column = len(text) - len(text.lstrip(" "))
        line.value = text.lstrip(" ")
        line.start_mark.column = column
        answers.ca.comment[1].append(line)
    return own_line
