"""Where the data is: a file, a glob or a directory, resolved to a checked list of files.

Every file is checked for what its suffix promises (magic bytes) before any engine
reads it, and a glob that matches nothing, a mix of formats or a directory without
data files is a :class:`DataError` that names the input.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riskcheck.core.errors import DataError, RiskcheckError
from riskcheck.fairness.data import FORMATS, check_file
from riskcheck.fairness.tables import Snapshot, delta_snapshot, iceberg_snapshot, table_format
from riskcheck.files.fileio import GLOB_CHARACTERS, bounded_glob, glob_fixed_parts, walk_bounded

#: Characters that make a data path a glob.
#: The most files one input may resolve to; each is opened to check its magic bytes.
MAX_FILES = 100_000
#: Any file riskcheck reads through DuckDB may be this large: DuckDB streams it.
_NO_SIZE_LIMIT = 2**62
#: A URI's scheme (``s3a:``, ``file:``); two characters at least, so ``C:/data`` stays a path.
_URI_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


@dataclass(frozen=True)
class Source:
    """Checked data files of one format; ``hive`` when directories name partition columns;
    ``snapshot`` when they are a Delta table's current version."""

    display: str
    files: tuple[Path, ...]
    file_format: str
    hive: bool
    root: Path
    snapshot: Snapshot | None = None

    @property
    def single_file(self) -> bool:
        return len(self.files) == 1 and not self.hive


def resolve_source(data: str, base_dir: Path, *, display: str | None = None) -> Source:
    """Resolve ``data`` (relative to ``base_dir``) to the files it names, each checked."""
    shown = display or data
    if "://" in data:
        raise DataError(f"{shown}: remote paths are not read; expected a local file, glob or directory")
    pattern = data if Path(data).is_absolute() else str(base_dir / data)
    if any(character in data for character in GLOB_CHARACTERS) and not Path(pattern).exists():
        matched = _bounded(shown, lambda: bounded_glob(pattern))
        files = [path for path in matched if _is_data_candidate(path)]
        if not files:
            found = f"; it matches only {len(matched)} folder(s) or other entries" if matched else ""
            raise DataError(f"{shown}: the glob matches no file{found}; expected CSV or Parquet files")
        root = _glob_root(pattern)
        _not_inside_a_table(root, shown)
    else:
        path = Path(pattern)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise DataError(f"{shown}: no such file") from None
        except PermissionError:
            raise DataError(f"{shown}: permission denied") from None
        if stat.S_ISDIR(info.st_mode) and table_format(path) is not None:
            return _table_source(path, shown)
        if stat.S_ISDIR(info.st_mode):
            files = sorted(
                p
                for p in _bounded(shown, lambda: list(walk_bounded(path)))
                if p.suffix.lower() in (".parquet", ".pq") and _is_data_candidate(p) and not _hidden(p, path)
            )
            _not_inside_a_table(path, shown)
            if not files:
                raise DataError(f"{shown}: the directory holds no .parquet or .pq file")
            root = path
        else:
            files = [path]
            root = path.parent
    if len(files) > MAX_FILES:
        raise DataError(f"{shown}: {len(files):,} files; riskcheck reads at most {MAX_FILES:,} per input")
    formats = {FORMATS.get(path.suffix.lower()) for path in files}
    if None in formats:
        odd = next(path for path in files if FORMATS.get(path.suffix.lower()) is None)
        where = shown if len(files) == 1 else f"{shown}: {odd}"
        raise DataError(
            f"{where}: unsupported file type {odd.suffix or '(no suffix)'!r}; expected one of {', '.join(FORMATS)}"
        )
    if len(formats) > 1:
        raise DataError(f"{shown}: mixes CSV and Parquet files; expected files of one format")
    file_format = formats.pop()
    assert file_format is not None
    for path in files:
        check_file(path, display=str(path) if len(files) > 1 else shown, max_bytes=_NO_SIZE_LIMIT)
    hive = file_format == "parquet" and any("=" in part for p in files for part in _relative_dirs(p, root))
    return Source(shown, tuple(files), file_format, hive, root)


def _not_inside_a_table(folder: Path, shown: str) -> None:
    """Refuse a glob or folder inside a Delta or Iceberg table: its files include those that
    later versions removed, and counting them would give wrong figures that look right."""
    for parent in (folder, *folder.resolve().parents):
        found = table_format(parent) if parent.is_dir() else None
        if found is not None:
            raise DataError(
                f"{shown}: inside the {found.capitalize()} table {parent}, whose folders also hold files its later "
                f"versions removed; expected the table's own folder ({parent}), which riskcheck reads at its "
                "latest version"
            )


def _table_source(folder: Path, shown: str) -> Source:
    """A Delta table's files at its latest version; an Iceberg table is refused (see :mod:`.tables`)."""
    if table_format(folder) == "iceberg":
        snapshot = iceberg_snapshot(folder, shown)
        raise DataError(
            f"{shown}: an Iceberg table (snapshot {snapshot.version}); which of its files belong to that snapshot "
            "is written in Avro manifests, which riskcheck does not read; expected a folder of Parquet files, "
            "a Delta table, or the table through a Spark catalog (--engine spark --table NAME)"
        )
    snapshot = delta_snapshot(folder, shown)
    files = [path for path in snapshot.files if path.suffix.lower() in (".parquet", ".pq")]
    if len(files) != len(snapshot.files):
        odd = next(path for path in snapshot.files if path not in files)
        raise DataError(f"{shown}: the Delta table holds {odd.name}, not a Parquet file")
    if not files:
        raise DataError(f"{shown}: the Delta table's version {snapshot.version} holds no data file; expected rows")
    if len(files) > MAX_FILES:
        raise DataError(f"{shown}: {len(files):,} files; riskcheck reads at most {MAX_FILES:,} per input")
    for path in files:
        check_file(path, display=f"{shown}: {path.relative_to(folder)}", max_bytes=_NO_SIZE_LIMIT)
    hive = any("=" in part for p in files for part in _relative_dirs(p, folder))
    if snapshot.partition_columns and not hive:
        raise DataError(
            f"{shown}: the Delta table is partitioned by {', '.join(snapshot.partition_columns)} but its files "
            "are not in column=value folders; riskcheck reads partition values from the folder names"
        )
    return Source(shown, tuple(files), "parquet", hive, folder, snapshot)


def uri_scheme(data: str) -> str | None:
    """The scheme of ``data`` when it is a URI (``s3a://bucket/x``, ``file:/x``), else None."""
    found = _URI_SCHEME.match(data)
    return found.group(1) if found else None


def _bounded(shown: str, walk: Callable[[], list[Path]]) -> list[Path]:
    """The paths ``walk`` finds, or a :class:`DataError` naming the input past the walk's bound."""
    try:
        return walk()
    except RiskcheckError as exc:
        raise DataError(f"{shown}: {str(exc).partition(': ')[2]}") from None


def _is_data_candidate(path: Path) -> bool:
    """Regular files, skipping Spark's and Hadoop's markers (``_SUCCESS``, ``.crc``)."""
    name = path.name
    if name.startswith(("_", ".")) or name.endswith(".crc"):
        return False
    return not path.is_dir()  # a pipe or a device is refused by check_file, not skipped


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) and "=" not in part for part in _relative_dirs(path, root))


def _relative_dirs(path: Path, root: Path) -> tuple[str, ...]:
    try:
        return path.parent.relative_to(root).parts
    except ValueError:
        return ()


def _glob_root(pattern: str) -> Path:
    """The folder above the first glob character: partition folders are below it."""
    fixed = glob_fixed_parts(pattern)
    return Path(*fixed) if fixed else Path(".")
