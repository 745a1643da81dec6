"""A model's predictions over files at any size: DuckDB reads, the model process predicts, batch by batch.

With a model, the DuckDB engine cannot aggregate in one ``GROUP BY``: the prediction is
not a column of the data. Instead DuckDB streams the rows (``where`` pushed down, the
sensitive table joined inside it) as Arrow record batches of
:data:`~riskcheck.fairness.model.STREAM_BATCH_ROWS` rows, each holding the group, the
target, the weight checks and the model's feature columns. Each batch's features go to
one sandboxed model process (:func:`~riskcheck.fairness.model.stream_predictions`: the
same loading rules as everywhere), and its predictions are folded at once into a
table of (group, label, prediction) -> (rows, weight). Memory is one batch in flight
and that table, whatever the row count.

The table has the layout of the DuckDB aggregation, so
:func:`~riskcheck.fairness.tally.interpret_counts` turns it into confusion counts with
the same checks and messages as every other engine. While the model predicts on one
batch, DuckDB reads the next.

Every column is read as text. For a CSV file, a first pass (while the columns and join
keys are checked) decides each feature's type by riskcheck's one rule
(:mod:`riskcheck.fairness.csv_types`), from every row; the model process types each batch
by those decisions, as it does on the in-memory and Spark paths, so every path gives the
model the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from riskcheck.core.errors import DataError
from riskcheck.fairness.csv_types import duckdb_types
from riskcheck.fairness.duck import (
    Query,
    Relation,
    ScanLimits,
    check_unique_keys,
    connect,
    first_line,
    join_sensitive,
    memory_message,
    number_of,
    quote,
    relation,
    require_columns,
    text_of,
    value_of,
    where_text,
)
from riskcheck.fairness.labels import check_group_count
from riskcheck.fairness.model import STREAM_BATCH_ROWS, ModelLimits, ModelStream, stream_predictions
from riskcheck.fairness.sources import Source
from riskcheck.fairness.spec import FairnessSpec
from riskcheck.fairness.tally import (
    CountTable,
    _explain_empty,
    _Problems,
    interpret_counts,
    interpret_sums,
    too_many,
)
from riskcheck.fairness.trust import ModelTrust

Callback = Callable[[str], None]

#: How the model's output is named in messages about its values.
MODEL_OUTPUT = "model output"
#: Prefix of the columns riskcheck computes next to the features in each batch.
_PREFIX = "__riskcheck_"


def aggregate_with_model(
    spec: FairnessSpec,
    data: Source,
    *,
    sensitive_data: Source | None,
    model_path: Path,
    model_sha256: str,
    trust: ModelTrust,
    model_limits: ModelLimits,
    limits: ScanLimits,
    say: Callback,
    warn: Callback | None,
) -> tuple[CountTable, tuple[str, ...]]:
    """The confusion counts of ``spec`` over ``data`` with ``spec.model``'s predictions (a regressor's:
    the per-group sums of :func:`~riskcheck.fairness.counts.regression_sums`); and the model's notes."""
    import pyarrow as pa  # type: ignore[import-untyped]

    from riskcheck.fairness.inputs import column_roles

    assert spec.target is not None and spec.model is not None
    roles = {column: role for column, role in column_roles(spec).items() if role != "a model feature"}
    display = data.display
    model_display = str(model_path)
    notes: list[str] = []
    with connect(limits) as connection:
        # The checks, then (CSV) the typing rule's decisions for the features, from every row: the
        # model process is given them when it starts. Every column is read as text (labels keep
        # the file's spelling); the model process types a CSV file's features by the one rule.
        rows_relation = _relations(spec, connection, data, sensitive_data, roles, check=True)[0]
        features = _features(spec, rows_relation)
        csv_types = duckdb_types(connection, rows_relation, features) if data.file_format == "csv" else None
    say(f"predicting with {model_display} on batches of {STREAM_BATCH_ROWS:,} rows")
    # DuckDB's spill folder is inside the model process's scratch folder, which its watchdog
    # removes should riskcheck be killed.
    with (
        stream_predictions(
            model_path,
            display=model_display,
            sha256=model_sha256,
            explicit_features=spec.features is not None,
            trust=trust,
            threshold=spec.threshold,
            positive_label=spec.positive_label,
            limits=model_limits,
            warn=warn,
            notes=notes,
            csv_types=csv_types,
        ) as model,
        connect(limits, temp_parent=model.work) as connection,
    ):
        rows_relation, sensitive = _relations(spec, connection, data, sensitive_data, roles, check=False)
        table = _count(pa, spec, connection, rows_relation, sensitive, features, model, display, limits)
    return table, tuple(notes)


def _relations(
    spec: FairnessSpec,
    connection: Any,
    data: Source,
    sensitive_data: Source | None,
    roles: Mapping[str, str],
    *,
    check: bool,
) -> tuple[Relation, Relation | None]:
    """The data's relation and the sensitive table's; with ``check``, their columns and join keys checked."""
    rows_relation = relation(connection, data, name="data")
    if sensitive_data is None:
        if check:
            require_columns(rows_relation, roles)
        return rows_relation, None
    assert spec.join_on is not None
    sensitive = relation(connection, sensitive_data, name="sensitive")
    if check:
        data_roles = {c: r for c, r in roles.items() if c not in spec.sensitive}
        data_roles.setdefault(spec.join_on, "the join key")
        require_columns(rows_relation, data_roles)
        require_columns(sensitive, {**{c: "a sensitive column" for c in spec.sensitive}, spec.join_on: "the join key"})
        check_unique_keys(connection, sensitive, spec.join_on)
    return rows_relation, sensitive


def _count(
    pa: Any,
    spec: FairnessSpec,
    connection: Any,
    rows_relation: Relation,
    sensitive: Relation | None,
    features: list[str],
    model: ModelStream,
    display: str,
    limits: ScanLimits,
) -> CountTable:
    """Stream the rows through the model and fold its predictions into the count table."""
    regression = spec.task == "regression"
    query_of = _regression_query if regression else _batch_query
    sql, params, keys, sums = query_of(spec, rows_relation, sensitive, features)
    counted = _counted_spec(spec)
    row_limit = limits.max_groups * (1 if regression else 16) + 1
    cells: dict[tuple[Any, ...], list[float]] = {}
    reader = _reader(connection, sql, params, display, limits)
    pending = _next(reader, display, limits)
    while pending is not None:
        model.send(_feature_batch(pa, pending, len(keys) + len(sums), features))
        following = _next(reader, display, limits)  # DuckDB reads while the model predicts
        predictions = model.receive(pending.num_rows)
        if regression:
            _fold_sums(pa, cells, pending, predictions, keys, sums)
        else:
            _fold(pa, cells, pending, predictions, keys, sums)
        if len(cells) >= row_limit:
            if regression:
                check_group_count(len(cells), display=display, columns=spec.sensitive, bound=limits.max_groups)
            too_many(counted, _rows(cells), display, limits.max_groups)
        pending = following
    query = Query(sql, params, tuple(spec.sensitive), _where_sql(spec, rows_relation, {}))
    problem = _StreamProblems(spec, connection, query, rows_relation)

    def explain_empty() -> None:
        _explain_empty(spec, connection, rows_relation)

    if regression:
        return interpret_sums(
            counted,
            _rows(cells),
            display=display,
            problem=problem,
            explain_empty=explain_empty,
            max_groups=limits.max_groups,
        )
    else:
        return interpret_counts(
            counted,
            _rows(cells),
            display=display,
            kinds={**rows_relation.columns, MODEL_OUTPUT: _duckdb_kind(pa, model.output_type)},
            infer=rows_relation.source.file_format == "csv",
            problem=problem,
            explain_empty=explain_empty,
            max_groups=limits.max_groups,
        )


def _features(spec: FairnessSpec, data: Relation) -> list[str]:
    """The columns offered to the model: ``spec.features``, else all but the target, filters and weight."""
    if spec.features is not None:
        missing = [column for column in spec.features if column not in data.columns]
        if missing:
            raise DataError(
                f"{data.source.display}: no column(s) {', '.join(map(repr, missing))} (model features); "
                f"available columns: {', '.join(data.columns)}"
            )
        return list(spec.features)
    exclude = {spec.target, *(spec.where or {}), *([spec.sample_weight] if spec.sample_weight else [])}
    return [column for column in data.columns if column not in exclude]


def _counted_spec(spec: FairnessSpec) -> FairnessSpec:
    """The spec the count table is read with: the model's output as the prediction column.

    With a threshold the model process already compared the probability, so the output is
    the boolean a score gives (no prediction column, no threshold)."""
    update: dict[str, Any] = {"model": None, "features": None, "threshold": None}
    update["prediction"] = None if spec.threshold is not None else MODEL_OUTPUT
    return spec.model_copy(update=update)


def _where_sql(spec: FairnessSpec, data: Relation, params: dict[str, Any]) -> str:
    conditions = []
    for index, (column, wanted) in enumerate((spec.where or {}).items()):
        params[f"where{index}"] = where_text(wanted)
        conditions.append(f"{text_of(column, data.columns[column])} = $where{index}")
    return " AND ".join(conditions) if conditions else "true"


def _batch_query(
    spec: FairnessSpec, data: Relation, sensitive: Relation | None, features: Sequence[str]
) -> tuple[str, dict[str, Any], list[str], list[str]]:
    """SQL for one row per data row: the key columns, the per-row sums, then the features."""
    assert spec.target is not None
    params, joined, sides, kinds = join_sensitive(spec, data, sensitive)
    selected = [
        f"{text_of(column, kinds[column], sides[column])} AS {quote(f'{_PREFIX}g{index}')}"
        for index, column in enumerate(spec.sensitive)
    ]
    keys = [f"g{index}" for index in range(len(spec.sensitive))] + ["t"]
    selected.append(f"{value_of(spec.target, data.columns[spec.target])} AS {quote(_PREFIX + 't')}")
    sums: list[str] = []
    if spec.sample_weight is not None:
        weight, raw = number_of(spec.sample_weight), f"d.{quote(spec.sample_weight)}"
        for name, expression in (
            ("w", weight),
            ("weight_text", f"CAST({raw} IS NOT NULL AND {weight} IS NULL AS INTEGER)"),
            ("weight_bad", f"CAST({weight} IS NULL OR NOT isfinite({weight}) AS INTEGER)"),
            ("weight_negative", f"CAST(coalesce({weight} < 0, false) AS INTEGER)"),
        ):
            selected.append(f"{expression} AS {quote(_PREFIX + name)}")
            sums.append(name)
    if sensitive is not None:
        assert spec.join_on is not None
        selected.append(f"CAST(s.{quote(spec.join_on)} IS NULL AS INTEGER) AS {quote(_PREFIX + 'unmatched')}")
        sums.append("unmatched")
    selected += [f"d.{quote(column)}" for column in features]
    where_sql = _where_sql(spec, data, params)
    sql = f"SELECT {', '.join(selected)} FROM {data.sql} AS d{joined} WHERE {where_sql}"
    return sql, params, keys, sums


def _regression_query(
    spec: FairnessSpec, data: Relation, sensitive: Relation | None, features: Sequence[str]
) -> tuple[str, dict[str, Any], list[str], list[str]]:
    """For a regressor, one row per data row: the groups, the target and weight as numbers with
    their checks (as the DuckDB engine's sums make them), then the features."""
    assert spec.target is not None
    sql, params, keys, sums = _batch_query(spec, data, sensitive, features)
    target, raw = number_of(spec.target), f"d.{quote(spec.target)}"
    weight = "CAST(1.0 AS DOUBLE)" if spec.sample_weight is None else number_of(spec.sample_weight)
    per_row = [
        ("t", target),
        ("ws", weight),
        ("target_text", f"CAST({raw} IS NOT NULL AND {target} IS NULL AS INTEGER)"),
        ("target_bad", f"CAST({target} IS NULL OR NOT isfinite({target}) AS INTEGER)"),
    ]
    # the classification query's target label goes; these numbers come before its sums
    label = f"{value_of(spec.target, data.columns[spec.target])} AS {quote(_PREFIX + 't')}"
    numbers = ", ".join(f"{expression} AS {quote(_PREFIX + name)}" for name, expression in per_row)
    assert label in sql
    sql = sql.replace(label, numbers, 1)
    keys = [key for key in keys if key != "t"]
    return sql, params, keys, [name for name, _ in per_row] + sums  # the raw weight "w" is not summed again


def _fold_sums(
    pa: Any,
    cells: dict[tuple[Any, ...], list[float]],
    batch: Any,
    predictions: Any,
    keys: Sequence[str],
    columns: Sequence[str],
) -> None:
    """Add one batch of a regression to ``cells``: per group, the sums of
    :func:`~riskcheck.fairness.counts.regression_sums` and the checks, in interpret_sums' layout."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    at = {name: batch.column(len(keys) + offset) for offset, name in enumerate(columns)}
    rows = batch.num_rows
    if pa.types.is_string(predictions.type):
        text = pc.cast(pc.is_valid(predictions), pa.int64())
        predicted = pa.nulls(rows, pa.float64())
    else:
        text = pa.repeat(pa.scalar(0, pa.int64()), rows)
        predicted = pc.cast(predictions, pa.float64())
    bad = pc.cast(pc.fill_null(pc.invert(pc.is_finite(predicted)), True), pa.int64())
    weight, target = at["ws"], at["t"]
    values = {
        "one": pa.repeat(pa.scalar(1, pa.int64()), rows),
        "ws": weight,
        "wp": pc.multiply(weight, predicted),
        "wae": pc.multiply(weight, pc.abs(pc.subtract(target, predicted))),
        "target_text": at["target_text"],
        "target_bad": at["target_bad"],
        "prediction_text": text,
        "prediction_bad": bad,
    }
    for name in ("weight_text", "weight_bad", "weight_negative", "unmatched"):
        if name in at:
            values[name] = at[name]
    table = pa.table({**{name: batch.column(index) for index, name in enumerate(keys)}, **values})
    grouped = table.group_by(list(keys), use_threads=False).aggregate([(name, "sum") for name in values])
    groups = [grouped.column(name).to_pylist() for name in keys]
    totals = [grouped.column(f"{name}_sum").to_pylist() for name in values]
    for index in range(grouped.num_rows):
        key = tuple(column[index] for column in groups)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0] * len(totals)
        for position, column in enumerate(totals):
            cell[position] += column[index] or 0


def _reader(connection: Any, sql: str, params: dict[str, Any], display: str, limits: ScanLimits) -> Any:
    import duckdb

    try:
        # a cursor of its own: a check before it may leave a result open on the connection
        return connection.cursor().sql(sql, params=params).to_arrow_reader(STREAM_BATCH_ROWS)
    except duckdb.OutOfMemoryException as exc:
        raise DataError(f"{display}: {memory_message(exc, limits)}") from None
    except duckdb.Error as exc:
        raise DataError(f"{display}: cannot read the data: {first_line(exc)}") from None


def _next(reader: Any, display: str, limits: ScanLimits) -> Any:
    """The next non-empty batch, or None at the end."""
    import duckdb
    import pyarrow as pa

    try:
        while True:
            batch = reader.read_next_batch()
            if batch.num_rows:
                return batch
    except StopIteration:
        return None
    except duckdb.OutOfMemoryException as exc:
        raise DataError(f"{display}: {memory_message(exc, limits)}") from None
    except (duckdb.Error, pa.ArrowException) as exc:
        text = str(exc)
        if "max_temp_directory_size" in text or "Out of Memory" in text:
            raise DataError(f"{display}: {memory_message(exc, limits)}") from None
        if "interrupted" in text.lower():
            raise KeyboardInterrupt from None
        raise DataError(f"{display}: cannot read the data: {first_line(exc)}") from None


def _feature_batch(pa: Any, batch: Any, skip: int, names: Sequence[str]) -> Any:
    """The model's columns of a batch, by position (a feature may share a name with anything)."""
    return pa.RecordBatch.from_arrays(batch.columns[skip:], names=list(names))


def _fold(
    pa: Any,
    cells: dict[tuple[Any, ...], list[float]],
    batch: Any,
    predictions: Any,
    keys: Sequence[str],
    sums: Sequence[str],
) -> None:
    """Add one batch to ``cells``: per (group..., target, prediction), rows then each sum."""
    columns = {name: batch.column(index) for index, name in enumerate(keys)}
    columns["p"] = predictions
    for offset, name in enumerate(sums):
        columns[name] = batch.column(len(keys) + offset)
    columns["one"] = pa.repeat(pa.scalar(1, pa.int64()), batch.num_rows)
    table = pa.table(columns)
    grouped = table.group_by([*keys, "p"], use_threads=False).aggregate(
        [("one", "sum"), *((name, "sum") for name in sums)]
    )
    names = [*keys, "p"]
    values = [grouped.column(name).to_pylist() for name in names]
    totals = [grouped.column("one_sum").to_pylist()] + [grouped.column(f"{name}_sum").to_pylist() for name in sums]
    for index in range(grouped.num_rows):
        key = tuple(column[index] for column in values)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0] * len(totals)
        for position, column in enumerate(totals):
            cell[position] += column[index] or 0


def _rows(cells: Mapping[tuple[Any, ...], list[float]]) -> list[tuple[Any, ...]]:
    """The count table in the DuckDB aggregation's layout: (group..., t, p, n, sums...)."""
    return [(*key, *cell) for key, cell in cells.items()]


def _duckdb_kind(pa: Any, arrow_type: Any) -> str:
    """The model output's Arrow type as DuckDB spells it, so tally.py reads its labels the same way."""
    if arrow_type is None or pa.types.is_string(arrow_type):
        return "VARCHAR"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    return "DOUBLE"


class _StreamProblems(_Problems):
    """Example rows come from the data; the model's output is not a column of it."""

    def numbers(
        self, rows: Sequence[tuple[Any, ...]], at: Mapping[str, int], column: str, role: str, kind: str
    ) -> None:
        if column != MODEL_OUTPUT:
            super().numbers(rows, at, column, role, kind)
            return
        text = sum(int(row[at["prediction_text"]]) for row in rows)
        bad = sum(int(row[at["prediction_bad"]]) for row in rows)
        if text:
            raise DataError(
                f"{self.data.source.display}: the {MODEL_OUTPUT} is text in {text:,} row(s); "
                "a regression needs a number for every row"
            )
        if bad:
            raise DataError(
                f"{self.data.source.display}: the {MODEL_OUTPUT} is missing or infinite in {bad:,} row(s); "
                "expected a finite number for every row"
            )

    def missing(self, column: str, role: str, count: int) -> None:
        if column != MODEL_OUTPUT:
            super().missing(column, role, count)
        raise DataError(
            f"{self.data.source.display}: the {MODEL_OUTPUT} is missing in {count:,} row(s); "
            "expected a prediction for every row"
        )

    def stray(self, column: str, value: Any) -> str:
        return "" if column == MODEL_OUTPUT else super().stray(column, value)
