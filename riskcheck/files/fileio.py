"""Reading bounded files and writing them atomically."""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import hashlib
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from riskcheck.core.errors import RiskcheckError

#: The largest YAML file riskcheck reads; larger ones are refused unread.
MAX_YAML_BYTES = 2 * 1024 * 1024


def read_bounded_text(path: Path, *, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file of at most ``limit`` bytes, or raise a clear error.

    A control character that YAML and TOML forbid (a NUL byte, say) is reported here
    with its line and column, which the parsers do not give.
    """
    raw = read_bounded_bytes(path, limit=limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RiskcheckError(
            f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        raise RiskcheckError(
            f"{path}:{line}:{column}: the control character U+{ord(control.group()):04X} is not allowed in a "
            "text file (YAML and TOML forbid it); remove it"
        )
    return text


#: Control characters that both YAML and TOML forbid anywhere in a file (tab, LF and CR are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_bounded_bytes(path: Path, *, limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes, or raise a clear error.

    Only regular files are read: a FIFO would block forever and a device such as
    ``/dev/zero`` never ends. The file is opened without blocking and checked through
    its descriptor, so a path swapped after a check cannot slip through.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise RiskcheckError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RiskcheckError(f"{path}: is a directory, expected a file") from None
    except PermissionError:
        raise RiskcheckError(f"{path}: permission denied") from None
    except OSError as exc:
        raise RiskcheckError(f"{path}: cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        note_inputs(path)
        if stat.S_ISDIR(info.st_mode):
            raise RiskcheckError(f"{path}: is a directory, expected a file")
        if not stat.S_ISREG(info.st_mode):
            raise RiskcheckError(f"{path}: is not a regular file (a pipe or a device?); expected a file")
        if info.st_size > limit:
            raise RiskcheckError(f"{path}: file is {info.st_size:,} bytes; riskcheck reads at most {limit:,} bytes")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0 and (chunk := os.read(fd, remaining)):
            chunks.append(chunk)
            remaining -= len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise RiskcheckError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise RiskcheckError(f"{path}: file is larger than {limit:,} bytes")
    return raw


def atomic_write_bytes(path: Path, data: bytes, *, follow_symlinks: bool = True) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never half.

    A symbolic link is followed (the file it points to is replaced and the link stays),
    as an edit in place needs; with ``follow_symlinks=False`` the link itself is
    replaced, so an output never writes through a link to somewhere else. An existing
    file that is not a regular file (a device, a pipe) is never replaced. Temporary
    files that an earlier, killed write left beside the target are removed.
    """
    target = Path(os.path.realpath(path)) if follow_symlinks else Path(os.path.abspath(path))
    directory = target.parent
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            existing = os.lstat(target)
        except FileNotFoundError:
            existing = None
        if existing is None or stat.S_ISLNK(existing.st_mode):
            os.chmod(tmp_name, 0o644)
        elif not stat.S_ISREG(existing.st_mode):
            raise RiskcheckError(f"{path}: {_not_regular(existing.st_mode)}")
        else:
            os.chmod(tmp_name, existing.st_mode & 0o7777)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


# ---------------------------------------------------------------- output files

#: The real paths of the files the current command has read; see :func:`tracking_inputs`.
_inputs: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("riskcheck_inputs", default=None)


@contextlib.contextmanager
def tracking_inputs() -> Iterator[None]:
    """Remember every file read (or named with :func:`note_inputs`) until the block ends.

    :func:`write_output` refuses to replace any of them, so that ``-o`` can never
    overwrite a file the same command read: the assessment, its questionnaire, a theme.
    The command line runs each command inside this block.
    """
    token = _inputs.set(set())
    try:
        yield
    finally:
        _inputs.reset(token)


def note_inputs(*paths: Path | str) -> None:
    """Record ``paths`` as inputs of the current command (a no-op outside :func:`tracking_inputs`)."""
    seen = _inputs.get()
    if seen is not None:
        seen.update(os.path.realpath(p) for p in paths)


def note_input_patterns(base: Path, *names: str | None) -> None:
    """Record files named relative to ``base`` as inputs: a file, every file below a
    directory, or every match of a glob pattern (as fairness ``data:`` allows).

    The walk is bounded as :func:`bounded_glob`'s; a pattern past the bound is left for
    the command that reads it to refuse with its message."""
    for name in names:
        if not name:
            continue
        path = base / name
        try:
            if path.is_dir():
                note_inputs(path, *(p for p in walk_bounded(path) if not p.is_dir()))
            else:
                note_inputs(path, *bounded_glob(str(path)))
        except RiskcheckError:
            note_inputs(path)


#: The most directory entries one glob or folder of data may walk past: ``/**/*.csv``
#: in an assessment would otherwise walk the whole file system.
MAX_WALK_ENTRIES = 1_000_000

#: What makes a path a glob pattern.
GLOB_CHARACTERS = frozenset("*?[")


def walk_bounded(root: Path, *, depth: int | None = None, limit: int = MAX_WALK_ENTRIES) -> Iterator[Path]:
    """Every path below ``root``, at most ``depth`` levels down, never entering a symbolic
    link to a directory (two links to ``.`` would make the walk exponential).

    Raises :class:`RiskcheckError` once more than ``limit`` entries have been seen.
    """
    seen = 0
    stack: list[tuple[Path, int]] = [(Path(root), 0)]
    while stack:
        directory, level = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            continue  # unreadable: as glob, skip it
        for entry in entries:
            seen += 1
            if seen > limit:
                raise RiskcheckError(
                    f"{root}: more than {limit:,} files and folders below it; riskcheck walks at most "
                    "that many for one input; name a narrower folder or glob"
                )
            path = Path(entry.path)
            yield path
            try:
                descend = entry.is_dir(follow_symlinks=False)
            except OSError:
                descend = False
            if descend and (depth is None or level + 1 < depth):
                stack.append((path, level + 1))


def _segment_matches(pattern: str, name: str) -> bool:
    import fnmatch

    if name.startswith(".") and not pattern.startswith("."):
        return False  # as glob: a wildcard never matches a hidden name
    return fnmatch.fnmatchcase(name, pattern)


def _parts_match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        # zero or more folders (never hidden ones), as glob's recursive wildcard
        return _parts_match(pattern[1:], parts) or (
            bool(parts) and not parts[0].startswith(".") and _parts_match(pattern, parts[1:])
        )
    return bool(parts) and _segment_matches(pattern[0], parts[0]) and _parts_match(pattern[1:], parts[1:])


def glob_fixed_parts(pattern: str) -> tuple[str, ...]:
    """The parts of ``pattern`` before the first one holding a glob character: the folder a glob is below."""
    fixed: list[str] = []
    for part in Path(pattern).parts:
        if any(character in part for character in GLOB_CHARACTERS):
            break
        fixed.append(part)
    return tuple(fixed)


def bounded_glob(pattern: str, *, limit: int = MAX_WALK_ENTRIES) -> list[Path]:
    """The paths matching ``pattern`` (``**`` matching any folders), sorted, found by a walk
    of at most ``limit`` entries below the folder above its first wildcard that never
    follows a symbolic link to a directory."""
    parts = Path(pattern).parts
    fixed = glob_fixed_parts(pattern)
    rest = parts[len(fixed) :]
    if not rest:
        return [Path(pattern)] if os.path.lexists(pattern) else []
    root = Path(*fixed) if fixed else Path(".")
    if not root.is_dir():
        return []
    depth = None if "**" in rest else len(rest)
    found = []
    for path in walk_bounded(root, depth=depth, limit=limit):
        relative = path.relative_to(root).parts
        if _parts_match(rest, relative):
            found.append(path)
    return sorted(found)


def check_output(
    path: Path, *, option: str = "", inputs: Iterable[Path | str] = (), create_parent: bool = False
) -> None:
    """Refuse, before any work, an output path that cannot or must not be written.

    Refused: a path that resolves (after symbolic links) to an input of this command,
    a directory, an existing file that is not a regular file (a device, a pipe), a
    missing directory (unless ``create_parent``), and a directory riskcheck may not
    write in.
    """
    where = f"{path}: {option}: " if option else f"{path}: "
    real = os.path.realpath(path)
    given_inputs = {os.path.realpath(p): p for p in inputs}
    if real in given_inputs or real in (_inputs.get() or ()):
        name = given_inputs.get(real)
        which = f" ({name})" if name is not None and str(name) != str(path) else ""
        raise RiskcheckError(
            f"{where}is an input of this command{which}; riskcheck never writes over its inputs; "
            "choose another output file"
        )
    try:
        info = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise RiskcheckError(f"{where}cannot write here: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise RiskcheckError(f"{where}is a directory, expected a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise RiskcheckError(f"{where}{_not_regular(info.st_mode)}")
    if info is not None and not os.access(real, os.W_OK):
        # Replacing it by rename would succeed; a write-protected file says "keep this".
        raise RiskcheckError(f"{where}the file is read-only (permission denied)")
    parent = Path(real).parent
    shown = Path(path).parent if not Path(path).is_symlink() else parent
    shown = shown if str(shown) else Path(".")
    if not parent.is_dir():
        existing = next(p for p in (shown, *shown.parents, parent, *parent.parents) if p.exists())
        if not existing.is_dir():
            raise RiskcheckError(f"{where}{existing} is a file, expected a directory")
        if not create_parent:
            raise RiskcheckError(f"{where}the directory {shown} does not exist")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise RiskcheckError(f"{where}cannot create {shown}: no permission to write in {existing}")
        return
    if not os.access(parent, os.W_OK | os.X_OK):
        raise RiskcheckError(f"{where}cannot write in {shown} (permission denied)")


def write_output(
    path: Path,
    content: bytes | str,
    *,
    option: str = "",
    inputs: Iterable[Path | str] = (),
    create_parent: bool = False,
) -> None:
    """Write an output file atomically, after :func:`check_output`; every command's outputs go here.

    A symbolic link at ``path`` is replaced by the file, never written through.

    Any failure is a :class:`RiskcheckError` that names ``path`` (exit 2), never an
    ``OSError`` naming a temporary file.
    """
    check_output(path, option=option, inputs=inputs, create_parent=create_parent)
    where = f"{path}: {option}: " if option else f"{path}: "
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if create_parent:
            Path(os.path.abspath(path)).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data, follow_symlinks=False)
    except OSError as exc:
        raise RiskcheckError(f"{where}cannot write: {exc.strerror or exc}") from None


def _not_regular(mode: int) -> str:
    kind = "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"exists and is {kind}, not a regular file; riskcheck writes only regular files"


#: ``.<name>.<pid>.<random>.tmp``, as :func:`atomic_write_bytes` names its temporary files
#: (files from before the pid was part of the name have none).
_TEMPORARY = r"\.{name}\.(?:(?P<pid>[0-9]+)\.)?[a-z0-9_]{{8}}\.tmp"
#: A temporary file without a pid in its name is stale once it is this old (seconds).
_STALE_AFTER = 3600.0


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove temporary files that a killed write of ``target`` left behind; return them.

    A temporary file is stale when the process named in it is gone. Only names
    riskcheck itself makes are touched.
    """
    pattern = re.compile(_TEMPORARY.format(name=re.escape(target.name)))
    removed: list[Path] = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        candidate = target.parent / name
        try:
            info = os.lstat(candidate)
            if not stat.S_ISREG(info.st_mode):
                continue
            pid = match.group("pid")
            if pid is None:
                stale = time.time() - info.st_mtime > _STALE_AFTER
            else:
                stale = not process_alive(int(pid))
            if stale:
                os.unlink(candidate)
                removed.append(candidate)
        except OSError:
            continue
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one we may not signal counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


# ---------------------------------------------------------------- editing in place

_held = threading.local()
#: How long an edit waits for another riskcheck process to finish editing the same file.
LOCK_TIMEOUT = 30.0


@contextlib.contextmanager
def edit_lock(path: Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the advisory lock for editing ``path`` in place; yield the real file to edit.

    The lock is ``flock`` on ``.<name>.lock`` beside the real file (symbolic links are
    followed), so every riskcheck process that edits the file (``sign``, ``fill``, the
    web form) reads, changes and writes it in turn and no edit is lost. The lock is
    re-entrant within a thread. Raises :class:`RiskcheckError` when the lock cannot be
    taken within ``timeout`` seconds.
    """
    target = Path(os.path.realpath(path))
    held: dict[str, int] = _held.__dict__.setdefault("paths", {})
    key = str(target)
    if key in held:
        held[key] += 1
        try:
            yield target
        finally:
            held[key] -= 1
        return
    lock_path = target.parent / f".{target.name}.lock"
    deadline = time.monotonic() + (LOCK_TIMEOUT if timeout is None else timeout)
    fd = _acquire(path, lock_path, deadline)
    held[key] = 1
    try:
        yield target
    finally:
        del held[key]
        # Removed while still held, so no lock files are left behind; a process that was
        # waiting on the removed file notices and locks the next one (see _acquire).
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


def _acquire(path: Path, lock_path: Path, deadline: float) -> int:
    """An open descriptor holding ``flock`` on ``lock_path``, the file now at that path."""
    nofollow = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        try:
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | nofollow, 0o644)
            except PermissionError:
                fd = os.open(lock_path, os.O_RDONLY | nofollow)
        except OSError as exc:
            raise RiskcheckError(
                f"{path}: cannot lock the file for editing ({lock_path}: {exc.strerror or exc})"
            ) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise RiskcheckError(
                            f"{path}: another riskcheck process is editing this file (it holds {lock_path}); "
                            "nothing was changed; try again"
                        ) from None
                    time.sleep(0.01)
            mine = os.fstat(fd)
            try:
                now = os.lstat(lock_path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder removed the file we waited on: lock the one at the path now


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: The most bytes riskcheck hashes of one evidence file. Files in ``/proc`` report a
#: size of 0 yet stream hundreds of gigabytes (``/proc/self/pagemap``), so the bound
#: holds on the bytes read, not on the size the file system claims.
MAX_EVIDENCE_BYTES = 1024**3


class EvidenceTooLarge(OSError):
    """An evidence file holds more bytes than riskcheck hashes."""


def sha256_evidence(path: Path, *, limit: int = MAX_EVIDENCE_BYTES) -> tuple[str, int]:
    """The hex sha256 and byte count of a regular file of at most ``limit`` bytes.

    Opened without blocking (a FIFO swapped in after a check never hangs) and checked
    to be a regular file on the open descriptor; raises :class:`EvidenceTooLarge`
    past ``limit`` and :class:`OSError` for anything that is not a regular file.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        os.set_blocking(fd, True)
        digest = hashlib.sha256()
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:
                raise EvidenceTooLarge(f"{path}: larger than {limit:,} bytes")
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest(), size
