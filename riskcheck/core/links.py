"""Evidence links: which are local files, where they point, and when an answer needs one.

A link is local when it is neither a URL (``scheme:``) nor an anchor (``#...``); it is
resolved against the assessment's directory, and a ``#fragment`` is not part of the
file name. A local link must stay inside the assessment's project: the git work tree
that holds the assessment, else the assessment's own folder (:func:`project_root`).
The loader refuses a link that is absolute, climbs out with ``../`` or leads out
through a symlink (:func:`outside_project`), so no command hashes or sizes a file
outside the project. The sign-off hash (:mod:`riskcheck.core.content`) and the
evidence register (:mod:`riskcheck.audit.evidence`) use the same rules.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from riskcheck.core.questionnaire import MultipleChoiceQuestion, Question, SingleChoiceQuestion, YesNoQuestion

_SCHEME_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_local_link(link: str) -> bool:
    """A link to a file next to the assessment, rather than a URL or an anchor."""
    text = link.strip()
    return bool(text) and not text.startswith("#") and not _SCHEME_PREFIX.match(text)


def resolve_link(base_dir: Path, link: str) -> Path:
    """The file a local link names, relative to the assessment's directory, without its ``#fragment``."""
    return Path(base_dir) / link.strip().split("#", 1)[0]


def project_root(base_dir: Path) -> Path:
    """The folder local evidence must stay in: the enclosing git work tree, else ``base_dir``.

    git runs as :mod:`riskcheck.files.gitrev` runs it (plumbing only, the repository's
    configuration cannot run a command).
    """
    return project_roots(base_dir)[0]


def project_roots(base_dir: Path) -> tuple[Path, ...]:
    """:func:`project_root`, and for a revision's temporary copy also the work tree it copies
    (files git did not track at the revision are linked from there)."""
    from riskcheck.files.gitrev import materialised_tree_of

    directory = Path(os.path.abspath(base_dir)).resolve()
    held = materialised_tree_of(directory)
    return held if held is not None else (_project_root(str(directory)),)


@functools.lru_cache(maxsize=256)
def _project_root(directory: str) -> Path:
    try:
        from riskcheck.files.gitrev import _git

        top = _git(Path(directory), "rev-parse", "--show-toplevel")
        if top.returncode == 0:
            found = top.stdout.decode("utf-8", "surrogateescape").strip()
            # The work tree must hold the assessment's folder and its own .git: a repository
            # whose configuration names another work tree (core.worktree = /) does not widen
            # the project.
            top_level = Path(found).resolve() if found else None
            if top_level is not None and Path(directory).is_relative_to(top_level) and (top_level / ".git").exists():
                return top_level
    except Exception:  # git missing or slow: the assessment's folder is the project
        pass
    return Path(directory)


def outside_project(base_dir: Path, link: str) -> Path | None:
    """The project root when the local ``link`` resolves (after symlinks) outside it, else None."""
    roots = project_roots(base_dir)
    try:
        target = Path(os.path.abspath(resolve_link(base_dir, link))).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: not a usable path
        return roots[0]
    return None if any(target == root or target.is_relative_to(root) for root in roots) else roots[0]


def path_outside_project(base_dir: Path, named: str, *, allowed: Sequence[Path] = ()) -> Path | None:
    """The project root when a path a file names (fairness data, a glob or folder of it, a
    model, a saved result) leads outside it, after symlinks, else None.

    A glob is judged by the folder above its first glob character; the files it matches
    are checked again when they are read (:func:`riskcheck.fairness.sources.resolve_source`).
    """
    roots = project_roots(base_dir)
    root = roots[0]
    from riskcheck.files.fileio import glob_fixed_parts

    fixed = glob_fixed_parts(named)
    try:
        target = Path(os.path.abspath(Path(base_dir) / Path(*fixed))).resolve() if fixed else Path(base_dir).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: not a usable path
        return root
    inside = (*roots, *allowed)
    return None if any(target == folder or target.is_relative_to(folder) for folder in inside) else root


def needs_evidence(question: Question, value: Any) -> bool:
    """Whether the answer ``value`` picks an option that counts only with an evidence link."""
    if value is None:
        return False
    if isinstance(question, SingleChoiceQuestion):
        return any(o.requires_evidence and o.value == value for o in question.options)
    if isinstance(question, MultipleChoiceQuestion):
        chosen = set(value) if isinstance(value, (set, frozenset, list, tuple)) else {value}
        return any(o.requires_evidence and o.value in chosen for o in question.options)
    if isinstance(question, YesNoQuestion):
        wanted = question.requires_evidence
        return wanted is not None and (value is True) == (wanted == "yes")
    return False
