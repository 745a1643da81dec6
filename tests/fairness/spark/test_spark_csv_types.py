"""Spark and a model on CSV: the features typed by riskcheck's one rule, and a thresholded output.

The data and the model are those of tests/fairness/test_csv_types.py: a real pipeline fit
on pandas' reading of the file. Spark once typed them by its own inference (a date column
as a date, a whole number with a leading zero as a number); it reads them as text now,
and the rule types them, as on every other path.

With ``--threshold`` the model process compares the probability itself, so its output
is a boolean. Spark counted it as a label to match against the target's, and a text
positive label (Adult's ``>50K``) failed with "values the target never takes".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.spec import BootstrapSpec
from tests.fairness.conftest import ADULT, ADULT_MODEL
from tests.fairness.spark.test_spark import assert_same_figures
from tests.fairness.test_csv_types import fit_model, pandas_selection_rates, typed_rows, write_rows

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

NO_BOOTSTRAP = BootstrapSpec(replicates=0)


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("spark-csv-types")
    data = write_rows(folder / "data.csv", typed_rows())
    return {"data": data, "model": fit_model(folder / "model.skops", data, ["code", "flag", "x"])}


def test_spark_gives_the_model_what_the_other_engines_give_it(spark: SparkSession, typed: dict[str, Path]) -> None:
    # the other engines equal the pandas figures too (tests/fairness/test_csv_types.py)
    result = compute_fairness(
        typed["data"], target="label", sensitive=["group"], model=typed["model"], engine="spark", bootstrap=NO_BOOTSTRAP
    )
    rates = {group: result.by_group[group]["selection_rate"] for group in result.groups}
    assert rates == pytest.approx(pandas_selection_rates(typed["data"], typed["model"]), abs=1e-12)


def test_spark_refuses_a_leading_zero_as_the_other_engines_do(spark: SparkSession, typed: dict[str, Path]) -> None:
    rows = typed_rows()
    data = write_rows(typed["data"].with_name("codes.csv"), rows, code_format="{:02d}")
    with pytest.raises(DataError) as caught:
        compute_fairness(data, target="label", sensitive=["group"], model=typed["model"], engine="spark")
    assert str(caught.value) == (
        f"{data}: column 'code' (a model feature) has {sum(row['code'] < 10 for row in rows)} value(s) such as "
        "'01': a number with a leading zero, which readers read as a number or as text (a code?); riskcheck "
        "cannot tell which the model was fit on, so it does not guess. Expected plain numbers, True/False or "
        "text in every row of a CSV file; give the data as Parquet, typed as the model expects"
    )


def test_a_threshold_with_a_text_positive_label_counts_as_on_duckdb(spark: SparkSession, tmp_path: Path) -> None:
    sample = pd.read_csv(ADULT)
    sample = sample[sample["split"] == "test"].head(2000)
    data = tmp_path / "adult-test.csv"
    sample.to_csv(data, index=False)
    settings: dict[str, Any] = {
        "target": "income",
        "positive_label": ">50K",
        "model": ADULT_MODEL,
        "threshold": 0.3,
        "sensitive": ["sex"],
        "bootstrap": NO_BOOTSTRAP,
    }
    result = compute_fairness(data, engine="spark", **settings)
    assert result.rows == 2000
    assert_same_figures(result, compute_fairness(data, engine="duckdb", **settings))
