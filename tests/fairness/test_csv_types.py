"""A CSV file's model features are typed by one rule on every path (riskcheck.fairness.csv_types).

A real scikit-learn pipeline, fit on what ``pandas.read_csv`` gives (whole numbers,
booleans written True/False, numbers; a date column it does not use), predicts through
the streamed DuckDB engine and the in-memory count engine (fairlearn's reads as it does): the figures
are the same, and they are those of the model's own predictions on the pandas frame.
Before the rule, the streamed engine read ``True`` as text, so the one-hot encoder met
unknown categories and the figures moved with nothing to show it. A column whose
readings differ between readers (``03``, a date) is refused when the model uses it.
Spark is tested in tests/fairness/spark/test_spark_csv_types.py with the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.csv_types import ColumnStats, ColumnType, apply_types, decide, duckdb_types, to_pandas
from riskcheck.fairness.duck import ScanLimits, connect, relation
from riskcheck.fairness.sources import resolve_source

ROWS = 600


def typed_rows(seed: int = 7) -> list[dict[str, Any]]:
    """Rows whose label follows the boolean and the code, so a misread type changes predictions."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(ROWS):
        code = int(rng.integers(1, 13))
        flag = bool(rng.random() < 0.5)
        x = float(np.round(rng.normal(), 4))
        label = int(flag and code > 3) if rng.random() < 0.9 else int(not flag)
        rows.append(
            {
                "group": "A" if rng.random() < 0.5 else "B",
                "label": label,
                "code": code,
                "flag": flag,
                "day": f"2024-01-{1 + index % 28:02d}",
                "x": x,
            }
        )
    return rows


def write_rows(path: Path, rows: list[dict[str, Any]], *, code_format: str = "{}") -> Path:
    header = list(rows[0])
    lines = [",".join(header)]
    for row in rows:
        cells = {**row, "code": code_format.format(row["code"])}
        lines.append(",".join(str(cells[column]) for column in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fit_model(path: Path, data: Path, features: list[str]) -> Path:
    """A pipeline fit on the pandas reading of ``data``: one-hot categories (unknown ones ignored)."""
    import skops.io as sio
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = pd.read_csv(data)
    categorical = [column for column in features if column != "x"]
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
            ("numbers", StandardScaler(), ["x"]),
        ]
    )
    model = Pipeline([("encode", encode), ("classify", LogisticRegression(max_iter=500))])
    model.fit(frame[features], frame["label"])
    sio.dump(model, path)
    return path


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("csv-types")
    data = write_rows(folder / "data.csv", typed_rows())
    model = fit_model(folder / "model.skops", data, ["code", "flag", "x"])
    return {"data": data, "model": model}


def pandas_selection_rates(data: Path, model: Path) -> dict[str, float]:
    """The model's own predictions on what pandas reads: the figures every engine must give."""
    import skops.io as sio

    frame = pd.read_csv(data)
    loaded = sio.load(model, trusted=sio.get_untrusted_types(file=model))
    frame["predicted"] = loaded.predict(frame[["code", "flag", "x"]])
    return {str(group): float(rate) for group, rate in frame.groupby("group")["predicted"].mean().items()}


def figures(data: Path, model: Path, engine: str, **settings: Any) -> Any:
    return compute_fairness(data, target="label", sensitive=["group"], model=model, engine=engine, **settings)


def test_every_engine_gives_the_model_what_pandas_gave_it_when_it_was_fit(typed: dict[str, Path]) -> None:
    expected = pandas_selection_rates(typed["data"], typed["model"])
    assert len(set(expected.values())) == 2 and min(expected.values()) > 0.1  # predictions that vary
    results = {engine: figures(typed["data"], typed["model"], engine) for engine in ("duckdb", "count")}
    for engine, result in results.items():
        rates = {group: result.by_group[group]["selection_rate"] for group in result.groups}
        assert rates == pytest.approx(expected, abs=1e-12), engine
        assert result.by_group == results["count"].by_group, engine
        assert result.overall == pytest.approx(results["count"].overall, abs=1e-12), engine


def test_missing_values_reach_the_model_as_pandas_reads_them(typed: dict[str, Path]) -> None:
    """A boolean column with gaps is object with NaN in pandas; an encoder fit on NaN takes None
    for an unknown category, so the model process gives it NaN too. A whole number with gaps is float."""
    rows = typed_rows(seed=11)
    for index, row in enumerate(rows):
        if index % 7 == 0:
            row["flag"] = ""
        if index % 11 == 0:
            row["code"] = "NA"
    data = write_rows(typed["data"].with_name("gaps.csv"), rows)
    model = fit_model(typed["data"].with_name("gaps.skops"), data, ["code", "flag", "x"])
    expected = pandas_selection_rates(data, model)
    for engine in ("duckdb", "count"):
        result = figures(data, model, engine)
        rates = {group: result.by_group[group]["selection_rate"] for group in result.groups}
        assert rates == pytest.approx(expected, abs=1e-12), engine


def test_a_leading_zero_is_refused_on_every_path_naming_file_column_and_value(typed: dict[str, Path]) -> None:
    rows = typed_rows()
    data = write_rows(typed["data"].with_name("codes.csv"), rows, code_format="{:02d}")
    padded = sum(row["code"] < 10 for row in rows)
    assert padded == 440
    expected = (
        f"{data}: column 'code' (a model feature) has {padded} value(s) such as '01': a number with a leading zero, "
        "which readers read as a number or as text (a code?); riskcheck cannot tell which the model was fit on, "
        "so it does not guess. Expected plain numbers, True/False or text in every row of a CSV file; "
        "give the data as Parquet, typed as the model expects"
    )
    for engine in ("duckdb", "count"):
        with pytest.raises(DataError) as caught:
            figures(data, typed["model"], engine)
        assert str(caught.value) == expected, engine


def test_the_command_refuses_with_exit_2_and_no_traceback(typed: dict[str, Path], run_cli: Callable[..., Any]) -> None:
    data = write_rows(typed["data"].with_name("codes-cli.csv"), typed_rows(), code_format="{:03d}")
    code, out, err = run_cli(
        "fairness", "--data", data, "--target", "label", "--model", typed["model"], "--sensitive", "group"
    )
    assert code == 2
    assert out == ""
    assert f"error: {data}: column 'code' (a model feature) has 600 value(s) such as '001'" in err
    assert "Traceback" not in err


def test_a_date_the_model_uses_is_refused_and_one_it_does_not_use_is_not(typed: dict[str, Path]) -> None:
    # the fixture's model ignores 'day' (it was not fit on it): the first test ran with it in the file
    dated = fit_model(typed["model"].with_name("dated.skops"), typed["data"], ["code", "flag", "day", "x"])
    with pytest.raises(DataError) as caught:
        figures(typed["data"], dated, "duckdb")
    assert str(caught.value).startswith(
        f"{typed['data']}: column 'day' (a model feature) has 600 value(s) such as '2024-01-01': a date or a time, "
        "which readers read as a date, a timestamp or text; riskcheck cannot tell"
    )


def stats(values: int, numbers: int = 0, integers: int = 0, booleans: int = 0, unclear: int = 0) -> ColumnStats:
    return ColumnStats(values, numbers, integers, booleans, unclear, 0, "x" if unclear else None, None)


@pytest.mark.parametrize(
    ("counted", "kind"),
    [
        (stats(0), "number"),  # no value at all: pandas' float column of NaN
        (stats(5, numbers=5, integers=5), "integer"),
        (stats(5, numbers=5, integers=4), "number"),
        (stats(5, booleans=5), "boolean"),
        (stats(5, numbers=2, integers=2, booleans=3), "text"),  # True and 1: text to every reader
        (stats(5, numbers=4, integers=4), "text"),  # one value that is none of them
        (stats(5, numbers=3, integers=3, unclear=1), "text"),  # '03' beside 'abc' is text to every reader
    ],
)
def test_the_rule(counted: ColumnStats, kind: str) -> None:
    assert decide(counted, display="f.csv", column="c") == ColumnType(kind)


def test_duckdb_counts_each_kind_of_value(tmp_path: Path) -> None:
    columns = {
        "whole": ["-12", "0", "+7", "NA", ""],
        "number": ["2.5", ".5", "1e-3", "3", "nan"],
        "flag": ["True", "FALSE", "true", "false", "null"],
        "text": ["abc", "1", "True", "<=50K", "03"],
        "code": ["03", "4", "5", "6", "7"],
        "padded": [" 3", "4", "5", "6", "7"],
        "infinite": ["inf", "4", "5", "6", "7"],
        "clock": ["12:30", "08:00:01", "2024-01-03T10:00:00Z", "2024/1/3", "1/3/2024"],
        "huge": ["9223372036854775808", "1", "2", "3", "4"],
        "empty": ["", "", "NA", "", ""],
    }
    path = tmp_path / "kinds.csv"
    lines = [",".join(columns)] + [",".join(values[i] for values in columns.values()) for i in range(5)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = resolve_source(str(path), Path("."), display="kinds.csv")
    with connect(ScanLimits()) as connection:
        types = duckdb_types(connection, relation(connection, source, name="data"), list(columns))
    kinds = {column: decision.kind for column, decision in types.items()}
    assert kinds == {
        "whole": "integer",
        "number": "number",
        "flag": "boolean",
        "text": "text",
        "code": None,
        "padded": None,
        "infinite": None,
        "clock": None,
        "huge": None,
        "empty": "number",
    }
    reasons = {column: str(types[column].problem).split(": ")[2].split(";")[0] for column in kinds if not kinds[column]}
    assert reasons == {
        "code": "a number with a leading zero, which readers read as a number or as text (a code?)",
        "padded": "a value with spaces around it, which readers read as a number or a boolean, or as text",
        "infinite": "infinity written out, which readers read as a number or as text",
        "clock": "a date or a time, which readers read as a date, a timestamp or text",
        "huge": "a whole number beyond 64 bits, which readers read as a number, an unsigned number or text",
    }
    assert str(types["code"].problem).startswith(
        "kinds.csv: column 'code' (a model feature) has 1 value(s) such as '03'"
    )


def test_the_model_process_types_text_as_decided() -> None:
    import pyarrow as pa

    table = pa.table(
        {
            "whole": pa.array(["-12", "+7", "NA", None]),
            "number": pa.array(["2.5", "+.5", "1e-3", "nan"], pa.large_string()),
            "flag": pa.array(["True", "FALSE", "", "true"]),
            "text": pa.array(["abc", "N/A", "03", "True"]),
            "untouched": pa.array(["03", "x", "y", "z"]),
        }
    )
    types = {"whole": ["integer", None], "number": ["number", None], "flag": ["boolean", None], "text": ["text", None]}
    typed = apply_types(table, types, ["whole", "number", "flag", "text", "untouched"])
    assert typed.column_names == table.column_names
    assert typed.column("whole").to_pylist() == [-12, 7, None, None]
    assert typed.column("number").to_pylist() == [2.5, 0.5, 0.001, None]
    assert typed.column("flag").to_pylist() == [True, False, None, True]
    assert typed.column("text").to_pylist() == ["abc", None, "03", "True"]
    assert typed.column("untouched") == table.column("untouched")
    frame = to_pandas(typed, types)
    assert str(frame["whole"].dtype) == "float64"  # a missing whole number: NaN, as pandas reads it
    assert str(frame["number"].dtype) == "float64"
    assert frame["flag"].dtype == object and frame["flag"].isna().tolist() == [False, False, True, False]
    assert frame["flag"][2] is not None  # NaN, as pandas.read_csv gives it


def test_a_ragged_line_far_into_the_file_is_named_by_the_first_pass(tmp_path: Path) -> None:
    lines = ["g,y,x"] + [f"A,1,{index}" for index in range(60_000)]
    lines.insert(50_001, "A,1,5,6")  # past what DuckDB samples to read the header
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = resolve_source(str(path), Path("."), display="ragged.csv")
    with connect(ScanLimits()) as connection, pytest.raises(DataError) as caught:
        duckdb_types(connection, relation(connection, source, name="data"), ["x"])
    assert (
        str(caught.value)
        == "ragged.csv: cannot read the csv data: line 50002 has 4 fields; expected 3, as in the header"
    )
