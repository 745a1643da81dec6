"""Exact figures on a hand-computed dataset; undefined rates; too little evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.spec import BootstrapSpec

NO_BOOTSTRAP = BootstrapSpec(replicates=0)


def tiny(path: Path, **options: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "target": "label",
        "prediction": "pred",
        "sensitive": ["group"],
        "min_group_size": 1,
        "min_class_size": 1,
        "bootstrap": NO_BOOTSTRAP,
    }
    settings.update(options)
    return compute_fairness(path, **settings).to_dict()  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["count", "fairlearn"])
def test_hand_computed_figures_by_group(tiny_csv: Path, engine: str) -> None:
    result = tiny(tiny_csv, engine=engine)
    assert result["groups"] == ["A", "B"]
    assert result["by_group"]["A"] == {
        "count": 8,
        "selection_rate": 0.5,
        "true_positive_rate": 0.75,
        "false_positive_rate": 0.25,
        "false_negative_rate": 0.25,
        "true_negative_rate": 0.75,
        "precision": 0.75,
        "accuracy": 0.75,
        "balanced_accuracy": 0.75,
    }
    b = result["by_group"]["B"]
    assert b["count"] == 6
    assert b["selection_rate"] == pytest.approx(1 / 3, abs=1e-15)
    assert b["true_positive_rate"] == pytest.approx(1 / 3, abs=1e-15)
    assert b["false_positive_rate"] == pytest.approx(1 / 3, abs=1e-15)
    assert b["false_negative_rate"] == pytest.approx(2 / 3, abs=1e-15)
    assert b["true_negative_rate"] == pytest.approx(2 / 3, abs=1e-15)
    assert b["precision"] == 0.5
    assert b["accuracy"] == 0.5
    assert b["balanced_accuracy"] == pytest.approx(0.5, abs=1e-15)
    overall = result["overall"]
    assert overall["count"] == 14
    assert overall["selection_rate"] == pytest.approx(3 / 7, abs=1e-15)
    assert overall["true_positive_rate"] == pytest.approx(4 / 7, abs=1e-15)
    assert overall["precision"] == pytest.approx(2 / 3, abs=1e-15)
    assert overall["accuracy"] == pytest.approx(9 / 14, abs=1e-15)


def disparity_values(result: dict[str, object]) -> dict[str, float | None]:
    return {name: entry["value"] for name, entry in result["disparities"].items()}  # type: ignore[attr-defined]


def test_hand_computed_disparities_between_groups(tiny_csv: Path) -> None:
    values = disparity_values(tiny(tiny_csv))
    assert values == pytest.approx(
        {
            "demographic_parity_difference": 1 / 6,
            "demographic_parity_ratio": 2 / 3,
            "equalized_odds_difference": 5 / 12,  # TPR 0.75 vs 1/3; FPR only 1/12 apart
            "equalized_odds_ratio": 4 / 9,  # min(TPR ratio 4/9, FPR ratio 3/4)
            "equal_opportunity_difference": 5 / 12,
            "equal_opportunity_ratio": 4 / 9,
            "disparate_impact_ratio": 2 / 3,
        },
        abs=1e-15,
    )


def test_hand_computed_disparities_against_overall(tiny_csv: Path) -> None:
    values = disparity_values(tiny(tiny_csv, compare="overall"))
    # selection rates 1/2 and 1/3 against 3/7 overall
    assert values["demographic_parity_difference"] == pytest.approx(2 / 21, abs=1e-15)
    assert values["demographic_parity_ratio"] == pytest.approx(7 / 9, abs=1e-15)
    assert values["disparate_impact_ratio"] == pytest.approx(7 / 9, abs=1e-15)


def test_hand_computed_disparities_against_a_reference_group(tiny_csv: Path) -> None:
    result = tiny(tiny_csv, compare="reference", reference_group="B")
    values = disparity_values(result)
    assert values["demographic_parity_difference"] == pytest.approx(1 / 6, abs=1e-15)
    assert values["demographic_parity_ratio"] == pytest.approx(2 / 3, abs=1e-15)
    # one-sided: group A is selected 1.5 times as often as the reference group B
    assert values["disparate_impact_ratio"] == pytest.approx(1.5, abs=1e-15)
    assert result["disparities"]["demographic_parity_ratio"] == {  # type: ignore[index]
        "value": values["demographic_parity_ratio"],
        "ci_low": None,
        "ci_high": None,
        "compare": "reference",
        "groups": ["A", "B"],
        "detail": "selection_rate: A 0.5000 vs reference group B 0.3333",
    }


def test_disparities_name_the_groups_that_set_them(tiny_csv: Path) -> None:
    result = tiny(tiny_csv)
    assert result["disparities"]["equalized_odds_difference"] == {  # type: ignore[index]
        "value": pytest.approx(5 / 12, abs=1e-15),
        "ci_low": None,
        "ci_high": None,
        "compare": "between_groups",
        "groups": ["B", "A"],
        "detail": "true_positive_rate: lowest B 0.3333, highest A 0.7500",
    }


def test_sample_weights_weight_the_counts(
    csv_writer: Callable[..., Path],
) -> None:
    from tests.fairness.conftest import tiny_rows

    # group A's true positives weigh 2: TP 6, FP 1, FN 1, TN 3 (weighted)
    rows = [(g, t, p, 2 if (g, t, p) == ("A", 1, 1) else 1) for g, t, p in tiny_rows()]
    path = csv_writer(["group", "label", "pred", "w"], rows)
    for engine in ("count", "fairlearn"):
        a = tiny(path, sample_weight="w", engine=engine)["by_group"]["A"]  # type: ignore[index]
        assert a["count"] == 8  # rows, not weight
        assert a["selection_rate"] == pytest.approx(7 / 11, abs=1e-15)
        assert a["true_positive_rate"] == pytest.approx(6 / 7, abs=1e-15)
        assert a["precision"] == pytest.approx(6 / 7, abs=1e-15)
        assert a["accuracy"] == pytest.approx(9 / 11, abs=1e-15)


@pytest.mark.parametrize("engine", ["count", "fairlearn"])
def test_a_zero_denominator_is_undefined_never_zero(csv_writer: Callable[..., Path], engine: str) -> None:
    # group C has no actual positives and predicts none: TPR, FNR, precision undefined
    rows = [("A", 1, 1), ("A", 0, 0), ("A", 1, 0), ("A", 0, 1)]
    rows += [("C", 0, 0)] * 3
    path = csv_writer(["group", "label", "pred"], rows)
    result = tiny(path, engine=engine)
    c = result["by_group"]["C"]  # type: ignore[index]
    assert c == {
        "count": 3,
        "selection_rate": 0.0,
        "true_positive_rate": None,
        "false_positive_rate": 0.0,
        "false_negative_rate": None,
        "true_negative_rate": 1.0,
        "precision": None,
        "accuracy": 1.0,
        "balanced_accuracy": None,
    }
    assert '"true_positive_rate": null' in json.dumps(result, sort_keys=True)
    eopp = result["disparities"]["equal_opportunity_difference"]  # type: ignore[index]
    assert eopp["value"] is None
    assert eopp["detail"] == "fewer than two groups have enough evidence for true_positive_rate (1 of 2)"
    # equalized odds falls back on its defined component, as fairlearn's max() does
    assert result["disparities"]["equalized_odds_difference"]["value"] == 0.5  # type: ignore[index]


def test_small_groups_are_insufficient_evidence_and_left_out(
    csv_writer: Callable[..., Path],
) -> None:
    from tests.fairness.conftest import tiny_rows

    rows = [*tiny_rows(), ("C", 1, 1), ("C", 0, 0)]
    path = csv_writer(["group", "label", "pred"], rows)
    result = tiny(path, min_group_size=5, min_class_size=2)
    assert result["insufficient_evidence"] == [
        {
            "group": "C",
            "scope": "group",
            "metrics": [
                "selection_rate",
                "true_positive_rate",
                "false_positive_rate",
                "false_negative_rate",
                "true_negative_rate",
                "precision",
                "accuracy",
                "balanced_accuracy",
            ],
            "reason": "2 rows, fewer than min_group_size 5",
        },
    ]
    # C (selection rate 0.5, TPR 1.0) would otherwise set the disparities
    assert result["by_group"]["C"]["true_positive_rate"] == 1.0  # type: ignore[index]
    dp = result["disparities"]["demographic_parity_difference"]  # type: ignore[index]
    assert dp["value"] == pytest.approx(1 / 6, abs=1e-15)
    assert dp["detail"] == ("selection_rate: lowest B 0.3333, highest A 0.5000 (left out for too little evidence: C)")
    assert result["variables"]["insufficient_evidence_count"] == 1.0  # type: ignore[index]


def test_too_few_positives_leave_out_only_the_rates_that_need_them(
    csv_writer: Callable[..., Path],
) -> None:
    from tests.fairness.conftest import tiny_rows

    path = csv_writer(["group", "label", "pred"], tiny_rows())
    # group B has 3 positives and 3 negatives; A has 4 and 4
    result = tiny(path, min_class_size=4)
    entries = {(e["group"], e["reason"]) for e in result["insufficient_evidence"]}  # type: ignore[attr-defined, index]
    assert entries == {
        ("B", "3 positive rows (actual positives), fewer than min_class_size 4"),
        ("B", "3 negative rows (actual negatives), fewer than min_class_size 4"),
        ("B", "2 predicted positives, fewer than min_class_size 4"),
    }
    # demographic parity still compares A and B; TPR-based disparities have one group left
    assert result["disparities"]["demographic_parity_difference"]["value"] is not None  # type: ignore[index]
    assert result["disparities"]["equal_opportunity_difference"]["value"] is None  # type: ignore[index]


def test_missing_sensitive_values_form_their_own_group_with_a_warning(
    csv_writer: Callable[..., Path],
) -> None:
    from tests.fairness.conftest import tiny_rows

    rows = [("" if g == "B" and i % 2 else g, t, p) for i, (g, t, p) in enumerate(tiny_rows())]
    path = csv_writer(["group", "label", "pred"], rows)
    warnings: list[str] = []
    result = compute_fairness(
        path,
        target="label",
        prediction="pred",
        sensitive=["group"],
        min_group_size=1,
        min_class_size=1,
        bootstrap=NO_BOOTSTRAP,
        warn=warnings.append,
    )
    assert result.groups == ("(missing)", "A", "B")
    assert result.by_group["(missing)"]["count"] == 3
    message = f"{path}: column 'group' has 3 missing value(s); they form the group '(missing)'"
    assert result.warnings == (message,)
    assert warnings == [f"warning: {message}"]


def test_intersectional_groups_join_values_with_an_ampersand(
    csv_writer: Callable[..., Path],
) -> None:
    rows = [(s, r, 1, 1) for s in ("F", "M") for r in ("x", "y")] + [("F", "x", 0, 0)]
    path = csv_writer(["sex", "race", "label", "pred"], rows)
    result = compute_fairness(
        path,
        target="label",
        prediction="pred",
        sensitive=["sex", "race"],
        bootstrap=NO_BOOTSTRAP,
    )
    assert result.groups == ("F & x", "F & y", "M & x", "M & y")
    assert result.by_group["F & x"]["count"] == 2


def test_a_ratio_of_negative_mean_predictions_is_undefined_and_says_why(
    csv_writer: Callable[..., Path],
) -> None:
    rows = [("A", 1.0, -2.0), ("A", 3.0, -3.0), ("B", 2.0, -1.0), ("B", 4.0, -1.0)]
    path = csv_writer(["group", "y", "yhat"], rows)
    result = tiny(path, target="y", prediction="yhat", task="regression")
    ratio = result["disparities"]["mean_prediction_ratio"]  # type: ignore[index]
    assert ratio["value"] is None
    assert (
        ratio["detail"] == "mean_prediction is 0 or negative where the ratio divides by it, so the ratio is undefined"
    )
    assert result["disparities"]["mean_prediction_difference"]["value"] == 1.5  # type: ignore[index]


def test_regression_mean_prediction_and_mae_by_group(
    csv_writer: Callable[..., Path],
) -> None:
    rows = [("A", 1.0, 2.0), ("A", 3.0, 3.0), ("B", 2.0, 1.0), ("B", 4.0, 0.0)]
    path = csv_writer(["group", "y", "yhat"], rows)
    for engine in ("count", "fairlearn"):
        result = compute_fairness(
            path,
            target="y",
            prediction="yhat",
            sensitive=["group"],
            task="regression",
            min_group_size=1,
            engine=engine,
        ).to_dict()
        assert result["by_group"] == {
            "A": {"count": 2, "mean_prediction": 2.5, "mean_absolute_error": 0.5},
            "B": {"count": 2, "mean_prediction": 0.5, "mean_absolute_error": 2.5},
        }
        assert disparity_values(result) == {
            "mean_prediction_difference": 2.0,
            "mean_prediction_ratio": 0.2,
            "mean_absolute_error_difference": 2.0,
            "mean_absolute_error_ratio": 0.2,
        }
