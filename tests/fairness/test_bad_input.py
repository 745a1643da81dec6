"""Every kind of bad input gets one clear message and exit code 2, through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fairness.conftest import write_csv

Run = Callable[..., tuple[int, str, str]]

OK_ROWS = [("A", 1, 1, 0.9), ("A", 0, 0, 0.1), ("B", 1, 0, 0.4), ("B", 0, 1, 0.7)]


@pytest.fixture
def ok_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "ok.csv", ["g", "y", "p", "s"], OK_ROWS)


def fails(run: Run, *args: str | Path) -> str:
    code, out, err = run("fairness", *args)
    assert (code, out) == (2, ""), err
    assert err.startswith("error: ")
    assert "Traceback" not in err
    return err.removeprefix("error: ").rstrip("\n")


def test_missing_column_lists_the_available_ones(run_cli: Run, ok_csv: Path) -> None:
    message = fails(
        run_cli,
        "--data",
        ok_csv,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "sex,g",
    )
    assert message == f"{ok_csv}: no column 'sex' (a sensitive column); available columns: g, y, p, s"


def test_several_missing_columns_are_named_together(run_cli: Run, ok_csv: Path) -> None:
    message = fails(
        run_cli,
        "--data",
        ok_csv,
        "--target",
        "label",
        "--prediction",
        "yhat",
        "--sensitive",
        "g",
    )
    assert message == (
        f"{ok_csv}: no columns 'label' (the target), 'yhat' (the prediction); available columns: g, y, p, s"
    )


def test_non_binary_target(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "multi.csv", ["g", "y", "p"], [("A", 1, 1), ("A", 2, 0), ("B", 3, 1)])
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == (
        f"{path}: column 'y' (the target) has 3 distinct values (1, 2, 3); "
        "a classification metric needs a binary column; the rarest, 1, is in 1 row(s); "
        "for example the row y='1', g='A', p='1'"
    )


def test_non_binary_prediction(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "pred.csv", ["g", "y", "p"], [("A", 1, 2), ("B", 0, 1), ("A", 0, 3)])
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == (
        f"{path}: column 'p' (the prediction) has 3 distinct values (1, 2, 3); "
        "a classification metric needs a binary column; the rarest, 1, is in 1 row(s); "
        "for example the row y='0', g='B', p='1'"
    )


def test_labels_other_than_0_and_1_need_a_positive_label(run_cli: Run, tmp_path: Path) -> None:
    rows = [("A", "yes", "yes"), ("A", "no", "no"), ("B", "no", "yes")]
    path = write_csv(tmp_path / "yesno.csv", ["g", "y", "p"], rows)
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == (
        f"{path}: column 'y' (the target) has the values 'no', 'yes', not 0 and 1; "
        "name the favourable one with positive_label (--positive-label)"
    )


def test_target_without_the_positive_label(run_cli: Run, tmp_path: Path) -> None:
    rows = [("A", "<=50K", ">50K"), ("B", "<=50K", "<=50K")]
    path = write_csv(tmp_path / "income.csv", ["g", "income", "p"], rows)
    message = fails(
        run_cli,
        "--data", path, "--target", "income", "--prediction", "p", "--sensitive", "g",
        "--positive-label", ">50K.",
    )  # fmt: skip
    assert message == (
        f"{path}: column 'income' (the target) does not contain the positive label '>50K.'; its values are '<=50K'"
    )


def test_prediction_with_values_the_target_never_takes(run_cli: Run, tmp_path: Path) -> None:
    rows = [("A", "good", "good"), ("A", "bad", "approve"), ("B", "bad", "good")]
    path = write_csv(tmp_path / "p.csv", ["g", "y", "p"], rows)
    message = fails(
        run_cli,
        "--data", path, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--positive-label", "good",
    )  # fmt: skip
    assert message == (
        f"{path}: column 'p' (the prediction) has value(s) 'approve' that the target never "
        "takes (1 row(s) hold 'approve'; for example the row y='bad', g='A', p='approve'); "
        "the target's values are 'bad', 'good'"
    )


def test_a_single_group(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", ["g", "y", "p"], [("A", 1, 1), ("A", 0, 0)])
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == (
        f"{path}: sensitive column 'g' gives a single group, 'A', across all 2 rows; "
        "fairness metrics compare at least two groups"
    )


def test_an_empty_file(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: the file is empty; expected a CSV file with data"


def test_a_header_without_rows(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "header.csv", ["g", "y", "p"], [])
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: no data rows; expected a header and at least one row"


def test_nan_in_the_target_shows_a_row(run_cli: Run, tmp_path: Path) -> None:
    rows = [("A", 1, 1, "x"), ("A", 0, 0, "y"), ("B", 1, 0, "y"), ("B", None, 1, "y")]
    path = write_csv(tmp_path / "nan.csv", ["g", "y", "p", "split"], rows)
    message = fails(
        run_cli,
        "--data", path, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--where", "split=y",
    )  # fmt: skip
    assert message == (
        f"{path}: column 'y' (the target) has 1 missing value(s); expected a value in every row; "
        "for example the row y=None, g='B', p='1', split='y'"
    )


def test_nan_in_the_target_names_the_row_in_memory(run_cli: Run, tmp_path: Path) -> None:
    rows = [("A", 1, 1, "x"), ("A", 0, 0, "y"), ("B", 1, 0, "y"), ("B", None, 1, "y")]
    path = write_csv(tmp_path / "nan.csv", ["g", "y", "p", "split"], rows)
    message = fails(
        run_cli,
        "--data", path, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--where", "split=y", "--engine", "count",
    )  # fmt: skip
    # the row number counts data rows in the file, before the where filter
    assert message == (
        f"{path}: column 'y' (the target) has 1 missing value(s), the first in data row 4; "
        "expected a value in every row"
    )


def test_nan_in_a_score(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ["g", "y", "s"], [("A", 1, 0.5), ("B", 0, None)])
    message = fails(
        run_cli,
        "--data", path, "--target", "y", "--score", "s", "--threshold", "0.5", "--sensitive", "g",
    )  # fmt: skip
    assert message == (
        f"{path}: column 's' (the score) has 1 missing or infinite value(s); expected a finite number "
        "in every row; for example the row y='0', g='B', s=None"
    )


def test_a_negative_sample_weight(run_cli: Run, ok_csv: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "w.csv", ["g", "y", "p", "w"], [("A", 1, 1, 1), ("B", 0, 1, -2)])
    message = fails(
        run_cli,
        "--data", path, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--sample-weight", "w",
    )  # fmt: skip
    assert message == (
        f"{path}: column 'w' (the sample weight) has 1 negative value(s); expected weights >= 0; "
        "for example the row y='0', g='B', p='1', w='-2'"
    )


def test_a_parquet_file_that_is_really_csv(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "data.parquet", ["g", "y", "p"], [("A", 1, 1), ("B", 0, 0)])
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == (
        f"{path}: not a Parquet file (no 'PAR1' magic bytes at both ends); it looks like a text file (CSV?)"
    )


def test_a_csv_file_that_is_really_parquet(run_cli: Run, tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "data.csv"
    pd.DataFrame({"g": ["A", "B"], "y": [1, 0], "p": [1, 0]}).to_parquet(path)
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: not a CSV file; it looks like a Parquet file"


def test_a_csv_file_that_is_binary(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"g,y,p\nA,1,\x00\x01\n")
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: not a CSV file; it holds binary data (a NUL byte at offset 10)"


def test_a_missing_file(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: no such file"


def test_an_unsupported_data_format(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK\x03\x04")
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: unsupported file type '.xlsx'; expected one of .csv, .parquet, .pq"


def test_a_ragged_csv_names_the_line(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("g,y,p\nA,1,1\nB,0,0,7,8\n", encoding="utf-8")
    message = fails(
        run_cli,
        "--data",
        path,
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert message == f"{path}: cannot read the csv data: line 3 has 5 fields; expected 3, as in the header"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--score", "s"],
            ("invalid fairness settings: score needs threshold: predict positive when score >= threshold"),
        ),
        (
            ["--prediction", "p", "--score", "s", "--threshold", "0.5"],
            (
                "invalid fairness settings: give exactly one of prediction (a column), score with "
                "threshold, or model (a file); got prediction and score"
            ),
        ),
        (
            [],
            (
                "invalid fairness settings: give exactly one of prediction (a column), score with "
                "threshold, or model (a file); got none"
            ),
        ),
        (
            ["--prediction", "p", "--compare", "reference"],
            "invalid fairness settings: compare: reference needs reference_group",
        ),
        (
            ["--prediction", "p", "--bootstrap", "-1"],
            "--bootstrap: expected a number greater than or equal to 0, got -1",
        ),
    ],
    ids=[
        "score-without-threshold",
        "two-sources",
        "no-source",
        "reference-without-group",
        "bootstrap",
    ],
)
def test_inconsistent_options(run_cli: Run, ok_csv: Path, args: list[str], expected: str) -> None:
    message = fails(run_cli, "--data", ok_csv, "--target", "y", "--sensitive", "g", *args)
    assert message == expected


def test_a_text_score(run_cli: Run, ok_csv: Path) -> None:
    message = fails(
        run_cli,
        "--data", ok_csv, "--target", "y", "--score", "g", "--threshold", "0.5", "--sensitive", "g",
    )  # fmt: skip
    assert message == (
        f"{ok_csv}: column 'g' (the score) must be numeric; 4 row(s) hold text; for example the row y='1', g='A'"
    )


def test_an_unknown_reference_group(run_cli: Run, ok_csv: Path) -> None:
    message = fails(
        run_cli,
        "--data", ok_csv, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--compare", "reference", "--reference-group", "Z",
    )  # fmt: skip
    assert message == f"{ok_csv}: reference_group 'Z' is not a group in the data; the groups are 'A', 'B'"


def test_a_where_filter_that_matches_nothing(run_cli: Run, ok_csv: Path) -> None:
    message = fails(
        run_cli,
        "--data", ok_csv, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--where", "g=Q",
    )  # fmt: skip
    assert message == f"{ok_csv}: where: no row has g == 'Q'; its values are 'A', 'B'"


def test_a_file_over_the_size_limit_is_refused_unread(
    run_cli: Run, ok_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskcheck.fairness.data as data

    monkeypatch.setattr(data, "MAX_DATA_BYTES", 10)
    size = ok_csv.stat().st_size
    message = fails(
        run_cli, "--data", ok_csv, "--target", "y", "--prediction", "p", "--sensitive", "g", "--engine", "count"
    )
    assert message == f"{ok_csv}: file is {size:,} bytes; riskcheck reads at most 10"
