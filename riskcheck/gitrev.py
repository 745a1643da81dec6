"""Read a file as it was at a git revision, for ``check --baseline`` and ``diff``.

git runs as a subprocess with an argument list (never a shell). The old file is
written next to the current one, so that its relative paths (the questionnaire,
the fairness data) resolve as they would in a checkout of that revision.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from riskcheck.errors import RiskcheckError
from riskcheck.fileio import MAX_YAML_BYTES

#: Seconds any one git command may take.
GIT_TIMEOUT = 30


class GitError(RiskcheckError):
    """A revision or a file at a revision cannot be read."""


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    executable = shutil.which("git")
    if executable is None:
        raise GitError("git is not installed or not on PATH; it is needed to read a file at a revision")
    try:
        return subprocess.run(
            [executable, "-C", str(directory), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s in {directory}") from None


def _check_revision_text(rev: str) -> None:
    if not rev or rev.startswith("-") or any(ch in rev for ch in "\0\n\r") or ":" in rev:
        raise GitError(f"{rev!r} is not a git revision")


def verify_revision(rev: str, directory: Path) -> str:
    """The commit ``rev`` names, or a :class:`GitError` saying it does not exist."""
    _check_revision_text(rev)
    directory = Path(directory).resolve()
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(f"{directory}: not inside a git repository, so revision {rev!r} cannot be read")
    found = _git(directory, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if found.returncode != 0:
        root = top.stdout.decode("utf-8", "replace").strip()
        raise GitError(f"revision {rev!r} does not exist in the git repository at {root}")
    return found.stdout.decode("ascii").strip()


def file_at_revision(rev: str, path: Path) -> bytes | None:
    """The bytes of ``path`` at ``rev``; ``None`` when the file did not exist there."""
    path = Path(path).resolve()
    directory = path.parent
    verify_revision(rev, directory)
    spec = f"{rev}:./{path.name}"
    size = _git(directory, "cat-file", "-s", spec)
    if size.returncode != 0:
        return None
    if int(size.stdout.strip() or 0) > MAX_YAML_BYTES:
        raise GitError(
            f"{rev}:{path.name}: file is {int(size.stdout):,} bytes; riskcheck reads at most {MAX_YAML_BYTES:,} bytes"
        )
    shown = _git(directory, "show", spec)
    if shown.returncode != 0:
        message = shown.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"{rev}:{path.name}: git show failed: {message}")
    return shown.stdout


@contextmanager
def materialised(rev: str, path: Path) -> Iterator[Path | None]:
    """``path`` as of ``rev``, written to a temporary file beside it (``None`` if absent at ``rev``).

    The temporary file is removed afterwards, whatever happens.
    """
    content = file_at_revision(rev, path)
    if content is None:
        yield None
        return
    path = Path(path)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", rev)[:40]
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".at-{safe}{path.suffix}", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        yield Path(name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def renamed_error(exc: RiskcheckError, temporary: Path, display: str) -> RiskcheckError:
    """``exc`` with the temporary file's name replaced by ``display`` (e.g. ``main:risk.yaml``)."""
    problems = tuple(replace(p, file=display) if p.file == str(temporary) else p for p in exc.problems)
    message = str(exc.args[0]) if exc.args else str(exc)
    renamed = type(exc).__new__(type(exc))
    RiskcheckError.__init__(renamed, message.replace(str(temporary), display), problems)
    return renamed
