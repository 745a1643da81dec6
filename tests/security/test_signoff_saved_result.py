"""An approval of an assessment whose fairness figures come from a saved result goes stale
when those figures change, as it does when its data or answers change."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.core.loader import load_assessment

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"


def _assessment(folder: Path) -> Path:
    shutil.copy(MINI / "questionnaire.yaml", folder / "q.yaml")
    rows = (
        ["g,y,p"]
        + [f"a,{i % 2},{int(i % 3 != 0)}" for i in range(90)]
        + [f"b,{i % 2},{int(i % 3 == 0)}" for i in range(90)]
    )
    (folder / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    argv = ["fairness", "--data", "d.csv", "--target", "y", "--prediction", "p", "--sensitive", "g"]
    subprocess.run(
        [sys.executable, "-m", "riskcheck", *argv, "--format", "json", "-o", "r.json"], cwd=folder, check=True
    )
    path = folder / "a.yaml"
    path.write_text(
        "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"
        "questionnaire: {path: q.yaml}\n"
        "answers: {decision_type: advisory, affects_people: no, bias_tested: yes}\n"
        "fairness:\n  result: r.json\n  thresholds:\n    demographic_parity_difference: {max: 0.2}\n",
        encoding="utf-8",
    )
    return path


def _legal(path: Path) -> str:
    return dict(api.score(load_assessment(path)).signoffs.roles)["legal"]


def test_editing_the_saved_figures_makes_the_approval_stale(tmp_path: Path) -> None:
    path = _assessment(tmp_path)
    sign(path, name="Dana", role="legal", decision="approve", now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    assert _legal(path) == "approved"
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["disparities"]["demographic_parity_difference"]["value"] > 0.2  # the signer saw a breach
    # A figure no disparity reads, edited where it appears: the file still agrees with itself.
    saved["overall"]["accuracy"] = saved["variables"]["overall_accuracy"] = 0.99
    (tmp_path / "r.json").write_text(json.dumps(saved), encoding="utf-8")
    assert _legal(path) == "stale"


def test_a_saved_result_that_contradicts_itself_is_refused(tmp_path: Path) -> None:
    _assessment(tmp_path)
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    saved["disparities"]["demographic_parity_difference"].update(value=0.01, ci_low=0.0, ci_high=0.02)
    (tmp_path / "r.json").write_text(json.dumps(saved), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "riskcheck", "check", "a.yaml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert "r.json: disparities.demographic_parity_difference.value is 0.01; expected 0.333" in run.stderr
    assert "as its own by_group and overall figures give" in run.stderr
