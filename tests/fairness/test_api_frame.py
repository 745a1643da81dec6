"""``compute_fairness_frame``: the in-memory entry point, and ``assert_fairness`` on top of it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness, compute_fairness_frame
from riskcheck.fairness.spec import BootstrapSpec, Threshold
from riskcheck.testing import FairnessAssertionError, assert_fairness
from tests.fairness.conftest import GERMAN_SCORED

SETTINGS: dict[str, Any] = {
    "target": "risk",
    "score": "score",
    "threshold": 0.5,
    "sensitive": ["sex", "age_group"],
    "sample_weight": "duration",
    "min_group_size": 20,
    "bootstrap": BootstrapSpec(replicates=200, seed=7),
    "thresholds": {
        "demographic_parity_ratio": Threshold(min=0.8),
        "equalized_odds_difference": Threshold(max=0.1, on="ci_high"),
    },
}


def _without_source(data: dict[str, Any]) -> dict[str, Any]:
    """A result's figures, without what names its source (the file, or the frame)."""
    data = dict(data)
    # A file goes through DuckDB, a frame does not; each is identified in its own way.
    for key in ("data_sha256", "data_identity", "data_identity_note", "engine"):
        data.pop(key)
    data["config"] = {k: v for k, v in data["config"].items() if k not in ("data", "engine")}
    return data


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_figures_equal_those_computed_from_the_file(tmp_path: Path, suffix: str) -> None:
    frame = pd.read_csv(GERMAN_SCORED)
    path = tmp_path / f"german{suffix}"
    if suffix == ".csv":
        path.write_bytes(GERMAN_SCORED.read_bytes())
    else:
        frame.to_parquet(path, index=False)
    from_file = compute_fairness(path, **SETTINGS)
    from_frame = compute_fairness_frame(frame, **SETTINGS)
    assert _without_source(from_frame.to_dict()) == _without_source(from_file.to_dict())
    assert from_frame.config["data"] == "frame"
    assert from_frame.rows == 1000
    assert [b.metric for b in from_frame.breaches()] == [b.metric for b in from_file.breaches()]


def test_a_mapping_of_lists_arrays_and_series_gives_the_same_figures() -> None:
    frame = pd.read_csv(GERMAN_SCORED)
    settings = {**SETTINGS, "bootstrap": BootstrapSpec(replicates=0)}
    expected = compute_fairness_frame(frame, **settings).to_dict()
    columns = {
        "risk": frame["risk"].tolist(),
        "score": frame["score"].to_numpy(),
        "sex": frame["sex"],
        "age_group": frame["age_group"].to_numpy(dtype=object),
        "duration": frame["duration"].tolist(),
    }
    assert compute_fairness_frame(columns, **settings).to_dict() == expected


def test_regression_from_a_frame_equals_the_file(tmp_path: Path) -> None:
    frame = pd.read_csv(GERMAN_SCORED)
    path = tmp_path / "german.csv"
    path.write_bytes(GERMAN_SCORED.read_bytes())
    settings: dict[str, Any] = {
        "target": "credit_amount",
        "prediction": "duration",
        "sensitive": ["sex"],
        "task": "regression",
        "where": {"housing": "own"},
    }
    from_file = compute_fairness(path, **settings)
    from_frame = compute_fairness_frame(frame, name="german", **settings)
    assert _without_source(from_frame.to_dict()) == _without_source(from_file.to_dict())
    assert from_frame.config["data"] == "german"


def test_data_sha256_hashes_the_columns_read() -> None:
    frame = pd.read_csv(GERMAN_SCORED)
    settings = {**SETTINGS, "bootstrap": BootstrapSpec(replicates=0)}
    first = compute_fairness_frame(frame, **settings).data_sha256
    assert first == compute_fairness_frame(frame.copy(), **settings).data_sha256
    assert len(first) == 64 and int(first, 16) >= 0
    # A column the computation does not read leaves the hash alone; one it reads changes it.
    assert compute_fairness_frame(frame.assign(purpose="x"), **settings).data_sha256 == first
    changed = frame.copy()
    changed.loc[0, "score"] = 0.1
    assert compute_fairness_frame(changed, **settings).data_sha256 != first


def test_bad_frames_are_data_errors_naming_the_frame() -> None:
    frame = pd.read_csv(GERMAN_SCORED)
    with pytest.raises(DataError) as caught:
        compute_fairness_frame(frame.drop(columns=["sex"]), **SETTINGS)
    assert str(caught.value) == (
        "frame: no column 'sex' (a sensitive column); available columns: risk, job, housing, saving_accounts, "
        "checking_account, credit_amount, duration, purpose, age, age_group, score"
    )
    with pytest.raises(DataError) as caught:
        compute_fairness_frame(
            {"y": [0, 1, 1], "p": [0, 1], "g": ["a", "b", "a"]}, target="y", prediction="p", sensitive=["g"]
        )
    assert str(caught.value) == "frame: columns differ in length: 'y' has 3, 'p' has 2, 'g' has 3 rows"
    with pytest.raises(DataError) as caught:
        compute_fairness_frame(frame.iloc[0:0], **SETTINGS)
    assert str(caught.value) == "frame: no data rows; expected at least one row"
    with pytest.raises(DataError) as caught:
        compute_fairness_frame([[0, 1]], target="y", prediction="p", sensitive=["g"])
    assert str(caught.value) == "frame: expected a pandas DataFrame or a mapping of column name to values, got list"
    with pytest.raises(DataError) as caught:
        compute_fairness_frame(frame, target="risk", sensitive=["sex"])
    assert str(caught.value) == (
        "invalid fairness settings: give exactly one of prediction (a column), score with threshold, "
        "or model (a file); got none"
    )


# ---------------------------------------------------------------- assert_fairness

SEX = ["female"] * 40 + ["male"] * 40
Y = [i % 2 for i in range(40)] * 2
SKEWED = [1 if i < 12 else 0 for i in range(40)] + [1 if i < 24 else 0 for i in range(40)]

SKEWED_MESSAGE = (
    "fairness thresholds not met:\n"
    "  - demographic_parity_ratio is 0.5000, below the minimum 0.8000; "
    "selection_rate: lowest female 0.3000, highest male 0.6000\n"
    "\n"
    "  group      count  selection_rate  true_positive_rate  false_positive_rate  accuracy\n"
    "  female        40          0.3000              0.3000               0.3000    0.5000\n"
    "  male          40          0.6000              0.6000               0.6000    0.5000\n"
    "  (overall)     80          0.4500              0.4500               0.4500    0.5000"
)


@pytest.mark.parametrize(
    "convert",
    [list, np.asarray, pd.Series],
    ids=["lists", "numpy", "series"],
)
def test_assert_fairness_fails_with_the_per_group_table(convert: Any) -> None:
    with pytest.raises(FairnessAssertionError) as caught:
        assert_fairness(convert(Y), convert(SKEWED), sensitive_features=convert(SEX), demographic_parity_ratio_min=0.8)
    assert str(caught.value) == SKEWED_MESSAGE
    assert caught.value.result.config["data"] == "assert_fairness"


def test_assert_fairness_agrees_with_the_file_path(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    path.write_text("sex,y,p\n" + "".join(f"{s},{y},{p}\n" for s, y, p in zip(SEX, Y, SKEWED, strict=True)))
    from_file = compute_fairness(
        path,
        target="y",
        prediction="p",
        sensitive=["sex"],
        bootstrap=BootstrapSpec(replicates=0),
        thresholds={"demographic_parity_ratio": Threshold(min=0.8)},
    )
    with pytest.raises(FairnessAssertionError) as caught:
        assert_fairness(Y, SKEWED, sensitive_features=pd.Series(SEX, name="sex"), demographic_parity_ratio_min=0.8)
    result = caught.value.result
    assert result.by_group == from_file.by_group
    assert result.overall == from_file.overall
    assert result.disparities == from_file.disparities
    assert result.groups == ("female", "male")


def test_assert_fairness_passes_silently_and_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(work)
    fair = [1 if i < 20 else 0 for i in range(40)] * 2
    result = assert_fairness(
        np.array(Y),
        np.array(fair),
        sensitive_features=pd.DataFrame({"sex": SEX, "band": ["a", "b"] * 40}),
        demographic_parity_ratio_min=0.8,
        sample_weight=[1.0] * 80,
        min_group_size=10,
    )
    assert result.groups == ("female & a", "female & b", "male & a", "male & b")
    assert capsys.readouterr() == ("", "")
    assert list(scratch.iterdir()) == [] and list(work.iterdir()) == []
    with pytest.raises(FairnessAssertionError):
        assert_fairness(Y, SKEWED, sensitive_features=SEX, demographic_parity_ratio_min=0.8)
    assert list(scratch.iterdir()) == [] and list(work.iterdir()) == []


def test_assert_fairness_names_its_own_arguments_in_errors() -> None:
    with pytest.raises(ValueError) as caught:
        assert_fairness(Y, SKEWED[:-1], sensitive_features=SEX, demographic_parity_ratio_min=0.8)
    assert str(caught.value) == "y_pred has 79 rows but y_true has 80"
    with pytest.raises(ValueError) as caught:
        assert_fairness(Y, SKEWED, sensitive_features={"y_pred": SEX}, demographic_parity_ratio_min=0.8)
    assert str(caught.value) == "sensitive feature names clash with riskcheck's own: y_pred"
    with pytest.raises(DataError) as caught:
        assert_fairness(Y, ["x"] * 80, sensitive_features=SEX, demographic_parity_ratio_min=0.8)
    assert str(caught.value) == (
        "assert_fairness: column 'y_pred' (the prediction) has the values 'x', not 0 and 1; "
        "name the favourable one with positive_label (--positive-label)"
    )
