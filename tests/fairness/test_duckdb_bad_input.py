"""Bad input to the DuckDB engine: each gets exit 2 and a message naming the input and the expectation."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.fairness.test_bad_input import Run, fails

ARGS = ("--target", "y", "--prediction", "p", "--sensitive", "g")
FRAME = pd.DataFrame({"g": ["A", "B"] * 20, "y": [0, 1] * 20, "p": [1, 0] * 20})


def test_a_glob_that_matches_nothing(run_cli: Run, tmp_path: Path) -> None:
    pattern = tmp_path / "logs" / "2026-*.parquet"
    assert fails(run_cli, "--data", pattern, *ARGS) == (
        f"{pattern}: the glob matches no file; expected CSV or Parquet files"
    )


def test_files_with_different_schemas_under_one_glob(run_cli: Run, tmp_path: Path) -> None:
    FRAME.to_parquet(tmp_path / "a.parquet", index=False)
    FRAME.assign(extra=1).to_parquet(tmp_path / "b.parquet", index=False)
    pattern = tmp_path / "*.parquet"
    assert fails(run_cli, "--data", pattern, *ARGS) == (
        f"{pattern}: the files have different schemas (only {tmp_path / 'b.parquet'} has 'extra'); "
        "expected every file to have the same columns"
    )


def test_a_column_whose_type_differs_between_files(run_cli: Run, tmp_path: Path) -> None:
    FRAME.to_parquet(tmp_path / "a.parquet", index=False)
    FRAME.assign(y=FRAME["y"].astype(str)).to_parquet(tmp_path / "b.parquet", index=False)
    assert fails(run_cli, "--data", tmp_path, *ARGS) == (
        f"{tmp_path}: column 'y' is INT64 in {tmp_path / 'a.parquet'} but BYTE_ARRAY UTF8 StringType() in "
        f"{tmp_path / 'b.parquet'}; expected one type in every file"
    )


def test_a_file_that_is_not_what_its_suffix_says_under_a_glob(run_cli: Run, tmp_path: Path) -> None:
    FRAME.to_parquet(tmp_path / "a.parquet", index=False)
    FRAME.to_csv(tmp_path / "b.parquet", index=False)
    assert fails(run_cli, "--data", tmp_path / "*.parquet", *ARGS) == (
        f"{tmp_path / 'b.parquet'}: not a Parquet file (no 'PAR1' magic bytes at both ends); "
        "it looks like a text file (CSV?)"
    )


def test_a_folder_without_parquet_files(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "_SUCCESS").write_text("")
    assert fails(run_cli, "--data", tmp_path, *ARGS) == f"{tmp_path}: the directory holds no .parquet or .pq file"


def test_more_groups_than_the_bound(run_cli: Run, tmp_path: Path) -> None:
    frame = pd.DataFrame({"g": [f"g{i}" for i in range(50)], "y": [0, 1] * 25, "p": [1] * 50})
    frame.to_parquet(tmp_path / "many.parquet", index=False)
    assert fails(run_cli, "--data", tmp_path / "many.parquet", *ARGS, "--max-groups", "20") == (
        f"{tmp_path / 'many.parquet'}: the sensitive column(s) 'g' give more than 20 groups; "
        "expected fewer (raise the bound with --max-groups, or choose coarser columns)"
    )


def test_a_bad_memory_limit(run_cli: Run, tmp_path: Path) -> None:
    FRAME.to_parquet(tmp_path / "a.parquet", index=False)
    assert fails(run_cli, "--data", tmp_path / "a.parquet", *ARGS, "--memory-limit", "lots") == (
        "memory limit: expected a size such as 512MB or 4GB, got 'lots'"
    )


def test_duckdb_out_of_its_memory_and_temp_budget(run_cli: Run, tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "ids.parquet"
    duckdb.sql(
        "COPY (SELECT 'id' || range AS g, range % 2 AS y, range % 3 = 0 AS p FROM range(1500000)) "
        f"TO '{path}' (FORMAT parquet)"
    )
    message = fails(
        run_cli, "--data", path, *ARGS, "--max-groups", "10000000", "--memory-limit", "30MB", "--max-temp", "1MB"
    )
    assert message.startswith(f"{path}: DuckDB ran out of its ")
    assert "raise it with --m" in message


def _dictionary_bomb(path: Path, *, rows: int, value_bytes: int) -> None:
    """A Parquet file whose one column repeats a huge string: tiny on disk, enormous decoded."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    huge = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * value_bytes]))
    table = pa.table({"g": huge, "y": pa.array([0, 1] * (rows // 2)), "p": pa.array([1] * rows)})
    pq.write_table(table, path, compression="zstd", use_dictionary=True)


def test_a_parquet_dictionary_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """2,000 rows of one 4 MB string: 8 GB decoded, a few KB on disk."""
    path = tmp_path / "bomb.parquet"
    _dictionary_bomb(path, rows=2000, value_bytes=4 * 1024**2)
    assert path.stat().st_size < 64 * 1024
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run = subprocess.run(
        [sys.executable, "-m", "riskcheck", "fairness", "--data", str(path), *ARGS, "--memory-limit", "512MB"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    peak_mib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error: {path}: ")
    assert len(run.stderr) < 500
    assert peak_mib < 1024


@pytest.mark.parametrize("engine", ["count", "duckdb"])
def test_a_dictionary_bomb_in_the_target(run_cli: Run, tmp_path: Path, engine: str) -> None:
    path = tmp_path / "bomb.parquet"
    _dictionary_bomb(path, rows=200, value_bytes=1024**2)
    code, out, err = run_cli(
        "fairness", "--data", path, "--target", "g", "--prediction", "p", "--sensitive", "y", "--engine", engine
    )
    assert (code, out) == (2, "")
    assert "Traceback" not in err and len(err) < 600


def test_the_text_output_names_the_identity_and_clips_long_group_names(run_cli: Run, tmp_path: Path) -> None:
    name = "a" * 30 + "b" * 100 + "c" * 30
    frame = pd.DataFrame({"g": ["A", name] * 20, "y": [0, 1] * 20, "p": [1, 0] * 20})
    for index in range(2):
        frame.to_parquet(tmp_path / f"part-{index}.parquet", index=False)
    pattern = tmp_path / "part-*.parquet"
    code, out, err = run_cli("fairness", "--data", pattern, *ARGS, "--bootstrap", "0", "--full-hash-limit", "1KB")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Fairness of y by g: 80 rows in 2 groups (duckdb engine)"
    assert lines[1].startswith(f"data {pattern} fingerprint ")
    assert lines[2] == (
        "data identity: fingerprint (file sizes and Parquet footers), not a hash of every byte: not "
        "tamper-evident; riskcheck fairness --full-hash gives the full hash"
    )
    clipped = "a" * 29 + "…" + "c" * 30
    assert any(line.startswith(f"{clipped}  ") for line in lines)
    for more in (["--full-hash-limit", "1KB", "--full-hash"], []):  # the default limit is 2 GiB
        code, out, err = run_cli("fairness", "--data", pattern, *ARGS, "--bootstrap", "0", *more)
        assert out.splitlines()[1].startswith(f"data {pattern} sha256 ")
        assert out.splitlines()[2] == ""
    code, out, err = run_cli("fairness", "--data", pattern, *ARGS, "--full-hash-limit", "lots")
    assert code == 2
    assert "--full-hash-limit" in err and "expected a size such as 2GiB, 500MB or 0, got 'lots'" in err


def test_an_interrupted_query_is_a_keyboard_interrupt_and_leaves_no_temp_folder() -> None:
    import glob
    import tempfile
    import threading

    from riskcheck.fairness.duck import ScanLimits, connect

    pattern = str(Path(tempfile.gettempdir()) / "riskcheck-duckdb-*")
    before = set(glob.glob(pattern))
    with pytest.raises(KeyboardInterrupt), connect(ScanLimits()) as connection:
        threading.Timer(0.3, connection.interrupt).start()
        connection.execute("SELECT count(*) FROM range(1000000000000) WHERE hash(range) % 7 = 1").fetchall()
    assert set(glob.glob(pattern)) <= before
