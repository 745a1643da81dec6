"""Table formats on disk: which files a Delta Lake table's current version holds, and which
snapshot an Iceberg table is at, read from their logs and metadata without extra packages.

A Delta Lake folder holds the Parquet files of every version still kept, so reading all
of its Parquet files would count rows the table has since removed. Its ``_delta_log``
says which files the latest version holds: a checkpoint (Parquet) and JSON commits
after it, each a list of actions; replaying ``add`` and ``remove`` gives the files.
The latest version number pins the data, and is the table's identity.

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


@dataclass(frozen=True)
class Snapshot:
    """A table's version on disk: ``delta`` (its version) or ``iceberg`` (its snapshot id)."""

    table_format: str
    version: int | None
    digest: str
    files: tuple[Path, ...] = ()
    partition_columns: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

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
    )


class _DeltaState:
    """The table's state while the log is replayed: live files, protocol, metadata."""

    def __init__(self, folder: Path, display: str) -> None:
        self.folder = folder
        self.root = folder.resolve()
        self.display = display
        self.files: dict[Path, bool] = {}  # live file -> it has a deletion vector
        self.protocol: dict[str, Any] = {}
        self.metadata: dict[str, Any] = {}
        self.partition_columns: list[str] = []

    def commit(self, content: bytes, name: str) -> None:
        for number, line in enumerate(content.decode("utf-8", "replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                action = json.loads(line)
            except ValueError:
                raise DataError(
                    f"{self.display}: _delta_log/{name}:{number}: not a JSON action; expected one action per line"
                ) from None
            if isinstance(action, dict):
                self.apply(action, f"_delta_log/{name}:{number}")

    def checkpoint(self, path: Path) -> None:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        try:
            table = pq.read_table(path)
        except Exception as exc:
            raise DataError(f"{self.display}: cannot read the Delta checkpoint {path.name}: {exc}") from None
        columns = [name for name in ("protocol", "metaData", "add", "remove") if name in table.column_names]
        for row in table.select(columns).to_pylist():
            self.apply({key: value for key, value in row.items() if value is not None}, f"_delta_log/{path.name}")

    def apply(self, action: dict[str, Any], where: str) -> None:
        if "protocol" in action:
            self.protocol = dict(action["protocol"] or {})
        if "metaData" in action:
            self.metadata = dict(action["metaData"] or {})
            self.partition_columns = [str(column) for column in self.metadata.get("partitionColumns") or []]
        if action.get("add"):
            add = action["add"]
            self.files[self._path(add.get("path"), where)] = bool(add.get("deletionVector"))
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
        deleted = sum(1 for has_vector in self.files.values() if has_vector)
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
        import gzip

        content = gzip.decompress(content)
    try:
        document = json.loads(content)
        snapshot = document.get("current-snapshot-id")
        uuid = str(document.get("table-uuid", ""))
    except (ValueError, AttributeError):
        raise DataError(f"{display}: {chosen.name} is not Iceberg table metadata (JSON)") from None
    snapshot_id = None if snapshot in (None, -1) else int(snapshot)
    digest = hashlib.sha256(f"riskcheck.iceberg/1 {uuid} {snapshot_id}\n".encode())
    digest.update(hashlib.sha256(content).digest())
    details = {"metadata": chosen.name, "table_uuid": uuid}
    return Snapshot("iceberg", snapshot_id, digest.hexdigest(), (), (), details)


def _read(path: Path, display: str, limit: int = MAX_LOG_FILE_BYTES) -> bytes:
    try:
        with path.open("rb") as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise DataError(f"{display}: cannot read {path.name}: {exc.strerror or exc}") from None
    if len(content) > limit:
        raise DataError(f"{display}: {path.name} is larger than {limit:,} bytes")
    return content
