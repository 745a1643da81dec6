"""Edit an assessment file in place, keeping its comments and layout.

ruamel.yaml's round-trip mode preserves comments, key order and quoting. Every
write goes through :func:`riskcheck.files.fileio.atomic_write_text`, and the edited text
is re-parsed before it replaces the file, so a bug here can never leave a
half-written or unreadable assessment behind.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from riskcheck.core.errors import RiskcheckError
from riskcheck.files.fileio import MAX_YAML_BYTES, atomic_write_text, edit_lock, read_bounded_text
from riskcheck.files.yamlio import parse_yaml


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # Never re-wrap: a long line the user wrote stays one line (ruamel re-flows plain
    # scalars wider than ``width``), so an edit changes only what it edits.
    yaml.width = sys.maxsize
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(float, _represent_float)
    return yaml


def _represent_float(representer: Any, value: float) -> Any:
    """``1e-05`` is text to YAML 1.1 readers such as riskcheck's own: write ``1.0e-05``."""
    text = repr(value).lower()
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def edit_yaml(path: Path, change: Callable[[Any], None], verify: Callable[[Any], None] | None = None) -> str:
    """Load ``path`` round-trip, apply ``change`` to the root mapping, write atomically.

    The whole read-modify-write holds :func:`riskcheck.files.fileio.edit_lock`, so concurrent
    editors never lose each other's changes. A symbolic link is kept and its target edited.

    ``verify`` gets the edited document as riskcheck will read it back, and raises
    :class:`RiskcheckError` to stop the write. Returns the new text. Raises
    :class:`RiskcheckError` if the file cannot be read or the result would not be
    valid YAML.
    """
    path = Path(path)
    with edit_lock(path) as target:
        text = read_bounded_text(path)
        parse_yaml(text, str(path), what="assessment")  # refuse bombs, duplicates and bad YAML first
        yaml = _yaml()
        root = yaml.load(text)
        change(root)
        buffer = io.StringIO()
        yaml.dump(root, buffer)
        new_text = buffer.getvalue()
        size = len(new_text.encode("utf-8"))
        if size > MAX_YAML_BYTES:
            raise RiskcheckError(
                f"{path}: the edit would make the file {size:,} bytes, over the {MAX_YAML_BYTES:,} bytes "
                "riskcheck reads; nothing was changed"
            )
        document = parse_yaml(new_text, str(path), what="assessment")
        if verify is not None:
            verify(document.data)
        try:
            atomic_write_text(target, new_text)
        except OSError as exc:
            raise RiskcheckError(f"{path}: cannot write: {exc.strerror or exc}; nothing was changed") from None
    return new_text


def _plain(value: Any) -> Any:
    """Values as YAML should store them: sets as sorted lists, tuples as lists, text quoted when needed."""
    if isinstance(value, (frozenset, set)):
        return [_text(v) for v in sorted(value)]
    if isinstance(value, (tuple, list)):
        return [_text(v) for v in value]
    return _text(value)


#: Characters YAML 1.1 reads as line breaks, which a plain or block scalar would change.
_BREAKS = ("\x85", "\u2028", "\u2029")


def _text(value: Any) -> Any:
    """Text that a YAML 1.1 reader would take for something else is double-quoted.

    ruamel writes YAML 1.2, where ``yes``, ``on`` and ``1:20`` are plain text; riskcheck
    reads YAML 1.1, where they are a boolean and the number 80. Unquoted, a PM's
    answer "yes" would come back as ``True`` and make the file invalid.
    """
    if not isinstance(value, str):
        return value
    import yaml
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    implicit = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if implicit != "tag:yaml.org,2002:str" or any(c in value for c in _BREAKS):
        return DoubleQuotedScalarString(value)
    return value


def _expected(value: Any) -> Any:
    """``value`` as riskcheck's loader reads it back from the file."""
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _replace(mapping: Any, key: Any, value: Any) -> None:
    """Set ``mapping[key]``, keeping the comment lines that follow the old value.

    ruamel attaches the comments below a block list to its last item, so replacing
    the list would silently drop them (the next question's help, in a skeleton).
    """
    from ruamel.yaml.comments import CommentedSeq

    old = mapping.get(key)
    trailing = None
    if isinstance(old, CommentedSeq) and len(old):
        entry = old.ca.items.get(len(old) - 1)
        trailing = entry[0] if entry else None
    if trailing is not None and isinstance(value, list) and value:
        new = CommentedSeq(value)
        new.ca.items[len(value) - 1] = [trailing, None, None, None]
        mapping[key] = new
        return
    mapping[key] = value
    if trailing is not None and hasattr(mapping, "ca"):
        entry = mapping.ca.items.get(key) or [None, None, None, None]
        entry[2] = trailing
        mapping.ca.items[key] = entry


def set_answers(
    path: Path,
    values: Mapping[str, Any],
    *,
    remove: tuple[str, ...] = (),
    comments: Mapping[str, str | None] | None = None,
    evidence: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Set (or remove) answers, and the comments and evidence links given for them.

    An answer keeps its comment and evidence unless ``comments`` or ``evidence``
    names it: a comment of ``None`` and an empty evidence list remove them. An
    answer in the short form (``id: value``) is written in the long form
    (``id: {value, comment, evidence}``) once it has a comment or evidence.
    """
    comments = dict(comments or {})
    links_by_id: dict[str, list[str]] = {qid: list(links) for qid, links in (evidence or {}).items()}

    def change(root: Any) -> None:
        from ruamel.yaml.comments import CommentedMap

        answers = root.get("answers")
        if answers is None:
            answers = CommentedMap()
            root["answers"] = answers
        for qid, value in values.items():
            current = answers.get(qid)
            if isinstance(current, Mapping):
                _replace(current, "value", _plain(value))
            else:
                _replace(answers, qid, _plain(value))
        for qid in remove:
            current = answers.get(qid)
            if isinstance(current, Mapping):
                _replace(current, "value", None)
            elif qid in answers:
                _replace(answers, qid, None)
        for qid in dict.fromkeys([*comments, *links_by_id]):
            _set_notes(answers, qid, comments, links_by_id)

    def verify(data: Any) -> None:
        answers = data.get("answers") if isinstance(data, dict) else None
        answers = answers if isinstance(answers, dict) else {}
        expected = {qid: _expected(value) for qid, value in values.items()} | dict.fromkeys(remove)
        for qid, value in expected.items():
            stored = answers.get(qid)
            stored = stored.get("value") if isinstance(stored, dict) else stored
            if stored != value or type(stored) is not type(value):
                raise _unreadable(path, f"answers.{qid}", value, stored)
        for qid, comment in comments.items():
            entry = answers.get(qid)
            stored = entry.get("comment") if isinstance(entry, dict) else None
            if stored != (comment or None):
                raise _unreadable(path, f"answers.{qid}.comment", comment, stored)
        for qid, links in links_by_id.items():
            entry = answers.get(qid)
            stored = entry.get("evidence", []) if isinstance(entry, dict) else []
            if stored != links:
                raise _unreadable(path, f"answers.{qid}.evidence", links, stored)

    return edit_yaml(path, change, verify)


def _unreadable(path: Path, where: str, value: Any, stored: Any) -> RiskcheckError:
    return RiskcheckError(
        f"{path}: {where}: riskcheck could not write {value!r} so that it reads back unchanged "
        f"(it would read {stored!r}); nothing was saved. Please report this."
    )


def _set_notes(answers: Any, qid: str, comments: Mapping[str, str | None], evidence: Mapping[str, list[str]]) -> None:
    """Set the comment and evidence of one answer, moving it to the long form if needed."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    current: Any = answers.get(qid)
    wanted_comment = comments.get(qid)
    wanted_links = evidence.get(qid, [])
    # A block scalar (`note: |`) ends its own lines, and ruamel cannot move the comment
    # lines below it cleanly: such an answer keeps its value last, the new keys go
    # before it, and nothing below it moves.
    ahead = False
    if not isinstance(current, Mapping):
        if not wanted_comment and not wanted_links:
            return  # the short form has neither comment nor evidence: nothing to remove
        entry = CommentedMap()
        if _is_block_scalar(current):
            below = _take_comment(answers, qid)
            entry["value"] = current
            if below is not None:
                entry.ca.items["value"] = [None, None, below, None]
            answers[qid] = entry
            trailing, ahead = None, True
        else:
            # The lines below the answer (the next question's help) move to wherever the
            # entry now ends; a note on the answer's own line stays with the value.
            trailing = _detach_trailing(answers, qid)
            entry["value"] = current
            answers[qid] = entry
            if not isinstance(current, (Mapping, list)):
                end_of_line = _take_comment(answers, qid)
                if end_of_line is not None:
                    entry.ca.items["value"] = [None, None, end_of_line, None]
        current = entry
    elif _is_flow(current):
        # `id: {value: x}  # a note`: new keys go inside the braces, comments stay after them.
        trailing = None
    elif len(current) and list(current)[-1] == "value" and _is_block_scalar(current["value"]):
        trailing, ahead = None, True
    else:
        trailing = _detach_trailing(answers, qid)

    def put(key: str, value: Any) -> None:
        if ahead and key not in current:
            current.insert(list(current).index("value"), key, value)
        else:
            current[key] = value

    if qid in comments:
        if wanted_comment:
            put("comment", _comment_text(wanted_comment))
        elif "comment" in current:
            del current["comment"]
    if qid in evidence:
        if wanted_links:
            put("evidence", CommentedSeq([_text(link) for link in wanted_links]))
        elif "evidence" in current:
            del current["evidence"]
    if trailing is not None:
        _attach_trailing(answers, qid, trailing)


def _is_flow(node: Any) -> bool:
    return bool(node.fa.flow_style())


def _split_end_of_line(token: Any) -> tuple[Any, Any]:
    """Split a comment token into the comment on the value's own line and the lines below it."""
    import copy

    if token is None or token.value.startswith("\n"):
        return None, token
    head, newline, rest = token.value.partition("\n")
    end_of_line = copy.copy(token)
    end_of_line.value = head + newline
    if not rest.strip():
        return end_of_line, None
    below = copy.copy(token)
    below.value = "\n" + rest
    return end_of_line, below


def _comment_text(text: str) -> Any:
    """Several lines are one double-quoted line with ``\\n`` escapes, so that the
    comment lines after the answer (the next question's help) keep their place."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if "\n" in text or "\r" in text:
        return DoubleQuotedScalarString(text)
    return _text(text)


def _detach_trailing(container: Any, key: Any) -> Any:
    """Take away the comment lines below ``container[key]`` (the next question's help).

    A comment on the value's own line (``x  # a note``) stays where it is.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    value = container.get(key)
    if isinstance(value, CommentedMap) and len(value):
        found = _detach_trailing(value, list(value)[-1])
        if found is not None:
            return found
    if isinstance(value, CommentedSeq) and len(value):
        entry = value.ca.items.get(len(value) - 1)
        if entry and entry[0] is not None:
            entry[0], below = _split_end_of_line(entry[0])
            return below
        return None
    entry = container.ca.items.get(key) if hasattr(container, "ca") else None
    if entry and len(entry) > 2 and entry[2] is not None:
        entry[2], below = _split_end_of_line(entry[2])
        return below
    return None


def _take_comment(container: Any, key: Any) -> Any:
    entry = container.ca.items.get(key)
    if not entry or len(entry) < 3 or entry[2] is None:
        return None
    token, entry[2] = entry[2], None
    return token


def _is_block_scalar(value: Any) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, (LiteralScalarString, FoldedScalarString))


def _after(existing: Any, token: Any) -> Any:
    """``token`` put after ``existing``, a comment on a value's own line, if there is one."""
    if existing is None or existing.value.startswith("\n"):
        return token
    import copy

    merged = copy.copy(existing)
    merged.value = existing.value.rstrip("\n") + "\n" + token.value.lstrip("\n")
    return merged


def _attach_trailing(container: Any, key: Any, token: Any) -> None:
    """Put comment lines back below ``container[key]``, wherever its last value now ends."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    value = container.get(key)
    if isinstance(value, CommentedMap) and len(value):
        _attach_trailing(value, list(value)[-1], token)
        return
    if not token.value.startswith("\n"):
        token.value = "\n" + token.value  # after a value, the comment lines start on a line of their own
    if isinstance(value, CommentedSeq) and len(value):
        entry = value.ca.items.get(len(value) - 1) or [None, None, None, None]
        entry[0] = _after(entry[0], token)
        value.ca.items[len(value) - 1] = entry
        return
    entry = container.ca.items.get(key) or [None, None, None, None]
    entry[2] = _after(entry[2], token)
    container.ca.items[key] = entry


def set_system(path: Path, values: Mapping[str, Any]) -> str:
    """Set fields of the ``system:`` block (``name``, ``assessed_on``, ...), keeping comments and layout."""

    def change(root: Any) -> None:
        from ruamel.yaml.comments import CommentedMap

        system = root.get("system")
        if not isinstance(system, Mapping):
            system = CommentedMap()
            root["system"] = system
        for key, value in values.items():
            _replace(system, key, _text(value))

    def verify(data: Any) -> None:
        system = data.get("system") if isinstance(data, dict) else None
        system = system if isinstance(system, dict) else {}
        for key, value in values.items():
            stored = system.get(key)
            if stored != value or type(stored) is not type(value):
                raise _unreadable(path, f"system.{key}", value, stored)

    return edit_yaml(path, change, verify)


def append_signoff(path: Path, record: Mapping[str, Any]) -> str:
    """Append one sign-off record to ``signoffs:``."""

    def change(root: Any) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        signoffs = root.get("signoffs")
        if signoffs is None:
            signoffs = CommentedSeq()
            root["signoffs"] = signoffs
        entry = CommentedMap()
        for key, value in record.items():
            if value is None:
                continue
            entry[key] = value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else _text(value)
        signoffs.append(entry)

    return edit_yaml(path, change)


def ensure_editable(path: Path) -> None:
    """Fail early, with a clear message, when a file cannot be edited safely."""
    if not Path(path).is_file():
        raise RiskcheckError(f"{path}: no such file")
