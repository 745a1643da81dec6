"""From files to a count table: the DuckDB aggregation, checked as carefully as a read.

:func:`aggregate` runs the one ``GROUP BY`` of :mod:`riskcheck.fairness.duck` and turns
its rows, (group, label, prediction) -> rows and weight, into confusion counts per
group. Every check the in-memory engine makes on rows is made here on the count
table: missing and non-binary labels, a prediction the target never takes, text or
infinite scores and weights, too many groups, overlong group names. An error counts
the rows at fault and shows one of them, fetched by a second query only then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from riskcheck.core.errors import DataError
from riskcheck.fairness.data import MISSING_GROUP, canonical
from riskcheck.fairness.duck import (
    Query,
    Relation,
    ScanLimits,
    build_query,
    check_unique_keys,
    connect,
    number_of,
    quote,
    relation,
    require_columns,
    run_query,
    text_of,
    value_of,
    where_text,
)
from riskcheck.fairness.labels import check_group_count, check_label, short
from riskcheck.fairness.result import GROUP_JOINER
from riskcheck.fairness.sources import Source
from riskcheck.fairness.spec import FairnessSpec

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Callback = Callable[[str], None]

_NUMERIC = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
    r"|FLOAT|DOUBLE|REAL|DECIMAL.*)$"
)
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_BOOLEANS = {"True": 1, "False": 0, "TRUE": 1, "FALSE": 0, "true": 1, "false": 0}


@dataclass(frozen=True)
class CountTable:
    """Per group: weighted and unweighted confusion counts (groups, 4), in ``labels`` order."""

    labels: tuple[str, ...]
    weighted: npt.NDArray[np.float64]
    rows: npt.NDArray[np.int64]
    notes: tuple[str, ...]


def aggregate(
    spec: FairnessSpec,
    data: Source,
    *,
    sensitive_data: Source | None,
    limits: ScanLimits,
    say: Callback,
) -> CountTable:
    """The confusion counts of ``spec`` over ``data`` (joined to ``sensitive_data``), in DuckDB."""
    from riskcheck.fairness.inputs import column_roles

    assert spec.target is not None
    roles = column_roles(spec)
    with connect(limits) as connection:
        data_relation = relation(connection, data, name="data")
        sensitive_relation = None
        if sensitive_data is not None:
            assert spec.join_on is not None
            sensitive_relation = relation(connection, sensitive_data, name="sensitive")
            data_roles = {c: r for c, r in roles.items() if c not in spec.sensitive}
            data_roles.setdefault(spec.join_on, "the join key")
            require_columns(data_relation, data_roles)
            require_columns(
                sensitive_relation,
                {**{c: "a sensitive column" for c in spec.sensitive}, spec.join_on: "the join key"},
            )
            check_unique_keys(connection, sensitive_relation, spec.join_on)
        else:
            require_columns(data_relation, roles)
        _check_kinds(spec, data_relation)
        # Rows per (group, label, prediction): at most 4 per group when the outcomes are
        # binary; room for a few strays, so they can be counted and reported.
        regression = spec.task == "regression"
        limit = limits.max_groups * (1 if regression else 16) + 1
        query = build_query(spec, data_relation, sensitive_relation, limit)
        say(f"aggregating {len(data.files):,} file(s) in DuckDB")
        rows = run_query(connection, query, data, limits)
        if len(rows) >= limit:
            too_many(spec, rows, data.display, limits.max_groups)
        problem = _Problems(spec, connection, query, data_relation)

        def explain_empty() -> None:
            _explain_empty(spec, connection, data_relation)

        if regression:
            return interpret_sums(
                spec,
                rows,
                display=data.display,
                problem=problem,
                explain_empty=explain_empty,
                max_groups=limits.max_groups,
            )
        return interpret_counts(
            spec,
            rows,
            display=data.display,
            kinds=data_relation.columns,
            infer=data.file_format == "csv",
            problem=problem,
            explain_empty=explain_empty,
            max_groups=limits.max_groups,
        )


def _check_kinds(spec: FairnessSpec, data: Relation) -> None:
    for column, role in ((spec.score, "the score"), (spec.sample_weight, "the sample weight")):
        if column is None:
            continue
        kind = data.columns[column].upper()
        if kind.startswith(("STRUCT", "MAP")) or kind.endswith("[]") or "LIST" in kind:
            raise DataError(f"{data.source.display}: column {column!r} ({role}) is {kind}; expected numbers")
    for column, role in ((spec.target, "the target"), (spec.prediction, "the prediction")):
        if column is None:
            continue
        kind = data.columns[column].upper()
        if kind.startswith(("STRUCT", "MAP")) or kind.endswith("[]") or "LIST" in kind:
            raise DataError(f"{data.source.display}: column {column!r} ({role}) is {kind}; expected one label per row")


def too_many(spec: FairnessSpec, rows: Sequence[tuple[Any, ...]], display: str, max_groups: int) -> None:
    """Raise the error for an aggregation that reached its row bound: too many groups, or labels."""
    width = len(spec.sensitive)
    check_group_count(len({row[:width] for row in rows}), display=display, columns=spec.sensitive, bound=max_groups)
    targets = {row[width] for row in rows}
    predictions = {row[width + 1] for row in rows}
    column, role, values = (
        (spec.target, "the target", targets)
        if len(targets) >= len(predictions)
        else (spec.prediction or spec.score, "the prediction", predictions)
    )
    raise DataError(
        f"{display}: column {column!r} ({role}) has at least {len(values):,} distinct values; "
        "a classification metric needs a binary column"
    )


# ---------------------------------------------------------------- from rows to counts


class RowProblems(Protocol):
    """How an engine reports bad rows, each with an example row it fetches only when needed."""

    def numbers(
        self, rows: Sequence[tuple[Any, ...]], at: Mapping[str, int], column: str, role: str, kind: str
    ) -> None: ...

    def missing(self, column: str, role: str, count: int) -> None: ...

    def stray(self, column: str, value: Any) -> str: ...


def interpret_counts(
    spec: FairnessSpec,
    rows: list[tuple[Any, ...]],
    *,
    display: str,
    kinds: Mapping[str, str],
    infer: bool,
    problem: RowProblems,
    explain_empty: Callable[[], None],
    max_groups: int,
) -> CountTable:
    """The count table of an engine's aggregated rows: (sensitive..., t, p, n, extras...) per row.

    Every engine (DuckDB, Spark) aggregates to the same row layout and calls this, so the
    labels, groups, checks and messages are the same whichever engine held the data.
    """
    import numpy as np

    assert spec.target is not None
    width = len(spec.sensitive)
    names = ["t", "p", "n", *_extra_names(spec)]
    at = {name: width + index for index, name in enumerate(names)}
    total = sum(int(row[at["n"]]) for row in rows)
    if total == 0:
        explain_empty()
    if spec.score is not None:
        problem.numbers(rows, at, spec.score, "the score", "score")
    if spec.sample_weight is not None:
        problem.numbers(rows, at, spec.sample_weight, "the sample weight", "weight")
    target_kind, as_target = _labels(rows, at["t"], kinds[spec.target], infer)
    targets = _tally(rows, at["t"], at["n"], as_target)
    if None in targets:
        problem.missing(spec.target, "the target", targets[None])
    positive, target_values = _binary(
        targets, display, spec.target, "the target", spec.positive_label, target_kind, problem
    )
    if spec.prediction is not None:
        prediction_kind, as_prediction = _labels(rows, at["p"], kinds[spec.prediction], infer)
        predictions = _tally(rows, at["p"], at["n"], as_prediction)
        if None in predictions:
            problem.missing(spec.prediction, "the prediction", predictions[None])
        predicted_positive, _ = _binary(
            predictions,
            display,
            spec.prediction,
            "the prediction",
            spec.positive_label,
            prediction_kind,
            problem,
            allowed=target_values,
        )
    else:
        predicted_positive, as_prediction = True, {True: True, False: False}
    unmatched_at = at.get("unmatched")
    labels, codes, missing = _groups(spec, rows, width, ScanLimits(max_groups=max_groups), display, unmatched_at)
    weighted = np.zeros((len(labels), 4), dtype=np.float64)
    counted = np.zeros((len(labels), 4), dtype=np.int64)
    for row, code in zip(rows, codes, strict=True):
        cell = 2 * int(as_target[row[at["t"]]] == positive) + int(as_prediction[row[at["p"]]] == predicted_positive)
        counted[code, cell] += int(row[at["n"]])
        weighted[code, cell] += float(row[at["w"]]) if "w" in at else float(row[at["n"]])
    if "w" in at and not weighted.sum() > 0:
        raise DataError(f"{display}: column {spec.sample_weight!r} (the sample weight) is 0 in every row")
    notes = [
        f"{display}: column {column!r} has {count:,} missing value(s); they form the group {MISSING_GROUP!r}"
        for column, count in missing.items()
    ]
    if "unmatched" in at:
        unmatched = sum(int(row[at["unmatched"]]) for row in rows)
        if unmatched:
            notes.insert(
                0,
                f"{display}: {unmatched:,} of {total:,} row(s) have no match for {spec.join_on!r} in "
                f"{spec.sensitive_data}; their sensitive columns are missing, so they form the group "
                f"{GROUP_JOINER.join([MISSING_GROUP] * width)!r}",
            )
    if len(labels) < 2:
        columns = " and ".join(repr(column) for column in spec.sensitive)
        several = width > 1
        raise DataError(
            f"{display}: sensitive column{'s' if several else ''} {columns} "
            f"give{'' if several else 's'} a single group, {labels[0]!r}, across all {total:,} rows; "
            "fairness metrics compare at least two groups"
        )
    return CountTable(labels, weighted, counted, tuple(notes))


def interpret_sums(
    spec: FairnessSpec,
    rows: list[tuple[Any, ...]],
    *,
    display: str,
    problem: RowProblems,
    explain_empty: Callable[[], None],
    max_groups: int,
) -> CountTable:
    """Per group: rows (groups,) and the sums (groups, 3) of ``counts.regression_sums``."""
    import numpy as np

    assert spec.target is not None and spec.prediction is not None
    width = len(spec.sensitive)
    names = ["n", "ws", "wp", "wae", "target_text", "target_bad", "prediction_text", "prediction_bad"]
    if spec.sample_weight is not None:
        names += ["weight_text", "weight_bad", "weight_negative"]
    at = {name: width + index for index, name in enumerate(names)}
    if sum(int(row[at["n"]]) for row in rows) == 0:
        explain_empty()
    problem.numbers(rows, at, spec.target, "the target", "target")
    problem.numbers(rows, at, spec.prediction, "the prediction", "prediction")
    if spec.sample_weight is not None:
        problem.numbers(rows, at, spec.sample_weight, "the sample weight", "weight")
    # the group columns sit where the classification layout has them; n is the first sum
    keyed = [(*row[:width], None, None, row[at["n"]]) for row in rows]
    labels, codes, missing = _groups(spec, keyed, width, ScanLimits(max_groups=max_groups), display, None)
    sums = np.zeros((len(labels), 3), dtype=np.float64)
    counted = np.zeros(len(labels), dtype=np.int64)
    for row, code in zip(rows, codes, strict=True):
        counted[code] += int(row[at["n"]])
        sums[code] += [float(row[at["ws"]]), float(row[at["wp"]]), float(row[at["wae"]])]
    if spec.sample_weight is not None and not sums[:, 0].sum() > 0:
        raise DataError(f"{display}: column {spec.sample_weight!r} (the sample weight) is 0 in every row")
    notes = [
        f"{display}: column {column!r} has {count:,} missing value(s); they form the group {MISSING_GROUP!r}"
        for column, count in missing.items()
    ]
    if len(labels) < 2:
        raise DataError(
            f"{display}: the sensitive column(s) give a single group, {labels[0]!r}; "
            "fairness metrics compare at least two groups"
        )
    return CountTable(labels, sums, counted, tuple(notes))


def _extra_names(spec: FairnessSpec) -> list[str]:
    names = []
    if spec.score is not None:
        names += ["score_text", "score_bad"]
    if spec.sample_weight is not None:
        names += ["w", "weight_text", "weight_bad", "weight_negative"]
    if spec.sensitive_data is not None:
        names.append("unmatched")
    return names


def _labels(rows: Sequence[tuple[Any, ...]], index: int, kind: str, infer: bool) -> tuple[str, dict[Any, Any]]:
    """The column's type, and each raw value as a canonical label (see ``data.canonical``).

    A CSV column is read as text; like pandas, riskcheck takes it for integers, numbers
    or booleans when every distinct value reads as one.
    """
    raw = {row[index] for row in rows} - {None}
    if infer and kind.upper() == "VARCHAR" and raw:
        texts = [str(value) for value in raw]
        if all(_INTEGER.match(text) for text in texts):
            return "BIGINT", {value: int(str(value)) for value in raw} | {None: None}
        if all(text in _BOOLEANS for text in texts):
            return "BOOLEAN", {value: _BOOLEANS[str(value)] for value in raw} | {None: None}
        try:
            return "DOUBLE", {value: canonical(float(str(value))) for value in raw} | {None: None}
        except ValueError:
            pass
    return kind, {value: canonical(value) for value in raw} | {None: None}


def _tally(
    rows: Sequence[tuple[Any, ...]], index: int, count_index: int, as_label: Mapping[Any, Any]
) -> dict[Any, int]:
    """Rows per distinct label of one column of the count table."""
    counts: dict[Any, int] = {}
    for row in rows:
        key = as_label[row[index]]
        counts[key] = counts.get(key, 0) + int(row[count_index])
    return counts


def _groups(
    spec: FairnessSpec,
    rows: Sequence[tuple[Any, ...]],
    width: int,
    limits: ScanLimits,
    display: str,
    unmatched_at: int | None,
) -> tuple[tuple[str, ...], list[int], dict[str, int]]:
    """Sorted group labels (each column's values, missing as ``(missing)``), each row's code,
    and per column the rows missing a value (not counting rows without a join match)."""
    keys = []
    for row in rows:
        keys.append(tuple(MISSING_GROUP if value is None else value for value in row[:width]))
    distinct = sorted(set(keys))
    check_group_count(len(distinct), display=display, columns=spec.sensitive, bound=limits.max_groups)
    for parts in distinct:
        for column, part in zip(spec.sensitive, parts, strict=True):
            check_label(part, display=display, column=column)
    index = {key: position for position, key in enumerate(distinct)}
    labels = tuple(GROUP_JOINER.join(key) for key in distinct)
    missing: dict[str, int] = {}
    for position, column in enumerate(spec.sensitive):
        count = sum(
            int(row[width + 2]) - (0 if unmatched_at is None else int(row[unmatched_at]))
            for row in rows
            if row[position] is None
        )
        if count:
            missing[column] = count
    return labels, [index[key] for key in keys], missing


def _explain_empty(spec: FairnessSpec, connection: Any, data: Relation) -> None:
    display = data.source.display
    if not spec.where:
        raise DataError(f"{display}: no data rows; expected a header and at least one row")
    for column, wanted in spec.where.items():
        text = text_of(column, data.columns[column])
        sql = f"SELECT count(*) FILTER (WHERE {text} = $wanted) FROM {data.sql} AS d"
        (matches,) = connection.execute(sql, {**data.params, "wanted": where_text(wanted)}).fetchone()
        if not matches:
            values = connection.execute(
                f"SELECT DISTINCT {text} AS v FROM {data.sql} AS d ORDER BY v LIMIT 11", data.params
            ).fetchall()
            shown = [str(v) for (v,) in values]
            listing = ", ".join(repr(short(v)) for v in shown[:10]) + (" and more" if len(shown) > 10 else "")
            raise DataError(
                f"{display}: where: no row has {column} == {where_text(wanted)!r}; its values are {listing}"
            )
    conditions = " and ".join(f"{c} == {v!r}" for c, v in spec.where.items())
    raise DataError(f"{display}: where: no row has {conditions}")


class _Problems:
    """Error messages about rows, each with an example row fetched only when needed."""

    def __init__(self, spec: FairnessSpec, connection: Any, query: Query, data: Relation) -> None:
        self.spec = spec
        self.connection = connection
        self.query = query
        self.data = data

    def example(self, condition: str) -> str:
        """One row matching ``condition`` (SQL over ``d``), shown as its needed columns."""
        from riskcheck.fairness.inputs import column_roles

        columns = [c for c in column_roles(self.spec) if c in self.data.columns]
        shown = ", ".join(f"d.{quote(c)}" for c in columns)
        where = f"({condition}) AND {self.query.where_sql}"
        sql = f"SELECT {shown} FROM {self.data.sql} AS d WHERE {where} LIMIT 1"
        try:
            row = self.connection.execute(
                sql, {k: v for k, v in self.query.params.items() if f"${k}" in sql}
            ).fetchone()
        except Exception:  # the example is a courtesy; the error stands without it
            return ""
        if row is None:
            return ""
        cells = ", ".join(f"{c}={short(v)!r}" for c, v in zip(columns, row, strict=True))
        return f"; for example the row {cells}"

    def missing(self, column: str, role: str, count: int) -> None:
        example = self.example(f"d.{quote(column)} IS NULL OR {value_of(column, self.data.columns[column])} IS NULL")
        raise DataError(
            f"{self.data.source.display}: column {column!r} ({role}) has {count:,} missing value(s); "
            f"expected a value in every row{example}"
        )

    def numbers(
        self, rows: Sequence[tuple[Any, ...]], at: Mapping[str, int], column: str, role: str, kind: str
    ) -> None:
        display = self.data.source.display
        number = number_of(column)
        raw = f"d.{quote(column)}"
        text = sum(int(row[at[f"{kind}_text"]]) for row in rows)
        if text:
            example = self.example(f"{raw} IS NOT NULL AND {number} IS NULL")
            raise DataError(
                f"{display}: column {column!r} ({role}) must be numeric; {text:,} row(s) hold text{example}"
            )
        bad = sum(int(row[at[f"{kind}_bad"]]) for row in rows)
        if bad:
            example = self.example(f"{number} IS NULL OR NOT isfinite({number})")
            raise DataError(
                f"{display}: column {column!r} ({role}) has {bad:,} missing or infinite value(s); "
                f"expected a finite number in every row{example}"
            )
        if kind == "weight":
            negative = sum(int(row[at["weight_negative"]]) for row in rows)
            if negative:
                example = self.example(f"{number} < 0")
                raise DataError(
                    f"{display}: column {column!r} ({role}) has {negative:,} negative value(s); "
                    f"expected weights >= 0{example}"
                )

    def stray(self, column: str, value: Any) -> str:
        kind = self.data.columns[column]
        if value is None:
            return self.example(f"d.{quote(column)} IS NULL")
        self.query.params["stray"] = str(value)
        return self.example(f"CAST({value_of(column, kind)} AS VARCHAR) = $stray")


def _binary(
    counts: Mapping[Any, int],
    display: str,
    column: str,
    role: str,
    positive_label: Any,
    kind: str,
    problem: RowProblems,
    allowed: Sequence[Any] | None = None,
) -> tuple[Any, list[Any]]:
    """The positive value of a binary column, and its values (mirrors ``data.binary_labels``)."""
    values = sorted((v for v in counts if v is not None), key=lambda v: (type(v).__name__, v))
    if len(values) > 2:
        rare = min(values, key=lambda v: counts[v])
        raise DataError(
            f"{display}: column {column!r} ({role}) has {len(values)} distinct values "
            f"({_listing(values)}); a classification metric needs a binary column; "
            f"the rarest, {short(rare)!r}, is in {counts[rare]:,} row(s){problem.stray(column, rare)}"
        )
    if positive_label is None:
        if not set(values) <= {0, 1}:
            raise DataError(
                f"{display}: column {column!r} ({role}) has the values {_listing(values)}, "
                "not 0 and 1; name the favourable one with positive_label (--positive-label)"
            )
        return 1, values
    positive = _label_for(kind, positive_label)
    if allowed is not None:
        strangers = [value for value in values if value not in allowed and value != positive]
        if strangers:
            first = strangers[0]
            raise DataError(
                f"{display}: column {column!r} ({role}) has value(s) {_listing(strangers)} "
                f"that the target never takes ({counts[first]:,} row(s) hold {short(first)!r}"
                f"{problem.stray(column, first)}); the target's values are {_listing(list(allowed))}"
            )
    elif positive not in values:
        raise DataError(
            f"{display}: column {column!r} ({role}) does not contain the positive label "
            f"{positive_label!r}; its values are {_listing(values)}"
        )
    return positive, values


def _label_for(kind: str, label: Any) -> Any:
    """``label`` as a column of DuckDB type ``kind`` spells it (mirrors ``data._label_for``)."""
    numeric = bool(_NUMERIC.match(kind.upper()))
    if isinstance(label, str) and numeric:
        try:
            return canonical(float(label))
        except ValueError:
            return label
    if isinstance(label, str) and kind.upper() == "BOOLEAN":
        return {"true": 1, "false": 0}.get(label.lower(), label)
    if not isinstance(label, str) and not numeric and kind.upper() != "BOOLEAN":
        return str(label)
    return canonical(label)


def _listing(values: Sequence[Any]) -> str:
    shown = sorted(repr(short(v)) for v in values[:10])
    more = f" and {len(values) - 10} more" if len(values) > 10 else ""
    return ", ".join(shown) + more
