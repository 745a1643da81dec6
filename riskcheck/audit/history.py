"""An assessment's history from git: who changed which answers and system fields, and when.

Each commit that touched the file (renames followed) becomes one entry: the author,
the date, the answers added, changed and removed, the ``system:`` fields changed, the
questionnaire version (and whether ``riskcheck migrate`` moved it), the sign-offs
recorded, the sign-offs the commit made stale (with the reason, which names a
migration), and the tier before and after, the file scored as it was at that commit
(with the files it used there, as ``diff`` does).
Uncommitted changes in the working tree come last. Outside a git repository there is
no history, and the error says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.i18n import _, _n
from riskcheck.files.fileio import MAX_YAML_BYTES

#: Most commits read for one file.
MAX_COMMITS = 500


@dataclass(frozen=True)
class Delta:
    """One field that changed: ``before`` or ``after`` is None when it was added or removed."""

    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    #: The commit id, or "" for uncommitted changes in the working tree.
    commit: str
    author: str
    email: str
    date: str
    subject: str
    #: The file's path at this commit (from the repository root).
    path: str
    renamed_from: str | None
    answers: tuple[Delta, ...]
    system: tuple[Delta, ...]
    questionnaire: Delta | None
    signoffs_added: tuple[str, ...]
    archived_added: int
    tier_before: str | None
    tier_after: str | None
    #: Why the file could not be read or scored at this commit, if it could not.
    problem: str | None = None
    #: The commit that created the file (every answer in it is "added").
    created: bool = False
    #: The runs of ``riskcheck migrate`` the commit logged (``migrated:`` entries), as ``from -> to``.
    migrated: tuple[str, ...] = ()
    #: The sign-offs current before the commit and stale after it, each with why (when scored).
    signoffs_stale: tuple[str, ...] = ()
    #: How many of ``signoffs_added`` are approvals (their text is in the language in use).
    approvals_added: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit or None,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
            "path": self.path,
            "renamed_from": self.renamed_from,
            "answers": [_delta_dict(d) for d in self.answers],
            "system": [_delta_dict(d) for d in self.system],
            "questionnaire": _delta_dict(self.questionnaire) if self.questionnaire else None,
            "signoffs_added": list(self.signoffs_added),
            "archived_added": self.archived_added,
            "tier_before": self.tier_before,
            "tier_after": self.tier_after,
            "problem": self.problem,
            "created": self.created,
            "migrated": list(self.migrated),
            "signoffs_stale": list(self.signoffs_stale),
        }


@dataclass(frozen=True)
class History:
    path: Path
    root: Path
    entries: tuple[HistoryEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "riskcheck.history/1",
            "assessment": str(self.path),
            "entries": [e.to_dict() for e in self.entries],
        }


def _delta_dict(delta: Delta) -> dict[str, Any]:
    from riskcheck.lifecycle.migrate import _json

    return {"name": delta.name, "before": _json(delta.before), "after": _json(delta.after)}


# ---------------------------------------------------------------- reading git


@dataclass(frozen=True)
class _Commit:
    sha: str
    author: str
    email: str
    date: str
    subject: str
    path: str
    renamed_from: str | None


def _git_output(root: Path, *args: str) -> str:
    from riskcheck.files.gitrev import GitError, _git

    done = _git(root, *args)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {args[0]} failed in {root}: {message}")
    return str(done.stdout.decode("utf-8", "surrogateescape"))


def repository_of(path: Path) -> tuple[Path, str]:
    """The repository root and ``path`` relative to it, or a plain error outside one."""
    from riskcheck.files.gitrev import GitError, _git

    path = Path(os.path.abspath(path))
    directory = path.parent
    if not directory.is_dir():
        raise RiskcheckError(f"{path}: no such file or directory")
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(
            f"{path}: not inside a git repository; riskcheck history reads the file's git history, "
            "so commit the assessment to git first"
        )
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip())
    relative = directory.resolve().relative_to(root.resolve()) / path.name
    return root, relative.as_posix()


def _commits(root: Path, relative: str) -> list[_Commit]:
    """Commits that touched the file, oldest first, following renames."""
    text = _git_output(
        root,
        "-c",
        "core.quotepath=off",
        "log",
        "--follow",
        "-M",
        f"--max-count={MAX_COMMITS}",
        "--name-status",
        "--format=%x1e%H%x00%an%x00%ae%x00%aI%x00%s",
        "--",
        relative,
    )
    commits: list[_Commit] = []
    for record in text.split("\x1e")[1:]:
        header, _, rest = record.partition("\n")
        sha, author, email, date, subject = header.split("\x00", 4)
        path, renamed_from = relative, None
        for line in rest.splitlines():
            fields = line.split("\t")
            if len(fields) == 3 and fields[0].startswith(("R", "C")):
                renamed_from, path = (fields[1], fields[2]) if fields[0].startswith("R") else (None, fields[2])
                break
            if len(fields) == 2:
                path = fields[1]
                break
        commits.append(_Commit(sha, author, email, date, subject, path, renamed_from))
    return commits[::-1]


def _blob(root: Path, commit: str, relative: str) -> str | None:
    from riskcheck.files.gitrev import _entry

    entry = _entry(root, commit, relative)
    if entry is None or entry.kind != "blob":
        return None
    if entry.size > MAX_YAML_BYTES:
        raise RiskcheckError(f"{commit[:10]}:{relative}: file is {entry.size:,} bytes; riskcheck reads at most that")
    return _git_output(root, "cat-file", "blob", entry.object)


# ---------------------------------------------------------------- comparing versions


def _data(text: str | None, name: str) -> tuple[dict[str, Any], str | None]:
    if text is None:
        return {}, None
    from riskcheck.files.yamlio import parse_yaml

    try:
        data = parse_yaml(text, name, what="assessment").data
    except RiskcheckError as exc:
        return {}, str(exc)
    return (data if isinstance(data, dict) else {}), None


def _deltas(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Delta, ...]:
    names = list(dict.fromkeys([*after, *before]))
    return tuple(Delta(str(n), before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n))


def _mapping(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return dict(value) if isinstance(value, dict) else {}


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return list(value) if isinstance(value, list) else []


def file_history(path: Path, *, score: bool = True) -> History:
    """The history of the assessment at ``path``; each commit's tier when ``score``."""
    path = Path(path)
    root, relative = repository_of(path)
    commits = _commits(root, relative)
    if not commits:
        raise RiskcheckError(f"{path}: no git history yet (the file was never committed)")
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] = {}
    scored = _Scored()
    for commit in commits:
        name = f"{commit.sha[:10]}:{commit.path}"
        data, problem = _data(_blob(root, commit.sha, commit.path), name)
        now, score_problem = _tier_at(root, commit.sha, commit.path) if score and not problem else (_Scored(), None)
        entries.append(_entry(commit, previous, data, scored, now, problem or score_problem))
        previous, scored = data, now
    working = path.read_text(encoding="utf-8") if path.is_file() else None
    head_text = _blob(root, "HEAD", relative)
    if working is not None and working != head_text:
        data, problem = _data(working, str(path))
        now, score_problem = _tier_now(path) if score and not problem else (_Scored(), None)
        local = _Commit("", "", "", "", "uncommitted changes in the working tree", relative, None)
        entries.append(_entry(local, previous, data, scored, now, problem or score_problem))
    return History(path, root, tuple(entries))


@dataclass(frozen=True)
class _Scored:
    """The file scored as it was at one commit: its tier, and each sign-off's standing."""

    tier: str | None = None
    #: (decision, name, role, timestamp) of each record -> why it is stale, or None while current.
    signoffs: Mapping[tuple[str, str, str, str], str | None] = field(default_factory=dict)

    def made_stale(self, before: _Scored) -> tuple[str, ...]:
        """The records current in ``before`` and stale here, each with why."""
        return tuple(
            _stale_text(decision, name, role, timestamp, note)
            for (decision, name, role, timestamp), note in self.signoffs.items()
            if note is not None and (decision, name, role, timestamp) in before.signoffs
            if before.signoffs[(decision, name, role, timestamp)] is None
        )


def _entry(
    commit: _Commit,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    scored_before: _Scored,
    scored_after: _Scored,
    problem: str | None,
) -> HistoryEntry:
    old_ref, new_ref = before.get("questionnaire"), after.get("questionnaire")
    old_signoffs, new_signoffs = _list(before, "signoffs"), _list(after, "signoffs")
    added = [s for s in new_signoffs if s not in old_signoffs]
    old_log = _list(before, "migrated")
    migrated = [m for m in _list(after, "migrated") if m not in old_log]
    return HistoryEntry(
        commit=commit.sha,
        author=commit.author,
        email=commit.email,
        date=commit.date,
        subject=commit.subject,
        path=commit.path,
        renamed_from=commit.renamed_from,
        answers=_deltas(_mapping(before, "answers"), _mapping(after, "answers")),
        system=_deltas(_mapping(before, "system"), _mapping(after, "system")),
        questionnaire=Delta("questionnaire", old_ref, new_ref) if before and old_ref != new_ref else None,
        signoffs_added=tuple(_signoff_text(s) for s in added),
        archived_added=max(0, len(_list(after, "archived_answers")) - len(_list(before, "archived_answers"))),
        tier_before=scored_before.tier,
        tier_after=scored_after.tier,
        problem=problem,
        created=not before,
        migrated=tuple(_migration_text(m) for m in migrated),
        signoffs_stale=scored_after.made_stale(scored_before),
        approvals_added=sum(1 for s in added if isinstance(s, dict) and s.get("decision") == "approve"),
    )


def _signoff_text(record: Any) -> str:
    """``approve by Ada (legal)``, in the language in use."""
    if not isinstance(record, dict):
        return str(record)
    decision, name, role = record.get("decision", "?"), record.get("name", "?"), record.get("role", "?")
    if decision == "approve":
        return _("approve by {name} ({role})", name=name, role=role)
    if decision == "reject":
        return _("reject by {name} ({role})", name=name, role=role)
    return _("{decision} by {name} ({role})", decision=decision, name=name, role=role)


def _stale_text(decision: str, name: str, role: str, timestamp: str, note: str | None) -> str:
    """A record made stale, with why, in the language in use."""
    record = _signoff_text({"decision": decision, "name": name, "role": role})
    return _("{record}, {timestamp}: {note}", record=record, timestamp=timestamp, note=note)


def _migration_text(entry: Any) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    return f"{entry.get('from', '?')} -> {entry.get('to', '?')}"


def _tier_at(root: Path, commit: str, relative: str) -> tuple[_Scored, str | None]:
    """The tier of the file as it was at ``commit``, or why it could not be scored."""
    from riskcheck.files.gitrev import materialised

    try:
        with materialised(commit, root / relative) as old:
            if old is None:
                return _Scored(), None
            try:
                return _score(old.path)
            except RiskcheckError as exc:
                raise old.rename(exc) from None
    except RiskcheckError as exc:
        return _Scored(), _first_line(exc)


def _tier_now(path: Path) -> tuple[_Scored, str | None]:
    try:
        return _score(path)
    except RiskcheckError as exc:
        return _Scored(), _first_line(exc)


def _score(path: Path) -> tuple[_Scored, str | None]:
    from riskcheck.pipeline import assess

    result = assess(path).result
    signoffs = {
        (r.decision, r.name, r.role, r.timestamp): (None if r.current else r.note or "stale")
        for r in result.signoffs.records
    }
    return _Scored(result.tier, signoffs), None


def _first_line(exc: RiskcheckError) -> str:
    text = str(exc).splitlines()
    return f"not scored: {text[0] if text else type(exc).__name__}"


# ---------------------------------------------------------------- the report's change log


def change_log(history: History) -> dict[str, Any]:
    """The changes since the first approval, for the report (all changes when none was given).

    ``since`` names the commit that recorded the first approval (None: never approved).
    """
    first = next((index for index, e in enumerate(history.entries) if e.approvals_added), None)
    entries = history.entries[first + 1 :] if first is not None else history.entries
    since = history.entries[first] if first is not None else None
    return {
        "since": {"commit": since.commit[:10], "date": since.date[:10], "author": since.author} if since else None,
        "rows": [_row(entry) for entry in entries],
    }


def _row(entry: HistoryEntry) -> dict[str, Any]:
    """One commit's changes in words of the language in use; field names (``answers.q``) stay the file's."""
    changes = []
    if entry.renamed_from:
        changes.append(_("file renamed from {path}", path=entry.renamed_from))
    if entry.questionnaire is not None:
        before, after = _text(entry.questionnaire.before), _text(entry.questionnaire.after)
        changes.append(_("questionnaire: {before} -> {after}", before=before, after=after))
    changes.extend(_("migrated: {versions} (riskcheck migrate)", versions=text) for text in entry.migrated)
    changes.extend(_describe("system", d) for d in entry.system)
    changes.extend(_describe("answers", d) for d in entry.answers)
    if entry.archived_added:
        changes.append(_n("{count} answer(s) archived", "{count} answer(s) archived", entry.archived_added))
    changes.extend(_("sign-off: {record}", record=text) for text in entry.signoffs_added)
    changes.extend(_("sign-off now stale: {record}", record=text) for text in entry.signoffs_stale)
    return {
        "commit": entry.commit[:10] or _("uncommitted"),
        "date": entry.date[:10] if entry.date else "",
        "author": entry.author,
        "subject": entry.subject,
        "tier_before": entry.tier_before,
        "tier_after": entry.tier_after,
        "changes": changes,
    }


def _text(value: Any) -> str:
    if isinstance(value, dict):
        if "value" in value:
            return _text(value.get("value"))
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = " ".join(str(value).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(block: str, delta: Delta) -> str:
    """``answers.q: a -> b`` (``block`` is ``system`` or ``answers``)."""
    field = f"{block}.{delta.name}"
    if delta.before is None:
        return _("{field}: added {value}", field=field, value=_text(delta.after))
    if delta.after is None:
        return _("{field}: removed (was {value})", field=field, value=_text(delta.before))
    return _("{field}: {before} -> {after}", field=field, before=_text(delta.before), after=_text(delta.after))
