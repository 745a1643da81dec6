"""Benchmark: riskcheck's count engine against fairlearn's MetricFrame and a bare bincount.

    python benchmarks/bench_fairness.py            # 1M and 5M rows (fairlearn at 1M only)
    python benchmarks/bench_fairness.py --quick    # 100k rows, a few seconds
    python benchmarks/bench_fairness.py --fairlearn-max-rows 5000000   # fairlearn at 5M too

For each size and grouping (4 groups; 4x5 = 20 intersectional groups) it reports:

- the count engine end to end: factorising the sensitive columns (strings), one
  bincount of the confusion cells, every per-group and overall metric;
- the same engine from integer group codes, against a bare ``np.bincount`` of the same
  cells (the practical floor; target within 2x);
- fairlearn's MetricFrame computing the same nine metrics, the speed-up (target >= 50x
  at 1M rows), and the largest difference between the two (asserted <= 1e-12);
- peak memory: what the count engine allocates as traced by tracemalloc, and for each
  engine the growth of peak RSS while it runs (in a forked child, so the runs do not
  disturb each other and fairlearn is not slowed by tracing).

Data are synthetic, from a fixed seed: group-dependent base and selection rates.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from riskcheck.fairness.counts import confusion_counts, metrics_from_counts
from riskcheck.fairness.data import encode_groups

SEED = 20240101
METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "precision",
    "accuracy",
    "balanced_accuracy",
)


def synthetic(rows: int, shape: tuple[int, ...]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Sensitive string columns with ``shape`` values each, and outcomes that depend on them."""
    rng = np.random.default_rng(SEED)
    columns = {}
    combined = np.zeros(rows, dtype=np.int64)
    for index, size in enumerate(shape):
        codes = rng.integers(0, size, rows)
        combined = combined * size + codes
        columns[f"s{index}"] = pd.Series(np.array([f"v{index}_{k}" for k in range(size)])[codes], dtype="str")
    groups = int(np.prod(shape))
    base = rng.uniform(0.1, 0.5, groups)[combined]
    y_true = rng.random(rows) < base
    selected = np.where(y_true, rng.uniform(0.5, 0.9, groups)[combined], rng.uniform(0.05, 0.3, groups)[combined])
    y_pred = rng.random(rows) < selected
    return pd.DataFrame(columns), y_true, y_pred


def count_engine(frame: pd.DataFrame, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    groups = encode_groups(frame, list(frame.columns))
    weighted, rows = confusion_counts(groups.codes, len(groups.labels), y_true, y_pred)
    metrics = metrics_from_counts(weighted)
    overall = metrics_from_counts(weighted.sum(axis=0))
    return {"labels": groups.labels, "codes": groups.codes, "metrics": metrics, "overall": overall, "rows": rows}


def engine_from_codes(codes: np.ndarray, n_groups: int, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
    weighted, _ = confusion_counts(codes, n_groups, y_true, y_pred)
    return metrics_from_counts(weighted), metrics_from_counts(weighted.sum(axis=0))


def bare_bincount(codes: np.ndarray, n_groups: int, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return np.bincount(codes * 4 + y_true * 2 + y_pred, minlength=n_groups * 4)


def metric_frame(frame: pd.DataFrame, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
    import fairlearn.metrics as flm
    import sklearn.metrics as skm

    functions = {
        "count": flm.count,
        "selection_rate": flm.selection_rate,
        "true_positive_rate": flm.true_positive_rate,
        "false_positive_rate": flm.false_positive_rate,
        "false_negative_rate": flm.false_negative_rate,
        "true_negative_rate": flm.true_negative_rate,
        "precision": skm.precision_score,
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return flm.MetricFrame(
            metrics=functions,
            y_true=y_true.astype(np.int64),
            y_pred=y_pred.astype(np.int64),
            sensitive_features=frame,
        )


def timed(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best wall time of ``repeats`` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def traced_peak(function: Callable[[], Any]) -> float:
    """Peak bytes allocated (as traced by tracemalloc; numpy reports its buffers) in MiB."""
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024**2


def _current_rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 1024**2


def in_child(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``function`` in a forked child: (seconds, peak RSS growth in MiB, result).

    A fork shares the parent's data for free, and the child's peak RSS is its own, so
    the growth is what the function allocated, without tracemalloc's overhead.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        gc.collect()
        before = _current_rss_mib()
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        send.send((seconds, max(peak - before, 0.0), result))

    process = context.Process(target=child)
    process.start()
    outcome = receive.recv()
    process.join()
    return outcome  # type: ignore[no-any-return]


def largest_difference(engine: dict[str, Any], frame: Any) -> float:
    by_group = frame.by_group
    keys = [" & ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in by_group.index]
    by_group.index = keys
    by_group = by_group.loc[list(engine["labels"])]
    worst = 0.0
    for name in METRICS:
        ours = engine["metrics"][name]
        theirs = by_group[name].to_numpy(dtype=float)
        worst = max(worst, float(np.nanmax(np.abs(ours - theirs))))
        worst = max(worst, abs(float(engine["overall"][name]) - float(frame.overall[name])))
    counts = by_group["count"].to_numpy()
    assert (counts == engine["rows"].sum(axis=1)).all()
    return worst


def run(rows: int, shape: tuple[int, ...], fairlearn: bool, repeats: int) -> dict[str, Any]:
    frame, y_true, y_pred = synthetic(rows, shape)
    engine_time, engine = timed(lambda: count_engine(frame, y_true, y_pred), repeats)
    codes, n_groups = engine["codes"], len(engine["labels"])
    codes_time, _ = timed(lambda: engine_from_codes(codes, n_groups, y_true, y_pred), repeats)
    bare_time, bare = timed(lambda: bare_bincount(codes, n_groups, y_true, y_pred), repeats)
    assert (bare.reshape(n_groups, 4) == engine["rows"]).all()
    row: dict[str, Any] = {
        "rows": rows,
        "groups": " x ".join(map(str, shape)) + (f" = {n_groups}" if len(shape) > 1 else ""),
        "engine_s": engine_time,
        "codes_s": codes_time,
        "bare_s": bare_time,
        "engine_mib": traced_peak(lambda: count_engine(frame, y_true, y_pred)),
        "fairlearn_s": None,
        "fairlearn_mib": None,
        "difference": None,
    }
    _, row["engine_rss_mib"], _ = in_child(lambda: count_engine(frame, y_true, y_pred) and None)
    if fairlearn:
        row["fairlearn_s"], row["fairlearn_mib"], row["difference"] = in_child(
            lambda: largest_difference(engine, metric_frame(frame, y_true, y_pred))
        )
        assert row["difference"] <= 1e-12, row["difference"]
    return row


def show(rows: list[dict[str, Any]]) -> None:
    headings = (
        "rows",
        "groups",
        "count engine",
        "from codes",
        "bare bincount",
        "codes/bare",
        "fairlearn",
        "speed-up",
        "max |diff|",
        "engine traced",
        "engine RSS+",
        "fairlearn RSS+",
    )
    table = []
    for row in rows:
        fairlearn = row["fairlearn_s"]
        table.append(
            (
                f"{row['rows']:,}",
                row["groups"],
                f"{row['engine_s'] * 1000:.0f} ms",
                f"{row['codes_s'] * 1000:.1f} ms",
                f"{row['bare_s'] * 1000:.1f} ms",
                f"{row['codes_s'] / row['bare_s']:.2f}x",
                "skipped" if fairlearn is None else f"{fairlearn:.1f} s",
                "" if fairlearn is None else f"{fairlearn / row['engine_s']:.0f}x",
                "" if row["difference"] is None else f"{row['difference']:.1e}",
                f"{row['engine_mib']:.0f} MiB",
                f"{row['engine_rss_mib']:.0f} MiB",
                "" if row["fairlearn_mib"] is None else f"{row['fairlearn_mib']:.0f} MiB",
            )
        )
    widths = [max(len(str(cell)) for cell in column) for column in zip(headings, *table, strict=True)]
    print("  ".join(h.rjust(w) for h, w in zip(headings, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in table:
        print("  ".join(str(c).rjust(w) for c, w in zip(line, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Count engine vs fairlearn MetricFrame vs bare bincount.")
    parser.add_argument("--quick", action="store_true", help="100k rows only")
    parser.add_argument("--fairlearn-max-rows", type=int, default=1_000_000, help="skip fairlearn above this")
    parser.add_argument("--repeats", type=int, default=5, help="best of N for the fast timings")
    args = parser.parse_args()
    sizes = [100_000] if args.quick else [1_000_000, 5_000_000]
    results = []
    for rows in sizes:
        for shape in ((4,), (4, 5)):
            results.append(run(rows, shape, rows <= args.fairlearn_max_rows, args.repeats))
            print(f"done: {rows:,} rows, groups {shape}", file=sys.stderr, flush=True)
    print(
        "Nine metrics per group and overall (count, selection rate, TPR, FPR, FNR, TNR, "
        "precision, accuracy, balanced accuracy). Times are the best of "
        f"{args.repeats} runs (fairlearn: one run)."
    )
    show(results)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {peak_rss:,.0f} MiB; numpy {np.__version__}, pandas {pd.__version__}")


if __name__ == "__main__":
    main()
