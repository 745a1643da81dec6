"""An assessment as it was at a git revision, with the files it uses, for ``check --baseline`` and ``diff``.

:func:`materialised` writes, into a temporary directory that mirrors the
repository's layout, the assessment at the revision and every file it refers to
that git tracked there: the questionnaire given by path and the fairness data,
model and saved result. Their relative paths then resolve inside that tree, so the
old side is scored entirely as it was at the revision. A referenced file git did
not track at the revision (ignored data, say) is taken from the working tree, and
each such file is named in a warning. A bundled questionnaire (``id@version``)
comes from the installed package, whatever the revision.

git runs as a subprocess with an argument list (never a shell), every file is
size-checked before it is read, and blobs are streamed to disk, not into memory.

The repository may be hostile (a downloaded checkout, with its own ``.git/config``).
riskcheck runs only plumbing that reads objects (``rev-parse``, ``ls-tree``,
``cat-file``): no hooks, pager, filters, textconv or fsmonitor run for these. The one
way left for a repository's configuration to run a command is a fetch, which a
partial clone starts by itself for a missing object (``remote.<name>.url =
ext::...`` or ``uploadpack``); so lazy fetching is off and no transport protocol is
allowed. Replace refs are ignored, so a revision reads as it was committed.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from riskcheck.core.errors import RiskcheckError
from riskcheck.files.fileio import MAX_YAML_BYTES

#: Seconds any one git command may take (reading a large blob gets more: see :func:`_blob_timeout`).
GIT_TIMEOUT = 30
#: The slowest rate (bytes a second) at which a blob is expected to stream out of git.
_BLOB_BYTES_PER_SECOND = 20 * 1024**2
_MODE_FILE = ("100644", "100755")
#: How many levels above the repository root a referenced path may climb ("../../data.csv").
MAX_CLIMB = 16

Warn = Callable[[str], None]

#: Command-line settings override the repository's own: no transport (a fetch could run a
#: command the repository names), no fsmonitor, and no signature checks in ``git log``
#: (``log.showSignature`` would run the ``gpg.program`` the repository names).
_SAFE_OPTIONS = (
    "-c",
    "protocol.allow=never",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "log.showSignature=false",
    # A folder committed with HEAD, config, objects/ and refs/ in it is a bare repository to
    # git, whose config could name any worktree (core.worktree = /): never discover one.
    "-c",
    "safe.bareRepository=explicit",
)
_SAFE_ENVIRONMENT = {
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
    "GIT_NO_LAZY_FETCH": "1",  # a partial clone's missing object stays missing
    "GIT_ALLOW_PROTOCOL": "none",  # overrides protocol.<name>.allow in the repository's config
    "GIT_NO_REPLACE_OBJECTS": "1",
}


class GitError(RiskcheckError):
    """A revision or a file at a revision cannot be read."""


def _git(directory: Path, *args: str, stdout: Any = subprocess.PIPE, timeout: float = GIT_TIMEOUT) -> Any:
    executable = shutil.which("git")
    if executable is None:
        raise GitError("git is not installed or not on PATH; it is needed to read a file at a revision")
    try:
        return subprocess.run(
            [executable, *_SAFE_OPTIONS, "--literal-pathspecs", "-C", str(directory), *args],
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
            env={**os.environ, **_SAFE_ENVIRONMENT},
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:.0f} s in {directory}") from None


def _check_revision_text(rev: str) -> None:
    if not rev or rev.startswith("-") or any(ch in rev for ch in "\0\n\r") or ":" in rev:
        raise GitError(f"{rev!r} is not a git revision")


def _toplevel(directory: Path, rev: str) -> Path:
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(f"{directory}: not inside a git repository, so revision {rev!r} cannot be read")
    return Path(top.stdout.decode("utf-8", "surrogateescape").strip())


def verify_revision(rev: str, directory: Path) -> str:
    """The commit ``rev`` names, or a :class:`GitError` saying it does not exist."""
    _check_revision_text(rev)
    directory = Path(directory).resolve()
    root = _toplevel(directory, rev)
    found = _git(directory, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if found.returncode != 0:
        raise GitError(f"revision {rev!r} does not exist in the git repository at {root}")
    return str(found.stdout.decode("ascii").strip())


@dataclass(frozen=True)
class _Entry:
    """A path in the commit's tree: its mode, object and size."""

    mode: str
    kind: str
    object: str
    size: int


def _entry(root: Path, commit: str, relative: str) -> _Entry | None:
    """The tree entry at exactly ``relative`` (a POSIX path from the repository root), if any."""
    listed = _git(root, "ls-tree", "-l", "-z", "--full-tree", commit, "--", relative)
    if listed.returncode != 0:
        message = listed.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"{commit}:{relative}: git ls-tree failed: {message}")
    for record in listed.stdout.split(b"\0"):
        meta, tab, name = record.partition(b"\t")
        if not tab or name.decode("utf-8", "surrogateescape") != relative:
            continue
        mode, kind, obj, size = meta.decode("ascii").split()
        return _Entry(mode, kind, obj, int(size) if size.isdigit() else 0)
    return None


def _blob_timeout(size: int) -> float:
    return GIT_TIMEOUT + size / _BLOB_BYTES_PER_SECOND


def _write_blob(root: Path, entry: _Entry, target: Path, display: str, limit: int) -> None:
    """Stream the blob to ``target``, refusing one larger than ``limit`` bytes."""
    if entry.size > limit:
        raise GitError(f"{display}: file is {entry.size:,} bytes; riskcheck reads at most {limit:,} bytes")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as handle:
        shown = _git(root, "cat-file", "blob", entry.object, stdout=handle, timeout=_blob_timeout(entry.size))
    if shown.returncode != 0:
        message = shown.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"{display}: git cat-file failed: {message}")
    if target.stat().st_size > limit:  # pragma: no cover - git reported the size it then wrote
        raise GitError(f"{display}: file is larger than {limit:,} bytes; riskcheck reads at most that")


@dataclass(frozen=True)
class RevisionCopy:
    """An assessment written out as it was at ``revision``, with the files it uses."""

    revision: str
    #: The assessment inside the temporary tree.
    path: Path
    #: How the assessment is named to the user: ``main:assessments/credit.yaml``.
    display: str
    #: The temporary directory standing for the repository's root.
    tree: Path
    #: One line for each referenced file that was taken from the working tree instead.
    warnings: tuple[str, ...]
    #: Each referenced file as the loader names it (the assessment's directory joined with
    #: the path as written), and as the user should read it (``main:data/credit.csv``).
    names: tuple[tuple[str, str], ...] = ()

    def rename(self, exc: RiskcheckError) -> RiskcheckError:
        """``exc`` with temporary paths replaced by ``REV:path`` names."""
        return _renamed(
            exc,
            [(str(self.path), self.display), *self.names, (f"{self.tree}{os.sep}", f"{self.revision}:")],
        )


def _references(data: Any) -> list[tuple[str, str, int]]:
    """The files an assessment refers to: (path as written, what it is, the largest size read)."""
    from riskcheck.fairness import api as fairness_api
    from riskcheck.fairness import data as tables

    found: list[tuple[str, str, int]] = []
    if not isinstance(data, dict):
        return found
    questionnaire = data.get("questionnaire")
    if isinstance(questionnaire, dict) and isinstance(questionnaire.get("path"), str):
        found.append((questionnaire["path"], "questionnaire", MAX_YAML_BYTES))
    fairness = data.get("fairness")
    if isinstance(fairness, dict):
        for key, what, limit in (
            ("data", "fairness data", tables.MAX_DATA_BYTES),
            ("model", "fairness model", tables.MAX_DATA_BYTES),
            ("result", "saved fairness result", fairness_api.MAX_RESULT_BYTES),
        ):
            if isinstance(fairness.get(key), str):
                found.append((fairness[key], what, limit))
    return found


@contextmanager
def materialised(rev: str, path: Path, *, warn: Warn | None = None) -> Iterator[RevisionCopy | None]:
    """``path`` as of ``rev`` with the files it uses, in a temporary tree (``None`` if absent at ``rev``).

    ``path`` is the assessment in the working tree (relative to the working
    directory, or absolute). ``warn`` receives one line per referenced file taken
    from the working tree. The temporary tree is removed afterwards, whatever happens.
    """
    from riskcheck.files.yamlio import parse_yaml

    path = Path(path)
    display = f"{rev}:{path}"
    directory = Path(os.path.abspath(path)).parent
    commit = verify_revision(rev, directory)
    root = _toplevel(directory.resolve(), rev)
    try:
        assessment_dir = directory.resolve().relative_to(root.resolve())
    except ValueError:  # pragma: no cover - git found the repository from this very directory
        raise GitError(f"{path}: not inside the git repository at {root}") from None
    relative = (PurePosixPath(*assessment_dir.parts) / path.name).as_posix()
    entry = _entry(root, commit, relative)
    if entry is None or entry.kind != "blob":
        yield None
        return
    if entry.size > MAX_YAML_BYTES:
        raise GitError(f"{display}: file is {entry.size:,} bytes; riskcheck reads at most {MAX_YAML_BYTES:,} bytes")
    shown = _git(root, "cat-file", "blob", entry.object)
    if shown.returncode != 0:
        message = shown.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"{display}: git cat-file failed: {message}")
    content: bytes = shown.stdout
    try:
        references = _references(parse_yaml(content.decode("utf-8"), display, what="assessment").data)
    except (RiskcheckError, UnicodeDecodeError):
        references = []  # loading the file reports what is wrong with it, under its REV:path name
    base = PurePosixPath(*assessment_dir.parts)
    # A reference may climb above the repository root ("../../shared/data.csv"); nest the
    # mirrored root deep enough that it still lands inside the temporary directory.
    climbs = [_climb(posixpath.normpath((base / text).as_posix())) for text, _, _ in references]
    depth = max(climbs, default=0)
    if depth > MAX_CLIMB:
        raise GitError(
            f"{display}: a referenced path climbs {depth} levels above the repository root; "
            f"riskcheck follows at most {MAX_CLIMB}"
        )
    scratch = Path(tempfile.mkdtemp(prefix="riskcheck-rev-"))
    try:
        tree = scratch.joinpath("r", *(["up"] * depth))
        copy = tree.joinpath(*assessment_dir.parts, path.name)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(content)
        warnings: list[str] = []
        names = []
        done = {relative}
        for text, what, limit in references:
            if not Path(text).is_absolute():
                names.append((str(copy.parent / text), f"{rev}:{posixpath.normpath((base / text).as_posix())}"))
            line = _materialise_reference(root, commit, rev, display, base, directory, tree, text, what, limit, done)
            if line is not None:
                warnings.append(line)
                if warn is not None:
                    warn(line)
        held = (tree.resolve(), root.resolve())
        _TREES.append(held)
        try:
            yield RevisionCopy(rev, copy, display, tree, tuple(warnings), tuple(names))
        finally:
            _TREES.remove(held)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


#: The temporary trees :func:`materialised` holds open, each with the repository it copies.
_TREES: list[tuple[Path, Path]] = []


def materialised_tree_of(directory: Path) -> tuple[Path, Path] | None:
    """(the temporary tree, the repository's work tree) when ``directory`` is in a revision's copy.

    Such a copy is the repository as it was at the revision, so it is the project that the
    copy's evidence links and fairness paths must stay in; a file git did not track there
    is linked from the work tree, which is the same project.
    """
    resolved = Path(directory).resolve()
    return next((held for held in _TREES if resolved == held[0] or resolved.is_relative_to(held[0])), None)


def _climb(relative: str) -> int:
    """How many levels ``relative`` (normalised) climbs above the repository root."""
    count = 0
    for part in relative.split("/"):
        if part != "..":
            break
        count += 1
    return count


def _materialise_reference(
    root: Path,
    commit: str,
    rev: str,
    display: str,
    base: PurePosixPath,
    directory: Path,
    tree: Path,
    text: str,
    what: str,
    limit: int,
    done: set[str],
) -> str | None:
    """Write one referenced file into ``tree``; the warning line when it comes from the working tree."""
    if not text or any(ch in text for ch in "\0\n\r"):
        return None  # not a usable path; the loader reports it
    if Path(text).is_absolute():
        return f"warning: {display}: {what} {text} is an absolute path, read from the working tree, not from {rev}"
    relative = posixpath.normpath((base / text.replace(os.sep, "/")).as_posix())
    if relative in done:
        return None
    done.add(relative)
    target = tree / relative
    inside = not relative.startswith("../") and relative != ".."
    entry = _entry(root, commit, relative) if inside else None
    if entry is not None and entry.kind == "blob" and entry.mode in _MODE_FILE:
        _write_blob(root, entry, target, f"{rev}:{relative}", limit)
        if not _is_lfs_pointer(target):
            return None
        target.unlink()
        why = f"is stored in Git LFS at {rev}"
    elif not inside:
        why = "is outside the git repository"
    elif entry is not None and entry.mode == "120000":
        why = f"is a symbolic link at {rev}"
    else:
        why = f"is not tracked by git at {rev}"
    working = Path(os.path.abspath(directory / text))
    if working.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.symlink(working, target)
        return f"warning: {display}: {what} {text} {why}; it is read from the working tree"
    return f"warning: {display}: {what} {text} {why}, and not in the working tree either"


def _is_lfs_pointer(path: Path) -> bool:
    if path.stat().st_size > 1024:
        return False
    with path.open("rb") as handle:
        return handle.read(48).startswith(b"version https://git-lfs.github.com/spec/")


def _renamed(exc: RiskcheckError, replacements: list[tuple[str, str]]) -> RiskcheckError:
    def rename(text: str) -> str:
        for old, new in replacements:
            text = text.replace(old, new)
        return text

    problems = tuple(replace(p, file=rename(p.file)) if p.file else p for p in exc.problems)
    message = str(exc.args[0]) if exc.args else str(exc)
    renamed = type(exc).__new__(type(exc))
    RiskcheckError.__init__(renamed, rename(message), problems)
    return renamed
