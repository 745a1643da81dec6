"""The Spark engine: the DuckDB engine's one aggregation, run as a Spark job.

Every classification metric (and the count-level bootstrap) is a function of each
group's weighted 2x2 confusion counts, so a Spark job only has to produce the table of
(group, label, prediction) -> (rows, weight) that :mod:`riskcheck.fairness.tally`
builds with DuckDB: one ``groupBy`` over the sensitive columns, the target and the
prediction, with ``count`` and ``sum(weight)`` (for a regression, per group, the sums
of :func:`~riskcheck.fairness.counts.regression_sums`). The few hundred rows come back to the
driver and become the same :class:`~riskcheck.fairness.tally.CountTable`, checked the
same way, so the metrics are computed by the same code as every other engine's.

The session is local (``local[2]``) or a Spark Connect server (``sc://host:15002``,
from ``--spark-remote`` or ``SPARK_REMOTE``), checked with a timeout before anything is
sent to it. The data is a path Spark can read (CSV, Parquet, a glob, a folder), a table
name, or a Spark DataFrame handed to the Python API.

With a model, the predictions are made on the executors (``mapInArrow``) by the same
sandboxed model process as in memory, under the same loading rules: the skops allowlist,
and pickle only when whoever runs riskcheck trusts the file. The driver checks the file
and predicts on a few rows first, so a refused model fails before any job starts. A CSV
file is read as text, and its features are typed by riskcheck's one rule
(:mod:`riskcheck.fairness.csv_types`), decided by a Spark job over every row, never by
Spark's schema inference, so the model sees what it sees on every other path.

User input never becomes SQL text: ``where`` values are literals of Column
expressions, column names are taken from the schema, and a table name is checked to be
an identifier before Spark parses it as one.

The aggregation is written with Spark's Column expressions by hand, not with narwhals.
narwhals would let one aggregation serve pandas, Polars, PyArrow, DuckDB and Spark, but
the checks need what its portable expressions do not give on Spark (narwhals 2.29,
Spark 4.3, tried): its ``cast`` is Spark's strict cast, so one text value in a weight
column fails the job under ANSI mode where a count and an example row are wanted
(``try_cast`` here); its ``cast(String)`` spells NaN ``"NaN"`` where pandas' group name
is missing; and the example row, a second query only when a check fails, is engine
code anyway. Each engine would be narwhals plus native escapes, tested twice; the
Column expressions are as short, typed by pyspark's stubs, and run unchanged over
Spark Connect.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import DataError
from riskcheck.core.optional import optional_extra
from riskcheck.fairness.labels import DEFAULT_MAX_GROUPS, short
from riskcheck.fairness.result import GROUP_JOINER
from riskcheck.fairness.spec import FairnessSpec

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import DataType

    from riskcheck.fairness.csv_types import ColumnType
    from riskcheck.fairness.identity import DataIdentity
    from riskcheck.fairness.model import ModelLimits
    from riskcheck.fairness.sources import Source
    from riskcheck.fairness.tally import CountTable
    from riskcheck.fairness.trust import ModelTrust

Callback = Callable[[str], None]

#: The local master riskcheck starts when no Spark Connect server is named.
DEFAULT_MASTER = "local[2]"
#: Seconds to wait for a Spark Connect server before giving up.
DEFAULT_CONNECT_TIMEOUT = 30.0
#: The port of a Spark Connect URL that names none.
DEFAULT_CONNECT_PORT = 15002
#: A table name: one to three identifiers, each plain or in backquotes.
_IDENTIFIER = r"(?:[A-Za-z_][A-Za-z0-9_]*|`(?:[^`]|``)+`)"
_TABLE = re.compile(rf"^{_IDENTIFIER}(?:\.{_IDENTIFIER}){{0,2}}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")
#: What Hadoop's glob reads as a pattern in a path (``\\`` escapes the others).
_GLOB = re.compile(r"([\\*?\[\]{}])")


@dataclass(frozen=True)
class SparkSettings:
    """Where the Spark engine runs and what it reads; settings of whoever runs riskcheck.

    ``remote`` is a Spark Connect URL (``sc://host:15002``); without it the
    ``SPARK_REMOTE`` environment variable is used, and without that a local session
    (``master``). ``table`` names a table to read instead of the data path.
    ``caller_paths`` says the spec's data paths also come from whoever runs riskcheck
    (``--data``, a Python call): only then is a URI (``s3a://``, ``file://``), or with a
    Spark Connect server a path only the server sees, read as given. A path from an
    assessment file is resolved and checked as the DuckDB engine checks it.
    """

    remote: str | None = None
    table: str | None = None
    master: str = DEFAULT_MASTER
    timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_groups: int = DEFAULT_MAX_GROUPS
    config: Mapping[str, str] = field(default_factory=dict)
    caller_paths: bool = False

    def remote_url(self) -> str | None:
        return self.remote or os.environ.get("SPARK_REMOTE") or None


@dataclass(frozen=True)
class SparkData:
    """A DataFrame to aggregate, its name in messages, and whether it was read from CSV text."""

    frame: DataFrame
    display: str
    from_csv: bool = False
    source: Source | None = None  # local files, identified as the DuckDB engine identifies them
    table: str | None = None  # a table's name, identified by its version where Spark or its files give one


def is_spark_frame(value: Any) -> bool:
    """Whether ``value`` is a Spark DataFrame (classic or Spark Connect), without importing pyspark."""
    import sys

    module = sys.modules.get("pyspark.sql")
    return module is not None and isinstance(value, module.DataFrame)


# ---------------------------------------------------------------- sessions


@contextmanager
def spark_session(settings: SparkSettings) -> Iterator[SparkSession]:
    """A Spark Connect session, the active local one, or a new local one (stopped afterwards)."""
    with optional_extra("spark", "pyspark"), _quiet_pyspark():
        from pyspark.sql import SparkSession
    if settings.timeout <= 0:
        raise DataError(f"Spark timeout: expected a number of seconds > 0, got {settings.timeout:g}")
    url = settings.remote_url()
    if url is not None:
        with _quiet_pyspark():
            session = _connect(SparkSession, url, settings.timeout)
        try:
            yield session
        finally:
            session.stop()
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    with _quiet_pyspark():
        session = _local(SparkSession, settings)
    try:
        yield session
    finally:
        session.stop()


@contextmanager
def _quiet_pyspark() -> Iterator[None]:
    """Without pyspark's warning about the pandas version: riskcheck never hands Spark a pandas frame."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        yield


def _local(session_class: Any, settings: SparkSettings) -> SparkSession:
    builder = (
        session_class.builder.master(settings.master)
        .appName("riskcheck fairness")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
    )
    if "spark.driver.extraJavaOptions" not in settings.config:
        quiet = Path(__file__).with_name("spark-log4j2.properties").resolve().as_uri()
        builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={quiet}")
    for key, value in settings.config.items():
        builder = builder.config(key, value)
    try:
        session: SparkSession = builder.getOrCreate()
    except Exception as exc:  # pyspark raises PySparkRuntimeError, or a py4j error, without Java
        raise DataError(
            f"Spark local mode ({settings.master}): cannot start: {_first_line(exc)}; "
            "expected a Java runtime (17 or later) on PATH or in JAVA_HOME"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _connect(session_class: Any, url: str, timeout: float) -> SparkSession:
    """A Spark Connect session, after checking within ``timeout`` that the server answers."""
    host, port = _endpoint(url)
    where = f"Spark Connect server {host}:{port}"
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise DataError(
            f"{where}: cannot connect within {timeout:g} s ({exc.strerror or exc}); "
            "expected a running Spark Connect server (check --spark-remote or SPARK_REMOTE)"
        ) from None
    with optional_extra("spark", "grpcio"):
        import grpc  # type: ignore[import-untyped, unused-ignore]
        from pyspark.sql.connect.client import DefaultChannelBuilder
    # Wait for gRPC's handshake on a channel of our own: pyspark's client would retry a silent
    # server for minutes, and its threads would keep the process alive after giving up.
    try:
        channel = DefaultChannelBuilder(url).toChannel()
    except Exception as exc:
        raise DataError(f"{where}: {_first_line(exc)}; expected a Spark Connect URL such as sc://host:15002") from None
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        raise DataError(
            f"{where}: no gRPC answer within {timeout:g} s; expected a Spark Connect server on that port"
        ) from None
    finally:
        channel.close()
    try:
        session: SparkSession = session_class.builder.remote(url).getOrCreate()
    except Exception as exc:
        raise DataError(f"{where}: {_first_line(exc)}; expected a Spark Connect server on that port") from None
    return session


def _endpoint(url: str) -> tuple[str, int]:
    """Host and port of a Spark Connect URL (its token, if any, is never shown)."""
    parts = urllib.parse.urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else url.split(";")[0]
    try:
        port = parts.port or DEFAULT_CONNECT_PORT
    except ValueError:
        port = -1
    if parts.scheme != "sc" or not parts.hostname or not 0 < port < 65536:
        raise DataError(f"Spark remote {shown!r}: expected a Spark Connect URL such as sc://host:15002")
    return parts.hostname, port


# ---------------------------------------------------------------- reading


def read(session: SparkSession, spec: FairnessSpec, settings: SparkSettings, base: Path) -> SparkData:
    """The DataFrame over ``settings.table`` or ``spec.data`` (a path relative to ``base``).

    A CSV file is read as text; a model's features are typed by riskcheck's one rule
    (:mod:`riskcheck.fairness.csv_types`), never by Spark's inference."""
    table = settings.table or spec.table
    if table is not None:
        return _read_table(session, table)
    assert spec.data is not None
    return read_path(session, spec.data, settings, base)


def read_sensitive(session: SparkSession, text: str, settings: SparkSettings, base: Path) -> SparkData:
    """The sensitive columns' DataFrame: a table when ``text`` names one (and no such file or
    folder is beside the assessment), else files as :func:`read_path` reads them."""
    from riskcheck.fairness.spec import names_a_table

    if names_a_table(text) and not (base / text).exists():
        return _read_table(session, text)
    return read_path(session, text, settings, base)


def read_path(session: SparkSession, text: str, settings: SparkSettings, base: Path) -> SparkData:
    """The DataFrame over a path: checked local files, or (remote session, URI) a path only Spark sees."""
    if settings.caller_paths and (settings.remote_url() is not None or _SCHEME.match(text)):
        # A path on the cluster (or in object storage), given by whoever runs riskcheck.
        kind = "csv" if text.lower().rstrip("/").endswith(".csv") else "parquet"
        return _read_files(session, [text], kind, text, root=None)
    from riskcheck.fairness.sources import resolve_source, uri_scheme

    display = str(base / text)
    if uri_scheme(text) is not None:
        raise DataError(f"{text}: {URI_FROM_FILE}")
    source = resolve_source(text, base, display=display)
    files = [exact_path(path) for path in source.files]
    root = str(source.root) if source.hive else None
    data = _read_files(session, files, source.file_format, display, root=root)
    return SparkData(data.frame, data.display, data.from_csv, source)


#: Why a URI from an assessment file is refused: a file checked never widens what riskcheck reads.
URI_FROM_FILE = (
    "a URI is read only when whoever runs riskcheck gives it (--data or --table with --engine spark); "
    "expected a local file, glob or folder relative to the assessment"
)


def exact_path(path: object) -> str:
    """``path`` as Spark must be given it to read that one file: Spark globs every path it
    reads (Hadoop's globs, with ``{a,b}``), so a checked file named ``*.csv`` would read every
    unchecked CSV file beside it. Glob characters are escaped to stand for themselves."""
    return _GLOB.sub(r"\\\1", str(path))


def _read_table(session: SparkSession, name: str) -> SparkData:
    if not _TABLE.match(name):
        raise DataError(f"table {name!r}: expected a table name such as catalog.schema.table")
    try:
        frame = session.table(name)
        frame.schema  # noqa: B018 - Spark Connect resolves the table only when asked for its schema
    except Exception as exc:
        raise DataError(f"table {name}: {_first_line(exc)}; expected an existing table Spark can read") from None
    return SparkData(frame, f"table {name}", table=name)


def _read_files(session: SparkSession, paths: list[str], kind: str, display: str, root: str | None) -> SparkData:
    reader = session.read
    if root is not None:
        reader = reader.option("basePath", root)
    try:
        if kind == "csv":
            # Every column as text, pandas' dialect: labels keep the file's spelling, and a
            # model's features are typed by riskcheck's rule (csv_types), not by Spark's inference.
            options: dict[str, bool | str] = {
                "header": True,
                "inferSchema": False,
                "quote": '"',
                "escape": '"',
                "mode": "FAILFAST",
            }
            frame = reader.options(**options).csv(paths)
        else:
            frame = reader.parquet(*paths)
        frame.schema  # noqa: B018 - resolve the files now, so a bad path is named here
    except Exception as exc:
        raise DataError(f"{display}: cannot read the {kind} data: {_first_line(exc)}") from None
    return SparkData(frame, display, from_csv=kind == "csv")


# ---------------------------------------------------------------- the aggregation


@dataclass(frozen=True)
class _Plan:
    source: DataFrame  # the columns riskcheck reads, CSV missing-value spellings as nulls
    frame: DataFrame  # the same, filtered by ``where``
    kinds: dict[str, str]  # column -> the DuckDB spelling of its type
    display: str


def aggregate_spark(spec: FairnessSpec, data: SparkData, *, max_groups: int, say: Callback) -> CountTable:
    """The confusion counts of ``spec`` over ``data``: one Spark ``groupBy``, checked as DuckDB's."""
    from pyspark.sql import functions as F

    from riskcheck.fairness.inputs import column_roles

    assert spec.target is not None
    assert spec.model is None, "with_predictions() turns a model into a prediction column first"
    frame, display = data.frame, data.display
    try:
        schema = {item.name: item.dataType for item in frame.schema.fields}
    except Exception as exc:
        raise DataError(f"{display}: cannot read the data: {_first_line(exc)}") from None
    roles = column_roles(spec)
    if spec.prediction is None and spec.score is None:  # a model's output, thresholded already
        roles[PREDICTION_COLUMN] = "the model output"
    missing = [column for column in roles if column not in schema]
    if missing:
        named = ", ".join(f"{column!r} ({roles[column]})" for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise DataError(f"{display}: no {noun} {named}; available columns: {', '.join(schema)}")
    kinds = {column: _kind(schema[column]) for column in roles}
    _check_kinds(spec, kinds, display)
    if data.from_csv:
        kept = [_csv_nulls(column) if kinds[column] == "VARCHAR" else column for column in roles]
        frame = frame.select(*kept, *([MATCHED_COLUMN] if MATCHED_COLUMN in schema else []))
    condition = _where(spec, kinds)
    plan = _Plan(frame, frame.filter(condition), kinds, display)
    regression = spec.task == "regression"
    columns, aggregates = _regression_sums(spec, plan) if regression else _expressions(spec, plan)
    # Rows per (group, label, prediction): at most 4 per group when the outcomes are binary;
    # room for a few strays, so they can be counted and reported. A regression: one per group.
    limit = max_groups * (1 if regression else 16) + 1
    say(f"aggregating {display} in Spark")
    try:
        grouped = plan.frame.groupBy(*columns).agg(F.count(F.lit(1)).alias("n"), *aggregates)
        rows = [tuple(row) for row in grouped.limit(limit).collect()]
    except Exception as exc:
        inner = re.search(r"riskcheck\.(?:core\.)?errors\.DataError: (.+)", str(exc))
        if inner:  # raised on an executor, e.g. by the model process
            raise DataError(inner.group(1).strip()) from None
        raise DataError(f"{display}: the Spark job failed: {_first_line(exc)}") from None
    from riskcheck.fairness.tally import interpret_counts, interpret_sums, too_many

    if len(rows) >= limit:
        too_many(spec, rows, display, max_groups)
    problem = _Problems(spec, plan)

    def explain_empty() -> None:
        _explain_empty(spec, plan)

    if regression:
        return interpret_sums(
            spec, rows, display=display, problem=problem, explain_empty=explain_empty, max_groups=max_groups
        )
    return interpret_counts(
        spec,
        rows,
        display=display,
        kinds=plan.kinds,
        infer=data.from_csv,
        problem=problem,
        explain_empty=explain_empty,
        max_groups=max_groups,
    )


def _kind(data_type: DataType) -> str:
    """A Spark type as DuckDB spells it, so the label rules of tally.py read it the same way."""
    from pyspark.sql import types as T

    names: list[tuple[type[DataType], str]] = [
        (T.StringType, "VARCHAR"),
        (T.VarcharType, "VARCHAR"),
        (T.CharType, "VARCHAR"),
        (T.BooleanType, "BOOLEAN"),
        (T.ByteType, "TINYINT"),
        (T.ShortType, "SMALLINT"),
        (T.IntegerType, "INTEGER"),
        (T.LongType, "BIGINT"),
        (T.FloatType, "FLOAT"),
        (T.DoubleType, "DOUBLE"),
    ]
    for spark_type, name in names:
        if isinstance(data_type, spark_type):
            return name
    if isinstance(data_type, T.DecimalType):
        return f"DECIMAL({data_type.precision},{data_type.scale})"
    return data_type.simpleString().upper()


def _check_kinds(spec: FairnessSpec, kinds: Mapping[str, str], display: str) -> None:
    nested = ("STRUCT", "MAP", "ARRAY")
    for column, role, expected in (
        (spec.score, "the score", "numbers"),
        (spec.sample_weight, "the sample weight", "numbers"),
        (spec.target, "the target", "one label per row"),
        (spec.prediction, "the prediction", "one label per row"),
    ):
        if column is not None and kinds[column].startswith(nested):
            raise DataError(f"{display}: column {column!r} ({role}) is {kinds[column]}; expected {expected}")


def _csv_types(frame: DataFrame, columns: Sequence[str], display: str) -> dict[str, ColumnType]:
    """The typing rule's decisions for ``columns`` of a CSV file read as text: one Spark job
    counts what :func:`riskcheck.fairness.csv_types.duckdb_types` counts, with the same patterns."""
    from pyspark.sql import functions as F

    from riskcheck.fairness.csv_types import (
        BOOLEAN,
        DATE_OR_TIME,
        INTEGER,
        LOOSE,
        NUMBER,
        ColumnStats,
        anchored,
        decide,
        integer_digits,
    )

    if not columns:
        return {}
    aggregates = []
    for column in columns:
        value = _csv_value(column)
        number = value.rlike(anchored(NUMBER))
        boolean = value.rlike(anchored(BOOLEAN))
        integer = value.rlike(anchored(INTEGER))
        unclear = value.rlike(anchored(f"{DATE_OR_TIME}|{LOOSE}")) & ~number & ~boolean
        too_big = integer & (F.length(value) > F.lit(integer_digits())) & value.try_cast("bigint").isNull()
        aggregates += [
            F.count(value),
            F.count_if(number),
            F.count_if(integer),
            F.count_if(boolean),
            F.count_if(unclear),
            F.count_if(too_big),
            F.min(F.when(unclear, value)),
            F.min(F.when(too_big, value)),
        ]
    try:
        row = tuple(frame.agg(*aggregates).collect()[0])
    except Exception as exc:
        raise DataError(f"{display}: the Spark job failed: {_first_line(exc)}") from None
    return {
        column: decide(ColumnStats(*row[8 * index : 8 * index + 8]), display=display, column=column)
        for index, column in enumerate(columns)
    }


def _decisions(job: Mapping[str, Any]) -> dict[str, ColumnType]:
    from riskcheck.fairness.csv_types import from_job

    return from_job(job)


def _csv_nulls(column: str) -> Column:
    """What pandas (and the DuckDB engine) read as a missing value in a CSV file, as null."""
    return _csv_value(column).alias(column)


def _csv_value(column: str) -> Column:
    from pyspark.sql import functions as F

    from riskcheck.fairness.csv_types import CSV_NULLS  # one list for every reader

    value = F.col(column)
    return F.when(value.isin(*CSV_NULLS), F.lit(None).cast("string")).otherwise(value)


def _text(column: str, kind: str) -> Column:
    """A column's values as text, spelled as pandas' ``astype(str)`` (and the DuckDB engine) spell them."""
    from pyspark.sql import functions as F

    value = F.col(column)
    if kind == "BOOLEAN":
        return F.when(value, F.lit("True")).when(~value, F.lit("False"))
    if kind in ("FLOAT", "DOUBLE"):
        return F.when(~F.isnan(value), value.cast("string"))
    if kind == "VARCHAR":
        return value
    return value.cast("string")


def _value(column: str, kind: str) -> Column:
    """A column's values with NaN as missing."""
    from pyspark.sql import functions as F

    value = F.col(column)
    if kind in ("FLOAT", "DOUBLE"):
        return F.when(~F.isnan(value), value)
    return value


def _number(column: str) -> Column:
    """A column as doubles; text that is not a number becomes null (never an error under ANSI mode)."""
    from pyspark.sql import functions as F

    return F.col(column).try_cast("double")


def _finite(number: Column) -> Column:
    from pyspark.sql import functions as F

    infinity = float("inf")
    return number.isNotNull() & ~F.isnan(number) & (number != F.lit(infinity)) & (number != F.lit(-infinity))


def _where(spec: FairnessSpec, kinds: Mapping[str, str]) -> Column:
    """``where`` as a Column: each column's text equals the value, a literal (never SQL text)."""
    from pyspark.sql import functions as F

    from riskcheck.fairness.duck import where_text

    conditions = [
        _text(column, kinds[column]) == F.lit(where_text(wanted)) for column, wanted in (spec.where or {}).items()
    ]
    return reduce(lambda a, b: a & b, conditions, F.lit(True))


def _expressions(spec: FairnessSpec, plan: _Plan) -> tuple[list[Column], list[Column]]:
    """The grouping columns (g0.., t, p) and the aggregates after ``n``, in tally.py's order."""
    from pyspark.sql import functions as F

    assert spec.target is not None
    kinds = plan.kinds
    columns = [_text(column, kinds[column]).alias(f"g{index}") for index, column in enumerate(spec.sensitive)]
    columns.append(_value(spec.target, kinds[spec.target]).alias("t"))
    aggregates = []
    if spec.prediction is not None:
        columns.append(_value(spec.prediction, kinds[spec.prediction]).alias("p"))
    elif spec.score is None:  # a model's probability, compared with the threshold by the model process
        columns.append(F.col(PREDICTION_COLUMN).alias("p"))
    else:
        assert spec.threshold is not None
        score = _number(spec.score)
        columns.append(F.when(_finite(score), score >= F.lit(float(spec.threshold))).alias("p"))
        aggregates.append(F.count_if(F.col(spec.score).isNotNull() & score.isNull()).alias("score_text"))
        aggregates.append(F.count_if(~_finite(score)).alias("score_bad"))
    if spec.sample_weight is not None:
        weight = _number(spec.sample_weight)
        aggregates.append(F.sum(weight).alias("w"))
        aggregates.append(F.count_if(F.col(spec.sample_weight).isNotNull() & weight.isNull()).alias("weight_text"))
        aggregates.append(F.count_if(~_finite(weight)).alias("weight_bad"))
        aggregates.append(F.count_if(weight < F.lit(0.0)).alias("weight_negative"))
    if spec.sensitive_data is not None:
        aggregates.append(F.count_if(F.col(MATCHED_COLUMN).isNull()).alias("unmatched"))
    return columns, aggregates


def _regression_sums(spec: FairnessSpec, plan: _Plan) -> tuple[list[Column], list[Column]]:
    """The grouping columns and, after ``n``, the sums of ``counts.regression_sums`` and the
    counts of text, missing or infinite numbers: tally.py's regression layout."""
    from pyspark.sql import functions as F

    assert spec.target is not None and spec.prediction is not None
    columns = [_text(column, plan.kinds[column]).alias(f"g{index}") for index, column in enumerate(spec.sensitive)]
    target, prediction = _number(spec.target), _number(spec.prediction)
    weight = F.lit(1.0) if spec.sample_weight is None else _number(spec.sample_weight)
    aggregates = [
        F.sum(weight).alias("ws"),
        F.sum(weight * prediction).alias("wp"),
        F.sum(weight * F.abs(target - prediction)).alias("wae"),
    ]
    checked = [("target", spec.target), ("prediction", spec.prediction)]
    if spec.sample_weight is not None:
        checked.append(("weight", spec.sample_weight))
    for kind, column in checked:
        number = _number(column)
        aggregates.append(F.count_if(F.col(column).isNotNull() & number.isNull()).alias(f"{kind}_text"))
        aggregates.append(F.count_if(~_finite(number)).alias(f"{kind}_bad"))
    if spec.sample_weight is not None:
        aggregates.append(F.count_if(weight < F.lit(0.0)).alias("weight_negative"))
    return columns, aggregates


def _explain_empty(spec: FairnessSpec, plan: _Plan) -> None:
    from pyspark.sql import functions as F

    from riskcheck.fairness.duck import where_text

    display = plan.display
    if not spec.where:
        raise DataError(f"{display}: no data rows; expected a header and at least one row")
    for column, wanted in spec.where.items():
        text = _text(column, plan.kinds[column])
        if not plan.source.filter(text == F.lit(where_text(wanted))).limit(1).collect():
            found = plan.source.select(text.alias("v")).distinct().orderBy(F.col("v").asc_nulls_last()).limit(11)
            shown = [str(row[0]) for row in found.collect()]
            listing = ", ".join(repr(short(v)) for v in shown[:10]) + (" and more" if len(shown) > 10 else "")
            raise DataError(
                f"{display}: where: no row has {column} == {where_text(wanted)!r}; its values are {listing}"
            )
    conditions = " and ".join(f"{c} == {v!r}" for c, v in spec.where.items())
    raise DataError(f"{display}: where: no row has {conditions}")


class _Problems:
    """Error messages about rows, each with an example row fetched (by a second job) only when needed."""

    def __init__(self, spec: FairnessSpec, plan: _Plan) -> None:
        from riskcheck.fairness.inputs import column_roles

        self.spec = spec
        self.plan = plan
        self.columns = list(column_roles(spec))

    def example(self, condition: Column) -> str:
        """One row matching ``condition``, shown as its needed columns."""
        try:
            found = self.plan.frame.filter(condition).select(*self.columns).limit(1).collect()
        except Exception:  # the example is a courtesy; the error stands without it
            return ""
        if not found:
            return ""
        cells = ", ".join(f"{c}={short(v)!r}" for c, v in zip(self.columns, tuple(found[0]), strict=True))
        return f"; for example the row {cells}"

    def missing(self, column: str, role: str, count: int) -> None:
        from pyspark.sql import functions as F

        example = self.example(F.col(column).isNull() | _value(column, self.plan.kinds[column]).isNull())
        raise DataError(
            f"{self.plan.display}: column {column!r} ({role}) has {count:,} missing value(s); "
            f"expected a value in every row{example}"
        )

    def numbers(
        self, rows: Sequence[tuple[Any, ...]], at: Mapping[str, int], column: str, role: str, kind: str
    ) -> None:
        from pyspark.sql import functions as F

        display = self.plan.display
        number = _number(column)
        text = sum(int(row[at[f"{kind}_text"]]) for row in rows)
        if text:
            example = self.example(F.col(column).isNotNull() & number.isNull())
            raise DataError(
                f"{display}: column {column!r} ({role}) must be numeric; {text:,} row(s) hold text{example}"
            )
        bad = sum(int(row[at[f"{kind}_bad"]]) for row in rows)
        if bad:
            example = self.example(~_finite(number))
            raise DataError(
                f"{display}: column {column!r} ({role}) has {bad:,} missing or infinite value(s); "
                f"expected a finite number in every row{example}"
            )
        if kind == "weight":
            negative = sum(int(row[at["weight_negative"]]) for row in rows)
            if negative:
                example = self.example(number < F.lit(0.0))
                raise DataError(
                    f"{display}: column {column!r} ({role}) has {negative:,} negative value(s); "
                    f"expected weights >= 0{example}"
                )

    def stray(self, column: str, value: Any) -> str:
        from pyspark.sql import functions as F

        kind = self.plan.kinds[column]
        if value is None:
            return self.example(F.col(column).isNull())
        spelled = _value(column, kind).cast("string") == F.lit(str(value))
        if isinstance(value, int | float) and not isinstance(value, bool) and kind != "VARCHAR":
            spelled = spelled | (_value(column, kind).cast("double") == F.lit(float(value)))
        return self.example(spelled)


# ---------------------------------------------------------------- entry points


@dataclass(frozen=True)
class SparkCounts:
    """What the Spark engine hands back: the count table, the data's identity and name, the model's sha256."""

    table: CountTable
    identity: dict[str, Any]
    display: str
    model_sha256: str | None = None
    model_notes: tuple[str, ...] = ()  # among the table's notes; already passed to ``warn``


def counts_of_data(
    spec: FairnessSpec,
    base: Path,
    settings: SparkSettings,
    *,
    identity_kind: str,
    say: Callback,
    trust: ModelTrust | None = None,
    limits: ModelLimits | None = None,
    warn: Callback | None = None,
) -> SparkCounts:
    """The count table of ``spec`` over its data (or ``settings.table``), predicting with
    ``spec.model`` on the executors when there is one."""
    with spark_session(settings) as session:
        data = read(session, spec, settings, base)
        counted, model_sha = spec, None
        model_notes: tuple[str, ...] = ()
        if spec.model is not None:
            from riskcheck.fairness.trust import NO_TRUST

            data, counted, model_sha, model_notes = with_predictions(
                spec, data, base / spec.model, trust=trust or NO_TRUST, limits=limits, warn=warn, say=say
            )
        sensitive = None
        if spec.sensitive_data is not None:
            sensitive = read_sensitive(session, spec.sensitive_data, settings, base)
            data = joined(counted, data, sensitive)  # counted: a model's output is a column by now
        table = aggregate_spark(counted, data, max_groups=settings.max_groups, say=say)
        if model_notes:
            table = replace(table, notes=(*model_notes, *table.notes))
        data_identity = spark_identity(session, data, identity_kind, table)
        if sensitive is not None:
            from riskcheck.fairness.api import _joined_identity  # the DuckDB engine's digest over both

            data_identity = _joined_identity(data_identity, spark_identity(session, sensitive, identity_kind, table))
        identity = data_identity.to_dict()
    return SparkCounts(table, identity, data.display, model_sha, model_notes)


def counts_of_frame(
    spec: FairnessSpec, frame: DataFrame, *, name: str, max_groups: int = DEFAULT_MAX_GROUPS
) -> tuple[CountTable, dict[str, Any]]:
    """The count table of ``spec`` over a Spark DataFrame, and its identity (see :func:`table_digest`)."""

    def quiet(message: str) -> None:
        pass

    if spec.model is not None:
        raise DataError(f"{name}: a model predicts on files or tables; for a DataFrame, give a prediction column")
    table = aggregate_spark(spec, SparkData(frame, name), max_groups=max_groups, say=quiet)
    return table, counts_identity(table_digest(table, frame.schema.json()))


# ---------------------------------------------------------------- sensitive columns from another table

#: Set on every row of the sensitive table, so rows without a match can be counted after the join.
MATCHED_COLUMN = "__riskcheck_matched"


def joined(spec: FairnessSpec, data: SparkData, sensitive: SparkData) -> SparkData:
    """``data`` left-joined to the sensitive columns of ``sensitive`` on ``spec.join_on``,
    after checking both sides' columns and that each key appears once in ``sensitive``."""
    from pyspark.sql import functions as F

    from riskcheck.fairness.inputs import column_roles

    key = spec.join_on
    assert key is not None
    data_roles = {column: role for column, role in column_roles(spec).items() if column not in spec.sensitive}
    data_roles.setdefault(key, "the join key")
    _require(data, data_roles)
    _require(sensitive, {**dict.fromkeys(spec.sensitive, "a sensitive column"), key: "the join key"})
    try:
        duplicated = sensitive.frame.groupBy(key).count().filter(F.col("count") > F.lit(1))
        found = duplicated.agg(F.count(F.lit(1)), F.min(F.col(key))).collect()[0]
    except Exception as exc:
        raise DataError(f"{sensitive.display}: cannot read the data: {_first_line(exc)}") from None
    if found[0]:
        raise DataError(
            f"{sensitive.display}: {found[0]:,} value(s) of the join key {key!r} appear more than once "
            f"(for example {short(found[1])!r}); expected one row per key"
        )
    columns = [_csv_nulls(column) if sensitive.from_csv else F.col(column) for column in spec.sensitive]
    right = sensitive.frame.select(F.col(key), *columns, F.lit(True).alias(MATCHED_COLUMN))
    left = data.frame.drop(*[column for column in spec.sensitive if column in data.frame.columns])
    return replace(data, frame=left.join(right, on=key, how="left"))


def _require(data: SparkData, roles: Mapping[str, str]) -> None:
    """A DataError naming every missing column, what it was for, and the available ones."""
    available = data.frame.columns
    missing = [column for column in roles if column not in available]
    if missing:
        named = ", ".join(f"{column!r} ({roles[column]})" for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise DataError(f"{data.display}: no {noun} {named}; available columns: {', '.join(available)}")


# ---------------------------------------------------------------- a model on the executors

#: The column of the model's predictions, added by :func:`with_predictions`.
PREDICTION_COLUMN = "__riskcheck_prediction"


def with_predictions(
    spec: FairnessSpec,
    data: SparkData,
    model_path: Path,
    *,
    trust: ModelTrust,
    limits: ModelLimits | None,
    warn: Callback | None,
    say: Callback,
) -> tuple[SparkData, FairnessSpec, str, tuple[str, ...]]:
    """``data`` with the model's predictions, made on the executors by the same sandboxed model
    process as in memory (skops allowlist; pickle only when trusted), and the spec that counts them.

    The driver checks the file and its trust, and predicts on a few rows first: a refused or
    broken model fails here, before a job starts, and the rows give the predictions' type.
    """
    from pyspark.sql import types as T

    from riskcheck.fairness.csv_types import to_job
    from riskcheck.fairness.inputs import column_roles, model_sha256
    from riskcheck.fairness.model import ModelLimits, check_model_file, predict_with_model

    display = str(model_path)
    sha256 = model_sha256(model_path) if model_path.is_file() else None
    trusted = sha256 is not None and trust.allows(sha256)
    check_model_file(model_path, display, trusted=trusted, sha256=sha256)
    assert sha256 is not None
    limits = limits or ModelLimits()
    frame = data.frame
    exclude = {spec.target, *(spec.where or {}), *([spec.sample_weight] if spec.sample_weight else [])}
    features = list(spec.features or [column for column in frame.columns if column not in exclude])
    missing = [column for column in features if column not in frame.columns]
    if missing:
        raise DataError(
            f"{data.display}: no column(s) {', '.join(map(repr, missing))} (model features); "
            f"available columns: {', '.join(frame.columns)}"
        )
    kept = [column for column in column_roles(spec) if column in frame.columns]
    if spec.join_on is not None and spec.join_on in frame.columns and spec.join_on not in kept:
        kept.append(spec.join_on)  # the sensitive table is joined to the predictions
    job = _ModelJob(
        model=model_path.read_bytes(),
        suffix=model_path.suffix.lower(),
        display=display,
        sha256=sha256,
        trusted=trusted,
        features=tuple(features),
        columns=tuple(kept),
        output="string",
        explicit=spec.features is not None,
        threshold=spec.threshold,
        positive_label=spec.positive_label,
        memory_bytes=limits.memory_bytes,
        seconds=limits.seconds,
    )
    csv_types = _csv_types(frame, features, data.display) if data.from_csv else None
    job = replace(job, csv_types=None if csv_types is None else to_job(csv_types))
    say(f"checking {display} on a few rows")
    sample = frame.select(*features).limit(50).toArrow().to_pandas()
    predicted, notes = predict_with_model(
        model_path,
        display=display,
        features=sample,
        explicit_features=job.explicit,
        trust=trust,
        sha256=sha256,
        threshold=spec.threshold,
        positive_label=spec.positive_label,
        limits=limits,
        warn=warn,
        csv_types=csv_types,
    )
    kind = predicted.dtype.kind
    types: dict[str, tuple[T.DataType, str]] = {
        "b": (T.BooleanType(), "bool"),
        "i": (T.LongType(), "int64"),
        "u": (T.LongType(), "int64"),
        "f": (T.DoubleType(), "double"),
    }
    spark_type, arrow_type = types.get(kind, (T.StringType(), "string"))
    job = replace(job, output=arrow_type)
    schema = T.StructType([*(frame.schema[column] for column in kept), T.StructField(PREDICTION_COLUMN, spark_type)])
    say(f"predicting with {display} on the executors")
    with _quiet_pyspark():
        predicted_frame = frame.select(*dict.fromkeys([*kept, *features])).mapInArrow(job, schema)
    return replace(data, frame=predicted_frame), _counted_spec(spec), sha256, notes


def _counted_spec(spec: FairnessSpec) -> FairnessSpec:
    """The spec the count table is read with: the model's output as the prediction column.

    With a threshold the model process already compared the probability, so the output is
    the boolean a score gives, not a label to match against the target's (the streamed
    DuckDB engine reads it the same way): no prediction column, no threshold, and the
    aggregation takes :data:`PREDICTION_COLUMN` as it is."""
    update: dict[str, Any] = {"model": None, "features": None, "threshold": None}
    update["prediction"] = None if spec.threshold is not None else PREDICTION_COLUMN
    return spec.model_copy(update=update)


@dataclass(frozen=True)
class _ModelJob:
    """What an executor needs to predict, and nothing of the driver: it is pickled to them."""

    model: bytes
    suffix: str
    display: str
    sha256: str
    trusted: bool
    features: tuple[str, ...]
    columns: tuple[str, ...]  # passed through: those the count needs
    output: str  # the Arrow type of the predictions
    explicit: bool
    threshold: float | None
    positive_label: Any
    memory_bytes: int
    seconds: float
    csv_types: Mapping[str, Any] | None = None  # the typing rule's decisions, as the model process's job has them

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        """Predict on each Arrow record batch of this partition in one streaming model process.

        Arrow record batches in and out (``mapInArrow``): pyspark's pandas conversion is not
        needed, and each batch goes to the model process as it comes (see
        :func:`riskcheck.fairness.model.stream_predictions`), so an executor holds one batch
        at a time whatever the partition's size."""
        import shutil

        import pyarrow as pa  # type: ignore[import-untyped]

        from riskcheck.fairness.model import ModelLimits, stream_predictions
        from riskcheck.fairness.spill import MODEL_COPY_PREFIX, make_spill_folder
        from riskcheck.fairness.trust import NO_TRUST, ModelTrust

        def silent(message: str) -> None:
            pass

        trust = ModelTrust(sha256=frozenset({self.sha256})) if self.trusted else NO_TRUST
        limits = ModelLimits(memory_bytes=self.memory_bytes, seconds=self.seconds)
        # Marked with this worker's process: one killed outright leaves it for the next task to remove.
        scratch = make_spill_folder(prefix=MODEL_COPY_PREFIX)
        try:
            path = scratch / f"model{self.suffix}"
            path.write_bytes(self.model)  # stream_predictions checks its sha256 before loading it
            model = None
            with contextlib.ExitStack() as stack:
                for batch in batches:
                    if batch.num_rows == 0:
                        continue
                    if model is None:  # started with the first rows: an empty partition starts nothing
                        model = stack.enter_context(
                            stream_predictions(
                                path,
                                display=self.display,
                                sha256=self.sha256,
                                explicit_features=self.explicit,
                                trust=trust,
                                threshold=self.threshold,
                                positive_label=self.positive_label,
                                limits=limits,
                                warn=silent,
                                csv_types=None if self.csv_types is None else _decisions(self.csv_types),
                            )
                        )
                    features = batch.select(list(self.features))
                    predicted = model.predict(features).cast(self.output)
                    kept = batch.select(list(self.columns))
                    yield pa.RecordBatch.from_arrays(
                        [*kept.columns, predicted], names=[*kept.schema.names, PREDICTION_COLUMN]
                    )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------- identity


def spark_identity(session: SparkSession, data: SparkData, kind: str, table: CountTable) -> DataIdentity:
    """The identity of what Spark read: local files as the DuckDB engine identifies them, a
    table by its version where there is one, else (saying why) the digest of the counts."""
    from riskcheck.fairness.identity import DataIdentity, identify

    if data.source is not None:
        return identify(data.source, kind=kind)
    counts = table_digest(table, data.frame.schema.json())
    if data.table is not None:
        found = table_identity(session, data.table, kind, counts)
    else:
        why = (
            f"{data.display} is read by Spark where riskcheck cannot list its files, and has no version "
            "riskcheck can read; the digest is of its schema and the count table"
        )
        found = DataIdentity("counts", counts, 0, 0, {"fallback": why})
    if kind == "sha256" and found.kind != "sha256":
        note = "not available: riskcheck cannot read every byte of data Spark holds elsewhere"
        found = replace(found, details={**found.details, "full_hash": note})
    return found


def table_identity(session: SparkSession, name: str, kind: str, counts: str) -> DataIdentity:
    """A Spark table's identity, from the first of these that gives one:

    - a Delta table: its latest version, from ``DESCRIBE HISTORY``: kind ``delta-version`` (or, when
      its location is a local folder, its version bound to its files, as the DuckDB engine gives it:
      ``delta-sha256`` or ``delta-fingerprint``);
    - an Iceberg table: its current snapshot id, from the ``snapshots`` metadata table (or from
      its local metadata files): kind ``iceberg-snapshot``;
    - a table whose location is a local folder of Parquet or CSV files: those files' identity,
      as the DuckDB engine gives it (``sha256`` or ``fingerprint``);
    - otherwise the fallback ``counts``: the digest of the schema and the count table, with
      ``fallback`` saying why (a view, a table on a cluster's storage without a version).
    """
    from riskcheck.fairness.identity import DataIdentity, identify
    from riskcheck.fairness.tables import iceberg_snapshot, table_format

    described = _describe_table(session, name)
    provider = described.get("Provider", "").lower()
    location = described.get("Location")
    details: dict[str, Any] = {"table": name}
    if provider:
        details["provider"] = provider
    if provider == "delta":
        found = _first_row(session, f"DESCRIBE HISTORY {name} LIMIT 1")
        if found is not None and found.get("version") is not None:
            version = int(found["version"])
            digest = hashlib.sha256(f"riskcheck.spark-delta/1 {name} {version} {found.get('timestamp')}\n".encode())
            return DataIdentity(
                "delta-version", digest.hexdigest(), 0, 0, {**details, "version": version, "from": "DESCRIBE HISTORY"}
            )
    if provider == "iceberg":
        found = _first_row(
            session, f"SELECT snapshot_id, committed_at FROM {name}.snapshots ORDER BY committed_at DESC LIMIT 1"
        )
        if found is not None and found.get("snapshot_id") is not None:
            snapshot_id = int(found["snapshot_id"])
            digest = hashlib.sha256(f"riskcheck.spark-iceberg/1 {name} {snapshot_id}\n".encode())
            return DataIdentity(
                "iceberg-snapshot",
                digest.hexdigest(),
                0,
                0,
                {**details, "snapshot_id": snapshot_id, "from": "snapshots"},
            )
    folder = _local_folder(location)
    if folder is not None:
        details["location"] = str(folder)
        display = f"table {name} ({folder})"
        found_format = table_format(folder)
        if found_format == "iceberg":
            snapshot = iceberg_snapshot(folder, display)
            return DataIdentity(
                snapshot.kind, snapshot.digest, len(snapshot.files), 0, {**details, **snapshot.identity_details()}
            )
        from riskcheck.fairness.sources import resolve_source

        try:
            files = resolve_source(str(folder), Path("."), display=display)
            found_identity = identify(files, kind=kind)  # as the DuckDB engine identifies the same files
        except DataError as exc:
            why = f"its files at {folder} could not be identified ({exc})"
        else:
            return DataIdentity(
                found_identity.kind,
                found_identity.digest,
                found_identity.files,
                found_identity.bytes,
                {**details, **found_identity.details},
            )
    elif described.get("Type", "").upper() == "VIEW" or not described:
        why = "a view (or a temporary view) has no version"
    elif location:
        why = f"Spark gives no version for a {provider or 'non-Delta, non-Iceberg'} table stored at {location}"
    else:
        why = "Spark gives neither a version nor a location for this table"
    return DataIdentity(
        "counts", counts, 0, 0, {**details, "fallback": f"{why}; the digest is of its schema and the count table"}
    )


def _describe_table(session: SparkSession, name: str) -> dict[str, str]:
    """The detailed rows of ``DESCRIBE TABLE EXTENDED`` (Provider, Location, Type...); empty if Spark gives none."""
    try:
        rows = session.sql(f"DESCRIBE TABLE EXTENDED {name}").collect()
    except Exception:
        return {}
    details: dict[str, str] = {}
    below = False
    for row in rows:
        key, value = str(row[0] or "").strip(), str(row[1] or "").strip()
        if key.startswith("# Detailed Table Information"):
            below = True
            continue
        if below and key and not key.startswith("#"):
            details[key] = value
    return details


def _first_row(session: SparkSession, sql: str) -> dict[str, Any] | None:
    """The first row of ``sql`` as a dict, or None when Spark cannot run it (no Delta or Iceberg support)."""
    try:
        rows = session.sql(sql).limit(1).collect()
    except Exception:
        return None
    return rows[0].asDict() if rows else None


def _local_folder(location: str | None) -> Path | None:
    """A table's location as a local folder riskcheck can read, else None (a cluster's storage)."""
    if not location:
        return None
    parts = urllib.parse.urlsplit(location)
    if parts.scheme == "file":
        path = Path(urllib.parse.unquote(parts.path))
    elif not parts.scheme and location.startswith("/"):
        path = Path(location)
    else:
        return None
    return path if path.is_dir() else None


def counts_identity(rows_digest: str, kind: str = "counts") -> dict[str, Any]:
    """The identity of data riskcheck cannot hash (a table, a DataFrame, a path on a cluster):
    kind ``counts``, the digest of its schema and count table. Reading 100 GB back to hash it
    is not practical; the counts change whenever the rows the figures come from do."""
    return {"kind": kind, "digest": rows_digest, "files": 0, "bytes": 0}


def table_digest(table: CountTable, schema: str) -> str:
    """sha256 over the schema and the count table: it changes whenever the counted data does."""
    digest = hashlib.sha256(f"riskcheck.spark-counts/1\n{schema}\n".encode())
    digest.update(GROUP_JOINER.join(table.labels).encode())
    digest.update(table.rows.tobytes())
    digest.update(table.weighted.tobytes())
    return digest.hexdigest()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return short(text[0], 300) if text else type(exc).__name__
