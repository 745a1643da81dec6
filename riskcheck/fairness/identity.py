"""The identity of the data a fairness result was computed on, cheap at any size.

A sign-off binds the data. Hashing 100 GB of Parquet on every ``riskcheck check`` is
not practical, so there are several kinds of identity, and the result says which it used:

- ``sha256``: the sha256 of the file's content (one file), or of a manifest listing
  each file's path (relative to the input's folder), size and content sha256.
- ``delta-version``: a Delta Lake table folder's latest version, from its ``_delta_log``
  (the version number and the sha256 of its commit): the data files read are that
  version's (see :mod:`riskcheck.fairness.tables`). The JSON gives the ``version``.
- ``fingerprint``: the sha256 of a manifest listing each file's relative path, size
  and, for Parquet, the sha256 of its footer. The footer holds every row group's
  offsets, sizes, row counts and (usually) column statistics, so rewriting the data
  changes it; a CSV file has no footer, so its line holds its content sha256.

Tables read through Spark are identified in :mod:`riskcheck.fairness.spark`
(``delta-version``, ``iceberg-snapshot``, ``fingerprint`` of a local table's files, or the
fallback ``counts``, which says why).

The default is the version for a Delta table; ``sha256`` for a single file up to
:data:`FULL_HASH_MAX_BYTES` (as before fingerprints existed, so earlier results and
sign-offs stay valid); and ``fingerprint`` otherwise. ``kind="sha256"`` (``--full-hash``)
asks for the content hash at any size, of a Delta table's current files too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcheck.core.errors import DataError
from riskcheck.fairness.sources import Source

#: A single file up to this size is identified by the sha256 of its content by default.
FULL_HASH_MAX_BYTES = 256 * 1024**2
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


def identify(source: Source, *, kind: str = "auto") -> DataIdentity:
    """The identity of ``source``'s files: ``kind`` is sha256, fingerprint, or auto (the default
    described in the module docstring)."""
    from riskcheck.files.fileio import sha256_file

    sizes = [_size(path, source) for path in source.files]
    total = sum(sizes)
    snapshot = source.snapshot
    if snapshot is not None and kind in ("auto", snapshot.kind):
        return DataIdentity(snapshot.kind, snapshot.digest, len(source.files), total, snapshot.identity_details())
    if kind in TABLE_KINDS:
        raise DataError(f"{source.display}: identified by its {kind}, but it is no longer such a table")
    if kind == "auto":
        kind = "sha256" if source.single_file and total <= FULL_HASH_MAX_BYTES else "fingerprint"
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
