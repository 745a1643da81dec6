"""The identity of the data a fairness result was computed on.

A sign-off binds the data, and a saved result is checked against it. The identity is
the sha256 of the data's content whenever that is cheap enough: up to
:data:`DEFAULT_FULL_HASH_LIMIT` (2 GiB) of files in total, a limit whoever runs riskcheck
can change (``riskcheck fairness --full-hash-limit``, or ``RISKCHECK_FULL_HASH_LIMIT`` in the
environment for every command; ``--full-hash`` hashes at any size).
Above it, reading every byte on each ``riskcheck check`` is not practical, and a cheaper
fingerprint is used instead, named as such. The kinds, as the result's ``identity.kind``
gives them:

- ``sha256``: the sha256 of the file's content (one file), or of a manifest listing
  each file's path (relative to the input's folder), size and content sha256.
  Tamper-evident: any change to any byte changes it.
- ``delta-sha256``: a Delta Lake table folder's latest version (its number and the sha256
  of its latest commit) and, for every live data file, its path, its size (checked against
  the log's ``add.size``) and its content sha256. Tamper-evident.
- ``fingerprint``: the sha256 of a manifest listing each file's relative path, size
  and, for Parquet, the sha256 of its footer (a CSV file's line holds its content
  sha256). NOT tamper-evident: the footer holds the row groups' offsets, sizes, row
  counts and (usually) statistics, so an ordinary rewrite changes it, but bytes edited
  in place in the data pages (same size, same footer) do not.
- ``delta-fingerprint``: as ``delta-sha256`` with each file's footer in place of its
  content sha256. NOT tamper-evident, as ``fingerprint``.
- ``delta-version``: the version and the latest commit's sha256 only; what results saved
  before the file-bound kinds recorded, and what Spark gives for a catalog's Delta table.
  NOT tamper-evident: it says nothing of the data files' bytes.

Tables read through Spark are identified in :mod:`riskcheck.fairness.spark`
(``delta-version``, ``iceberg-snapshot``, the kinds above for a local table's files, or
the fallback ``counts``, which says why).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcheck.core.errors import DataError
from riskcheck.fairness.sources import Source

#: Data of at most this many bytes in total is identified by the sha256 of its content by default.
DEFAULT_FULL_HASH_LIMIT = 2 * 1024**3
#: The most footer bytes read from one Parquet file.
MAX_FOOTER_BYTES = 64 * 1024**2
_MANIFEST = "riskcheck.data-manifest/1"


@dataclass(frozen=True)
class DataIdentity:
    """``digest`` of ``kind`` over ``files`` files holding ``bytes`` bytes; ``details`` say more
    (a table's name, version or snapshot, why a fallback was used)."""

    kind: str
    digest: str
    files: int
    bytes: int
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "digest": self.digest, "files": self.files, "bytes": self.bytes, **self.details}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataIdentity:
        details = {key: value for key, value in data.items() if key not in ("kind", "digest", "files", "bytes")}
        return cls(str(data["kind"]), str(data["digest"]), int(data["files"]), int(data["bytes"]), details)


#: Kinds of identity a table's own version gives (see :mod:`riskcheck.fairness.tables`).
TABLE_KINDS = ("delta-version", "iceberg-snapshot")
#: The kinds of identity a Delta table folder's files give.
DELTA_KINDS = ("delta-sha256", "delta-fingerprint", "delta-version")
#: The kinds that change whenever any byte of the data does.
TAMPER_EVIDENT_KINDS = ("sha256", "delta-sha256", "columns-sha256")
#: What each kind of identity covers, in words (the report and the text output say it).
KIND_WORDS = {
    "sha256": "sha256 of every byte of the data",
    "delta-sha256": "Delta version, and the sha256 of every byte of its live files",
    "fingerprint": (
        "fingerprint (file sizes and Parquet footers), not a hash of every byte: not tamper-evident; "
        "riskcheck fairness --full-hash gives the full hash"
    ),
    "delta-fingerprint": (
        "Delta version with a fingerprint of its files (sizes and Parquet footers), not a hash of every "
        "byte: not tamper-evident; riskcheck fairness --full-hash gives the full hash"
    ),
    "delta-version": "Delta version only (its log, not its files' bytes): not tamper-evident",
    "iceberg-snapshot": "Iceberg snapshot id only (its metadata, not its files' bytes): not tamper-evident",
    "counts": "digest of the schema and the count table: not tamper-evident",
    "columns-sha256": "sha256 of the columns read (data in memory)",
}

#: Sets the full-hash limit for every command (``check``, ``score``, ``report``) of whoever runs riskcheck.
LIMIT_VARIABLE = "RISKCHECK_FULL_HASH_LIMIT"
_LIMIT: ContextVar[int | None] = ContextVar("riskcheck_full_hash_limit", default=None)


def full_hash_limit() -> int:
    """The most bytes of data identified by the sha256 of its content by default (``kind="auto"``):
    the command's ``--full-hash-limit``, else :data:`LIMIT_VARIABLE` in the environment, else
    :data:`DEFAULT_FULL_HASH_LIMIT`."""
    import os

    limit = _LIMIT.get()
    if limit is not None:
        return limit
    text = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_FULL_HASH_LIMIT
    try:
        return parse_size(text)
    except ValueError as exc:
        raise DataError(f"{LIMIT_VARIABLE}: {exc}") from None


@contextmanager
def hashing_up_to(limit: int | None) -> Iterator[None]:
    """Within the block, data up to ``limit`` bytes in total is hashed in full (None: as before)."""
    if limit is None:
        yield
        return
    if limit < 0:
        raise DataError(f"full hash limit: expected 0 or more bytes, got {limit:,}")
    token = _LIMIT.set(limit)
    try:
        yield
    finally:
        _LIMIT.reset(token)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?i?b?)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``2GiB``, ``500MB``, ``1.5G`` or ``1048576`` as a number of bytes (K, M, G, T: powers of 1024)."""
    found = _SIZE.match(text)
    if found is None:
        raise ValueError(f"expected a size such as 2GiB, 500MB or 0, got {text!r}")
    unit = (found.group(2) or "").lower().rstrip("b").rstrip("i")
    power = " kmgtp".index(unit) if unit else 0
    return int(float(found.group(1)) * 1024**power)


def describe_kind(identity: Mapping[str, Any] | None) -> str:
    """What an identity covers, in words: ``fingerprint (...): not tamper-evident; ...``."""
    kind = str((identity or {}).get("kind", "sha256"))
    sides = (identity or {}).get("sides")
    if kind == "joined" and isinstance(sides, list) and len(sides) == 2:
        data, sensitive = (describe_kind(side if isinstance(side, Mapping) else None) for side in sides)
        return f"data: {data}; sensitive table: {sensitive}"
    return KIND_WORDS.get(kind, kind)


def is_tamper_evident(identity: Mapping[str, Any] | None) -> bool:
    """Whether the identity changes with any byte of the data (both sides' kinds, when joined)."""
    identity = identity or {"kind": "sha256"}
    sides = identity.get("sides")
    if identity.get("kind") == "joined" or isinstance(sides, list):
        return isinstance(sides, list) and all(isinstance(s, Mapping) and is_tamper_evident(s) for s in sides)
    return identity.get("kind") in TAMPER_EVIDENT_KINDS


def identify(source: Source, *, kind: str = "auto") -> DataIdentity:
    """The identity of ``source``'s files: ``kind`` is sha256, fingerprint, a Delta kind, or auto:
    the content hash up to :func:`full_hash_limit` bytes in total, a fingerprint above it."""
    from riskcheck.files.fileio import sha256_file

    sizes = [_size(path, source) for path in source.files]
    total = sum(sizes)
    snapshot = source.snapshot
    limit = full_hash_limit()
    if snapshot is not None and snapshot.table_format == "delta" and kind in ("auto", *DELTA_KINDS):
        return _delta_identity(source, sizes, total, kind, limit)
    if snapshot is not None and kind in ("auto", snapshot.kind):
        return DataIdentity(snapshot.kind, snapshot.digest, len(source.files), total, snapshot.identity_details())
    if kind in TABLE_KINDS or kind in DELTA_KINDS:
        raise DataError(f"{source.display}: identified by its {kind}, but it is no longer such a table")
    if kind == "auto":
        kind = "sha256" if total <= limit else "fingerprint"
    if kind not in ("sha256", "fingerprint"):
        raise DataError(f"data identity: expected sha256, fingerprint or auto, got {kind!r}")
    if kind == "sha256" and source.single_file:
        return DataIdentity("sha256", sha256_file(source.files[0]), 1, total)
    manifest = hashlib.sha256(f"{_MANIFEST} {kind}\n".encode())
    for path, size in zip(source.files, sizes, strict=True):
        if kind == "fingerprint" and source.file_format == "parquet":
            part = "footer:" + _footer_sha256(path, size, source)
        else:
            part = "sha256:" + sha256_file(path)
        name = _relative(path, source.root)
        manifest.update(f"{len(name)}:{name} {size} {part}\n".encode())
    return DataIdentity(kind, manifest.hexdigest(), len(source.files), total)


def _delta_identity(source: Source, sizes: list[int], total: int, kind: str, limit: int) -> DataIdentity:
    """A Delta table's version bound to its live files: each one's size, checked against the
    log's ``add.size``, and its content sha256 (``delta-sha256``) or footer (``delta-fingerprint``)."""
    from riskcheck.files.fileio import sha256_file

    snapshot = source.snapshot
    assert snapshot is not None
    details = snapshot.identity_details()
    if kind == "delta-version":  # the log alone, as results saved before the file-bound kinds recorded
        return DataIdentity(kind, snapshot.digest, len(source.files), total, details)
    if kind == "auto":
        kind = "delta-sha256" if total <= limit else "delta-fingerprint"
    manifest = hashlib.sha256(f"riskcheck.delta-files/1 {kind} {snapshot.digest}\n".encode())
    for path, size in zip(source.files, sizes, strict=True):
        name = _relative(path, source.root)
        logged = snapshot.sizes.get(path)
        if logged is not None and logged != size:
            raise DataError(
                f"{source.display}: {name}: {size:,} bytes, but the Delta log's add.size for it is {logged:,}; "
                "expected the file the log added (a data file was rewritten outside the table's log)"
            )
        if kind == "delta-sha256":
            part = "sha256:" + sha256_file(path)
        else:
            part = "footer:" + _footer_sha256(path, size, source)
        manifest.update(f"{len(name)}:{name} {size} {part}\n".encode())
    return DataIdentity(kind, manifest.hexdigest(), len(source.files), total, details)


def _size(path: Path, source: Source) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise DataError(f"{source.display}: cannot read {path}: {exc.strerror or exc}") from None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _footer_sha256(path: Path, size: int, source: Source) -> str:
    """sha256 of a Parquet file's footer: the metadata and its length, read from the end."""
    with path.open("rb") as handle:
        handle.seek(max(size - 8, 0))
        tail = handle.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != b"PAR1" or length > min(size - 12, MAX_FOOTER_BYTES) or length < 0:
            raise DataError(f"{source.display}: {path}: the Parquet footer is damaged (length {length:,})")
        handle.seek(size - 8 - length)
        footer = handle.read(length) + tail
    return hashlib.sha256(footer).hexdigest()
