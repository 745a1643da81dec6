"""Reading bounded files and writing them atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from riskcheck.errors import RiskcheckError

#: The largest YAML file riskcheck reads; larger ones are refused unread.
MAX_YAML_BYTES = 2 * 1024 * 1024


def read_bounded_text(path: Path, *, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file of at most ``limit`` bytes, or raise a clear error."""
    raw = read_bounded_bytes(path, limit=limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RiskcheckError(
            f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None


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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never half."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
