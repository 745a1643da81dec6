"""DuckDB reads exactly the files riskcheck checked, never others that their names match as globs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ARGS = ["--target", "y", "--prediction", "p", "--sensitive", "g", "--format", "json"]


def _rows(folder: Path, data: str) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "riskcheck", "fairness", "--data", data, *ARGS, "-o", "out.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(json.loads((folder / "out.json").read_text(encoding="utf-8"))["rows"])


@pytest.mark.parametrize("name", ["*.csv", "x[1].csv", "?.csv"])
def test_a_file_named_like_a_glob_is_read_alone(tmp_path: Path, name: str) -> None:
    # Before: DuckDB globbed the checked name again and also read the unchecked files it
    # matched (x1.csv, b.csv), rows the data's sha256 never covered.
    (tmp_path / name).write_text("g,y,p\n" + "a,1,1\nb,0,0\n" * 20, encoding="utf-8")
    for other in ("b.csv", "x1.csv"):
        (tmp_path / other).write_text("g,y,p\n" + "c,1,1\n" * 50, encoding="utf-8")
    assert _rows(tmp_path, name) == 40
