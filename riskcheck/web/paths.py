"""Map request paths to files inside the served directory, and nothing outside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from riskcheck.core.errors import RiskcheckError

#: How many YAML files the list page looks at, and how deep.
MAX_LISTED = 500
MAX_DEPTH = 6

_NEW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.ya?ml$")


class OutsideRoot(RiskcheckError):
    """A requested path is not a YAML file inside the served directory."""


def resolve_inside(root: Path, relative: str) -> Path:
    """The real path of ``relative`` below ``root``; refuse anything that could leave it.

    ``relative`` is the already URL-decoded path from the request. Absolute paths,
    ``..`` parts, backslashes, NUL bytes, hidden files and symlinks whose target is
    outside ``root`` are all refused with the same message, so the answer does not
    tell what exists outside.
    """
    refused = OutsideRoot(f"{relative!r}: not an assessment in the served directory")
    if not relative or "\x00" in relative or "\\" in relative or len(relative) > 1000:
        raise refused
    pure = PurePosixPath(relative)
    if pure.is_absolute() or any(part in ("", ".", "..") or part.startswith(".") for part in pure.parts):
        raise refused
    if pure.suffix not in (".yaml", ".yml"):
        raise refused
    real_root = root.resolve()
    try:
        real = (real_root / pure).resolve(strict=True)
    except (OSError, RuntimeError):
        raise refused from None
    if not real.is_relative_to(real_root) or not real.is_file():
        raise refused
    return real


def new_file_path(root: Path, name: str) -> Path:
    """Where a new assessment called ``name`` goes: directly in ``root``, never over a file."""
    name = name.strip()
    if not _NEW_NAME.match(name):
        raise RiskcheckError(
            f"{name!r}: expected a file name such as credit-scoring.yaml "
            "(letters, digits, '.', '_' or '-', ending in .yaml)"
        )
    path = root.resolve() / name
    if path.exists() or path.is_symlink():
        raise RiskcheckError(f"{name}: a file with this name already exists; choose another name")
    return path


@dataclass(frozen=True)
class Listed:
    relative: str
    path: Path


def yaml_files(root: Path) -> list[Listed]:
    """YAML files below ``root`` (not following links out of it, skipping hidden directories)."""
    real_root = root.resolve()
    found: list[Listed] = []
    for path in sorted(real_root.rglob("*.y*ml")):
        relative = path.relative_to(real_root)
        if len(relative.parts) > MAX_DEPTH or any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if not real.is_relative_to(real_root) or not real.is_file():
            continue
        found.append(Listed(relative.as_posix(), real))
        if len(found) >= MAX_LISTED:
            break
    return found
