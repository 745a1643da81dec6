"""The DuckDB engine: one streaming ``GROUP BY`` over files, metrics from the count table.

Every classification metric (and the count-level bootstrap) is a function of each
group's weighted 2x2 confusion counts, so the data is read once, inside DuckDB, into
a table of (group, label, prediction) -> (rows, weight): a few hundred rows whatever
the row count. Memory is DuckDB's ``memory_limit`` (spilling to a bounded temp folder)
plus that table; the number of groups is bounded too.

User input never becomes SQL text: file lists, thresholds and ``where`` values are
bound parameters, and column names are quoted identifiers of columns the schema holds.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import DataError
from riskcheck.core.optional import optional_extra
from riskcheck.fairness.csv_types import CSV_NULLS
from riskcheck.fairness.data import canonical
from riskcheck.fairness.labels import DEFAULT_MAX_GROUPS, short
from riskcheck.fairness.sources import Source
from riskcheck.fairness.spec import FairnessSpec

if TYPE_CHECKING:
    pass

Callback = Callable[[str], None]

_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
_FLOATS = ("FLOAT", "DOUBLE", "REAL")
_NUMERIC = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
    r"|FLOAT|DOUBLE|REAL|DECIMAL.*)$"
)


@dataclass(frozen=True)
class ScanLimits:
    """Resources the DuckDB engine may use; settings of whoever runs riskcheck, never of a file."""

    memory_limit: str = "1GB"
    max_temp: str = "10GB"
    max_groups: int = DEFAULT_MAX_GROUPS
    threads: int | None = None

    def check(self) -> None:
        for name, value in (("memory limit", self.memory_limit), ("temp space", self.max_temp)):
            if not _SIZE.match(value):
                raise DataError(f"{name}: expected a size such as 512MB or 4GB, got {value!r}")
        if self.max_groups < 2:
            raise DataError(f"max groups: expected at least 2, got {self.max_groups}")
        if self.threads is not None and self.threads < 1:
            raise DataError(f"threads: expected at least 1, got {self.threads}")


@dataclass(frozen=True)
class Relation:
    """A ``FROM`` clause over one source, its parameters and its columns with their types."""

    sql: str
    params: dict[str, Any]
    columns: dict[str, str]
    source: Source


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier (double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def exact_path(path: object) -> str:
    """``path`` as DuckDB must be given it to read that one file: DuckDB globs every path
    it reads, so a checked file named ``*.csv`` would read every unchecked CSV file beside
    it (a symlink to a device, say). Glob characters are bracketed to stand for themselves."""
    return re.sub(r"([*?\[])", r"[\1]", str(path))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def connect(limits: ScanLimits, *, temp_parent: Any = None) -> Iterator[Any]:
    """An in-memory DuckDB connection held to ``limits``, with a private spill folder
    (in ``temp_parent`` when given: a folder that someone else removes if riskcheck is killed).

    The folder is removed when the connection closes; should riskcheck be killed first, the
    next run removes it (see :mod:`riskcheck.fairness.spill`)."""
    from riskcheck.fairness.spill import make_spill_folder

    limits.check()
    with optional_extra("fairness", "duckdb"):
        import duckdb
    spill = str(make_spill_folder(temp_parent))
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "memory_limit": limits.memory_limit,
        "max_temp_directory_size": limits.max_temp,
        "temp_directory": spill,
    }
    if limits.threads is not None:
        config["threads"] = str(limits.threads)
    try:
        connection = duckdb.connect(":memory:", config=config)
    except duckdb.Error as exc:
        shutil.rmtree(spill, ignore_errors=True)
        raise DataError(f"DuckDB settings: {first_line(exc)}") from None
    try:
        connection.execute("SET enable_progress_bar = false")  # stderr is for riskcheck's own lines
        connection.execute("SET lock_configuration = true")
        yield connection
    except (RuntimeError, duckdb.InterruptException) as exc:
        # Ctrl-C stops DuckDB's query, which then raises; riskcheck exits 130 for it
        if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def relation(connection: Any, source: Source, *, name: str) -> Relation:
    """The reader over ``source``'s files, after checking that they share one schema."""
    files = [exact_path(path) for path in source.files]
    key = f"{name}_files"
    if source.file_format == "parquet":
        columns = _parquet_schema(connection, source)
        sql = f"read_parquet(${key}, hive_partitioning = {'true' if source.hive else 'false'}, binary_as_string = true)"
        relation = Relation(sql, {key: files}, columns, source)
        if source.hive:
            described = _describe(connection, relation)
            relation = Relation(sql, {key: files}, described, source)
        return relation
    names = [str(path) for path in source.files]
    first = _csv_schema(connection, source, names[0])
    for path in names[1:]:
        _same_schema(source, names[0], first, path, _csv_schema(connection, source, path))
    return Relation(_csv_reader(key), {key: files}, first, source)


def _csv_options() -> str:
    """pandas' dialect, fixed: DuckDB's sniffer may otherwise take a ragged line for the header.
    Every column is text: labels keep the file's spelling, and numbers are recognised from the
    distinct values (as pandas does), so no value far into a file breaks a sniffed type."""
    nulls = ", ".join(_literal(value) for value in CSV_NULLS)  # pandas' own: every engine sees the same groups
    return (
        "header = true, delim = ',', quote = '\"', escape = '\"', skip = 0, comment = '', "
        f"strict_mode = true, all_varchar = true, nullstr = [{nulls}]"
    )


def _csv_reader(key: str) -> str:
    return f"read_csv(${key}, {_csv_options()})"


def _csv_schema(connection: Any, source: Source, path: str) -> dict[str, str]:
    display = path if len(source.files) > 1 else source.display
    import duckdb

    try:
        rows = connection.execute(
            f"DESCRIBE SELECT * FROM read_csv($f, {_csv_options()})", {"f": [exact_path(path)]}
        ).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{display}: cannot read the csv data: {csv_problem(path, exc)}") from None
    return {str(row[0]): str(row[1]) for row in rows}


def csv_problem(path: str, exc: BaseException) -> str:
    """What is wrong with a CSV file DuckDB refused: the ragged line when there is one."""
    import csv

    text = str(exc)
    too_long = re.search(r"[Mm]aximum line size of (\d+) bytes exceeded", text)
    if too_long:
        return f"a line is longer than {int(too_long.group(1)):,} bytes, the most a CSV line may hold"
    line = re.search(r"CSV Error on Line: (\d+)", text)
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and counts:
        return f"line {line.group(1)} has {counts.group(2)} fields; expected {counts.group(1)}, as in the header"
    if line:
        return f"line {line.group(1)}: {first_line(exc)}"
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            for number, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    return f"line {number} has {len(row)} fields; expected {len(header)}, as in the header"
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return first_line(exc)


def _parquet_schema(connection: Any, source: Source) -> dict[str, str]:
    """Top-level columns and types, the same in every file (else a DataError naming both)."""
    import duckdb

    files = [str(path) for path in source.files]
    try:
        rows = connection.execute(
            "SELECT file_name, name, type, converted_type, logical_type, num_children FROM parquet_schema($f)",
            {"f": [exact_path(path) for path in files]},
        ).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{source.display}: cannot read a Parquet footer: {first_line(exc)}") from None
    per_file: dict[str, dict[str, str]] = {}
    skip: dict[str, int] = {}
    for file_name, name, physical, converted, logical, children in rows:
        columns = per_file.get(file_name)
        if columns is None:  # the first element is the schema root
            per_file[file_name] = {}
            skip[file_name] = 0
            continue
        if skip[file_name]:  # a nested column's children
            skip[file_name] -= 1
            skip[file_name] += int(children or 0)
            continue
        skip[file_name] = int(children or 0)
        columns[str(name)] = " ".join(str(part) for part in (physical, converted, logical) if part)
    first_name = files[0]
    first = per_file.get(first_name, {})
    for other_name in files[1:]:
        _same_schema(source, first_name, first, other_name, per_file.get(other_name, {}))
    return first


def _same_schema(
    source: Source, first_name: str, first: Mapping[str, str], other_name: str, other: Mapping[str, str]
) -> None:
    if list(first) != list(other):
        only_first = [c for c in first if c not in other]
        only_other = [c for c in other if c not in first]
        detail = []
        if only_first:
            detail.append(f"only {first_name} has {', '.join(map(repr, only_first))}")
        if only_other:
            detail.append(f"only {other_name} has {', '.join(map(repr, only_other))}")
        if not detail:
            detail.append("the columns are in a different order")
        raise DataError(
            f"{source.display}: the files have different schemas ({'; '.join(detail)}); "
            "expected every file to have the same columns"
        )
    for column, kind in first.items():
        if other[column] != kind:
            raise DataError(
                f"{source.display}: column {column!r} is {kind} in {first_name} but {other[column]} in "
                f"{other_name}; expected one type in every file"
            )


def _describe(connection: Any, relation: Relation) -> dict[str, str]:
    import duckdb

    try:
        rows = connection.execute(f"DESCRIBE SELECT * FROM {relation.sql}", relation.params).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{relation.source.display}: cannot read the data: {first_line(exc)}") from None
    return {str(row[0]): str(row[1]) for row in rows}


def require_columns(relation: Relation, roles: Mapping[str, str]) -> None:
    """A DataError naming every missing column, what it was for, and the available ones."""
    missing = [column for column in roles if column not in relation.columns]
    if missing:
        named = ", ".join(f"{column!r} ({roles[column]})" for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        available = ", ".join(relation.columns)
        raise DataError(f"{relation.source.display}: no {noun} {named}; available columns: {available}")


def text_of(column: str, kind: str, table: str = "d") -> str:
    """SQL for a column's values as text, spelled as pandas' ``astype(str)`` spells them."""
    name = f"{table}.{quote(column)}"
    upper = kind.upper()
    if upper == "BOOLEAN":
        return f"(CASE WHEN {name} IS NULL THEN NULL WHEN {name} THEN 'True' ELSE 'False' END)"
    if upper in _FLOATS:
        return f"(CASE WHEN isnan({name}) THEN NULL ELSE CAST({name} AS VARCHAR) END)"
    if upper == "VARCHAR":
        return name
    return f"CAST({name} AS VARCHAR)"


def value_of(column: str, kind: str) -> str:
    name = f"d.{quote(column)}"
    if kind.upper() in _FLOATS:
        return f"(CASE WHEN isnan({name}) THEN NULL ELSE {name} END)"
    return name


def number_of(column: str) -> str:
    return f"TRY_CAST(d.{quote(column)} AS DOUBLE)"


# ---------------------------------------------------------------- the aggregation


def join_sensitive(
    spec: FairnessSpec, data: Relation, sensitive: Relation | None
) -> tuple[dict[str, Any], str, dict[str, str], dict[str, str]]:
    """The data (``d``) joined to the sensitive table (``s``) on ``join_on`` when there is one:
    the query parameters, the JOIN clause, the side each column is read from, and each
    column's kind."""
    params: dict[str, Any] = dict(data.params)
    sides = {column: "d" for column in data.columns}
    joined = ""
    if sensitive is not None:
        assert spec.join_on is not None
        params.update(sensitive.params)
        key = quote(spec.join_on)
        joined = f" LEFT JOIN {sensitive.sql} AS s ON d.{key} = s.{key}"
        for column in spec.sensitive:
            sides[column] = "s"
    kinds = {**data.columns, **(sensitive.columns if sensitive else {})}
    return params, joined, sides, kinds


@dataclass(frozen=True)
class Query:
    sql: str
    params: dict[str, Any]
    sensitive: tuple[str, ...]
    where_sql: str


def build_query(
    spec: FairnessSpec,
    data: Relation,
    sensitive: Relation | None,
    limit: int,
) -> Query:
    assert spec.target is not None
    params, joined, sides, kinds = join_sensitive(spec, data, sensitive)
    groups = [
        f"{text_of(column, kinds[column], sides[column])} AS g{index}" for index, column in enumerate(spec.sensitive)
    ]
    conditions = []
    for index, (column, wanted) in enumerate((spec.where or {}).items()):
        params[f"where{index}"] = where_text(wanted)
        conditions.append(f"{text_of(column, data.columns[column])} = $where{index}")
    where_sql = " AND ".join(conditions) if conditions else "true"
    if spec.task == "regression":
        selected = ", ".join([*groups, *_regression_sums(spec, sensitive is not None)])
        sql = f"SELECT {selected} FROM {data.sql} AS d{joined} WHERE {where_sql} GROUP BY ALL LIMIT {int(limit)}"
        return Query(sql, params, tuple(spec.sensitive), where_sql)
    target = f"{value_of(spec.target, data.columns[spec.target])} AS t"
    extra = []
    if spec.prediction is not None:
        prediction = f"{value_of(spec.prediction, data.columns[spec.prediction])} AS p"
    else:
        assert spec.score is not None and spec.threshold is not None
        score = number_of(spec.score)
        params["threshold"] = float(spec.threshold)
        prediction = f"(CASE WHEN isfinite({score}) THEN {score} >= $threshold END) AS p"
        extra.append(f"count(*) FILTER (WHERE d.{quote(spec.score)} IS NOT NULL AND {score} IS NULL) AS score_text")
        extra.append(f"count(*) FILTER (WHERE {score} IS NULL OR NOT isfinite({score})) AS score_bad")
    if spec.sample_weight is not None:
        weight = number_of(spec.sample_weight)
        raw = f"d.{quote(spec.sample_weight)}"
        extra.append(f"sum({weight}) AS w")
        extra.append(f"count(*) FILTER (WHERE {raw} IS NOT NULL AND {weight} IS NULL) AS weight_text")
        extra.append(f"count(*) FILTER (WHERE {weight} IS NULL OR NOT isfinite({weight})) AS weight_bad")
        extra.append(f"count(*) FILTER (WHERE {weight} < 0) AS weight_negative")
    if sensitive is not None:
        assert spec.join_on is not None
        extra.append(f"count(*) FILTER (WHERE s.{quote(spec.join_on)} IS NULL) AS unmatched")
    selected = ", ".join([*groups, target, prediction, "count(*) AS n", *extra])
    sql = f"SELECT {selected} FROM {data.sql} AS d{joined} WHERE {where_sql} GROUP BY ALL LIMIT {int(limit)}"
    return Query(sql, params, tuple(spec.sensitive), where_sql)


def _regression_sums(spec: FairnessSpec, joined: bool) -> list[str]:
    """Per group: rows, then the sums of :func:`riskcheck.fairness.counts.regression_sums`,
    then counts of rows whose numbers are text, missing or infinite."""
    assert spec.target is not None and spec.prediction is not None
    target, prediction = number_of(spec.target), number_of(spec.prediction)
    weight = "1.0" if spec.sample_weight is None else number_of(spec.sample_weight)
    columns = [
        "count(*) AS n",
        f"sum({weight}) AS ws",
        f"sum({weight} * {prediction}) AS wp",
        f"sum({weight} * abs({target} - {prediction})) AS wae",
    ]
    checked = [("target", spec.target), ("prediction", spec.prediction)]
    if spec.sample_weight is not None:
        checked.append(("weight", spec.sample_weight))
    for kind, column in checked:
        number = number_of(column)
        columns.append(f"count(*) FILTER (WHERE d.{quote(column)} IS NOT NULL AND {number} IS NULL) AS {kind}_text")
        columns.append(f"count(*) FILTER (WHERE {number} IS NULL OR NOT isfinite({number})) AS {kind}_bad")
    if spec.sample_weight is not None:
        columns.append(f"count(*) FILTER (WHERE {weight} < 0) AS weight_negative")
    if joined:
        assert spec.join_on is not None
        columns.append(f"count(*) FILTER (WHERE s.{quote(spec.join_on)} IS NULL) AS unmatched")
    return columns


def where_text(wanted: Any) -> str:
    return wanted if isinstance(wanted, str) else str(canonical(wanted))


def check_unique_keys(connection: Any, sensitive: Relation, key: str) -> None:
    import duckdb

    sql = (
        f"SELECT count(*), min(k) FROM (SELECT {quote(key)} AS k FROM {sensitive.sql} GROUP BY ALL HAVING count(*) > 1)"
    )
    try:
        duplicated, example = connection.execute(sql, sensitive.params).fetchone()
    except duckdb.OutOfMemoryException as exc:
        raise DataError(f"{sensitive.source.display}: {memory_message(exc)}") from None
    except duckdb.Error as exc:
        raise DataError(f"{sensitive.source.display}: cannot read the data: {first_line(exc)}") from None
    if duplicated:
        raise DataError(
            f"{sensitive.source.display}: {duplicated:,} value(s) of the join key {key!r} appear more than once "
            f"(for example {short(example)!r}); expected one row per key"
        )


def run_query(connection: Any, query: Query, data: Source, limits: ScanLimits) -> list[tuple[Any, ...]]:
    import duckdb

    try:
        return list(connection.execute(query.sql, query.params).fetchall())
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.OutOfMemoryException as exc:
        raise DataError(f"{data.display}: {memory_message(exc, limits)}") from None
    except duckdb.Error as exc:
        if data.file_format == "csv":
            path = str(data.files[0]) if len(data.files) == 1 else "?"
            raise DataError(f"{data.display}: cannot read the csv data: {csv_problem(path, exc)}") from None
        raise DataError(f"{data.display}: cannot read the data: {first_line(exc)}") from None


def memory_message(exc: BaseException, limits: ScanLimits | None = None) -> str:
    text = str(exc)
    if "max_temp_directory_size" in text:
        budget = f" ({limits.max_temp})" if limits else ""
        return (
            f"DuckDB ran out of its temp-space budget{budget} while aggregating; "
            "expected the data to fit; raise it with --max-temp"
        )
    budget = f" ({limits.memory_limit})" if limits else ""
    return (
        f"DuckDB ran out of its memory budget{budget} while aggregating: {first_line(exc)}; "
        "raise it with --memory-limit, or check the data (a huge value in a column?)"
    )


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return short(text[0], 300) if text else type(exc).__name__
