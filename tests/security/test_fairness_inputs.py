"""Hostile fairness inputs: special files, Parquet that expands, model files that lie."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness import data
from riskcheck.fairness.data import read_table
from riskcheck.fairness.model import _read_predictions

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "models" / "adult_income.skops"


def riskcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcheck", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_a_fifo_as_data_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "data.csv")
    result = riskcheck(
        "fairness", "--data", "data.csv", "--target", "y", "--prediction", "p", "--sensitive", "s", cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (
        2,
        "error: data.csv: is not a regular file (a pipe or a device?); expected a csv file\n",
    )


def test_parquet_rows_are_bounded_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data.parquet"
    pd.DataFrame({"y": np.zeros(1000, dtype=np.int64), "s": ["a"] * 1000}).to_parquet(path)
    monkeypatch.setattr(data, "MAX_DATA_ROWS", 999)
    with pytest.raises(DataError) as caught:
        read_table(path, display="data.parquet", columns=None)
    assert str(caught.value) == "data.parquet: 1,000 rows; riskcheck reads at most 999"


def test_parquet_size_is_bounded_uncompressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data.parquet"
    pd.DataFrame({"y": np.arange(100_000, dtype=np.int64)}).to_parquet(path, compression="zstd")
    size = path.stat().st_size
    monkeypatch.setattr(data, "MAX_DATA_BYTES", size + 10)  # the file fits; its data does not
    with pytest.raises(DataError) as caught:
        read_table(path, display="data.parquet", columns=None)
    assert str(caught.value).startswith("data.parquet: the data is ")
    assert str(caught.value).endswith(f" bytes uncompressed; riskcheck reads at most {size + 10:,}")


def test_csv_rows_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data.csv"
    path.write_text("y,s\n" + "1,a\n" * 11, encoding="utf-8")
    monkeypatch.setattr(data, "MAX_DATA_ROWS", 10)
    with pytest.raises(DataError) as caught:
        read_table(path, display="data.csv", columns=None)
    assert str(caught.value) == "data.csv: more than 10 rows; riskcheck reads at most 10"


def test_type_names_from_a_skops_file_cannot_start_a_ci_command(tmp_path: Path) -> None:
    with zipfile.ZipFile(MODEL) as original, zipfile.ZipFile(tmp_path / "evil.skops", "w") as evil:
        for name in original.namelist():
            content = original.read(name)
            if name == "schema.json":
                schema = json.loads(content)
                schema["__module__"] = "os\n::error title=pwned::injected\x1b[2J"
                schema["__class__"] = "system"
                content = json.dumps(schema).encode()
            evil.writestr(name, content)
    frame = pd.read_csv(ROOT / "examples" / "data" / "adult.csv", nrows=50)
    frame.to_csv(tmp_path / "data.csv", index=False)
    result = riskcheck(
        "fairness", "--data", "data.csv", "--target", "income", "--model", "evil.skops", "--sensitive", "sex",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "error: evil.skops: refusing to load the model: it holds types that riskcheck does not trust: "
        "os\\n::error title=pwned::injected\\x1b[2J.system. Save it with scikit-learn and numpy types only; "
        f"if you trust this file (sha256 {hashlib.sha256((tmp_path / 'evil.skops').read_bytes()).hexdigest()}), "
        "pass --trust-model or list its sha256 under [tool.riskcheck] trusted-models in the project's pyproject.toml\n"
    )


def test_predictions_from_the_model_process_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "predictions.npy"
    np.save(path, np.zeros(10_000))
    with pytest.raises(DataError) as caught:
        _read_predictions(path, rows=3, display="m.skops")
    assert str(caught.value) == "m.skops: the model process wrote 80,128 bytes of predictions for 3 rows"
    np.save(path, np.zeros((2, 3)))
    with pytest.raises(DataError) as caught:
        _read_predictions(path, rows=3, display="m.skops")
    assert str(caught.value) == "m.skops: the model process wrote predictions of shape (2, 3) for 3 rows"
    np.save(path, np.array([object()] * 3, dtype=object), allow_pickle=True)
    with pytest.raises(DataError) as caught:
        _read_predictions(path, rows=3, display="m.skops")
    assert str(caught.value).startswith("m.skops: the model process wrote unreadable predictions: ")
    np.save(path, np.array([1, 0, 1]))
    assert _read_predictions(path, rows=3, display="m.skops").tolist() == [1, 0, 1]
