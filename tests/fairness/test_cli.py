"""``riskcheck fairness``: the text table, JSON, -o, progress, and a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fairness.conftest import ROOT, write_csv

Run = Callable[..., tuple[int, str, str]]

SMALL = ["--min-group-size", "1", "--min-class-size", "1"]


def test_text_output_is_a_table_by_group(run_cli: Run, tiny_csv: Path) -> None:
    code, out, err = run_cli(
        "fairness", "--data", tiny_csv, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", "--bootstrap", "0", *SMALL,
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Fairness of label by group: 14 rows in 2 groups (duckdb engine)"
    assert lines[3:8] == [
        "group    count  selection     TPR     FPR     FNR     TNR  precision  accuracy  bal_acc",
        "-------  -----  ---------  ------  ------  ------  ------  ---------  --------  -------",
        "A            8     0.5000  0.7500  0.2500  0.2500  0.7500     0.7500    0.7500   0.7500",
        "B            6     0.3333  0.3333  0.3333  0.6667  0.6667     0.5000    0.5000   0.5000",
        "overall     14     0.4286  0.5714  0.2857  0.4286  0.7143     0.6667    0.6429   0.6429",
    ]
    assert "Disparities (between_groups; no interval)" in lines
    assert (
        "  demographic_parity_ratio       0.6667                      selection_rate: lowest B 0.3333, highest A 0.5000"
    ) in lines


def test_text_output_marks_undefined_and_insufficient_figures(run_cli: Run, csv_writer: Callable[..., Path]) -> None:
    rows = [("A", 1, 1), ("A", 0, 0), ("A", 1, 0), ("A", 0, 1)] + [("C", 0, 0)] * 3
    path = csv_writer(["group", "label", "pred"], rows)
    code, out, _ = run_cli(
        "fairness", "--data", path, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", "--bootstrap", "0", "--min-group-size", "1", "--min-class-size", "2",
    )  # fmt: skip
    assert code == 0
    assert "C            3     0.0000    n/a*  0.0000    n/a*  1.0000       n/a*    1.0000     n/a*" in out
    assert "  C: 0 positive rows (actual positives), fewer than min_class_size 2 " in out


def test_json_output(run_cli: Run, tiny_csv: Path) -> None:
    code, out, err = run_cli(
        "fairness", "--data", tiny_csv, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", "--format", "json", *SMALL,
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["by_group"]["A"]["false_positive_rate"] == 0.25
    assert data["disparities"]["demographic_parity_ratio"]["ci_low"] is not None
    assert set(data) >= {"by_group", "overall", "disparities", "warnings", "insufficient_evidence", "data_sha256"}


def test_output_file_is_json_by_default_and_written_atomically(run_cli: Run, tiny_csv: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "result.json"
    out_file.write_text("old", encoding="utf-8")
    code, out, err = run_cli(
        "fairness", "--data", tiny_csv, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", "-o", out_file, *SMALL,
    )  # fmt: skip
    assert (code, out, err) == (0, "", f"wrote {out_file}\n")
    assert json.loads(out_file.read_text(encoding="utf-8"))["rows"] == 14
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_file_in_text(run_cli: Run, tiny_csv: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "result.txt"
    code, _, _ = run_cli(
        "fairness", "--data", tiny_csv, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", "-o", out_file, "--format", "text", *SMALL,
    )  # fmt: skip
    assert code == 0
    assert out_file.read_text(encoding="utf-8").startswith("Fairness of label by group: 14 rows")


def test_an_unwritable_output(run_cli: Run, tiny_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "result.json"
    code, out, err = run_cli(
        "fairness", "--data", tiny_csv, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", "-o", target, *SMALL,
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == f"error: {target}: -o: the directory {target.parent} does not exist\n"


def test_progress_lines_on_large_inputs(run_cli: Run, tiny_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import riskcheck.fairness.api as api

    monkeypatch.setattr(api, "PROGRESS_MIN_BYTES", 0)
    code, _, err = run_cli(
        "fairness", "--data", tiny_csv, "--target", "label", "--prediction", "pred",
        "--sensitive", "group", *SMALL,
    )  # fmt: skip
    assert code == 0
    assert err.splitlines() == [
        f"reading {tiny_csv} (0 MiB)",
        "aggregating 1 file(s) in DuckDB",
        "14 rows in 2 groups",
        "computing metrics with the duckdb engine",
        "bootstrap: 1,000 replicates",
    ]


def test_positive_label_from_the_command_line_matches_numbers(run_cli: Run, csv_writer: Callable[..., Path]) -> None:
    rows = [("A", 2, 2), ("A", 1, 2), ("B", 2, 1), ("B", 1, 1)]
    path = csv_writer(["g", "y", "p"], rows)
    code, out, _ = run_cli(
        "fairness", "--data", path, "--target", "y", "--prediction", "p", "--sensitive", "g",
        "--positive-label", "2", "--format", "json", *SMALL,
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["by_group"]["A"]["selection_rate"] == 1.0


def test_german_credit_scores_with_a_threshold(run_cli: Run) -> None:
    code, out, _ = run_cli(
        "fairness", "--data", ROOT / "examples" / "data" / "german_credit_scored.csv",
        "--target", "risk", "--score", "score", "--threshold", "0.5",
        "--sensitive", "sex,age_group", "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["rows"] == 1000
    assert data["groups"] == ["female & 25 and over", "female & under 25", "male & 25 and over", "male & under 25"]


def test_python_dash_m_riskcheck_fairness(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "d.csv", ["g", "y", "p"], [("A", 1, 1), ("A", 0, 0), ("B", 1, 0), ("B", 0, 1)])
    done = subprocess.run(
        [
            sys.executable, "-m", "riskcheck", "fairness", "--data", str(data), "--target", "y",
            "--prediction", "p", "--sensitive", "g", "--format", "json", *SMALL,
        ],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["by_group"]["B"]["true_positive_rate"] == 0.0
    bad = subprocess.run(
        [sys.executable, "-m", "riskcheck", "fairness", "--data", str(data), "--target", "nope",
         "--prediction", "p", "--sensitive", "g"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == f"error: {data}: no column 'nope' (the target); available columns: g, y, p\n"
