"""Benchmarks of riskcheck's fairness engines.

Scale (the default): Parquet files generated here, 4 columns (race: 5 values, sex: 2,
label, pred), so 10 intersectional groups. Each command runs as a fresh process under
``/usr/bin/time``, which reports wall time and peak RSS:

- ``riskcheck fairness`` end to end with the default engine (DuckDB; 1,000 bootstrap
  replicates, JSON to stdout), against a bare DuckDB ``GROUP BY race, sex, label, pred``
  on the same file (``python -c``, so both pay for starting Python);
- at the sizes given with ``--fairlearn-rows``, ``riskcheck fairness --engine fairlearn``
  too, and the largest difference between its figures and the default engine's.

    python benchmarks/bench_fairness.py                        # 10M rows, fairlearn at 10M
    python benchmarks/bench_fairness.py --rows 10M 100M        # and 100M (about 1 GB of Parquet)
    python benchmarks/bench_fairness.py --rows 1M --fairlearn-rows 1M --keep /tmp/bench

With a model (``--model``): Adult-like rows generated here (the columns the shipped
``examples/models/adult_income.skops`` predicts on, plus ``income``), and
``riskcheck fairness --model`` as a fresh process: DuckDB streams the rows in Arrow
batches through the sandboxed model process and folds each batch's predictions into the
counts. It reports wall time and peak RSS (the largest of riskcheck and its model
process, as ``/usr/bin/time`` measures it; the goal is under 500 MB at 10M rows):

    python benchmarks/bench_fairness.py --model                # 10M rows
    python benchmarks/bench_fairness.py --model --rows 100k    # a quick run
    python benchmarks/bench_fairness.py --model --csv --rows 1M 3M

With ``--csv`` the same rows are written as CSV: riskcheck then decides each feature's
type by its one rule (a first pass over every row) and the model process types each
batch by it, so the peak RSS must stay flat as the rows grow.

In process (``--in-process``): the count engine's arithmetic against fairlearn's
MetricFrame and a bare ``np.bincount`` (1M and 5M rows; ``--quick`` for 100k):

- the count engine end to end: factorising the sensitive columns (strings), one
  bincount of the confusion cells, every per-group and overall metric;
- the same engine from integer group codes, against a bare ``np.bincount`` of the same
  cells (the practical floor; target within 2x);
- fairlearn's MetricFrame computing the same nine metrics, the speed-up, and the
  largest difference between the two (asserted <= 1e-12);
- peak memory: what the count engine allocates as traced by tracemalloc, and for each
  engine the growth of peak RSS while it runs (in a forked child).

Data are synthetic, from a fixed seed. On a shared 2-core machine the figures are
noisy: run twice and compare.
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


# ---------------------------------------------------------------- scale: fresh processes

SCALE_SQL = """
COPY (
    SELECT
        ['White', 'Black', 'Asian-Pac-Islander', 'Amer-Indian-Eskimo', 'Other']
            [1 + CAST(hash(range) % 5 AS BIGINT)] AS race,
        CASE WHEN hash(range + 1) % 2 = 0 THEN 'Female' ELSE 'Male' END AS sex,
        CAST(hash(range + 2) % 100 < 20 + 5 * (hash(range) % 5) AS INTEGER) AS label,
        CAST(hash(range + 3) % 100 < 25 + 3 * (hash(range) % 5) AS INTEGER) AS pred
    FROM range({rows})
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1048576)
"""

#: The floor: DuckDB alone, in a fresh Python process, on the same file (its path is argv[1]).
BARE = (
    "import sys, duckdb; duckdb.execute('SET enable_progress_bar = false'); "
    "print(len(duckdb.execute('SELECT race, sex, label, pred, count(*) FROM read_parquet(?) "
    "GROUP BY race, sex, label, pred', [sys.argv[1]]).fetchall()))"
)


def parse_rows(text: str) -> int:
    multiplier = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if multiplier > 1 else text) * multiplier)


def generate(rows: int, folder: Path) -> Path:
    import duckdb

    path = folder / f"predictions-{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        duckdb.sql(SCALE_SQL.format(rows=rows, path=path))
        print(
            f"generated {path} ({path.stat().st_size / 1024**2:,.0f} MiB) in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return path


def timed_process(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of ``command`` run under /usr/bin/time."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        run = subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%e %M", *command],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({run.returncode}):\n{run.stderr}")
        seconds, kib = report.read().split()[-2:]
    return float(seconds), int(kib) / 1024, run.stdout


def riskcheck_command(path: Path, engine: str) -> list[str]:
    return [
        sys.executable, "-m", "riskcheck", "fairness", "--data", str(path), "--target", "label",
        "--prediction", "pred", "--sensitive", "race,sex", "--engine", engine, "--format", "json",
    ]  # fmt: skip


def largest_figure_difference(first: str, second: str) -> float:
    import json

    a, b = json.loads(first), json.loads(second)
    assert a["groups"] == b["groups"]
    worst = 0.0
    for group in a["groups"]:
        for name, value in a["by_group"][group].items():
            other = b["by_group"][group][name]
            if value is None or other is None:
                assert value is None and other is None, (group, name)
            else:
                worst = max(worst, abs(value - other))
    return worst


def scale(rows_list: list[int], fairlearn_rows: set[int], folder: Path) -> None:
    print(f"{'rows':>12}  {'command':<34}  {'seconds':>8}  {'peak RSS':>9}  vs bare DuckDB")
    for rows in rows_list:
        path = generate(rows, folder)
        bare_s, bare_mib, groups = timed_process([sys.executable, "-c", BARE, str(path)])
        ours_s, ours_mib, ours = timed_process(riskcheck_command(path, "duckdb"))
        print(
            f"{rows:>12,}  {'bare DuckDB GROUP BY':<34}  {bare_s:>8.2f}  {bare_mib:>5.0f} MiB  ({groups.strip()} cells)"
        )
        print(
            f"{rows:>12,}  {'riskcheck fairness (duckdb)':<34}  {ours_s:>8.2f}  {ours_mib:>5.0f} MiB  "
            f"time {ours_s / bare_s:.2f}x, RSS {ours_mib / bare_mib:.2f}x"
        )
        if rows in fairlearn_rows:
            slow_s, slow_mib, slow = timed_process(riskcheck_command(path, "fairlearn"))
            print(
                f"{rows:>12,}  {'riskcheck fairness --engine fairlearn':<34}  {slow_s:>8.2f}  {slow_mib:>5.0f} MiB  "
                f"default engine {slow_s / ours_s:.0f}x faster; max |difference| "
                f"{largest_figure_difference(ours, slow):.1e}"
            )
        sys.stdout.flush()


# ---------------------------------------------------------------- a model, streamed

ADULT_MODEL = Path(__file__).resolve().parent.parent / "examples" / "models" / "adult_income.skops"


def _pick(values: list[str], salt: int) -> str:
    """SQL picking one of ``values`` per row, by a hash of the row number."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"[{listed}][1 + CAST(hash(range + {salt}) % {len(values)} AS BIGINT)]"


ADULT_LIKE_SQL = f"""
COPY (
    SELECT
        17 + CAST(hash(range + 11) % 60 AS BIGINT) AS age,
        {
    _pick(
        [
            "Private",
            "Private",
            "Private",
            "Self-emp-not-inc",
            "Local-gov",
            "?",
            "State-gov",
            "Self-emp-inc",
            "Federal-gov",
            "Without-pay",
        ],
        12,
    )
} AS workclass,
        1 + CAST(hash(range + 13) % 16 AS BIGINT) AS education_num,
        {
    _pick(
        [
            "Married-civ-spouse",
            "Never-married",
            "Divorced",
            "Separated",
            "Widowed",
            "Married-spouse-absent",
            "Married-AF-spouse",
        ],
        14,
    )
} AS marital_status,
        {
    _pick(
        [
            "Prof-specialty",
            "Craft-repair",
            "Exec-managerial",
            "Adm-clerical",
            "Sales",
            "Other-service",
            "Machine-op-inspct",
            "?",
            "Transport-moving",
            "Handlers-cleaners",
            "Farming-fishing",
            "Tech-support",
            "Protective-serv",
            "Priv-house-serv",
            "Armed-Forces",
        ],
        15,
    )
} AS occupation,
        {_pick(["Husband", "Not-in-family", "Own-child", "Unmarried", "Wife", "Other-relative"], 16)} AS relationship,
        {_pick(["White", "White", "White", "White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"], 17)}
            AS race,
        {_pick(["Male", "Male", "Female"], 18)} AS sex,
        CASE WHEN hash(range + 19) % 12 = 0 THEN CAST(hash(range + 20) % 20000 AS BIGINT) ELSE 0 END AS capital_gain,
        CASE WHEN hash(range + 21) % 20 = 0 THEN CAST(hash(range + 22) % 2500 AS BIGINT) ELSE 0 END AS capital_loss,
        10 + CAST(hash(range + 23) % 60 AS BIGINT) AS hours_per_week,
        CASE WHEN hash(range + 24) % 100 < 24 THEN '>50K' ELSE '<=50K' END AS income
    FROM range({{rows}})
) TO '{{path}}' (FORMAT parquet, ROW_GROUP_SIZE 131072)
"""


def generate_adult_like(rows: int, folder: Path, *, csv: bool = False) -> Path:
    import duckdb

    path = folder / f"adult-like-{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        duckdb.sql(ADULT_LIKE_SQL.format(rows=rows, path=path))
        print(
            f"generated {path} ({path.stat().st_size / 1024**2:,.0f} MiB) in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    if not csv:
        return path
    text = path.with_suffix(".csv")
    if not text.exists():
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{path}')) TO '{text}' (FORMAT csv, HEADER)")
        print(f"wrote {text} ({text.stat().st_size / 1024**2:,.0f} MiB)", file=sys.stderr)
    return text


def model_command(path: Path, model: Path = ADULT_MODEL) -> list[str]:
    return [
        sys.executable, "-m", "riskcheck", "fairness", "--data", str(path), "--target", "income",
        "--positive-label", ">50K", "--model", str(model), "--sensitive", "race,sex", "--format", "json",
    ]  # fmt: skip


def with_model(rows_list: list[int], folder: Path, *, csv: bool = False) -> None:
    import json

    label = f"riskcheck fairness --model ({'CSV' if csv else 'Parquet'})"
    print(f"{'rows':>12}  {'command':<40}  {'seconds':>8}  {'peak RSS':>9}  rows/s")
    for rows in rows_list:
        path = generate_adult_like(rows, folder, csv=csv)
        seconds, mib, out = timed_process(model_command(path))
        result = json.loads(out)
        assert result["rows"] == rows, (result["rows"], rows)
        print(
            f"{rows:>12,}  {label:<40}  {seconds:>8.2f}  {mib:>5.0f} MiB  "
            f"{rows / seconds:,.0f}  ({len(result['groups'])} groups; peak RSS goal < 500 MB: "
            f"{'met' if mib * 1024**2 < 500e6 else 'NOT met'})"
        )
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description="riskcheck fairness at scale, and its engines in process.")
    parser.add_argument("--rows", nargs="+", default=["10M"], help="scale: Parquet sizes (10M, 100M, ...)")
    parser.add_argument("--fairlearn-rows", nargs="*", default=["10M"], help="scale: also time --engine fairlearn")
    parser.add_argument("--keep", type=Path, help="scale: keep the generated files in this folder")
    parser.add_argument("--in-process", action="store_true", help="the in-process engine comparison instead")
    parser.add_argument("--quick", action="store_true", help="in process: 100k rows only")
    parser.add_argument("--fairlearn-max-rows", type=int, default=1_000_000, help="in process: skip fairlearn above")
    parser.add_argument("--repeats", type=int, default=5, help="in process: best of N for the fast timings")
    parser.add_argument("--model", action="store_true", help="riskcheck fairness --model on Adult-like rows instead")
    parser.add_argument("--csv", action="store_true", help="model: the rows as CSV (typed by riskcheck's rule)")
    args = parser.parse_args()
    if args.model:
        import tempfile

        rows_list = [parse_rows(text) for text in args.rows]
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            with_model(rows_list, args.keep, csv=args.csv)
        else:
            with tempfile.TemporaryDirectory(prefix="bench-fairness-") as folder:
                with_model(rows_list, Path(folder), csv=args.csv)
        return
    if not args.in_process:
        import tempfile

        rows_list = [parse_rows(text) for text in args.rows]
        fairlearn_rows = {parse_rows(text) for text in args.fairlearn_rows}
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            scale(rows_list, fairlearn_rows, args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="bench-fairness-") as folder:
                scale(rows_list, fairlearn_rows, Path(folder))
        return
    in_process(args)


def in_process(args: argparse.Namespace) -> None:
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
