"""Reading a dataset safely and turning its columns into arrays the engines use.

Every problem with the data is a :class:`DataError` that names the file, the column,
what was expected and what was found.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import DataError
from riskcheck.fairness.labels import DEFAULT_MAX_GROUPS
from riskcheck.fairness.result import GROUP_JOINER

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped]

#: The largest data file riskcheck reads (bytes); larger files are refused unread.
#: A Parquet file is also refused when its data, uncompressed, is larger than this.
MAX_DATA_BYTES = 4 * 1024**3
#: The most rows riskcheck reads: a few megabytes of Parquet can hold billions of
#: repeated values, each of which takes memory once read.
MAX_DATA_ROWS = 50_000_000
#: The group that rows with a missing sensitive value fall into.
MISSING_GROUP = "(missing)"
#: File suffixes riskcheck reads, and the format each one promises.
FORMATS: Mapping[str, str] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Leading bytes of formats people save by mistake under a data file's name.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a zip archive (an Excel workbook or a skops model?)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"\x80\x04", "a Python pickle"),
    (b"\x80\x05", "a Python pickle"),
)
_SNIFF_BYTES = 64 * 1024
_FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet"}
_LISTED_VALUES = 10


def read_table(
    path: Path,
    *,
    display: str,
    columns: Sequence[str] | None,
    required: Sequence[str] = (),
    text_columns: Sequence[str] = (),
    roles: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    text_except: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read ``columns`` (all when None) of a CSV or Parquet file into a DataFrame.

    ``required`` columns must exist (``columns`` too, when given). ``text_columns``
    are read as strings, so group labels keep the file's spelling; with ``text_except``,
    a CSV file's columns but those are too (a model's features, typed later by
    :mod:`riskcheck.fairness.csv_types`). ``roles`` says what each column is for, to name
    it in a missing-column message.
    """
    limit = MAX_DATA_BYTES if max_bytes is None else max_bytes
    file_format = check_file(path, display=display, max_bytes=limit)
    if file_format == "parquet":
        _check_parquet_size(path, display=display, max_bytes=limit, max_rows=MAX_DATA_ROWS)
    available = _column_names(path, file_format, display)
    wanted = list(dict.fromkeys([*required, *(columns or ())]))
    if wanted:
        missing = [column for column in wanted if column not in available]
        if missing:
            roles = roles or {}
            named = ", ".join(
                f"{column!r} ({roles[column]})" if column in roles else repr(column) for column in missing
            )
            noun = "column" if len(missing) == 1 else "columns"
            raise DataError(f"{display}: no {noun} {named}; available columns: {', '.join(available)}")
    present = set(available)
    if text_except is not None and file_format == "csv":
        text_columns = [*text_columns, *(column for column in available if column not in set(text_except))]
    text_columns = [column for column in dict.fromkeys(text_columns) if column in present]
    frame = _read(path, file_format, display, columns, text_columns, max_rows=MAX_DATA_ROWS)
    if len(frame) == 0:
        raise DataError(f"{display}: no data rows; expected a header and at least one row")
    return frame


def check_file(path: Path, *, display: str, max_bytes: int) -> str:
    """The format ``path``'s suffix promises, once its first and last bytes agree."""
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise DataError(
            f"{display}: unsupported file type {path.suffix or '(no suffix)'!r}; expected one of {', '.join(FORMATS)}"
        )
    try:
        info = path.stat()
        size = info.st_size
        if stat.S_ISDIR(info.st_mode):
            raise DataError(f"{display}: is a directory, expected a {file_format} file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block forever, /dev/zero never end
            raise DataError(f"{display}: is not a regular file (a pipe or a device?); expected a {file_format} file")
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            handle.seek(max(size - 4, 0))
            tail = handle.read(4)
    except FileNotFoundError:
        raise DataError(f"{display}: no such file") from None
    except PermissionError:
        raise DataError(f"{display}: permission denied") from None
    if size == 0:
        raise DataError(f"{display}: the file is empty; expected a {_FORMAT_NAMES[file_format]} file with data")
    if size > max_bytes:
        raise DataError(f"{display}: file is {size:,} bytes; riskcheck reads at most {max_bytes:,}")
    if file_format == "parquet":
        if not head.startswith(b"PAR1") or tail != b"PAR1":
            found = _looks_like(head) or _text_or_bytes(head)
            raise DataError(
                f"{display}: not a Parquet file (no 'PAR1' magic bytes at both ends); it looks like {found}"
            )
        return file_format
    what = _looks_like(head)
    if what is not None:
        raise DataError(f"{display}: not a CSV file; it looks like {what}")
    if b"\x00" in head:
        raise DataError(f"{display}: not a CSV file; it holds binary data (a NUL byte at offset {head.index(0)})")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniff boundary
            raise DataError(
                f"{display}: not a UTF-8 CSV file (byte 0x{head[exc.start]:02x} at offset "
                f"{exc.start}); save it as UTF-8"
            ) from None
    return file_format


def _check_parquet_size(path: Path, *, display: str, max_bytes: int, max_rows: int) -> None:
    """Refuse a Parquet file whose data, once decoded, would not fit the limits."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        metadata = pq.read_metadata(path)
    except Exception as exc:
        raise DataError(f"{display}: cannot read the parquet header: {_first_line(exc)}") from None
    if metadata.num_rows > max_rows:
        raise DataError(f"{display}: {metadata.num_rows:,} rows; riskcheck reads at most {max_rows:,}")
    uncompressed = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if uncompressed > max_bytes:
        raise DataError(
            f"{display}: the data is {uncompressed:,} bytes uncompressed; riskcheck reads at most {max_bytes:,}"
        )


def _text_or_bytes(head: bytes) -> str:
    try:
        text = head[:1024].decode("utf-8")
    except UnicodeDecodeError:
        return f"a file starting with {head[:4]!r}"
    if text.isprintable() or all(c.isprintable() or c in "\r\n\t" for c in text):
        return "a text file (CSV?)"
    return f"a file starting with {head[:4]!r}"


def _looks_like(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None


def _column_names(path: Path, file_format: str, display: str) -> list[str]:
    import pandas as pd

    try:
        if file_format == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        header = pd.read_csv(path, nrows=0)
    except pd.errors.EmptyDataError:
        raise DataError(f"{display}: no header row; expected column names on the first line") from None
    except Exception as exc:
        raise DataError(f"{display}: cannot read the {file_format} header: {_first_line(exc)}") from None
    return [str(column) for column in header.columns]


def _read(
    path: Path,
    file_format: str,
    display: str,
    columns: Sequence[str] | None,
    text_columns: Sequence[str],
    *,
    max_rows: int,
) -> pd.DataFrame:
    import pandas as pd

    usecols = None if columns is None else list(dict.fromkeys(columns))
    try:
        if file_format == "parquet":
            return _read_parquet(path, display, usecols)
        # Every column is parsed: with usecols, pandas silently accepts rows with too
        # many fields, and a ragged file is a broken file.
        frame = pd.read_csv(
            path,
            dtype={column: str for column in text_columns},
            low_memory=False,
            nrows=max_rows + 1,
        )
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{display}: cannot read the {file_format} data: {_first_line(exc)}") from None
    if len(frame) > max_rows:
        raise DataError(f"{display}: more than {max_rows:,} rows; riskcheck reads at most {max_rows:,}")
    return frame if usecols is None else frame[usecols]


def _read_parquet(path: Path, display: str, columns: list[str] | None) -> pd.DataFrame:
    """Read Parquet in batches, keeping text dictionary-encoded, and bound the decoded size.

    The footer's sizes are a claim: a few kilobytes can hold one huge string repeated
    by a dictionary, which decodes to gigabytes. The decoded size is counted batch by
    batch from the values themselves, and reading stops at :data:`MAX_DATA_BYTES`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    names = columns if columns is not None else list(schema.names)
    text = [
        name
        for name in names
        if pa.types.is_string(schema.field(name).type)
        or pa.types.is_large_string(schema.field(name).type)
        or pa.types.is_binary(schema.field(name).type)
    ]
    parquet = pq.ParquetFile(path, read_dictionary=text)
    batches = []
    decoded = 0
    for batch in parquet.iter_batches(batch_size=65_536, columns=names):
        for column in batch.columns:
            if pa.types.is_dictionary(column.type):
                lengths = pc.binary_length(column.dictionary).take(column.indices)
                decoded += int(pc.sum(lengths).as_py() or 0) + 8 * len(column)
            else:
                decoded += column.nbytes
        if decoded > MAX_DATA_BYTES:
            raise DataError(
                f"{display}: the data decodes to more than {MAX_DATA_BYTES:,} bytes; riskcheck reads at most "
                f"{MAX_DATA_BYTES:,} in memory (the duckdb engine streams any size)"
            )
        batches.append(batch)
    table = pa.Table.from_batches(batches, schema=batches[0].schema) if batches else parquet.read(columns=names)
    # within the bound, text is decoded as the file's own schema has it (a model sees what it was fit on)
    return table.cast(pa.schema([schema.field(name) for name in names])).to_pandas()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- columns to arrays -------------------------------------------------------------


def canonical(value: Any) -> Any:
    """A label as compared across columns: 1, 1.0 and True are the same label; '1' is not."""
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _label_for(series: pd.Series, label: Any) -> Any:
    """``label`` as this column spells it: '1' from the command line matches a numeric 1."""
    import pandas as pd

    if isinstance(label, str) and pd.api.types.is_numeric_dtype(series.dtype):
        try:
            return canonical(float(label))
        except ValueError:
            return label
    if isinstance(label, str) and pd.api.types.is_bool_dtype(series.dtype):
        return {"true": 1, "false": 0}.get(label.lower(), label)
    if not isinstance(label, str) and not pd.api.types.is_numeric_dtype(series.dtype):
        return str(label)
    return canonical(label)


def _listing(values: Sequence[Any]) -> str:
    from riskcheck.fairness.labels import short

    shown = sorted(repr(short(v)) for v in values[:_LISTED_VALUES])
    more = f" and {len(values) - _LISTED_VALUES} more" if len(values) > _LISTED_VALUES else ""
    return ", ".join(shown) + more


def _row_number(series: pd.Series, position: int) -> int:
    """The 1-based data row (after the header) of a position, before any where filter."""
    label = series.index[position]
    try:
        return int(label) + 1
    except (TypeError, ValueError):
        return position + 1


def _factorize(series: pd.Series, *, display: str, column: str, role: str) -> tuple[Any, list[Any]]:
    """Codes and canonical distinct values; a missing value is an error."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(codes) and codes.min() < 0:
        missing = int((codes < 0).sum())
        first = _row_number(series, int((codes < 0).argmax()))
        raise DataError(
            f"{display}: column {column!r} (the {role}) has {missing} missing value(s), "
            f"the first in data row {first}; expected a value in every row"
        )
    return codes, [canonical(value) for value in uniques]


def binary_labels(
    series: pd.Series,
    *,
    display: str,
    column: str,
    role: str,
    positive_label: Any,
    allowed: Sequence[Any] | None = None,
) -> tuple[npt.NDArray[np.bool_], list[Any]]:
    """True where ``series`` holds the positive label; also returns the distinct values.

    Without a positive label the column must hold 0 and 1 (or booleans). ``allowed``
    (the target's values) bounds the values a prediction may take.
    """
    import numpy as np

    codes, values = _factorize(series, display=display, column=column, role=role)
    if len(values) > 2:
        raise DataError(
            f"{display}: column {column!r} (the {role}) has {len(values)} distinct values "
            f"({_listing(values)}); a classification metric needs a binary column"
        )
    if positive_label is None:
        if not set(values) <= {0, 1}:
            raise DataError(
                f"{display}: column {column!r} (the {role}) has the values {_listing(values)}, "
                "not 0 and 1; name the favourable one with positive_label (--positive-label)"
            )
        positive: Any = 1
    else:
        positive = _label_for(series, positive_label)
    if allowed is not None and positive_label is not None:
        strangers = [value for value in values if value not in allowed and value != positive]
        if strangers:
            raise DataError(
                f"{display}: column {column!r} (the {role}) has value(s) {_listing(strangers)} "
                f"that the target never takes; the target's values are {_listing(list(allowed))}"
            )
    elif positive_label is not None and positive not in values:
        raise DataError(
            f"{display}: column {column!r} (the {role}) does not contain the positive label "
            f"{positive_label!r}; its values are {_listing(values)}"
        )
    is_positive = np.array([value == positive for value in values], dtype=bool)
    return is_positive[codes], values


def numeric_column(
    series: pd.Series,
    *,
    display: str,
    column: str,
    role: str,
    non_negative: bool = False,
) -> npt.NDArray[np.float64]:
    """A column of finite numbers, or a DataError saying which row is not one."""
    import numpy as np
    import pandas as pd

    from riskcheck.fairness.labels import short

    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            first = int(np.argmax(bad.to_numpy()))
            raise DataError(
                f"{display}: column {column!r} (the {role}) must be numeric; "
                f"data row {_row_number(series, first)} holds {short(series.iloc[first])!r}"
            )
        series = converted
    values: npt.NDArray[np.float64] = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(values)
    if not finite.all():
        first = int(np.argmin(finite))
        found = "a missing value" if np.isnan(values[first]) else repr(float(values[first]))
        raise DataError(
            f"{display}: column {column!r} (the {role}) has {int((~finite).sum())} "
            f"missing or infinite value(s), the first in data row "
            f"{_row_number(series, first)} ({found}); "
            "expected a finite number in every row"
        )
    if non_negative and (values < 0).any():
        first = int(np.argmax(values < 0))
        raise DataError(
            f"{display}: column {column!r} (the {role}) has a negative value "
            f"{float(values[first])!r} in data row {_row_number(series, first)}; expected weights >= 0"
        )
    return values


@dataclass(frozen=True)
class Groups:
    """Each row's group as a code into ``labels`` (sorted), and the rows with missing values."""

    codes: npt.NDArray[np.intp]
    labels: tuple[str, ...]
    missing: Mapping[str, int]


def encode_groups(
    frame: pd.DataFrame, columns: Sequence[str], *, display: str = "data", max_groups: int = DEFAULT_MAX_GROUPS
) -> Groups:
    """Factorise one or several sensitive columns into intersectional group codes.

    A missing value becomes the group ``(missing)``. Groups are sorted by each column's
    values in turn, so the order (and the bootstrap's draws) do not depend on row order.
    The combination is factorised column by column, so a code never exceeds the row
    count, however many values each column has (a product of cardinalities overflows).
    """
    import numpy as np
    import pandas as pd

    from riskcheck.fairness.labels import check_group_count, check_label

    combined: npt.NDArray[np.int64] | None = None
    present: list[tuple[str, ...]] = []
    missing: dict[str, int] = {}
    for column in columns:
        series = frame[column]
        absent = series.isna()
        if absent.any():
            missing[column] = int(absent.sum())
            series = series.astype(object).where(~absent, MISSING_GROUP)
        codes, uniques = pd.factorize(series.astype(str), sort=True)
        values = [str(value) for value in uniques]
        for value in values:
            check_label(value, display=display, column=column)
        codes64 = codes.astype(np.int64)
        if combined is None:
            combined, present = codes64, [(value,) for value in values]
            check_group_count(len(present), display=display, columns=columns, bound=max_groups)
            continue
        # combined < rows and codes64 < rows, so the key stays below rows**2 < 2**63
        key = combined * len(values) + codes64
        combined_codes, keys = pd.factorize(key, sort=True)
        width = len(values)
        present = [present[k // width] + (values[k % width],) for k in keys.tolist()]
        combined = combined_codes.astype(np.int64)
        check_group_count(len(present), display=display, columns=columns, bound=max_groups)
    assert combined is not None
    labels = tuple(GROUP_JOINER.join(parts) for parts in present)
    return Groups(combined.astype(np.intp), labels, missing)


def apply_where(frame: pd.DataFrame, where: Mapping[str, Any], *, display: str) -> pd.DataFrame:
    """Keep the rows whose columns equal the given values, compared as text."""
    keep = None
    for column, wanted in where.items():
        text = frame[column].astype(str)
        wanted_text = str(canonical(wanted)) if not isinstance(wanted, str) else wanted
        matches = text == wanted_text
        if not matches.any():
            values = sorted(set(text.unique().tolist()))
            raise DataError(
                f"{display}: where: no row has {column} == {wanted_text!r}; its values are {_listing(values)}"
            )
        keep = matches if keep is None else keep & matches
    if keep is None:
        return frame
    if not keep.any():
        conditions = " and ".join(f"{c} == {v!r}" for c, v in where.items())
        raise DataError(f"{display}: where: no row has {conditions}")
    return frame.loc[keep.to_numpy()]
