"""FairnessResult: deterministic JSON, round trip, variables, breaches; saved results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness, evaluate_fairness, load_fairness_result
from riskcheck.fairness.result import FairnessResult
from riskcheck.fairness.spec import METRIC_NAMES, BootstrapSpec, FairnessSpec, Threshold
from tests.fairness.conftest import tiny_rows, write_csv


@pytest.fixture
def result(tiny_csv: Path) -> FairnessResult:
    return compute_fairness(
        tiny_csv,
        target="label",
        prediction="pred",
        sensitive=["group"],
        min_group_size=1,
        min_class_size=1,
        bootstrap=BootstrapSpec(replicates=500, seed=7),
        thresholds={
            "demographic_parity_ratio": Threshold(min=0.8),
            "equalized_odds_difference": Threshold(max=0.5, on="ci_high"),
            "overall_accuracy": Threshold(min=0.5),
        },
    )


def test_json_is_byte_identical_for_the_same_inputs(tiny_csv: Path, result: FairnessResult) -> None:
    again = compute_fairness(
        tiny_csv,
        target="label",
        prediction="pred",
        sensitive=["group"],
        min_group_size=1,
        min_class_size=1,
        bootstrap=BootstrapSpec(replicates=500, seed=7),
        thresholds=dict(result.thresholds),
    )
    assert again.to_json() == result.to_json()
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(result.to_dict(), sort_keys=True)


def test_the_json_carries_provenance_and_config(tiny_csv: Path, result: FairnessResult) -> None:
    import hashlib

    data = result.to_dict()
    assert data["format"] == "riskcheck.fairness/1"
    assert data["data_sha256"] == hashlib.sha256(tiny_csv.read_bytes()).hexdigest()
    assert data["model_sha256"] is None
    assert data["rows"] == 14
    assert data["engine"] == "duckdb"
    assert data["data_identity"] == {
        "kind": "sha256",
        "digest": data["data_sha256"],
        "files": 1,
        "bytes": tiny_csv.stat().st_size,
    }
    assert data["config"]["sensitive"] == ["group"]
    assert data["config"]["bootstrap"] == {"replicates": 500, "seed": 7, "confidence": 0.95}


def test_round_trip_through_json(result: FairnessResult) -> None:
    again = FairnessResult.from_dict(json.loads(result.to_json()))
    assert again == result
    assert again.to_json() == result.to_json()


def test_variables_are_exactly_the_metric_names(result: FairnessResult) -> None:
    variables = result.variables()
    assert variables.keys() == METRIC_NAMES
    assert variables["demographic_parity_ratio"] == pytest.approx(2 / 3, abs=1e-15)
    assert variables["overall_accuracy"] == pytest.approx(9 / 14, abs=1e-15)
    assert variables["rows"] == 14.0
    assert variables["group_count"] == 2.0
    assert variables["mean_prediction_difference"] is None  # a regression figure
    ci_low, ci_high = variables["demographic_parity_ratio_ci_low"], variables["demographic_parity_ratio_ci_high"]
    assert ci_low is not None and ci_high is not None and ci_low <= ci_high
    assert variables["thresholds_breached"] == float(len(result.breaches()))


def test_breaches_carry_the_figures_and_groups(result: FairnessResult) -> None:
    breaches = result.breaches()
    ratio = breaches[0]
    assert (ratio.metric, ratio.bound, ratio.limit, ratio.on, ratio.groups) == (
        "demographic_parity_ratio",
        "min",
        0.8,
        "value",
        ("B", "A"),
    )
    assert ratio.value == pytest.approx(2 / 3, abs=1e-15)
    assert ratio.message == (
        "demographic_parity_ratio is 0.6667, below the minimum 0.8000; "
        "selection_rate: lowest B 0.3333, highest A 0.5000"
    )
    assert [b.metric for b in breaches] == ["demographic_parity_ratio", "equalized_odds_difference"]
    upper = breaches[1]
    assert upper.on == "ci_high"
    assert upper.message.startswith("the upper 95% bound of equalized_odds_difference is ")
    assert "above the maximum 0.5000 (point estimate 0.4167); true_positive_rate: lowest B" in upper.message


def test_a_threshold_on_an_undefined_value_is_breached(tiny_csv: Path) -> None:
    result = compute_fairness(
        tiny_csv,
        target="label",
        prediction="pred",
        sensitive=["group"],
        bootstrap=BootstrapSpec(replicates=0),  # groups of 8 and 6: below min_group_size 30
        thresholds={"demographic_parity_ratio": Threshold(min=0.8)},
    )
    (breach,) = result.breaches()
    assert breach.value is None
    assert breach.message == (
        "demographic_parity_ratio could not be computed (fewer than two groups have enough "
        "evidence for selection_rate (0 of 2)), so the minimum 0.8000 cannot be shown to hold"
    )


def test_with_thresholds_rejudges_the_same_figures(result: FairnessResult) -> None:
    relaxed = result.with_thresholds({"demographic_parity_ratio": Threshold(min=0.5)})
    assert relaxed.breaches() == ()
    assert relaxed.by_group == result.by_group


def test_evaluate_fairness_resolves_paths_against_the_assessment(tmp_path: Path) -> None:
    folder = tmp_path / "system"
    (folder / "data").mkdir(parents=True)
    write_csv(folder / "data" / "tiny.csv", ["group", "label", "pred"], tiny_rows())
    spec = FairnessSpec(
        data="data/tiny.csv",
        target="label",
        prediction="pred",
        sensitive=["group"],
        min_group_size=1,
        thresholds={"demographic_parity_difference": {"max": 0.1}},  # type: ignore[dict-item]
    )
    result = evaluate_fairness(spec, folder)
    assert result.rows == 14
    assert [b.metric for b in result.breaches()] == ["demographic_parity_difference"]
    assert result.config["data"] == "data/tiny.csv"


def test_evaluate_fairness_reads_a_saved_result(tmp_path: Path, result: FairnessResult, tiny_csv: Path) -> None:
    saved = tmp_path / "fairness.json"
    saved.write_text(result.to_json(), encoding="utf-8")
    spec = FairnessSpec(
        result="fairness.json",
        data=tiny_csv.name,
        thresholds={"demographic_parity_ratio": {"min": 0.6}},  # type: ignore[dict-item]
    )
    loaded = evaluate_fairness(spec, tmp_path)
    assert loaded.by_group == result.by_group
    assert loaded.breaches() == ()
    # the data changed since: the saved result is stale
    tiny_csv.write_text(tiny_csv.read_text(encoding="utf-8") + "A,1,1\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        evaluate_fairness(spec, tmp_path)
    assert str(caught.value).startswith(f"{saved}: computed from data with sha256 {result.data_sha256}, but ")
    assert str(caught.value).endswith("; recompute it with riskcheck fairness")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "{path}:1:2: not valid JSON: Expecting property name enclosed in double quotes"),
        ("[]", "{path}: expected a JSON object, found list"),
        ('{"format": "other"}', "{path}: format: expected 'riskcheck.fairness/1', found 'other'"),
        ('{"format": "riskcheck.fairness/1"}', "{path}: not a riskcheck fairness result (KeyError('task'))"),
    ],
)
def test_bad_saved_results(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "saved.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_fairness_result(path)
    assert str(caught.value) == expected.format(path=path)


def test_a_missing_saved_result(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_fairness_result(tmp_path / "absent.json")
    assert str(caught.value) == f"{tmp_path / 'absent.json'}: no such file (a saved fairness result)"
