"""Spark tables: the ``table:`` field, a sensitive-attribute table, and each table's identity.

Every table here is a real Spark table in the shared local session: an external Parquet
table (its location is a local folder, so its files are fingerprinted), temporary views
(no version: the named fallback), and a Delta table folder read as files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness, evaluate_fairness
from riskcheck.fairness.spec import BootstrapSpec, FairnessSpec
from tests.fairness.spark.test_spark import assert_same_figures, synthetic
from tests.fairness.test_tables import PROTOCOL, add, commit, metadata, part, remove

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

BOOTSTRAP = BootstrapSpec(replicates=200, seed=5)


@pytest.fixture(scope="module")
def tables(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """predictions (an external Parquet table) and people (a temporary view), joined on person."""
    folder = tmp_path_factory.mktemp("tables")
    data = synthetic().drop(columns=["race", "sex"]).assign(person=range(6000))
    people = synthetic()[["race", "sex"]].assign(person=range(6000)).iloc[:5800]  # 200 rows without a match
    data.to_parquet(folder / "predictions.parquet", index=False)
    people.to_parquet(folder / "people.parquet", index=False)
    location = folder / "predictions_table"
    spark.read.parquet(str(folder / "predictions.parquet")).write.parquet(str(location))
    spark.sql("DROP TABLE IF EXISTS riskcheck_predictions")
    spark.sql(f"CREATE TABLE riskcheck_predictions USING parquet LOCATION '{location.as_uri()}'")
    spark.read.parquet(str(folder / "people.parquet")).createOrReplaceTempView("riskcheck_people")
    full = folder / "full_table"
    synthetic().to_parquet(folder / "full.parquet", index=False)
    spark.read.parquet(str(folder / "full.parquet")).write.parquet(str(full))
    spark.sql("DROP TABLE IF EXISTS riskcheck_full")
    spark.sql(f"CREATE TABLE riskcheck_full USING parquet LOCATION '{full.as_uri()}'")
    yield {"folder": folder, "location": location, "full": full}
    spark.sql("DROP TABLE IF EXISTS riskcheck_full")
    spark.sql("DROP TABLE IF EXISTS riskcheck_predictions")
    spark.catalog.dropTempView("riskcheck_people")


def joined_settings(**extra: Any) -> dict[str, Any]:
    return {
        "target": "y",
        "prediction": "p",
        "sensitive": ["race", "sex"],
        "sample_weight": "w",
        "join_on": "person",
        "bootstrap": BOOTSTRAP,
        **extra,
    }


def test_a_table_field_and_a_sensitive_table_equal_duckdb_on_the_files(
    spark: SparkSession, tables: dict[str, Any]
) -> None:
    folder = tables["folder"]
    duck = compute_fairness(
        folder / "predictions.parquet", sensitive_data=folder / "people.parquet", **joined_settings()
    )
    spec = FairnessSpec(
        table="riskcheck_predictions", engine="spark", sensitive_data="riskcheck_people", **joined_settings()
    )
    result = evaluate_fairness(spec, folder)
    assert "(missing) & (missing)" in result.groups
    assert_same_figures(result, duck)
    assert result.config["table"] == "riskcheck_predictions"
    assert result.warnings[0].startswith("table riskcheck_predictions: 200 of 6,000 row(s) have no match for 'person'")
    identity = result.data_identity or {}
    # joined: the predictions table is identified by its files; the view has no version (counts)
    assert identity["kind"] == "joined"
    assert identity["parts"] == ["sha256", "counts"]  # one file, Spark wrote it
    assert identity["sides"][0]["table"] == "riskcheck_predictions"
    assert identity["sides"][1]["fallback"].startswith("a view (or a temporary view) has no version")


def test_a_local_table_is_identified_by_its_files_and_a_view_by_the_named_fallback(
    spark: SparkSession, tables: dict[str, Any]
) -> None:
    settings: dict[str, Any] = {"target": "y", "prediction": "p", "sensitive": ["race"], "bootstrap": BOOTSTRAP}
    result = compute_fairness(table="riskcheck_full", engine="spark", **settings)
    identity = result.data_identity or {}
    assert identity["kind"] in ("sha256", "fingerprint")
    assert (identity["table"], identity["provider"]) == ("riskcheck_full", "parquet")
    assert identity["location"] == str(tables["full"])
    duck = compute_fairness(tables["full"], **settings)
    duck_identity = duck.data_identity or {}
    assert (duck_identity["kind"], duck_identity["digest"]) == (identity["kind"], identity["digest"])  # same files
    assert_same_figures(result, duck)
    spark.table("riskcheck_full").createOrReplaceTempView("riskcheck_full_view")
    view = compute_fairness(table="riskcheck_full_view", engine="spark", **settings)
    fallback = view.data_identity or {}
    assert fallback["kind"] == "counts"
    assert fallback["fallback"] == (
        "a view (or a temporary view) has no version; the digest is of its schema and the count table"
    )
    assert_same_figures(view, result)
    full = compute_fairness(table="riskcheck_full_view", engine="spark", data_identity="sha256", **settings)
    assert (full.data_identity or {})["full_hash"] == (
        "not available: riskcheck cannot read every byte of data Spark holds elsewhere"
    )


def test_a_delta_folder_is_read_by_spark_at_its_latest_version(spark: SparkSession, tmp_path: Path) -> None:
    folder = tmp_path / "delta"
    part(folder, "part-0.parquet", 400, 1)
    part(folder, "part-1.parquet", 300, 2)
    commit(folder, 0, PROTOCOL, metadata(), add("part-0.parquet"), add("part-1.parquet"))
    commit(folder, 1, remove("part-0.parquet"))
    settings: dict[str, Any] = {"target": "y", "prediction": "p", "sensitive": ["g"], "bootstrap": BOOTSTRAP}
    duck = compute_fairness(folder, **settings)
    result = compute_fairness(folder, engine="spark", **settings)
    assert result.rows == duck.rows == 300
    assert_same_figures(result, duck)
    assert result.data_identity == duck.data_identity
    assert (result.data_identity or {})["kind"] == "delta-sha256"


def test_bad_sensitive_tables_are_exit_2(spark: SparkSession, tables: dict[str, Any], run_cli: Any) -> None:
    folder = tables["folder"]
    base = [
        "fairness", "--engine", "spark", "--table", "riskcheck_predictions", "--target", "y", "--prediction", "p",
        "--sensitive", "race,sex", "--join-on", "person",
    ]  # fmt: skip
    code, out, err = run_cli(*base, "--sensitive-data", "no_such_people")
    assert (code, out) == (2, "")
    assert err.startswith("error: table no_such_people: [TABLE_OR_VIEW_NOT_FOUND]")
    assert "expected an existing table Spark can read" in err
    spark.read.parquet(str(folder / "people.parquet")).limit(10).union(
        spark.read.parquet(str(folder / "people.parquet")).limit(4)
    ).createOrReplaceTempView("riskcheck_people_twice")
    code, out, err = run_cli(*base, "--sensitive-data", "riskcheck_people_twice")
    assert (code, out) == (2, "")
    assert err == (
        "error: table riskcheck_people_twice: 4 value(s) of the join key 'person' appear more than once "
        "(for example 0); expected one row per key\n"
    )
    spark.read.parquet(str(folder / "people.parquet")).drop("person").createOrReplaceTempView("riskcheck_no_key")
    code, out, err = run_cli(*base, "--sensitive-data", "riskcheck_no_key")
    assert (code, out) == (2, "")
    assert err == "error: table riskcheck_no_key: no column 'person' (the join key); available columns: race, sex\n"
    assert "Traceback" not in err
    with pytest.raises(DataError):
        compute_fairness(table="riskcheck_predictions", engine="duckdb", target="y", prediction="p", sensitive=["g"])


def test_a_model_that_fails_on_an_executor_is_a_data_error_naming_it(spark: SparkSession, tmp_path: Path) -> None:
    import pickle

    from tests.fairness.test_stream import FailsAfterItsFirstRows

    synthetic().assign(x1=lambda frame: frame["s"]).to_parquet(tmp_path / "rows.parquet", index=False)
    model = tmp_path / "fails.pkl"
    model.write_bytes(pickle.dumps(FailsAfterItsFirstRows()))
    with pytest.raises(DataError) as error:
        compute_fairness(
            tmp_path / "rows.parquet", engine="spark", target="y", model=model, features=["x1"], trust_model=True,
            sensitive=["race"], bootstrap=BOOTSTRAP,
        )  # fmt: skip
    assert str(error.value).startswith(
        f"{model}: the model could not predict on the columns given: ValueError: cannot predict on "
    )


def test_a_model_with_a_sensitive_table_equals_the_duckdb_stream(spark: SparkSession, tmp_path: Path) -> None:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    from tests.fairness.test_stream import synthetic as with_features

    frame = with_features(3_000)
    model = tmp_path / "model.skops"
    sio.dump(LogisticRegression().fit(frame[["x1", "x2"]], frame["y"]), model)
    frame.drop(columns=["g"]).to_parquet(tmp_path / "log.parquet", index=False)
    frame[["person", "g"]].iloc[:2_900].to_parquet(tmp_path / "people.parquet", index=False)
    spark.read.parquet(str(tmp_path / "people.parquet")).createOrReplaceTempView("riskcheck_model_people")
    settings: dict[str, Any] = {
        "target": "y",
        "model": model,
        "sensitive": ["g"],
        "sample_weight": "w",
        "join_on": "person",
        "bootstrap": BOOTSTRAP,
    }
    duck = compute_fairness(tmp_path / "log.parquet", sensitive_data=tmp_path / "people.parquet", **settings)
    result = compute_fairness(
        tmp_path / "log.parquet", engine="spark", sensitive_data="riskcheck_model_people", **settings
    )
    assert "(missing)" in result.groups
    assert_same_figures(result, duck)
    assert result.model_sha256 == duck.model_sha256
