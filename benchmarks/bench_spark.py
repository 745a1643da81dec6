"""The Spark engine against the DuckDB engine, on the Parquet files of bench_fairness.py.

Each command runs as a fresh process under ``/usr/bin/time`` (wall time, and the peak
RSS of the Python process: Spark's JVM is not reaped by it, so its memory is not counted):

- ``riskcheck fairness`` with the default engine (DuckDB) and with ``--engine spark``
  (a local[2] session, started and stopped by the command), 1,000 bootstrap
  replicates, JSON to stdout;
- a bare PySpark ``groupBy(race, sex, label, pred).count()`` in local[2], the floor;
- the largest difference between the two engines' figures (every group's metrics, the
  overall ones, every disparity and its interval), asserted <= 1e-12.

    python benchmarks/bench_spark.py                        # 10M rows
    python benchmarks/bench_spark.py --rows 10M 100M --keep /tmp/bench

Spark's figures include its start-up (a JVM, about 5 s on an idle machine).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fairness import generate, parse_rows, riskcheck_command, timed_process

TOLERANCE = 1e-12

#: The floor: PySpark alone, local[2], in a fresh process, on the same file (argv[1]).
BARE_SPARK = (
    "import sys; from pyspark.sql import SparkSession; "
    "s = SparkSession.builder.master('local[2]').config('spark.ui.enabled', 'false')"
    ".config('spark.sql.shuffle.partitions', '2').getOrCreate(); "
    "print(s.read.parquet(sys.argv[1]).groupBy('race', 'sex', 'label', 'pred').count().count()); s.stop()"
)


def largest_difference(first: str, second: str) -> float:
    """The largest |difference| between two results' figures; None must meet None."""
    a, b = json.loads(first), json.loads(second)
    assert a["groups"] == b["groups"] and a["rows"] == b["rows"]
    pairs: list[tuple[Any, Any, str]] = []
    for group in a["groups"]:
        pairs += [(v, b["by_group"][group][k], f"{group} {k}") for k, v in a["by_group"][group].items()]
    pairs += [(v, b["overall"][k], f"overall {k}") for k, v in a["overall"].items()]
    for name, disparity in a["disparities"].items():
        for key in ("value", "ci_low", "ci_high"):
            pairs.append((disparity[key], b["disparities"][name][key], f"{name} {key}"))
    worst = 0.0
    for x, y, where in pairs:
        if x is None or y is None:
            assert x is None and y is None, where
        else:
            worst = max(worst, abs(x - y))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description="riskcheck fairness: the Spark engine beside the DuckDB engine.")
    parser.add_argument("--rows", nargs="+", default=["10M"], help="Parquet sizes (10M, 100M, ...)")
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the generated files in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="riskcheck-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'rows':>12}  {'command':<32}  {'seconds':>8}  {'peak RSS':>9}")
        for rows in [parse_rows(text) for text in args.rows]:
            path = generate(rows, folder)
            duck_s, duck_mib, duck = timed_process(riskcheck_command(path, "duckdb"))
            spark_s, spark_mib, spark = timed_process(riskcheck_command(path, "spark"))
            bare_s, bare_mib, cells = timed_process([sys.executable, "-c", BARE_SPARK, str(path)])
            difference = largest_difference(duck, spark)
            print(f"{rows:>12,}  {'riskcheck fairness (duckdb)':<32}  {duck_s:>8.2f}  {duck_mib:>5.0f} MiB")
            print(
                f"{rows:>12,}  {'riskcheck fairness --engine spark':<32}  {spark_s:>8.2f}  {spark_mib:>5.0f} MiB  "
                f"{spark_s / duck_s:.1f}x DuckDB's time; max |difference| {difference:.1e}"
            )
            print(
                f"{rows:>12,}  {'bare PySpark groupBy':<32}  {bare_s:>8.2f}  {bare_mib:>5.0f} MiB  "
                f"({cells.strip()} cells)"
            )
            assert difference <= TOLERANCE, f"the engines differ by {difference:.1e}"
            sys.stdout.flush()


if __name__ == "__main__":
    main()
