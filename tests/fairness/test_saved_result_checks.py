"""A saved result is checked against itself (in plain Python, without numpy) and, with
``data:``, against the figures the data gives: every comparison mode and both tasks, with
undefined rates and groups left out for too little evidence, pass as saved; a single
figure moved is refused by name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness, evaluate_fairness, load_fairness_result
from riskcheck.fairness.spec import BootstrapSpec, FairnessSpec


def _data(path: Path) -> None:
    """Groups of different sizes: c has no actual positives (TPR undefined), d is too small."""
    rng = np.random.default_rng(7)
    rows = 3000
    group = rng.choice(["a", "b", "c"], rows).astype(object)
    group[:20] = "d"
    y = (rng.random(rows) < 0.4).astype(int)
    y[group == "c"] = 0
    p = (rng.random(rows) < np.where(group == "a", 0.6, 0.4)).astype(int)
    score = rng.random(rows) + 0.2 * (group == "b")
    pd.DataFrame({"g": group, "y": y, "p": p, "s": score}).to_parquet(path, index=False)


CASES: list[dict[str, Any]] = [
    {"prediction": "p"},
    {"prediction": "p", "compare": "overall"},
    {"prediction": "p", "compare": "reference", "reference_group": "b"},
    {"prediction": "p", "engine": "fairlearn"},
    {"prediction": "p", "suppress_below": 25},
    {"task": "regression", "prediction": "s"},
    {"task": "regression", "prediction": "s", "compare": "overall"},
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: ",".join(f"{k}={v}" for k, v in case.items()))
def test_every_saved_result_agrees_with_itself_and_with_its_data(tmp_path: Path, case: dict[str, Any]) -> None:
    _data(tmp_path / "d.parquet")
    settings: dict[str, Any] = {"target": "y", "sensitive": ["g"], "bootstrap": BootstrapSpec(replicates=20), **case}
    if case.get("task") == "regression":
        settings.pop("bootstrap")
    result = compute_fairness(tmp_path / "d.parquet", **settings)
    (tmp_path / "r.json").write_text(result.to_json(), encoding="utf-8")
    assert load_fairness_result(tmp_path / "r.json").to_dict() == result.to_dict()
    again = evaluate_fairness(FairnessSpec(result="r.json", data="d.parquet"), tmp_path)
    assert again.disparities == result.disparities
    # The figure that sets a disparity, moved by 1e-6: the file no longer agrees with itself.
    saved = json.loads(result.to_json())
    name, part = ("demographic_parity_difference", "selection_rate")
    if case.get("task") == "regression":
        name, part = ("mean_prediction_difference", "mean_prediction")
    group = result.disparities[name].groups[0]
    saved["by_group"][group][part] += 1e-6
    (tmp_path / "r.json").write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(DataError, match=r"r\.json: disparities\.\w+\.value is .*; expected .*own by_group"):
        load_fairness_result(tmp_path / "r.json")


def test_a_saved_result_is_read_and_checked_without_numpy(tmp_path: Path) -> None:
    _data(tmp_path / "d.parquet")
    result = compute_fairness(tmp_path / "d.parquet", target="y", prediction="p", sensitive=["g"])
    (tmp_path / "r.json").write_text(result.to_json(), encoding="utf-8")
    script = (
        "import sys\n"
        "for name in ('numpy', 'pandas', 'pyarrow', 'duckdb'): sys.modules[name] = None\n"
        "from riskcheck.fairness.api import load_fairness_result\n"
        "result = load_fairness_result(sys.argv[1])\n"
        "print(result.disparities['demographic_parity_difference'].value)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, tmp_path / "r.json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == result.disparities["demographic_parity_difference"].value
