"""A model's predictions streamed: DuckDB reads batches, one model process predicts, the counts fold.

The streamed path (the default engine with ``--model``) must give the figures of the
in-memory path (``engine="count"``, which reads the whole file and predicts once) to
1e-12, and must hand the model at most one batch at a time.
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.model import STREAM_BATCH_ROWS
from riskcheck.fairness.result import FairnessResult
from riskcheck.fairness.spec import BootstrapSpec
from tests.fairness.conftest import ADULT, ADULT_MODEL

TOLERANCE = 1e-12
BOOTSTRAP = BootstrapSpec(replicates=200, seed=7)


def assert_same_figures(streamed: FairnessResult, in_memory: FairnessResult) -> None:
    """Every figure of the two results, to 1e-12: per group, overall, disparities and intervals."""
    assert streamed.groups == in_memory.groups
    assert streamed.rows == in_memory.rows
    assert streamed.model_sha256 == in_memory.model_sha256
    checked = 0
    for group in streamed.groups:
        for name, value in streamed.by_group[group].items():
            checked += _close(value, in_memory.by_group[group][name], f"{group} {name}")
    for name, value in streamed.overall.items():
        checked += _close(value, in_memory.overall[name], f"overall {name}")
    for name, disparity in streamed.disparities.items():
        other = in_memory.disparities[name]
        checked += _close(disparity.value, other.value, name)
        checked += _close(disparity.ci_low, other.ci_low, f"{name} ci_low")
        checked += _close(disparity.ci_high, other.ci_high, f"{name} ci_high")
    assert checked > 20  # a regression has fewer figures than a classifier


def _close(first: Any, second: Any, what: str) -> int:
    if first is None or second is None:
        assert first is None and second is None, what
        return 1
    assert abs(float(first) - float(second)) <= TOLERANCE, (what, first, second)
    return 1


def synthetic(rows: int, seed: int = 3) -> Any:
    """Rows with two features, a sensitive column with missing values and a rare group, weights."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    x1 = rng.normal(0, 1, rows)
    x2 = rng.normal(0, 1, rows)
    group = rng.choice(np.array(["A", "B", "C", "rare"], dtype=object), rows, p=[0.5, 0.3, 0.1995, 0.0005])
    group[rng.random(rows) < 0.01] = None
    y = (x1 + 0.5 * x2 + rng.normal(0, 1, rows) > 0).astype(int)
    weight = rng.uniform(0.5, 2.0, rows)
    return pd.DataFrame({"x1": x1, "x2": x2, "g": group, "y": y, "w": weight, "person": np.arange(rows)})


@pytest.fixture(scope="module")
def model_on_synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    frame = synthetic(2_000, seed=11)
    path = tmp_path_factory.mktemp("model") / "synthetic.skops"
    sio.dump(LogisticRegression().fit(frame[["x1", "x2"]], frame["y"]), path)
    return path


def test_streamed_predictions_equal_the_in_memory_path_on_adult() -> None:
    settings: dict[str, Any] = {
        "target": "income",
        "positive_label": ">50K",
        "model": ADULT_MODEL,
        "sensitive": ["race", "sex"],
        "where": {"split": "test"},
        "bootstrap": BOOTSTRAP,
    }
    in_memory = compute_fairness(ADULT, engine="count", **settings)
    streamed = compute_fairness(ADULT, **settings)
    assert streamed.engine == "duckdb" and in_memory.engine == "count"
    assert_same_figures(streamed, in_memory)
    assert streamed.data_identity == in_memory.data_identity
    assert streamed.warnings == in_memory.warnings == ()


@pytest.mark.parametrize(("threshold", "suffix"), [(None, "parquet"), (0.3, "parquet"), (None, "csv")])
def test_streamed_over_several_batches_with_weights_missing_and_rare_groups(
    tmp_path: Path, model_on_synthetic: Path, threshold: float | None, suffix: str
) -> None:
    rows = 2 * STREAM_BATCH_ROWS + 1_234  # three batches, the last one short
    frame = synthetic(rows)
    data = tmp_path / f"rows.{suffix}"
    if suffix == "csv":
        frame.to_csv(data, index=False)
    else:
        frame.to_parquet(data, index=False)
    settings: dict[str, Any] = {
        "target": "y",
        "model": model_on_synthetic,
        "features": ["x1", "x2"],
        "sensitive": ["g"],
        "sample_weight": "w",
        "threshold": threshold,
        "bootstrap": BOOTSTRAP,
    }
    in_memory = compute_fairness(data, engine="count", **settings)
    streamed = compute_fairness(data, **settings)
    assert "(missing)" in streamed.groups and "rare" in streamed.groups
    assert streamed.by_group["rare"]["count"] < 100  # too few rows: left out of the disparities
    assert_same_figures(streamed, in_memory)
    assert streamed.warnings == in_memory.warnings
    assert any("missing value(s); they form the group '(missing)'" in note for note in streamed.warnings)


class RecordingModel:
    """A trusted (pickled) model that writes the size of every batch it is given, then predicts x1 > 0."""

    def __init__(self, log: str) -> None:
        self.log = log

    def predict(self, features: Any) -> Any:
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(f"{len(features)}\n")
        return (features["x1"].to_numpy() > 0).astype(int)


class FailsAfterItsFirstRows:
    """A trusted (pickled) model that predicts on up to 50 rows at a time, and fails on more."""

    def predict(self, features: Any) -> Any:
        if len(features) > 50:
            raise ValueError(f"cannot predict on {len(features)} rows")
        return (features["x1"].to_numpy() > 0).astype(int)


def test_the_model_process_sees_one_bounded_batch_at_a_time(tmp_path: Path) -> None:
    rows = 3 * STREAM_BATCH_ROWS + 5
    synthetic(rows).to_parquet(tmp_path / "rows.parquet", index=False)
    log = tmp_path / "batches.txt"
    model = tmp_path / "recording.pkl"
    model.write_bytes(pickle.dumps(RecordingModel(str(log))))
    result = compute_fairness(
        tmp_path / "rows.parquet", target="y", model=model, features=["x1", "x2"], sensitive=["g"],
        trust_model=True, bootstrap=BootstrapSpec(replicates=0),
    )  # fmt: skip
    sizes = [int(line) for line in log.read_text().split()]
    assert sum(sizes) == rows == result.rows
    assert max(sizes) <= STREAM_BATCH_ROWS
    assert len(sizes) == math.ceil(rows / STREAM_BATCH_ROWS)


def test_a_separate_sensitive_table_with_a_model(tmp_path: Path, model_on_synthetic: Path) -> None:
    frame = synthetic(5_000)
    frame.drop(columns=["g"]).to_parquet(tmp_path / "predictions.parquet", index=False)
    people = frame[["person", "g"]].iloc[:4_800]  # 200 rows without a match
    people.to_csv(tmp_path / "people.csv", index=False)
    merged = frame.drop(columns=["g"]).merge(people, on="person", how="left")
    merged.to_parquet(tmp_path / "merged.parquet", index=False)
    settings: dict[str, Any] = {
        "target": "y",
        "model": model_on_synthetic,
        "sensitive": ["g"],
        "bootstrap": BOOTSTRAP,
    }
    streamed = compute_fairness(
        tmp_path / "predictions.parquet", sensitive_data=tmp_path / "people.csv", join_on="person", **settings
    )
    in_memory = compute_fairness(tmp_path / "merged.parquet", engine="count", **settings)
    assert_same_figures(streamed, in_memory)
    assert streamed.warnings[0] == (
        f"{tmp_path / 'predictions.parquet'}: 200 of 5,000 row(s) have no match for 'person' in "
        f"{tmp_path / 'people.csv'}; their sensitive columns are missing, so they form the group '(missing)'"
    )
    people.iloc[:3].to_csv(tmp_path / "people.csv", mode="a", header=False, index=False)
    with pytest.raises(DataError) as error:
        compute_fairness(
            tmp_path / "predictions.parquet", sensitive_data=tmp_path / "people.csv", join_on="person", **settings
        )
    assert str(error.value) == (
        f"{tmp_path / 'people.csv'}: 3 value(s) of the join key 'person' appear more than once "
        "(for example '0'); expected one row per key"
    )


def test_bad_input_with_a_model_is_exit_2_naming_it(run_cli: Any, tmp_path: Path, model_on_synthetic: Path) -> None:
    frame = synthetic(300)
    frame.drop(columns=["g"]).to_parquet(tmp_path / "predictions.parquet", index=False)
    frame[["person", "g"]].to_csv(tmp_path / "people.csv", index=False)
    frame.to_csv(tmp_path / "rows.csv", index=False)
    base = ["fairness", "--target", "y", "--model", model_on_synthetic, "--sensitive", "g"]
    code, out, err = run_cli(*base, "--data", tmp_path / "rows.csv", "--features", "x1,nope")
    assert (code, out) == (2, "")
    assert err == (
        f"error: {tmp_path / 'rows.csv'}: no column(s) 'nope' (model features); available columns: "
        "x1, x2, g, y, w, person\n"
    )
    code, out, err = run_cli(
        *base, "--data", tmp_path / "predictions.parquet", "--sensitive-data", tmp_path / "people.csv",
        "--join-on", "id",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"error: {tmp_path / 'predictions.parquet'}: no column 'id' (the join key); available columns: "
        "x1, x2, y, w, person\n"
    )
    code, out, err = run_cli(
        *base, "--data", tmp_path / "predictions.parquet", "--sensitive-data", "restricted.people",
        "--join-on", "person",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "error: restricted.people: no such file or folder, and the duckdb engine reads no tables (it has no "
        "catalog); expected a CSV or Parquet file, a glob or a folder (a Delta table's folder is read at its "
        "latest version), or a table name with --engine spark\n"
    )
    assert "Traceback" not in err


class StrayModel:
    """A trusted (pickled) model whose output is text that is not a 0/1 label."""

    def predict(self, features: Any) -> Any:
        return np.where(features["x1"].to_numpy() > 1, "maybe", "0").astype(object)


def test_a_model_output_that_is_not_binary_is_exit_2(run_cli: Any, tmp_path: Path) -> None:
    synthetic(300).to_csv(tmp_path / "rows.csv", index=False)
    model = tmp_path / "stray.pkl"
    model.write_bytes(pickle.dumps(StrayModel()))
    code, out, err = run_cli(
        "fairness", "--data", tmp_path / "rows.csv", "--target", "y", "--model", model, "--trust-model",
        "--sensitive", "g", "--features", "x1",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1] == (
        f"error: {tmp_path / 'rows.csv'}: column 'model output' (the prediction) has the values '0', 'maybe', "
        "not 0 and 1; name the favourable one with positive_label (--positive-label)"
    )


def test_the_benchmark_generates_rows_the_adult_model_predicts_on(tmp_path: Path) -> None:
    """The --model benchmark's data, small: the shipped model predicts on it, streamed."""
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_fairness.py"
    spec = importlib.util.spec_from_file_location("bench_fairness_for_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    data = module.generate_adult_like(5_000, tmp_path)
    result = compute_fairness(
        data, target="income", positive_label=">50K", model=ADULT_MODEL, sensitive=["race", "sex"],
        bootstrap=BootstrapSpec(replicates=0),
    )  # fmt: skip
    assert result.rows == 5_000
    assert len(result.groups) == 10
    assert json.loads(result.to_json())["model_sha256"] == result.model_sha256


class SleepsOnItsSecondBatch:
    """A trusted (pickled) model that predicts on one batch, then hangs on the next."""

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, features: Any) -> Any:
        import time

        self.calls += 1
        if self.calls == 2:
            time.sleep(60)
        return (features["x1"].to_numpy() > 0).astype(int)


def test_the_time_limit_holds_for_each_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    import time

    from riskcheck.fairness.model import ModelLimits

    synthetic(STREAM_BATCH_ROWS + 10).to_parquet(tmp_path / "rows.parquet", index=False)
    model = tmp_path / "sleeps.pkl"
    model.write_bytes(pickle.dumps(SleepsOnItsSecondBatch()))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    started = time.monotonic()
    with pytest.raises(DataError) as error:
        compute_fairness(
            tmp_path / "rows.parquet", target="y", model=model, features=["x1"], sensitive=["g"], trust_model=True,
            limits=ModelLimits(seconds=3),
        )  # fmt: skip
    assert time.monotonic() - started < 20
    assert str(error.value) == (
        f"{model}: the model did not load and predict within the time limit of 3 s; it was stopped"
    )
    assert not any(scratch.iterdir())  # the model's folder and DuckDB's spill folder inside it


@pytest.fixture(scope="module")
def regressor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import skops.io as sio
    from sklearn.linear_model import LinearRegression

    frame = synthetic(2_000, seed=12)
    path = tmp_path_factory.mktemp("regressor") / "regressor.skops"
    sio.dump(LinearRegression().fit(frame[["x1", "x2"]], frame["w"] * 10), path)
    return path


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_a_regressor_streamed_equals_the_in_memory_path(tmp_path: Path, regressor: Path, suffix: str) -> None:
    frame = synthetic(STREAM_BATCH_ROWS + 4_321)
    frame["score"] = frame["w"] * 10 + frame["x1"]
    data = tmp_path / f"rows.{suffix}"
    if suffix == "csv":
        frame.to_csv(data, index=False)
    else:
        frame.to_parquet(data, index=False)
    settings: dict[str, Any] = {
        "task": "regression",
        "target": "score",
        "model": regressor,
        "features": ["x1", "x2"],
        "sensitive": ["g"],
        "sample_weight": "w",
        "bootstrap": BootstrapSpec(replicates=0),
    }
    in_memory = compute_fairness(data, engine="count", **settings)
    streamed = compute_fairness(data, **settings)
    assert streamed.engine == "duckdb" and "(missing)" in streamed.groups
    assert_same_figures(streamed, in_memory)
    assert streamed.warnings == in_memory.warnings


def test_a_regressor_that_predicts_text_is_exit_2(run_cli: Any, tmp_path: Path) -> None:
    synthetic(300).to_parquet(tmp_path / "rows.parquet", index=False)
    model = tmp_path / "stray.pkl"
    model.write_bytes(pickle.dumps(StrayModel()))
    code, out, err = run_cli(
        "fairness", "--task", "regression", "--data", tmp_path / "rows.parquet", "--target", "w", "--model", model,
        "--trust-model", "--sensitive", "g", "--features", "x1",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1] == (
        f"error: {tmp_path / 'rows.parquet'}: the model output is text in 300 row(s); "
        "a regression needs a number for every row"
    )
