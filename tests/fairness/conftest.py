"""Fixtures for the fairness tests: the shipped example data and small CSV writers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ADULT = EXAMPLES / "data" / "adult.csv"
ADULT_MODEL = EXAMPLES / "models" / "adult_income.skops"
GERMAN_SCORED = EXAMPLES / "data" / "german_credit_scored.csv"

#: (group, y_true, y_pred) cells of the hand-computed dataset, as (count) rows each.
#: Group A: TP 3, FP 1, FN 1, TN 3.  Group B: TP 1, FP 1, FN 2, TN 2.
TINY_CELLS: tuple[tuple[str, int, int, int], ...] = (
    ("A", 1, 1, 3),
    ("A", 0, 1, 1),
    ("A", 1, 0, 1),
    ("A", 0, 0, 3),
    ("B", 1, 1, 1),
    ("B", 0, 1, 1),
    ("B", 1, 0, 2),
    ("B", 0, 0, 2),
)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write a small CSV; None becomes an empty cell."""
    lines = [",".join(header)]
    lines += [",".join("" if cell is None else str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tiny_rows() -> list[tuple[str, int, int]]:
    return [(group, t, p) for group, t, p, n in TINY_CELLS for _ in range(n)]


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    """The hand-computed dataset: columns group, label, pred."""
    return write_csv(tmp_path / "tiny.csv", ["group", "label", "pred"], tiny_rows())


@pytest.fixture
def csv_writer(tmp_path: Path) -> Callable[..., Path]:
    def write(header: Sequence[str], rows: Iterable[Sequence[Any]], name: str = "data.csv") -> Path:
        return write_csv(tmp_path / name, header, rows)

    return write


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``riskcheck ARGS`` in-process; return (exit code, stdout, stderr)."""
    from riskcheck.cli.main import main

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
