"""Table formats on disk: which files a Delta Lake table's current version holds, and which
snapshot an Iceberg table is at, read from their logs and metadata without extra packages.

A Delta Lake folder holds the Parquet files of every version still kept, so reading all
of its Parquet files would count rows the table has since removed. Its ``_delta_log``
says which files the latest version holds: a checkpoint (Parquet) and JSON commits
after it, each a list of actions; replaying ``add`` and ``remove`` gives the files.
The latest version and its commit pin the log; the data's identity binds each live
file's size (the log's ``add.size``) and content too (:mod:`riskcheck.fairness.identity`).

An Iceberg folder's ``metadata/`` holds a JSON file per table version; the newest names
the current snapshot. Which data files belong to it is written in Avro manifests,
which riskcheck does not read, so an Iceberg folder is identified, never read as files.

Whatever riskcheck cannot follow exactly (deletion vectors, column mapping, an unknown
reader feature, a gap in the log, a file outside the table) is refused, by name: a
table read wrongly would give wrong figures that look right.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcheck.core.errors import DataError

_COMMIT = re.compile(r"^(\d{20})\.json$")
_CHECKPOINT = re.compile(r"^(\d{20})\.checkpoint\.parquet$")
_ICEBERG_METADATA = re.compile(r"^(?:v(\d+)|(\d+)-[0-9a-fA-F-]+)(?:\.gz)?\.metadata\.json$")
#: Reader features whose tables riskcheck reads exactly as plain Parquet files.
_DELTA_READER_FEATURES = frozenset({"timestampNtz", "vacuumProtocolCheck", "deletionVectors"})
#: The most bytes read from one log or metadata file.
MAX_LOG_FILE_BYTES = 256 * 1024**2
#: The most commit files replayed after the latest checkpoint.
MAX_COMMITS = 100_000
#: The most rows of a Delta checkpoint (one per live or removed file, protocol and metadata).
MAX_CHECKPOINT_ROWS = 20_000_000
#: The most bytes a Delta checkpoint's actions hold once decoded (every string and number).
MAX_CHECKPOINT_BYTES = 2 * 1024**3
#: The most bytes of one value in a Delta checkpoint (a path, a statistics string).
MAX_CHECKPOINT_VALUE_BYTES = 16 * 1024**2
#: The most bytes of one batch of checkpoint rows turned into Python objects at a time.
MAX_CHECKPOINT_BATCH_BYTES = 64 * 1024**2
_CHECKPOINT_BATCH_ROWS = 1024


@dataclass(frozen=True)
class Snapshot:
    """A table's version on disk: ``delta`` (its version) or ``iceberg`` (its snapshot id)."""

    table_format: str
    version: int | None
    digest: str
    files: tuple[Path, ...] = ()
    partition_columns: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    #: Each live file's size as the log's ``add.size`` gives it (None where it gives none).
    sizes: dict[Path, int | None] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The identity kind this snapshot gives: ``delta-version`` or ``iceberg-snapshot``."""
        return "delta-version" if self.table_format == "delta" else "iceberg-snapshot"

    def identity_details(self) -> dict[str, Any]:
        key = "version" if self.table_format == "delta" else "snapshot_id"
        return {"format": self.table_format, key: self.version, **self.details}


def table_format(folder: Path) -> str | None:
    """``delta`` or ``iceberg`` when ``folder`` holds such a table, else None."""
    if (folder / "_delta_log").is_dir():
        return "delta"
    metadata = folder / "metadata"
    if metadata.is_dir() and any(_ICEBERG_METADATA.match(path.name) for path in metadata.iterdir()):
        return "iceberg"
    return None


# ---------------------------------------------------------------- Delta Lake


def delta_snapshot(folder: Path, display: str) -> Snapshot:
    """The latest version of the Delta table in ``folder``: its number and its data files."""
    log = folder / "_delta_log"
    try:
        names = [path.name for path in log.iterdir()]
    except OSError as exc:
        raise DataError(f"{display}: cannot read the Delta log: {exc.strerror or exc}") from None
    commits = sorted(int(found.group(1)) for name in names if (found := _COMMIT.match(name)))
    checkpoints = sorted(int(found.group(1)) for name in names if (found := _CHECKPOINT.match(name)))
    if any(name.endswith(".checkpoint.parquet") and not _CHECKPOINT.match(name) for name in names):
        raise DataError(
            f"{display}: the Delta log has a multi-part or v2 checkpoint, which riskcheck does not read; "
            "expected single-file checkpoints (or none)"
        )
    if not commits and not checkpoints:
        raise DataError(f"{display}: the Delta log (_delta_log) holds no commit; expected 00000000000000000000.json")
    latest = max(commits[-1] if commits else -1, checkpoints[-1] if checkpoints else -1)
    start = checkpoints[-1] if checkpoints else -1
    replay = [version for version in commits if version > start]
    expected = list(range(start + 1, latest + 1))
    if replay != expected:
        gap = next(version for version in expected if version not in set(replay))
        raise DataError(
            f"{display}: the Delta log has no commit {gap:020d}.json between its checkpoint and its latest "
            f"version {latest}; expected every commit since the last checkpoint"
        )
    if len(replay) > MAX_COMMITS:
        raise DataError(
            f"{display}: {len(replay):,} Delta commits since the last checkpoint; riskcheck replays at most "
            f"{MAX_COMMITS:,} (checkpoint the table)"
        )
    state = _DeltaState(folder, display)
    if start >= 0:
        state.checkpoint(log / f"{start:020d}.checkpoint.parquet")
    digest = hashlib.sha256(f"riskcheck.delta/1 {latest}\n".encode())
    for version in replay:
        path = log / f"{version:020d}.json"
        content = _read(path, display)
        state.commit(content, path.name)
        if version == latest:
            digest.update(hashlib.sha256(content).digest())
    if not replay:  # the latest version is a checkpoint
        digest.update(hashlib.sha256(_read(log / f"{start:020d}.checkpoint.parquet", display)).digest())
    state.check()
    files = tuple(sorted(state.files))
    return Snapshot(
        "delta",
        latest,
        digest.hexdigest(),
        files,
        tuple(state.partition_columns),
        {"files": len(files)},
        {path: state.files[path][1] for path in files},
    )


class _DeltaState:
    """The table's state while the log is replayed: live files, protocol, metadata."""

    def __init__(self, folder: Path, display: str) -> None:
        self.folder = folder
        self.root = folder.resolve()
        self.display = display
        self.files: dict[Path, tuple[bool, int | None]] = {}  # live file -> (deletion vector, add.size)
        self.protocol: dict[str, Any] = {}
        self.metadata: dict[str, Any] = {}
        self.partition_columns: list[str] = []

    def commit(self, content: bytes, name: str) -> None:
        for number, line in enumerate(content.decode("utf-8", "replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                action = json.loads(line)
            except (ValueError, RecursionError) as exc:
                why = "nested too deeply" if isinstance(exc, RecursionError) else "not a JSON action"
                raise DataError(
                    f"{self.display}: _delta_log/{name}:{number}: {why}; expected one action per line"
                ) from None
            if isinstance(action, dict):
                self.apply(action, f"_delta_log/{name}:{number}")

    def checkpoint(self, path: Path) -> None:
        """Replay a checkpoint's actions, a batch at a time, each bounded before it is decoded."""
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        where = f"_delta_log/{path.name}"
        try:
            parquet = pq.ParquetFile(path)
            names = parquet.schema_arrow.names
        except Exception as exc:
            raise DataError(f"{self.display}: cannot read the Delta checkpoint {path.name}: {exc}") from None
        rows = parquet.metadata.num_rows
        if rows > MAX_CHECKPOINT_ROWS:
            raise DataError(
                f"{self.display}: {where}: {rows:,} rows; riskcheck reads checkpoints of at most "
                f"{MAX_CHECKPOINT_ROWS:,} rows"
            )
        columns = [name for name in ("protocol", "metaData", "add", "remove") if name in names]
        total = first = 0
        try:
            batches = parquet.iter_batches(batch_size=_CHECKPOINT_BATCH_ROWS, columns=columns)
            for batch in batches:
                size = _decoded_bytes(batch, self.display, where)
                total += size
                if size > MAX_CHECKPOINT_BATCH_BYTES:
                    raise DataError(
                        f"{self.display}: {where}: rows {first + 1:,} to {first + batch.num_rows:,} decode to "
                        f"{size:,} bytes; expected at most {MAX_CHECKPOINT_BATCH_BYTES:,} bytes per "
                        f"{_CHECKPOINT_BATCH_ROWS:,} rows"
                    )
                if total > MAX_CHECKPOINT_BYTES:
                    raise DataError(
                        f"{self.display}: {where}: its actions decode to more than {MAX_CHECKPOINT_BYTES:,} bytes; "
                        "expected a checkpoint of at most that"
                    )
                first += batch.num_rows
                for row in batch.to_pylist():
                    self.apply({key: value for key, value in row.items() if value is not None}, where)
        except DataError:
            raise
        except Exception as exc:
            raise DataError(f"{self.display}: cannot read the Delta checkpoint {path.name}: {exc}") from None

    def apply(self, action: dict[str, Any], where: str) -> None:
        try:
            self._apply(action, where)
        except (TypeError, ValueError, AttributeError, KeyError):
            raise DataError(
                f"{self.display}: {where}: not a Delta action; expected protocol, metaData, add or remove "
                "objects as the Delta protocol writes them"
            ) from None

    def _apply(self, action: dict[str, Any], where: str) -> None:
        if "protocol" in action:
            self.protocol = dict(action["protocol"] or {})
        if "metaData" in action:
            self.metadata = dict(action["metaData"] or {})
            self.partition_columns = [str(column) for column in self.metadata.get("partitionColumns") or []]
        if action.get("add"):
            add = action["add"]
            size = add.get("size")
            if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
                raise DataError(f"{self.display}: {where}: add.size {size!r}; expected a number of bytes")
            self.files[self._path(add.get("path"), where)] = (bool(add.get("deletionVector")), size)
        if action.get("remove"):
            self.files.pop(self._path(action["remove"].get("path"), where), None)

    def _path(self, raw: Any, where: str) -> Path:
        if not isinstance(raw, str) or not raw:
            raise DataError(f"{self.display}: {where}: a file action without a path")
        text = urllib.parse.unquote(raw)
        parsed = urllib.parse.urlsplit(raw)
        if parsed.scheme == "file":
            path = Path(urllib.parse.unquote(parsed.path))
        elif parsed.scheme and len(parsed.scheme) > 1:
            raise DataError(
                f"{self.display}: {where}: the file {raw!r} is not on this machine; the duckdb engine reads "
                "local tables only"
            )
        else:
            path = self.folder / text
        if not path.resolve().is_relative_to(self.root):
            raise DataError(f"{self.display}: {where}: the file {raw!r} is outside the table's folder")
        return path

    def check(self) -> None:
        try:
            self._check()
        except (TypeError, ValueError, AttributeError):
            raise DataError(
                f"{self.display}: the Delta log's protocol or metaData is not as the Delta protocol writes it"
            ) from None

    def _check(self) -> None:
        reader = int(self.protocol.get("minReaderVersion", 1))
        features = set(self.protocol.get("readerFeatures") or [])
        configuration = self.metadata.get("configuration") or {}
        if isinstance(configuration, list):  # a map read from a checkpoint: (key, value) pairs
            configuration = dict(configuration)
        mode = configuration.get("delta.columnMapping.mode", "none")
        if mode != "none":
            raise DataError(
                f"{self.display}: the Delta table maps column names (delta.columnMapping.mode = {mode}); "
                "riskcheck reads tables whose Parquet columns are the table's columns"
            )
        if reader > 3 or (reader == 3 and not features <= _DELTA_READER_FEATURES):
            unknown = ", ".join(sorted(features - _DELTA_READER_FEATURES)) or f"reader version {reader}"
            raise DataError(
                f"{self.display}: the Delta table needs reader features riskcheck does not support ({unknown}); "
                "expected a table readable as plain Parquet files"
            )
        deleted = sum(1 for has_vector, _size in self.files.values() if has_vector)
        if deleted:
            raise DataError(
                f"{self.display}: {deleted:,} of the Delta table's files have deletion vectors (rows deleted "
                "without rewriting the file); riskcheck would count those rows. Purge them "
                "(REORG TABLE ... APPLY (PURGE)), or read the table with Spark (--engine spark --table)"
            )
        if (self.metadata.get("format") or {}).get("provider", "parquet") != "parquet":
            raise DataError(f"{self.display}: the Delta table's files are not Parquet")


# ---------------------------------------------------------------- Iceberg


def iceberg_snapshot(folder: Path, display: str) -> Snapshot:
    """The current snapshot of the Iceberg table in ``folder``, from its newest metadata file."""
    metadata = folder / "metadata"
    hint = metadata / "version-hint.text"
    chosen: Path | None = None
    if hint.is_file():
        text = _read(hint, display, limit=1024).decode("utf-8", "replace").strip()
        for name in (f"v{text}.metadata.json", f"v{text}.gz.metadata.json"):
            if text.isdigit() and (metadata / name).is_file():
                chosen = metadata / name
    if chosen is None:
        numbered = []
        for path in metadata.iterdir():
            found = _ICEBERG_METADATA.match(path.name)
            if found:
                numbered.append((int(found.group(1) or found.group(2)), path.name, path))
        if not numbered:
            raise DataError(f"{display}: no Iceberg metadata file in {metadata}; expected vN.metadata.json")
        chosen = max(numbered)[2]
    content = _read(chosen, display)
    if chosen.name.endswith(".gz.metadata.json"):
        content = _gunzip(content, chosen.name, display)
    try:
        document = json.loads(content)
        snapshot = document.get("current-snapshot-id")
        uuid = str(document.get("table-uuid", ""))
        snapshot_id = None if snapshot in (None, -1) else int(snapshot)
    except (ValueError, AttributeError, TypeError, RecursionError):
        raise DataError(
            f"{display}: {chosen.name} is not Iceberg table metadata; expected a JSON object with a current-snapshot-id"
        ) from None
    digest = hashlib.sha256(f"riskcheck.iceberg/1 {uuid} {snapshot_id}\n".encode())
    digest.update(hashlib.sha256(content).digest())
    details = {"metadata": chosen.name, "table_uuid": uuid}
    return Snapshot("iceberg", snapshot_id, digest.hexdigest(), (), (), details)


def _gunzip(content: bytes, name: str, display: str, limit: int = MAX_LOG_FILE_BYTES) -> bytes:
    """``content`` gunzipped, never past ``limit`` bytes: a small file may expand without end."""
    import zlib

    inflate = zlib.decompressobj(wbits=31)
    try:
        out = inflate.decompress(content, limit + 1)
    except zlib.error as exc:
        raise DataError(f"{display}: {name}: not gzip ({exc}); expected gzip-compressed JSON") from None
    if len(out) > limit or (inflate.unconsumed_tail and not inflate.eof):
        raise DataError(f"{display}: {name} decompresses to more than {limit:,} bytes")
    return out


def _decoded_bytes(batch: Any, display: str, where: str) -> int:
    """The bytes ``batch`` holds once every value is decoded (a dictionary's value counted each
    time it is used), computed without decoding; a single value past the bound is refused."""
    total = 0
    for column in batch.columns:
        try:
            sizes = _value_sizes(column)
        except _ValueTooLarge as exc:
            raise DataError(
                f"{display}: {where}: a value of {exc.size:,} bytes; expected at most "
                f"{MAX_CHECKPOINT_VALUE_BYTES:,} bytes per value"
            ) from None
        total += int(sizes.sum())
    return total


class _ValueTooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"a value of {size:,} bytes")
        self.size = size


def _value_sizes(array: Any) -> Any:
    """Per element of an Arrow array, the bytes its decoded value holds (numpy int64)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    kind = array.type
    length = len(array)
    if isinstance(array, pa.ChunkedArray):
        parts = [_value_sizes(chunk) for chunk in array.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)
    if pa.types.is_dictionary(kind):
        values = _value_sizes(array.dictionary)
        indices = array.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        return values[indices] if len(values) else np.zeros(length, np.int64)
    if (
        pa.types.is_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_string(kind)
        or (pa.types.is_large_binary(kind))
    ):
        sizes = pc.binary_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        if len(sizes) and int(sizes.max()) > MAX_CHECKPOINT_VALUE_BYTES:
            raise _ValueTooLarge(int(sizes.max()))
        return sizes + 8
    if pa.types.is_struct(kind):
        sizes = np.full(length, 8, np.int64)
        for child in array.flatten():
            sizes += _value_sizes(child)
        return sizes
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_map(kind):
        inner = _value_sizes(array.values)
        cumulative = np.concatenate([[0], np.cumsum(inner)])
        offsets = array.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
        return cumulative[offsets[1:]] - cumulative[offsets[:-1]] + 8
    return np.full(length, 8, np.int64)


def _read(path: Path, display: str, limit: int = MAX_LOG_FILE_BYTES) -> bytes:
    try:
        with path.open("rb") as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise DataError(f"{display}: cannot read {path.name}: {exc.strerror or exc}") from None
    if len(content) > limit:
        raise DataError(f"{display}: {path.name} is larger than {limit:,} bytes")
    return content
