"""The Spark engine (local mode, one shared session): the same figures as the count engine.

Real data: the shipped UCI Adult file with a deterministic rule as the prediction.
Synthetic data: missing groups, undefined rates, sample weights and a score.
"""

from __future__ import annotations

import json
import math
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness, compute_fairness_frame
from riskcheck.fairness.result import FairnessResult
from riskcheck.fairness.spark import SparkSettings
from riskcheck.fairness.spec import BootstrapSpec
from tests.fairness.conftest import ADULT

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TOLERANCE = 1e-12
BOOTSTRAP = BootstrapSpec(replicates=200, seed=11)
TABLE_ROWS = [("A", 1, 1), ("A", 0, 0), ("B", 1, 0), ("B", 0, 0)]


def assert_same_figures(a: FairnessResult, b: FairnessResult) -> None:
    def close(x: Any, y: Any, where: str) -> None:
        if x is None or y is None:
            assert x is None and y is None, where
        else:
            assert math.isclose(x, y, rel_tol=0, abs_tol=TOLERANCE), f"{where}: {x!r} != {y!r}"

    assert a.groups == b.groups
    assert a.rows == b.rows
    for group in a.groups:
        assert a.by_group[group].keys() == b.by_group[group].keys()
        for name, value in a.by_group[group].items():
            close(value, b.by_group[group][name], f"{group} {name}")
    for name, value in a.overall.items():
        close(value, b.overall[name], f"overall {name}")
    for name, disparity in a.disparities.items():
        other = b.disparities[name]
        close(disparity.value, other.value, name)
        close(disparity.ci_low, other.ci_low, f"{name} ci_low")
        close(disparity.ci_high, other.ci_high, f"{name} ci_high")
        assert disparity.groups == other.groups, name
        assert disparity.detail == other.detail, name
    assert a.insufficient_evidence == b.insufficient_evidence


@pytest.fixture(scope="module")
def adult(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Adult with a prediction column, as CSV and as Parquet."""
    frame = pd.read_csv(ADULT)
    frame["predicted"] = np.where(frame["education_num"] >= 13, ">50K", "<=50K")
    folder = tmp_path_factory.mktemp("adult")
    frame.to_csv(folder / "adult.csv", index=False)
    frame.to_parquet(folder / "adult.parquet", index=False)
    return {"csv": folder / "adult.csv", "parquet": folder / "adult.parquet"}


def test_spark_equals_the_count_engine_on_adult(spark: SparkSession, adult: dict[str, Path]) -> None:
    settings: dict[str, Any] = {
        "target": "income",
        "prediction": "predicted",
        "positive_label": ">50K",
        "sensitive": ["sex", "race"],
        "sample_weight": "fnlwgt",
        "where": {"split": "test"},
        "bootstrap": BOOTSTRAP,
    }
    count = compute_fairness(adult["csv"], engine="count", **settings)
    from_csv = compute_fairness(adult["csv"], engine="spark", **settings)
    assert from_csv.engine == "spark"
    assert from_csv.data_identity == count.data_identity
    assert_same_figures(from_csv, count)
    # A notebook's DataFrame: the dispatch needs no engine argument.
    frame = compute_fairness(spark.read.parquet(str(adult["parquet"])), **settings)
    assert frame.engine == "spark"
    assert frame.data_identity is not None and frame.data_identity["kind"] == "counts"
    assert_same_figures(frame, count)


def synthetic(rows: int = 6000, seed: int = 3) -> pd.DataFrame:
    """Groups with missing values, a group without positives, one without predicted positives."""
    rng = np.random.default_rng(seed)
    race = rng.choice(["a", "b", "c", "d"], rows).astype(object)
    race[rng.random(rows) < 0.05] = None
    sex = rng.choice(["F", "M"], rows)
    y = (rng.random(rows) < 0.4).astype(int)
    y[race == "c"] = 0  # no actual positives: TPR, FNR undefined
    p = (rng.random(rows) < 0.5).astype(int)
    p[race == "d"] = 0  # no predicted positives: precision undefined
    weight = rng.uniform(0.1, 3.0, rows).round(6)
    score = rng.random(rows)
    return pd.DataFrame({"race": race, "sex": sex, "y": y, "p": p, "w": weight, "s": score})


def test_spark_equals_the_count_engine_on_missing_groups_undefined_rates_and_weights(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = tmp_path / "synthetic.parquet"
    data = synthetic()
    data.to_parquet(path, index=False)
    (tmp_path / "parts").mkdir()
    data.iloc[:2500].to_parquet(tmp_path / "parts" / "a.parquet", index=False)
    data.iloc[2500:].to_parquet(tmp_path / "parts" / "b.parquet", index=False)
    settings: dict[str, Any] = {
        "target": "y",
        "prediction": "p",
        "sensitive": ["race", "sex"],
        "sample_weight": "w",
        "compare": "overall",
        "bootstrap": BOOTSTRAP,
    }
    count = compute_fairness(path, engine="count", **settings)
    result = compute_fairness(path, engine="spark", **settings)
    assert "(missing) & F" in result.groups
    assert result.by_group["c & M"]["true_positive_rate"] is None
    assert result.by_group["d & F"]["precision"] is None
    assert_same_figures(result, count)
    assert result.warnings == count.warnings
    assert result.warnings == (f"{path}: column 'race' has 349 missing value(s); they form the group '(missing)'",)
    assert_same_figures(compute_fairness(tmp_path / "parts" / "*.parquet", engine="spark", **settings), count)
    frame = compute_fairness_frame(spark.read.parquet(str(path)), name="synthetic", **settings)
    assert_same_figures(frame, count)
    scored = {**settings, "prediction": None, "score": "s", "threshold": 0.7, "sample_weight": None}
    assert_same_figures(
        compute_fairness(path, engine="spark", **scored), compute_fairness(path, engine="count", **scored)
    )


def test_bad_input_is_named_with_an_example_row(spark: SparkSession) -> None:
    rows = [("A", 1, 1, "1.0"), ("A", 0, 1, "2"), ("B", 1, 1, "x"), ("B", 0, 2, "1"), ("C", 1, 1, "1")]
    frame = spark.createDataFrame(rows, "g string, y int, p int, w string")
    base: dict[str, Any] = {"target": "y", "prediction": "p", "sensitive": ["g"], "name": "predictions"}
    with pytest.raises(DataError) as error:
        compute_fairness_frame(frame, **{**base, "target": "label"})
    assert str(error.value) == "predictions: no column 'label' (the target); available columns: g, y, p, w"
    with pytest.raises(DataError) as error:
        compute_fairness_frame(frame, **base, positive_label=1)
    assert str(error.value) == (
        "predictions: column 'p' (the prediction) has value(s) 2 that the target never takes "
        "(1 row(s) hold 2; for example the row y=0, g='B', p=2); the target's values are 0, 1"
    )
    ok = frame.filter("p < 2")
    with pytest.raises(DataError) as error:
        compute_fairness_frame(ok, **base, sample_weight="w")
    assert str(error.value) == (
        "predictions: column 'w' (the sample weight) must be numeric; 1 row(s) hold text; "
        "for example the row y=1, g='B', p=1, w='x'"
    )
    with pytest.raises(DataError) as error:
        compute_fairness(ok, target="y", prediction="p", sensitive=["g"], spark=SparkSettings(max_groups=2))
    assert str(error.value) == (
        "DataFrame: the sensitive column(s) 'g' give more than 2 groups; "
        "expected fewer (raise the bound with --max-groups, or choose coarser columns)"
    )
    with pytest.raises(DataError) as error:
        compute_fairness_frame(ok, **base, where={"g": "Z"})
    assert str(error.value) == "predictions: where: no row has g == 'Z'; its values are 'A', 'B', 'C'"


def test_the_command_reads_a_table_and_refuses_a_missing_one(spark: SparkSession, run_cli: Any) -> None:
    spark.createDataFrame(TABLE_ROWS, "g string, y int, p int").createOrReplaceTempView("predictions")
    args = ["fairness", "--engine", "spark", "--target", "y", "--prediction", "p", "--sensitive", "g"]
    code, out, err = run_cli(*args, "--table", "predictions", "--bootstrap", "0")
    assert code == 0, err
    assert out.startswith("Fairness of y by g: 4 rows in 2 groups (spark engine)\ndata table predictions counts ")
    code, out, err = run_cli(*args, "--table", "no_such_table")
    assert code == 2
    assert err.startswith("error: table no_such_table: [TABLE_OR_VIEW_NOT_FOUND]")
    assert "expected an existing table Spark can read" in err
    assert "Traceback" not in err


def test_an_unreachable_spark_connect_server_fails_fast(run_cli: Any, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    code, _, err = run_cli(
        "fairness",
        "--engine",
        "spark",
        "--spark-remote",
        f"sc://127.0.0.1:{port}/;token=secret",
        "--spark-timeout",
        "5",
        "--data",
        str(tmp_path / "logs"),
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    )
    assert time.monotonic() - started < 10
    assert code == 2
    assert err == (
        f"error: Spark Connect server 127.0.0.1:{port}: cannot connect within 5 s (Connection refused); "
        "expected a running Spark Connect server (check --spark-remote or SPARK_REMOTE)\n"
    )


def test_a_model_predicts_on_the_executors_as_in_memory(spark: SparkSession, tmp_path: Path) -> None:
    from tests.fairness.conftest import ADULT_MODEL

    settings: dict[str, Any] = {
        "target": "income",
        "model": ADULT_MODEL,
        "positive_label": ">50K",
        "sensitive": ["sex"],
        "where": {"split": "test"},
        "bootstrap": BootstrapSpec(replicates=0),
    }
    import os
    import subprocess
    import sys
    import tempfile

    from riskcheck.fairness.spill import MARKER, MODEL_COPY_PREFIX

    # A copy of the model left by an executor's worker that was killed outright (its process is gone).
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)
    stale = Path(tempfile.gettempdir()) / f"{MODEL_COPY_PREFIX}{pid}-killed"
    stale.mkdir()
    owner = {"pid": pid, "started": None, "namespace": os.stat("/proc/self/ns/pid").st_ino}
    (stale / MARKER).write_text(json.dumps(owner), encoding="utf-8")
    (stale / "model.skops").write_bytes(b"\0" * 1024)
    before = set(Path(tempfile.gettempdir()).glob(MODEL_COPY_PREFIX + "*"))
    count = compute_fairness(ADULT, engine="count", **settings)
    result = compute_fairness(ADULT, engine="spark", **settings)
    assert result.model_sha256 == count.model_sha256
    assert_same_figures(result, count)
    # The executor swept the stale copy, and removed its own when the partition was done.
    assert not stale.exists()
    assert set(Path(tempfile.gettempdir()).glob(MODEL_COPY_PREFIX + "*")) <= before - {stale}
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(b"\x80\x04N.")
    with pytest.raises(DataError, match=r"^.*model\.pkl: refusing to load a \.pkl model: pickle and joblib files"):
        compute_fairness(ADULT, engine="spark", **{**settings, "model": pickled})


def test_the_command_reads_a_table_through_spark_connect(spark: SparkSession, spark_connect_port: int) -> None:
    import json
    import subprocess
    import sys

    frame = spark.createDataFrame(TABLE_ROWS, "g string, y int, p int")
    frame.createOrReplaceGlobalTempView("connect_predictions")  # seen by every session of the server
    run = subprocess.run(
        [
            sys.executable, "-m", "riskcheck", "fairness", "--engine", "spark",
            "--spark-remote", f"sc://127.0.0.1:{spark_connect_port}", "--table", "global_temp.connect_predictions",
            "--target", "y", "--prediction", "p", "--sensitive", "g", "--bootstrap", "0", "--format", "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = FairnessResult.from_dict(json.loads(run.stdout))
    assert result.engine == "spark"
    assert result.config["table"] == "global_temp.connect_predictions"
    assert result.config.get("data") is None
    identity = result.data_identity or {}
    assert (identity["kind"], identity["table"]) == ("counts", "global_temp.connect_predictions")
    assert identity["fallback"].startswith("a view (or a temporary view) has no version")
    expected = compute_fairness(
        frame, target="y", prediction="p", sensitive=["g"], bootstrap=BootstrapSpec(replicates=0)
    )
    assert_same_figures(result, expected)


def test_sensitive_columns_from_a_separate_table_as_in_duckdb(spark: SparkSession, tmp_path: Path) -> None:
    data = synthetic().drop(columns=["race", "sex"]).assign(person=range(6000))
    people = synthetic()[["race", "sex"]].assign(person=range(6000)).iloc[:5800]  # 200 rows without a match
    data.to_parquet(tmp_path / "predictions.parquet", index=False)
    people.to_csv(tmp_path / "people.csv", index=False)
    settings: dict[str, Any] = {
        "target": "y",
        "prediction": "p",
        "sensitive": ["race", "sex"],
        "sample_weight": "w",
        "sensitive_data": tmp_path / "people.csv",
        "join_on": "person",
        "bootstrap": BOOTSTRAP,
    }
    duck = compute_fairness(tmp_path / "predictions.parquet", engine="duckdb", **settings)
    result = compute_fairness(tmp_path / "predictions.parquet", engine="spark", **settings)
    assert "(missing) & (missing)" in result.groups
    assert_same_figures(result, duck)
    assert result.warnings == duck.warnings
    assert result.data_identity == duck.data_identity
    people.iloc[:2].to_csv(tmp_path / "people.csv", mode="a", header=False, index=False)
    with pytest.raises(DataError) as error:
        compute_fairness(tmp_path / "predictions.parquet", engine="spark", **settings)
    assert str(error.value) == (
        f"{tmp_path / 'people.csv'}: 2 value(s) of the join key 'person' appear more than once "
        "(for example '0'); expected one row per key"
    )


def test_a_regression_equals_the_duckdb_engine(spark: SparkSession, tmp_path: Path) -> None:
    data = synthetic()
    rng = np.random.default_rng(7)
    data["y"] = rng.normal(50, 10, len(data))
    data["p"] = data["y"] + rng.normal(0, 5, len(data))
    data.to_parquet(tmp_path / "regression.parquet", index=False)
    settings: dict[str, Any] = {
        "task": "regression",
        "target": "y",
        "prediction": "p",
        "sensitive": ["race"],
        "sample_weight": "w",
        "bootstrap": BootstrapSpec(replicates=0),
    }
    duck = compute_fairness(tmp_path / "regression.parquet", engine="duckdb", **settings)
    result = compute_fairness(tmp_path / "regression.parquet", engine="spark", **settings)
    assert result.groups == ("(missing)", "a", "b", "c", "d")
    assert_same_figures(result, duck)
    assert result.warnings == duck.warnings
