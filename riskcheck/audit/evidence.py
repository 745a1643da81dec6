"""The evidence register: every evidence link of an assessment, what it supports, and its state.

A link is local when it is neither a URL (``scheme:``) nor an anchor (``#...``); it is
resolved against the assessment's directory, and a ``#fragment`` is not part of the
file name. For each local file the register gives whether it exists, its sha256 and
when it last changed: the last commit that touched it when git tracks it unchanged,
else the file's modification time. Which links are local is decided by
:func:`riskcheck.core.links.is_local_link`, as for the sign-off hash; :func:`resolve_link`
names the file a local link points at.

A local link must stay inside the assessment's project: the git work tree that holds
the assessment, else the assessment's own folder (:func:`project_root`). A link that
is absolute, climbs out with ``../`` or leads out through a symlink is refused by the
loader (:func:`outside_project`), so no command hashes or sizes a file outside it.

An option may declare ``requires_evidence: true`` (say, "yes, we tested for bias"):
such an answer does not count as given until an evidence link is attached to it
(:func:`needs_evidence`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from riskcheck.core.errors import Problem
from riskcheck.core.links import is_local_link, needs_evidence, outside_project, project_root, resolve_link
from riskcheck.core.questionnaire import EvidenceQuestion

if TYPE_CHECKING:
    from riskcheck.core.loader import LoadedAssessment

__all__ = [
    "EvidenceItem",
    "EvidenceRegister",
    "evidence_register",
    "is_local_link",
    "needs_evidence",
    "outside_project",
    "project_root",
    "resolve_link",
]


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence link and what the register knows about it."""

    question: str
    #: ``section.question`` as the report numbers it ("" for an archived answer).
    number: str
    link: str
    #: ``evidence``: listed under an answer; ``answer``: the value of an evidence question;
    #: ``archived``: attached to an archived answer.
    source: Literal["evidence", "answer", "archived"]
    line: int | None
    column: int | None
    local: bool
    #: For a local link: the file exists (None for a URL).
    exists: bool | None = None
    sha256: str | None = None
    size: int | None = None
    #: When the file last changed (ISO date and time), and how that is known.
    changed: str | None = None
    changed_from: Literal["git", "mtime"] | None = None
    changed_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "number": self.number,
            "link": self.link,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "local": self.local,
            "exists": self.exists,
            "sha256": self.sha256,
            "size": self.size,
            "changed": self.changed,
            "changed_from": self.changed_from,
            "changed_by": self.changed_by,
        }


@dataclass(frozen=True)
class EvidenceRegister:
    path: Path
    items: tuple[EvidenceItem, ...]
    #: Answers that pick a ``requires_evidence`` option with no link attached: they do not count.
    waiting: tuple[tuple[str, int | None, int | None], ...]

    @property
    def missing(self) -> tuple[EvidenceItem, ...]:
        return tuple(i for i in self.items if i.local and not i.exists)

    def problems(self) -> list[Problem]:
        """A missing local file, or an answer waiting for its evidence, with file:line:col."""
        found = [
            Problem(str(self.path), f"evidence file {i.link} not found", i.line, i.column, f"answers.{i.question}")
            for i in self.missing
            if i.source != "archived"
        ]
        for qid, line, column in self.waiting:
            message = (
                "this answer needs an evidence link (its option requires evidence); "
                "it does not count until one is attached"
            )
            found.append(Problem(str(self.path), message, line, column, f"answers.{qid}"))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "riskcheck.evidence/1",
            "assessment": str(self.path),
            "items": [i.to_dict() for i in self.items],
            "missing": len(self.missing),
            "waiting_for_evidence": [q for q, _, _ in self.waiting],
        }


def evidence_register(loaded: LoadedAssessment, *, dates: bool = True) -> EvidenceRegister:
    """Every evidence link of ``loaded``, in question order, then those of archived answers.

    Without ``dates``, when each file last changed is left out (a report must not depend
    on the clock or the checkout).
    """
    document = loaded.document
    raw = dict(loaded.file.answers)
    items: list[EvidenceItem] = []
    git = _GitDates(loaded.base_dir if dates else None)
    waiting = []
    for compiled in sorted(loaded.questionnaire.questions.values(), key=lambda q: (q.section_index, q.index)):
        qid = compiled.id
        entry: Any = raw.get(qid)
        number = f"{compiled.section_index + 1}.{compiled.index + 1}"
        long_form = isinstance(entry, dict)
        links = list(entry.get("evidence") or []) if long_form else []
        for index, link in enumerate(links):
            position = document.position(("answers", qid, "evidence", index))
            items.append(_item(loaded.base_dir, git, qid, number, str(link), "evidence", position))
        value = entry.get("value") if long_form else entry
        if isinstance(compiled.question, EvidenceQuestion) and value is not None:
            values = value if isinstance(value, list) else [value]
            for index, link in enumerate(values):
                loc = ("answers", qid, "value", index) if long_form else ("answers", qid, index)
                items.append(_item(loaded.base_dir, git, qid, number, str(link), "answer", document.position(loc)))
        if needs_evidence(compiled.question, _normalised(loaded, qid, value)) and not links:
            line, column = document.position(("answers", qid), key=True) or (None, None)
            waiting.append((qid, line, column))
    for index, archived in enumerate(loaded.file.archived_answers):
        for e_index, link in enumerate(archived.evidence):
            position = document.position(("archived_answers", index, "evidence", e_index))
            name = f"{archived.question} ({archived.version})"
            items.append(_item(loaded.base_dir, git, name, "", link, "archived", position))
    return EvidenceRegister(loaded.path, tuple(items), tuple(waiting))


def _normalised(loaded: LoadedAssessment, qid: str, value: Any) -> Any:
    from riskcheck.core.loader import normalise_answer

    try:
        return normalise_answer(loaded.questionnaire.questions[qid].question, value)
    except ValueError:
        return None


def _item(
    base_dir: Path,
    git: _GitDates,
    question: str,
    number: str,
    link: str,
    source: Literal["evidence", "answer", "archived"],
    position: tuple[int, int] | None,
) -> EvidenceItem:
    from riskcheck.files.fileio import sha256_evidence

    line, column = position or (None, None)
    if not is_local_link(link):
        return EvidenceItem(question, number, link, source, line, column, local=False)
    target = resolve_link(base_dir, link)
    if outside_project(base_dir, link) is not None or not target.is_file():
        return EvidenceItem(question, number, link, source, line, column, local=True, exists=False)
    try:
        digest, size = sha256_evidence(target)
    except OSError:  # unreadable, or past the bound (a /proc file streaming gigabytes)
        return EvidenceItem(question, number, link, source, line, column, local=True, exists=False)
    changed, changed_from, changed_by = git.last_change(target)
    return EvidenceItem(
        question, number, link, source, line, column, True, True, digest, size, changed, changed_from, changed_by
    )


class _GitDates:
    """When a file last changed: its last commit when git tracks it unchanged, else its mtime."""

    def __init__(self, directory: Path | None) -> None:
        self.enabled = directory is not None
        self.root: Path | None = None
        if directory is None:
            return
        try:
            from riskcheck.files.gitrev import _git

            top = _git(Path(directory).resolve(), "rev-parse", "--show-toplevel")
            if top.returncode == 0:
                self.root = Path(top.stdout.decode("utf-8", "surrogateescape").strip())
        except Exception:  # git missing or slow: dates come from the file system
            self.root = None

    def last_change(self, path: Path) -> tuple[str | None, Literal["git", "mtime"] | None, str | None]:
        if not self.enabled:
            return None, None, None
        found = self._from_git(path) if self.root is not None else None
        if found is not None:
            return found
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).replace(microsecond=0)
        return mtime.isoformat(), "mtime", None

    def _from_git(self, path: Path) -> tuple[str, Literal["git", "mtime"], str | None] | None:
        from riskcheck.files.gitrev import GitError, _entry, _git

        assert self.root is not None
        try:
            relative = Path(os.path.abspath(path)).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None  # outside the repository
        # Plumbing only: `git status` would run the clean filter a hostile checkout's
        # .git/config names (and rewrite the index). The file is unchanged when its
        # bytes, unfiltered, are the blob the last commit holds.
        try:
            committed = _entry(self.root, "HEAD", relative)
        except GitError:
            return None  # no commit yet
        if committed is None or committed.kind != "blob":
            return None  # untracked: the file's own time counts
        hashed = _git(self.root, "hash-object", "--no-filters", "--", relative)
        if hashed.returncode != 0 or hashed.stdout.decode("ascii", "replace").strip() != committed.object:
            return None  # changed since the last commit: the file's own time counts
        log = _git(self.root, "log", "-1", "--format=%aI%x00%an", "--", relative)
        text = log.stdout.decode("utf-8", "replace").strip()
        if log.returncode != 0 or not text:
            return None
        date, _, author = text.partition("\x00")
        return date, "git", author
