"""The DuckDB engine: the same figures as the in-memory engines, from files, globs and folders.

Real data: the shipped UCI Adult file with a deterministic rule as the prediction.
Synthetic data: missing groups, undefined rates and sample weights.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from riskcheck.fairness.api import compute_fairness, load_fairness_result
from riskcheck.fairness.duck import ScanLimits
from riskcheck.fairness.result import FairnessResult
from riskcheck.fairness.spec import BootstrapSpec
from tests.fairness.conftest import ADULT

TOLERANCE = 1e-12
BOOTSTRAP = BootstrapSpec(replicates=200, seed=11)


def assert_same_figures(a: FairnessResult, b: FairnessResult, *, same_file: bool = True) -> None:
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
    if same_file:
        assert a.warnings == b.warnings


@pytest.fixture(scope="module")
def adult(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Adult with a prediction column, as CSV, as Parquet, and as a hive-partitioned folder."""
    frame = pd.read_csv(ADULT)
    frame["predicted"] = np.where(frame["education_num"] >= 13, ">50K", "<=50K")
    folder = tmp_path_factory.mktemp("adult")
    csv = folder / "adult.csv"
    frame.to_csv(csv, index=False)
    parquet = folder / "adult.parquet"
    frame.to_parquet(parquet, index=False)
    bounds = np.linspace(0, len(frame), 5).astype(int)
    for index in range(4):
        frame.iloc[bounds[index] : bounds[index + 1]].to_parquet(folder / f"part-{index}.parquet", index=False)
    hive = folder / "hive"
    for split, chunk in frame.groupby("split"):
        (hive / f"split={split}").mkdir(parents=True)
        chunk.drop(columns="split").to_parquet(hive / f"split={split}" / "data.parquet", index=False)
    return {"csv": csv, "parquet": parquet, "glob": folder / "part-*.parquet", "hive": hive}


ADULT_SETTINGS: dict[str, Any] = {
    "target": "income",
    "prediction": "predicted",
    "positive_label": ">50K",
    "bootstrap": BOOTSTRAP,
}


@pytest.mark.parametrize(
    ("sensitive", "weight", "where"),
    [
        (["sex", "race"], "fnlwgt", None),
        (["race"], None, {"split": "test"}),
        (["sex", "race"], "fnlwgt", {"split": "test"}),
    ],
    ids=["intersectional-weighted", "single-test-split", "intersectional-weighted-test-split"],
)
def test_duckdb_equals_the_count_and_fairlearn_engines_on_adult(
    adult: dict[str, Path], sensitive: list[str], weight: str | None, where: dict[str, str] | None
) -> None:
    settings = {**ADULT_SETTINGS, "sensitive": sensitive, "sample_weight": weight, "where": where}
    count = compute_fairness(adult["csv"], engine="count", **settings)
    # fairlearn on all 48,842 rows takes seconds; test_engines compares it with count there
    fairlearn = compute_fairness(adult["csv"], engine="fairlearn", **settings) if where else None
    for name in ("csv", "parquet", "glob", *(["hive"] if where else [])):
        duck = compute_fairness(adult[name], engine="duckdb", **settings)
        assert duck.engine == "duckdb"
        assert_same_figures(duck, count, same_file=name == "csv")
        if fairlearn is not None:
            assert_same_figures(duck, fairlearn, same_file=name == "csv")


def test_data_under_the_limit_is_hashed_in_full_and_above_it_fingerprinted(adult: dict[str, Path]) -> None:
    import hashlib

    settings = {**ADULT_SETTINGS, "sensitive": ["sex"], "bootstrap": BootstrapSpec(replicates=0)}
    single = compute_fairness(adult["parquet"], **settings)
    assert single.data_identity is not None
    assert single.data_identity["kind"] == "sha256"
    assert single.data_sha256 == hashlib.sha256(adult["parquet"].read_bytes()).hexdigest()
    size = sum(path.stat().st_size for path in adult["glob"].parent.glob("part-*.parquet"))
    full = compute_fairness(adult["glob"], **settings)
    assert full.data_identity == {"kind": "sha256", "digest": full.data_sha256, "files": 4, "bytes": size}
    assert full.to_dict()["data_identity_note"] == "sha256 of every byte of the data"
    glob = compute_fairness(adult["glob"], full_hash_limit=size - 1, **settings)
    assert glob.data_identity == {"kind": "fingerprint", "digest": glob.data_sha256, "files": 4, "bytes": size}
    assert glob.to_dict()["data_identity_note"] == (
        "fingerprint (file sizes and Parquet footers), not a hash of every byte: not tamper-evident; "
        "riskcheck fairness --full-hash gives the full hash"
    )
    assert full.data_sha256 != glob.data_sha256
    forced = compute_fairness(adult["glob"], full_hash_limit=0, data_identity="sha256", **settings)
    assert (forced.data_identity or {})["kind"] == "sha256" and forced.data_sha256 == full.data_sha256


def test_a_fingerprint_changes_when_a_file_changes(tmp_path: Path) -> None:
    frame = pd.DataFrame({"g": ["A", "B"] * 50, "y": [0, 1] * 50, "p": [1, 1, 0, 0] * 25})
    for index in range(3):
        frame.to_parquet(tmp_path / f"d{index}.parquet", index=False)
    settings = {"target": "y", "prediction": "p", "sensitive": ["g"], "bootstrap": BootstrapSpec(replicates=0)}
    before = compute_fairness(tmp_path, full_hash_limit=0, **settings)
    assert before.data_identity is not None and before.data_identity["kind"] == "fingerprint"
    frame.assign(p=1).to_parquet(tmp_path / "d1.parquet", index=False)
    after = compute_fairness(tmp_path, full_hash_limit=0, **settings)
    assert after.data_sha256 != before.data_sha256


def test_a_saved_result_is_checked_against_its_fingerprint(tmp_path: Path) -> None:
    from riskcheck.core.errors import DataError
    from riskcheck.fairness.api import evaluate_fairness
    from riskcheck.fairness.spec import FairnessSpec

    frame = pd.DataFrame({"g": ["A", "B"] * 50, "y": [0, 1] * 50, "p": [1, 1, 0, 0] * 25})
    (tmp_path / "logs").mkdir()
    for index in range(2):
        frame.to_parquet(tmp_path / "logs" / f"d{index}.parquet", index=False)
    settings = {"target": "y", "prediction": "p", "sensitive": ["g"], "bootstrap": BootstrapSpec(replicates=0)}
    saved = tmp_path / "result.json"
    saved.write_text(compute_fairness(tmp_path / "logs", full_hash_limit=0, **settings).to_json(), encoding="utf-8")
    spec = FairnessSpec(data="logs", result="result.json")
    assert evaluate_fairness(spec, tmp_path).data_sha256 == load_fairness_result(saved).data_sha256
    frame.head(60).to_parquet(tmp_path / "logs" / "d1.parquet", index=False)
    with pytest.raises(DataError, match=r"computed from data with fingerprint [0-9a-f]{64}, but .*logs now has"):
        evaluate_fairness(spec, tmp_path)


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
    return pd.DataFrame({"race": race, "sex": sex, "y": y, "p": p, "w": weight})


@pytest.mark.parametrize("weight", [None, "w"])
@pytest.mark.parametrize("compare", ["between_groups", "overall"])
def test_duckdb_equals_the_other_engines_on_missing_groups_and_undefined_rates(
    tmp_path: Path, weight: str | None, compare: str
) -> None:
    frame = synthetic()
    path = tmp_path / "synthetic.parquet"
    frame.to_parquet(path, index=False)
    csv = tmp_path / "synthetic.csv"
    frame.to_csv(csv, index=False)
    settings: dict[str, Any] = {
        "target": "y",
        "prediction": "p",
        "sensitive": ["race", "sex"],
        "sample_weight": weight,
        "compare": compare,
        "bootstrap": BOOTSTRAP,
    }
    duck = compute_fairness(path, **settings)
    assert "(missing) & F" in duck.groups
    assert duck.by_group["c & M"]["true_positive_rate"] is None
    assert duck.by_group["d & F"]["precision"] is None
    assert_same_figures(duck, compute_fairness(path, engine="count", **settings))
    assert_same_figures(duck, compute_fairness(path, engine="fairlearn", **settings))
    assert_same_figures(compute_fairness(csv, **settings), duck, same_file=False)


def test_a_score_with_a_threshold(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"g": rng.choice(["A", "B", "C"], 3000), "y": rng.integers(0, 2, 3000)})
    frame["s"] = rng.random(3000)
    path = tmp_path / "scored.parquet"
    frame.to_parquet(path, index=False)
    settings: dict[str, Any] = {"target": "y", "score": "s", "threshold": 0.3, "sensitive": ["g"]}
    assert_same_figures(compute_fairness(path, **settings), compute_fairness(path, engine="count", **settings))


def test_intersectional_groups_never_overflow_and_are_bounded(tmp_path: Path) -> None:
    """Eight columns of 900 values each: a product of cardinalities overflows int64."""
    from riskcheck.core.errors import DataError

    rng = np.random.default_rng(9)
    rows = 400
    frame = pd.DataFrame({f"c{k}": rng.integers(0, 900, rows).astype(str) for k in range(8)})
    frame["y"] = rng.integers(0, 2, rows)
    frame["p"] = rng.integers(0, 2, rows)
    # every column holds all 900 values, so each cardinality is 900 (900**8 > 2**63)
    extra = pd.DataFrame({f"c{k}": [str(v) for v in range(900)] for k in range(8)})
    extra["y"] = 0
    extra["p"] = 1
    frame = pd.concat([frame, extra], ignore_index=True)
    path = tmp_path / "wide.parquet"
    frame.to_parquet(path, index=False)
    columns = [f"c{k}" for k in range(8)]
    truth = len(frame.drop_duplicates(columns))
    settings: dict[str, Any] = {
        "target": "y",
        "prediction": "p",
        "sensitive": columns,
        "bootstrap": BootstrapSpec(replicates=0),
    }
    for engine in ("duckdb", "count"):
        result = compute_fairness(path, engine=engine, **settings)
        assert len(result.groups) == truth == result.rows
    with pytest.raises(DataError) as caught:
        compute_fairness(path, scan=ScanLimits(max_groups=1000), **settings)
    named = ", ".join(repr(c) for c in columns)
    assert str(caught.value) == (
        f"{path}: the sensitive column(s) {named} give more than 1,000 groups; "
        "expected fewer (raise the bound with --max-groups, or choose coarser columns)"
    )


@pytest.mark.parametrize("engine", ["duckdb", "count"])
def test_a_group_name_over_200_characters_is_an_error(tmp_path: Path, engine: str) -> None:
    from riskcheck.core.errors import DataError

    long = "x" * 250
    frame = pd.DataFrame({"g": ["A", long] * 20, "y": [0, 1] * 20, "p": [1, 0] * 20})
    path = tmp_path / "long.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(DataError) as caught:
        compute_fairness(path, target="y", prediction="p", sensitive=["g"], engine=engine)
    assert str(caught.value) == (
        f"{path}: column 'g' (a sensitive column) has a value of 250 characters "
        f"('{'x' * 40}… (250 characters)'); a group name may have at most 200 characters"
    )


def test_sensitive_columns_from_a_separate_table(tmp_path: Path) -> None:
    from riskcheck.core.errors import DataError

    rng = np.random.default_rng(1)
    n = 2000
    log = pd.DataFrame({"id": np.arange(n), "y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n)})
    people = pd.DataFrame({"id": np.arange(n - 50), "sex": rng.choice(["F", "M"], n - 50)})
    log.to_parquet(tmp_path / "log.parquet", index=False)
    people.to_csv(tmp_path / "people.csv", index=False)
    warnings: list[str] = []
    joined = compute_fairness(
        tmp_path / "log.parquet",
        target="y",
        prediction="p",
        sensitive=["sex"],
        sensitive_data=tmp_path / "people.csv",
        join_on="id",
        warn=warnings.append,
        bootstrap=BootstrapSpec(replicates=0),
    )
    assert joined.groups == ("(missing)", "F", "M")
    assert joined.by_group["(missing)"]["count"] == 50
    message = (
        f"{tmp_path / 'log.parquet'}: 50 of 2,000 row(s) have no match for 'id' in {tmp_path / 'people.csv'}; "
        "their sensitive columns are missing, so they form the group '(missing)'"
    )
    assert warnings == [f"warning: {message}"]
    assert joined.warnings[0] == message
    merged = log.merge(people, on="id", how="left")
    merged.to_parquet(tmp_path / "merged.parquet", index=False)
    alone = compute_fairness(
        tmp_path / "merged.parquet",
        target="y",
        prediction="p",
        sensitive=["sex"],
        bootstrap=BootstrapSpec(replicates=0),
    )
    assert joined.by_group == alone.by_group
    pd.concat([people, people.head(3)]).to_csv(tmp_path / "twice.csv", index=False)
    with pytest.raises(DataError) as caught:
        compute_fairness(
            tmp_path / "log.parquet",
            target="y",
            prediction="p",
            sensitive=["sex"],
            sensitive_data=tmp_path / "twice.csv",
            join_on="id",
        )
    assert str(caught.value) == (
        f"{tmp_path / 'twice.csv'}: 3 value(s) of the join key 'id' appear more than once "
        "(for example '0'); expected one row per key"
    )
    people.rename(columns={"id": "person"}).to_csv(tmp_path / "nokey.csv", index=False)
    with pytest.raises(DataError) as caught:
        compute_fairness(
            tmp_path / "log.parquet",
            target="y",
            prediction="p",
            sensitive=["sex"],
            sensitive_data=tmp_path / "nokey.csv",
            join_on="id",
        )
    assert str(caught.value) == (
        f"{tmp_path / 'nokey.csv'}: no column 'id' (the join key); available columns: person, sex"
    )


def test_small_groups_are_suppressed_everywhere(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "g": ["A"] * 60 + ["B"] * 60 + ["C"] * 4 + [None] * 3,
            "y": ([0, 1] * 64)[:127],
            "p": ([1, 1, 0, 0] * 32)[:127],
        }
    )
    path = tmp_path / "small.parquet"
    frame.to_parquet(path, index=False)
    warnings: list[str] = []
    result = compute_fairness(path, target="y", prediction="p", sensitive=["g"], suppress_below=5, warn=warnings.append)
    assert result.groups == ("A", "B")
    assert result.rows == 120
    assert result.overall["count"] == 120
    assert "C" not in result.to_json() and "(missing)" not in result.by_group
    assert result.warnings == (
        f"{path}: column 'g' has missing values; they form the group '(missing)'",
        f"{path}: 2 group(s) with fewer than 5 rows (suppress_below) are left out of every figure, "
        "including the overall figures and the row count",
    )
    assert warnings == [f"warning: {path}: column 'g' has missing values; they form the group '(missing)'"]


def test_where_values_are_bound_parameters_never_sql(tmp_path: Path) -> None:
    from riskcheck.core.errors import DataError

    frame = pd.DataFrame({"g": ["A", "B"] * 20, "y": [0, 1] * 20, "p": [1, 0] * 20, "split": ["x"] * 40})
    path = tmp_path / "w.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(DataError) as caught:
        compute_fairness(path, target="y", prediction="p", sensitive=["g"], where={"split": "x' OR '1'='1"})
    assert str(caught.value) == f"""{path}: where: no row has split == "x' OR '1'='1"; its values are 'x'"""


def test_a_folder_skips_markers_and_other_files_and_a_literal_name_may_look_like_a_glob(tmp_path: Path) -> None:
    frame = pd.DataFrame({"g": ["A", "B"] * 20, "y": [0, 1] * 20, "p": [1, 0] * 20})
    frame.to_parquet(tmp_path / "part-0.parquet", index=False)
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / "README.txt").write_text("written by a Spark job")
    (tmp_path / ".part-0.parquet.crc").write_bytes(b"\0")
    settings: dict[str, Any] = {"target": "y", "prediction": "p", "sensitive": ["g"]}
    assert compute_fairness(tmp_path, **settings).rows == 40
    literal = tmp_path / "data[1].parquet"
    frame.to_parquet(literal, index=False)
    assert compute_fairness(literal, **settings).rows == 40


@pytest.mark.parametrize("weight", [None, "w"])
def test_a_regression_in_duckdb_equals_the_other_engines(tmp_path: Path, weight: str | None) -> None:
    from riskcheck.core.errors import DataError

    rng = np.random.default_rng(8)
    n = 4000
    frame = synthetic(n)
    frame["y"] = rng.normal(50, 10, n)
    frame["p"] = frame["y"] + rng.normal(0, 5, n)
    path = tmp_path / "regression.parquet"
    frame.to_parquet(path, index=False)
    settings: dict[str, Any] = {
        "target": "y",
        "prediction": "p",
        "sensitive": ["race", "sex"],
        "sample_weight": weight,
        "task": "regression",
    }
    duck = compute_fairness(path, **settings)
    assert duck.engine == "duckdb"
    assert_same_figures(duck, compute_fairness(path, engine="count", **settings))
    assert_same_figures(duck, compute_fairness(path, engine="fairlearn", **settings))
    frame.assign(p=frame["p"].astype(str).where(frame.index != 7, "high")).to_parquet(path, index=False)
    with pytest.raises(DataError, match=r"column 'p' \(the prediction\) must be numeric; 1 row\(s\) hold text"):
        compute_fairness(path, **settings)
