"""How a CSV file's columns are typed for a model: one rule, decided once, applied on every path.

A CSV file holds text. Readers turn it into numbers, booleans or dates by rules of their
own, and they disagree: pandas reads ``03`` as the number 3 where DuckDB's sniffer keeps it
as text; Spark and DuckDB read ``2024-01-03`` as a date where pandas keeps text; riskcheck's
own readers once differed on ``True``. A model given the other reading of a column
predicts differently, with nothing to show it. So with a model, no reader types a CSV
file's feature columns. Every path (the in-memory ``count`` and ``fairlearn`` engines, the
streamed DuckDB engine, Spark) reads them as text, and riskcheck types them by this rule:

1. The rule looks at every value of the column, in every file, before any ``where``
   filter. pandas' spellings of a missing value (an empty cell, ``NA``, ``null``, ...)
   are missing.
2. A column whose values are all whole numbers (``-12``, ``0``, ``+7``) is integer
   (int64); all numbers (``2.5``, ``.5``, ``1e-3``, whole numbers too) is a float
   (float64); all ``True``/``False`` (also ``TRUE``, ``true`` and the same for false) is
   boolean. A column with no value at all is a float, all missing.
3. A column with a value that is none of these, and that no reader takes for a number,
   a boolean or a date (``abc``, ``<=50K``, a mix of numbers and ``True``), is text.
4. Otherwise readers disagree, and riskcheck cannot tell how the model expects the
   column: a number with a leading zero (``03``, ``007.5``: a code or a number?), a
   number or boolean with spaces around it, ``inf``, a whole number beyond 64 bits, a
   date or a time. When the model uses such a column, riskcheck refuses (exit 2): the
   message names the file, the column, an example value and what was expected. A
   Parquet file carries its own types and is read as it is.

The rule's decision is made by one aggregation over the text (in DuckDB for files,
in Spark for what Spark reads), with the patterns below, and carried out by one
function, :func:`apply_types`, on the Arrow columns the model process receives, on
every path. The model then sees what ``pandas.read_csv`` gives for these types: int64
(float64 with NaN where values are missing), float64, bool (object with NaN where values
are missing), text (pandas' string dtype).
The columns riskcheck reads as labels (the target, the groups, the filters) are text as
everywhere; this rule is only about what the model sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: What pandas reads as a missing value in a CSV file; every reader is told the same.
CSV_NULLS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)

# Patterns over one whole value; each engine anchors them (RE2 in DuckDB, Java in Spark).
_EXPONENT = r"(?:[eE][+-]?[0-9]+)?"
#: A whole number, as the rule reads one (no leading zero).
INTEGER = r"[+-]?(?:0|[1-9][0-9]*)"
#: A number (whole numbers included).
NUMBER = rf"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+){_EXPONENT}"
#: pandas' spellings of a boolean.
BOOLEAN = r"True|False|TRUE|FALSE|true|false"
_DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,4}/[0-9]{1,2}/[0-9]{1,4}"
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
_ZONE = r"(?:\s*(?:Z|[+-][0-9]{2}:?[0-9]{2}))?"
#: Values some reader takes for a date, a timestamp or a time.
DATE_OR_TIME = rf"\s*(?:(?:{_DATE})(?:[T ]{_TIME}{_ZONE})?|{_TIME}{_ZONE})\s*"
#: Values some reader takes for a number or a boolean, and another for text (rule 4, with
#: the dates): leading zeros, spaces around, infinity. Checked only where NUMBER and
#: BOOLEAN do not match.
LOOSE = rf"\s*(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+){_EXPONENT}|[+-]?(?i:inf|infinity)|{BOOLEAN})\s*"

_INTEGER_DIGITS = 18  # a whole number of at most this many digits fits int64


def anchored(pattern: str) -> str:
    """``pattern`` matching a whole value, for RE2 (DuckDB) and Java (Spark) alike."""
    return rf"^(?:{pattern})\z"


@dataclass(frozen=True)
class ColumnStats:
    """What the aggregation counts in one column's values (missing values left out)."""

    values: int
    numbers: int  # NUMBER matches (whole numbers included)
    integers: int  # INTEGER matches
    booleans: int
    unclear: int  # rule 4: DATE_OR_TIME or LOOSE, and neither NUMBER nor BOOLEAN
    too_big: int  # INTEGER matches beyond int64
    unclear_example: str | None
    too_big_example: str | None


@dataclass(frozen=True)
class ColumnType:
    """The rule's decision for one column: a kind, or why there is none (``problem``)."""

    kind: str | None
    problem: str | None = None

    def to_job(self) -> list[str | None]:
        return [self.kind, self.problem]


def decide(stats: ColumnStats, *, display: str, column: str) -> ColumnType:
    """The rule (see the module docstring) for one column's counts."""
    if stats.values == 0:
        return ColumnType("number")
    text = stats.values - stats.numbers - stats.booleans - stats.unclear
    if text > 0:
        return ColumnType("text")
    if stats.unclear:
        assert stats.unclear_example is not None
        return ColumnType(None, _unclear(display, column, stats.unclear, stats.unclear_example))
    if stats.booleans == stats.values:
        return ColumnType("boolean")
    if stats.numbers == stats.values:
        if stats.integers < stats.values:
            return ColumnType("number")
        if stats.too_big:
            assert stats.too_big_example is not None
            why = "a whole number beyond 64 bits, which readers read as a number, an unsigned number or text"
            return ColumnType(None, _refusal(display, column, stats.too_big, stats.too_big_example, why))
        return ColumnType("integer")
    return ColumnType("text")  # numbers and booleans together: text to every reader


def _unclear(display: str, column: str, count: int, example: str) -> str:
    if re.fullmatch(DATE_OR_TIME, example):
        why = "a date or a time, which readers read as a date, a timestamp or text"
    elif example != example.strip():
        why = "a value with spaces around it, which readers read as a number or a boolean, or as text"
    elif re.fullmatch(r"[+-]?(?i:inf|infinity)", example):
        why = "infinity written out, which readers read as a number or as text"
    else:
        why = "a number with a leading zero, which readers read as a number or as text (a code?)"
    return _refusal(display, column, count, example, why)


def _refusal(display: str, column: str, count: int, example: str, why: str) -> str:
    from riskcheck.fairness.labels import short

    return (
        f"{display}: column {column!r} (a model feature) has {count:,} value(s) such as {short(example)!r}: "
        f"{why}; riskcheck cannot tell which the model was fit on, so it does not guess. "
        "Expected plain numbers, True/False or text in every row of a CSV file; "
        "give the data as Parquet, typed as the model expects"
    )


def to_job(types: Mapping[str, ColumnType]) -> dict[str, list[str | None]]:
    """The decisions as the model process's job carries them (JSON)."""
    return {column: decision.to_job() for column, decision in types.items()}


def from_job(job: Mapping[str, Sequence[str | None]]) -> dict[str, ColumnType]:
    """The decisions :func:`to_job` wrote."""
    return {column: ColumnType(kind, problem) for column, (kind, problem) in job.items()}


def integer_digits() -> int:
    """Whole numbers of more digits than this are checked against the 64-bit range."""
    return _INTEGER_DIGITS


# ---------------------------------------------------------------- the aggregation, in DuckDB


def duckdb_types(connection: Any, relation: Any, columns: Sequence[str]) -> dict[str, ColumnType]:
    """The rule's decision for ``columns`` of a DuckDB relation that reads a CSV source as text
    (:func:`riskcheck.fairness.duck.relation`: pandas' missing values are NULL already)."""
    import duckdb

    from riskcheck.core.errors import DataError
    from riskcheck.fairness.duck import csv_problem, memory_message, quote

    if not columns:
        return {}
    params = {
        "integer": anchored(INTEGER),
        "number": anchored(NUMBER),
        "boolean": anchored(BOOLEAN),
        "loose": anchored(f"{DATE_OR_TIME}|{LOOSE}"),
    }
    selected = []
    for index, column in enumerate(columns):
        value = f"d.{quote(column)}"
        number = f"regexp_full_match({value}, $number)"
        boolean = f"regexp_full_match({value}, $boolean)"
        integer = f"regexp_full_match({value}, $integer)"
        unclear = f"(regexp_full_match({value}, $loose) AND NOT {number} AND NOT {boolean})"
        too_big = f"({integer} AND length({value}) > {_INTEGER_DIGITS} AND TRY_CAST({value} AS BIGINT) IS NULL)"
        selected += [
            f"count({value}) AS v{index}",
            f"count_if({number}) AS n{index}",
            f"count_if({integer}) AS i{index}",
            f"count_if({boolean}) AS b{index}",
            f"count_if({unclear}) AS u{index}",
            f"count_if({too_big}) AS o{index}",
            f"min({value}) FILTER (WHERE {unclear}) AS ue{index}",
            f"min({value}) FILTER (WHERE {too_big}) AS oe{index}",
        ]
    sql = f"SELECT {', '.join(selected)} FROM {relation.sql} AS d"
    source = relation.source
    try:
        row = connection.execute(sql, {**relation.params, **params}).fetchone()
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.OutOfMemoryException as exc:
        raise DataError(f"{source.display}: {memory_message(exc)}") from None
    except duckdb.Error as exc:  # a ragged line far into the file, say: named as the DuckDB engine names it
        path = str(source.files[0]) if len(source.files) == 1 else "?"
        raise DataError(f"{source.display}: cannot read the csv data: {csv_problem(path, exc)}") from None
    assert row is not None
    display = source.display
    return {
        column: decide(ColumnStats(*row[8 * index : 8 * index + 8]), display=display, column=column)
        for index, column in enumerate(columns)
    }


# ---------------------------------------------------------------- applying it, in the model process


def apply_types(table: Any, types: Mapping[str, Sequence[str | None]], used: Sequence[str]) -> Any:
    """``table`` (a ``pyarrow.Table``) with the ``used`` columns typed as ``types`` decided.

    Raises :class:`UnclearColumn` for a used column the rule could not type. A column the
    decisions do not name is left as it is."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    arrays = {}
    for column in used:
        decision = types.get(column)
        if decision is None or column not in table.column_names:
            continue
        kind, problem = decision
        if kind is None:
            raise UnclearColumn(str(problem))
        arrays[column] = _typed(pa, pc, table.column(column), str(kind))
    if not arrays:
        return table
    names = table.column_names
    columns = [arrays.get(name, table.column(name)) for name in names]
    return pa.table(columns, names=names)


def to_pandas(table: Any, types: Mapping[str, Sequence[str | None]]) -> Any:
    """``table`` (typed by :func:`apply_types`) as the DataFrame pandas reads from the file:
    a boolean column with missing values holds NaN there, as ``pandas.read_csv`` gives it,
    not Arrow's None (an encoder fit on NaN takes None for another category)."""
    import numpy as np

    frame = table.to_pandas()
    for column in frame.columns:
        decision = types.get(str(column))
        if decision is not None and decision[0] == "boolean" and frame[column].dtype == object:
            frame[column] = frame[column].where(frame[column].notna(), np.nan)
    return frame


def _typed(pa: Any, pc: Any, values: Any, kind: str) -> Any:
    target = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "text": pa.string()}[kind]
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type) or _is_view(pa, values.type)):
        return values.cast(target)  # read typed already (a column that is also the target, say)
    values = values.cast(pa.string())
    values = pc.if_else(pc.is_in(values, value_set=pa.array(CSV_NULLS, pa.string())), None, values)
    if kind == "text":
        return values
    if kind == "integer" or kind == "number":
        values = pc.replace_substring_regex(values, pattern=r"^\+", replacement="")
    return values.cast(target)


def _is_view(pa: Any, kind: Any) -> bool:
    check = getattr(pa.types, "is_string_view", None)
    return bool(check is not None and check(kind))


class UnclearColumn(Exception):
    """A column the model uses that the rule could not type; the message names the data file."""
