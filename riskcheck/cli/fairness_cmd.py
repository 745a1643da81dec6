"""``riskcheck fairness``: disparity metrics by sensitive group for a dataset."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from riskcheck.fairness.result import FairnessResult
from riskcheck.render.fairness_table import LEGEND, fairness_table, render_text, safe_lines


def _columns(value: str | None) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _where(pairs: Sequence[str]) -> dict[str, str] | None:
    if not pairs:
        return None
    result = {}
    for pair in pairs:
        column, sep, value = pair.partition("=")
        if not sep or not column:
            raise click.BadParameter(f"expected COLUMN=VALUE, got {pair!r}", param_hint="--where")
        result[column.strip()] = value
    return result


@click.command(name="fairness")
@click.option(
    "--data",
    "data",
    # text, not a Path: a Spark path such as s3a://bucket/logs must keep its two slashes
    type=click.Path(),
    help="CSV or Parquet file, a glob ('logs/*.parquet'), or a folder of Parquet files (or, with --engine spark, "
    "a path Spark can read).",
)
@click.option("--target", required=True, metavar="COL", help="Column with the true outcome.")
@click.option("--prediction", metavar="COL", help="Column with the predicted outcome.")
@click.option("--score", metavar="COL", help="Column with a score (use with --threshold).")
@click.option(
    "--threshold",
    type=float,
    help="Predict positive when the score (or the model's probability) >= T.",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    help="Model file (.skops; .pkl/.joblib with --trust-model).",
)
@click.option(
    "--features",
    metavar="COL[,COL]",
    help="Columns the model predicts on (default: those it was fit on).",
)
@click.option(
    "--trust-model",
    is_flag=True,
    help=(
        "Trust the model to run code when loaded (pickle/joblib, untrusted skops types); prints the sha256. "
        "Without it, only models whose sha256 is in [tool.riskcheck] trusted-models are trusted."
    ),
)
@click.option(
    "--sensitive",
    required=True,
    metavar="COL[,COL]",
    help="Sensitive columns; several give intersectional groups.",
)
@click.option(
    "--positive-label",
    metavar="VALUE",
    help="The favourable outcome, when the target is not 0/1.",
)
@click.option("--sample-weight", metavar="COL", help="Column of non-negative row weights.")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="COL=VALUE",
    help="Keep only matching rows (repeatable).",
)
@click.option(
    "--task",
    type=click.Choice(["classification", "regression"]),
    default="classification",
    show_default=True,
)
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "count", "fairlearn", "spark"]),
    default="duckdb",
    show_default=True,
    help="duckdb: one GROUP BY over the files; count: in memory; fairlearn: the slow reference; "
    "spark: the GROUP BY as a Spark job (local[2], or --spark-remote).",
)
@click.option(
    "--table",
    metavar="NAME",
    help="With --engine spark: read this table (catalog.schema.table) instead of --data.",
)
@click.option(
    "--spark-remote",
    metavar="URL",
    help="With --engine spark: a Spark Connect server, sc://host:15002 (default: $SPARK_REMOTE, else local).",
)
@click.option(
    "--spark-timeout",
    type=float,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="With --engine spark: how long to wait for the Spark Connect server.",
)
@click.option(
    "--sensitive-data",
    metavar="FILE_OR_TABLE",
    help="A separate file (or glob, or folder) with the sensitive columns, or with --engine spark a table "
    "(catalog.schema.table); use with --join-on.",
)
@click.option("--join-on", metavar="COL", help="Key column joining --data to --sensitive-data.")
@click.option(
    "--suppress-below",
    type=int,
    default=None,
    metavar="K",
    help="Privacy: leave out groups with fewer than K rows from every figure.",
)
@click.option(
    "--memory-limit",
    default="1GB",
    show_default=True,
    metavar="SIZE",
    help="DuckDB's memory budget.",
)
@click.option(
    "--max-temp",
    default="10GB",
    show_default=True,
    metavar="SIZE",
    help="DuckDB's temp-space budget when it spills.",
)
@click.option(
    "--max-groups",
    type=int,
    default=10_000,
    show_default=True,
    help="Most (intersectional) groups a result may hold.",
)
@click.option(
    "--full-hash",
    is_flag=True,
    help="Identify the data by the sha256 of every byte at any size, never a fingerprint.",
)
@click.option(
    "--full-hash-limit",
    default="2GiB",
    show_default=True,
    metavar="SIZE",
    help=(
        "Data up to this size in total is identified by the sha256 of every byte; larger data by a "
        "fingerprint (file sizes and Parquet footers), which is not tamper-evident."
    ),
)
@click.option(
    "--compare",
    type=click.Choice(["between_groups", "overall", "reference"]),
    default="between_groups",
    show_default=True,
)
@click.option(
    "--reference-group",
    metavar="GROUP",
    help="The group to compare against with --compare reference.",
)
@click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Fewest rows for a group to count (default 30).",
)
@click.option(
    "--min-class-size",
    type=int,
    default=None,
    help="Fewest positives/negatives behind a rate (default 10).",
)
@click.option(
    "--bootstrap",
    "replicates",
    type=int,
    default=None,
    help="Bootstrap replicates (default 1000; 0 turns intervals off).",
)
@click.option("--seed", type=int, default=None, help="Bootstrap seed.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Output format (default: text, or json with -o).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the output here, atomically, instead of to stdout.",
)
def command(
    data: str | None,
    target: str,
    prediction: str | None,
    score: str | None,
    threshold: float | None,
    model: Path | None,
    features: str | None,
    trust_model: bool,
    sensitive: str,
    positive_label: str | None,
    sample_weight: str | None,
    where: tuple[str, ...],
    task: str,
    engine: str,
    table: str | None,
    spark_remote: str | None,
    spark_timeout: float,
    sensitive_data: str | None,
    join_on: str | None,
    suppress_below: int | None,
    memory_limit: str,
    max_temp: str,
    max_groups: int,
    full_hash: bool,
    full_hash_limit: str,
    compare: str,
    reference_group: str | None,
    min_group_size: int | None,
    min_class_size: int | None,
    replicates: int | None,
    seed: int | None,
    output_format: str | None,
    output: Path | None,
) -> None:
    """Compute fairlearn disparity metrics by sensitive group on a dataset.

    Give the prediction one way: --prediction COL, --score COL --threshold T, or
    --model FILE. Example:

      riskcheck fairness --data adult.csv --target income --positive-label '>50K'
      --model adult_income.skops --sensitive sex,race --where split=test
    """
    from riskcheck.fairness.api import compute_fairness
    from riskcheck.fairness.duck import ScanLimits
    from riskcheck.fairness.spec import DEFAULT_MIN_CLASS_SIZE, DEFAULT_MIN_GROUP_SIZE
    from riskcheck.fairness.trust import project_trust
    from riskcheck.files.fileio import check_output, note_input_patterns

    _data_or_table(data, table, engine, spark_remote)
    from riskcheck.fairness.identity import parse_size

    try:
        hash_limit = parse_size(full_hash_limit)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--full-hash-limit") from None
    if threshold is not None and not math.isfinite(threshold):
        raise click.BadParameter(f"expected a finite number, got {threshold}", param_hint="--threshold")
    if output is not None:
        named = (data, model, sensitive_data)
        note_input_patterns(Path.cwd(), *(str(path) for path in named if path is not None))
        check_output(output, option="-o")

    def to_stderr(message: str) -> None:
        click.echo(safe_lines(message), err=True)

    bootstrap: dict[str, Any] = {}
    if replicates is not None:
        bootstrap["replicates"] = replicates
    if seed is not None:
        bootstrap["seed"] = seed
    result = compute_fairness(
        data,
        table=table,
        target=target,
        sensitive=_columns(sensitive),
        prediction=prediction,
        score=score,
        threshold=threshold,
        model=model,
        features=_columns(features) if features is not None else None,
        trust=project_trust(every_model=trust_model),
        positive_label=positive_label,
        sample_weight=sample_weight,
        where=_where(where),
        task=task,
        min_group_size=DEFAULT_MIN_GROUP_SIZE if min_group_size is None else min_group_size,
        min_class_size=DEFAULT_MIN_CLASS_SIZE if min_class_size is None else min_class_size,
        compare=compare,
        reference_group=reference_group,
        engine=engine,
        spark=_spark_settings(engine, table, spark_remote, spark_timeout, max_groups),
        sensitive_data=sensitive_data,
        join_on=join_on,
        suppress_below=suppress_below,
        scan=ScanLimits(memory_limit=memory_limit, max_temp=max_temp, max_groups=max_groups),
        data_identity="sha256" if full_hash else "auto",
        full_hash_limit=hash_limit,
        bootstrap=_bootstrap(bootstrap),
        progress=to_stderr,
        warn=to_stderr,
    )
    chosen = output_format or ("json" if output is not None else "text")
    if chosen == "json":
        text = result.to_json()
    else:
        text = render_text(result)
    if output is None:
        if chosen == "text" and sys.stdout.isatty():
            _print_rich(result)
        else:
            click.echo(text, nl=False)
        return
    from riskcheck.files.fileio import write_output

    write_output(output, text, option="-o")
    click.echo(f"wrote {output}", err=True)


def _data_or_table(data: str | None, table: str | None, engine: str, remote: str | None) -> None:
    """Exactly one of the data path and the table name (the table with spark)."""
    if engine != "spark":
        for value, option in ((table, "--table"), (remote, "--spark-remote")):
            if value is not None:
                raise click.UsageError(f"{option} needs --engine spark")
    if (data is None) == (table is None):
        raise click.UsageError("give the data one way: --data PATH, or --table NAME with --engine spark")


def _spark_settings(engine: str, table: str | None, remote: str | None, timeout: float, max_groups: int) -> Any:
    if engine != "spark":
        return None
    from riskcheck.fairness.spark import SparkSettings

    return SparkSettings(remote=remote, timeout=timeout, max_groups=max_groups)


def _bootstrap(settings: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from riskcheck.core.errors import DataError
    from riskcheck.fairness.spec import BootstrapSpec

    try:
        return BootstrapSpec(**settings)
    except ValidationError as exc:
        from riskcheck.core.loader import validation_message

        first = exc.errors(include_url=False)[0]
        field = "--bootstrap" if first["loc"][0] == "replicates" else f"--{first['loc'][0]}"
        raise DataError(f"{field}: {validation_message(first)}") from None


def _print_rich(result: FairnessResult) -> None:
    """The same report with rich's table on a terminal."""
    from rich.console import Console
    from rich.table import Table

    headings, rows = fairness_table(result)
    console = Console()
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    if sum(widths) + 3 * len(widths) + 1 > console.width:
        # a cropped figure ("0.50…") would mislead: print the plain table instead
        click.echo(render_text(result), nl=False)
        return
    table = Table(title=f"{result.rows:,} rows by {', '.join(result.config.get('sensitive', []))}")
    for index, heading in enumerate(headings):
        table.add_column(heading, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    text = render_text(result).split("\n\n", 2)
    console.print(text[0], highlight=False)
    console.print(table)
    console.print(LEGEND, highlight=False)
    console.print()
    if len(text) > 2:
        console.print(text[2], highlight=False, end="")
