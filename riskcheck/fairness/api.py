"""The public entry points: compute fairness metrics, or read a saved result.

pandas, numpy, fairlearn and scikit-learn are imported inside the functions, so that
importing this module is cheap; a missing one is a :class:`MissingDependencyError`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import DataError, MissingDependencyError, RiskcheckError
from riskcheck.fairness.model import ModelLimits
from riskcheck.fairness.result import FairnessResult
from riskcheck.fairness.spec import (
    CLASSIFICATION_DISPARITIES,
    CLASSIFICATION_METRICS,
    DEFAULT_MIN_CLASS_SIZE,
    DEFAULT_MIN_GROUP_SIZE,
    REGRESSION_DISPARITIES,
    REGRESSION_METRICS,
    BootstrapSpec,
    FairnessSpec,
    Scalar,
    Threshold,
)
from riskcheck.fairness.trust import ModelTrust, current_trust

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from riskcheck.fairness.duck import ScanLimits
    from riskcheck.fairness.inputs import Inputs
    from riskcheck.fairness.spark import SparkSettings
    from riskcheck.fairness.tally import CountTable

Callback = Callable[[str], None]

#: Data files at least this large get progress lines.
PROGRESS_MIN_BYTES = 16 * 1024**2
#: The largest saved result riskcheck reads.
MAX_RESULT_BYTES = 64 * 1024**2


def evaluate_fairness(
    spec: FairnessSpec,
    base_dir: Path,
    *,
    progress: Callback | None = None,
    warn: Callback | None = None,
    limits: ModelLimits | None = None,
    scan: ScanLimits | None = None,
    data_identity: str = "auto",
    trust: ModelTrust | None = None,
    spark: SparkSettings | None = None,
    full_hash_limit: int | None = None,
) -> FairnessResult:
    """Compute (or read, with ``spec.result``) the fairness result an assessment declares.

    Paths in ``spec`` are relative to ``base_dir``, the assessment's directory.
    ``scan`` bounds the DuckDB engine's memory, temp space and groups (settings of whoever
    runs riskcheck, never of the file); ``data_identity`` is ``auto``, ``sha256`` or
    ``fingerprint`` (see :mod:`riskcheck.fairness.identity`).
    ``progress`` receives a line per stage on large inputs; ``warn`` receives warnings
    a person should see at once (a trusted pickle's sha256), which also end up in the
    result's ``warnings``. ``trust`` names the model files that may run code when
    loaded; it comes from whoever runs riskcheck, never from ``spec``. By default it is
    the trust of the command running (:func:`riskcheck.fairness.trust.current_trust`),
    and outside one nothing is trusted. ``spark`` says where ``engine: spark`` runs (default:
    ``SPARK_REMOTE``, else a local session) and may name a table to read instead of ``spec.data``.
    ``full_hash_limit``: data of at most this many bytes is identified by the sha256 of its
    content (default :data:`~riskcheck.fairness.identity.DEFAULT_FULL_HASH_LIMIT`).

    A saved result (``spec.result``) must agree with itself (its disparities and breaches
    are computed again from its own figures); with ``spec.data`` too, its figures are
    computed again from that data and must equal the saved ones to within 1e-9.
    """
    from riskcheck.fairness.identity import hashing_up_to

    with hashing_up_to(full_hash_limit):
        return _evaluate(
            spec,
            Path(base_dir),
            progress=progress,
            warn=warn,
            limits=limits,
            scan=scan,
            data_identity=data_identity,
            trust=trust,
            spark=spark,
        )


def _evaluate(
    spec: FairnessSpec,
    base: Path,
    *,
    progress: Callback | None,
    warn: Callback | None,
    limits: ModelLimits | None,
    scan: ScanLimits | None,
    data_identity: str,
    trust: ModelTrust | None,
    spark: SparkSettings | None,
) -> FairnessResult:
    if spec.result is not None:
        saved = base / spec.result
        result = load_fairness_result(saved)
        if spec.data is not None:
            _check_against_data(
                saved, spec.data, base, result, progress=progress, limits=limits, scan=scan, trust=trust
            )
        return result.with_thresholds(spec.thresholds)
    _require_fairness_extra()
    assert spec.data is not None or (spec.table is not None and spec.engine == "spark")
    if spec.suppress_below is not None and warn is not None:
        warn = _private_callback(warn)
    if spec.engine == "spark":
        return _compute_in_spark(
            spec,
            base,
            spark,
            progress=progress,
            warn=warn,
            identity_kind=data_identity,
            trust=current_trust() if trust is None else trust,
            limits=limits,
        )
    if _aggregates_in_duckdb(spec):
        return _compute_in_duckdb(
            spec,
            base,
            progress=progress,
            warn=warn,
            scan=scan,
            identity_kind=data_identity,
            limits=limits or ModelLimits(),
            trust=current_trust() if trust is None else trust,
        )
    return _compute(
        spec,
        identity_kind=data_identity,
        data_path=_one_file(spec, base),
        model_path=None if spec.model is None else base / spec.model,
        progress=progress,
        warn=warn,
        limits=limits or ModelLimits(),
        trust=current_trust() if trust is None else trust,
    )


def compute_fairness(
    data: Path | str | None = None,
    *,
    target: str,
    table: str | None = None,
    sensitive: Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    model: Path | str | None = None,
    features: Sequence[str] | None = None,
    trust_model: bool = False,
    positive_label: Scalar | None = None,
    sample_weight: str | None = None,
    where: Mapping[str, Scalar] | None = None,
    task: str = "classification",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    min_class_size: int = DEFAULT_MIN_CLASS_SIZE,
    compare: str = "between_groups",
    reference_group: str | None = None,
    engine: str = "duckdb",
    bootstrap: BootstrapSpec | None = None,
    thresholds: Mapping[str, Threshold] | None = None,
    progress: Callback | None = None,
    warn: Callback | None = None,
    limits: ModelLimits | None = None,
    scan: ScanLimits | None = None,
    data_identity: str = "auto",
    sensitive_data: Path | str | None = None,
    join_on: str | None = None,
    suppress_below: int | None = None,
    trust: ModelTrust | None = None,
    spark: SparkSettings | None = None,
    full_hash_limit: int | None = None,
) -> FairnessResult:
    """Compute fairness metrics for a data file; paths are relative to the working directory.

    The keyword arguments are those of :class:`FairnessSpec`; invalid combinations
    raise :class:`DataError`. For data already in memory, see :func:`compute_fairness_frame`.
    ``data`` may be a glob or a folder of Parquet files with the default engine, duckdb.
    ``trust_model=True`` trusts the model whatever its sha256, as ``--trust-model`` does;
    ``trust`` trusts the models it lists (see :mod:`riskcheck.fairness.trust`).
    ``data`` may also be a Spark DataFrame: one Spark job aggregates it (engine spark); with
    ``engine="spark"`` a path, or the table named by ``table`` (catalog.schema.table), is read by
    Spark (see :mod:`riskcheck.fairness.spark`). Give ``data`` or ``table``, not both.
    ``sensitive_data`` is a file, glob or folder, or with ``engine="spark"`` a table name.
    ``full_hash_limit`` is the most bytes of data identified by the sha256 of its content
    (larger data gets a fingerprint, which is not tamper-evident; ``data_identity="sha256"``
    hashes at any size).
    """
    if spark is not None and spark.table is not None and table is None:
        table = spark.table  # the table a SparkSettings names is the spec's table
        data = None if data is not None and str(data) == table else data
    fields: dict[str, Any] = {
        "data": data,
        "table": table,
        "target": target,
        "sensitive": sensitive,
        "prediction": prediction,
        "score": score,
        "threshold": threshold,
        "model": model,
        "features": features,
        "positive_label": positive_label,
        "sample_weight": sample_weight,
        "where": where,
        "task": task,
        "min_group_size": min_group_size,
        "min_class_size": min_class_size,
        "compare": compare,
        "reference_group": reference_group,
        "engine": engine,
        "bootstrap": bootstrap,
        "thresholds": thresholds,
        "sensitive_data": None if sensitive_data is None else str(sensitive_data),
        "join_on": join_on,
        "suppress_below": suppress_below,
    }
    if _is_spark_frame(data):
        return _compute_spark_frame(fields, data, name="DataFrame", warn=warn, spark=spark)
    spec = _settings(fields)
    if trust_model:
        trust = ModelTrust(every_model=True)
    if engine == "spark":
        from riskcheck.fairness.spark import SparkSettings

        # The paths are the caller's, not an assessment file's: a URI or a cluster path is read as given.
        spark = dataclasses.replace(spark or SparkSettings(), caller_paths=True)
    return evaluate_fairness(
        spec,
        Path("."),
        progress=progress,
        warn=warn,
        limits=limits,
        trust=trust,
        scan=scan,
        data_identity=data_identity,
        spark=spark,
        full_hash_limit=full_hash_limit,
    )


def compute_fairness_frame(
    frame: Any,
    *,
    target: str,
    sensitive: Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    positive_label: Scalar | None = None,
    sample_weight: str | None = None,
    where: Mapping[str, Scalar] | None = None,
    task: str = "classification",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    min_class_size: int = DEFAULT_MIN_CLASS_SIZE,
    compare: str = "between_groups",
    reference_group: str | None = None,
    engine: str = "count",
    bootstrap: BootstrapSpec | None = None,
    thresholds: Mapping[str, Threshold] | None = None,
    name: str = "frame",
    warn: Callback | None = None,
) -> FairnessResult:
    """Compute fairness metrics for data already in memory; nothing is written to disk.

    ``frame`` is a pandas DataFrame, or a mapping of column name to a list, numpy
    array or pandas Series (all of one length). The keyword arguments are those of
    :func:`compute_fairness` without the model, and after the columns are taken
    from ``frame`` the computation is the same one. ``name`` stands for the file in
    messages (``frame: no column 'sex' (a sensitive column); ...``) and in the
    result's ``config["data"]``.

    The result's ``data_sha256`` is not the hash of a file: it is the sha256 of the
    columns the computation reads, in the order target, sensitive, prediction or
    score, sample weight, where: each column's name and dtype, then pandas' hash of
    every value (``pandas.util.hash_pandas_object``, without the index). Equal
    columns give equal hashes with the same pandas version.
    """
    _require_fairness_extra()
    fields: dict[str, Any] = {
        "data": name,
        "target": target,
        "sensitive": sensitive,
        "prediction": prediction,
        "score": score,
        "threshold": threshold,
        "positive_label": positive_label,
        "sample_weight": sample_weight,
        "where": where,
        "task": task,
        "min_group_size": min_group_size,
        "min_class_size": min_class_size,
        "compare": compare,
        "reference_group": reference_group,
        "engine": engine,
        "bootstrap": bootstrap,
        "thresholds": thresholds,
    }
    if _is_spark_frame(frame):
        return _compute_spark_frame(fields, frame, name=name, warn=warn, spark=None)
    spec = _settings(fields)
    from riskcheck.fairness.inputs import inputs_from_frame

    table, columns = _frame_columns(spec, frame, name)

    def quiet(message: str) -> None:
        pass

    inputs = inputs_from_frame(
        spec, table, display=name, model_path=None, model_sha=None, say=quiet, warn=warn, limits=ModelLimits()
    )
    return _measure(spec, inputs, display=name, data_sha256=_frame_sha256(table, columns), say=quiet)


def _settings(fields: dict[str, Any]) -> FairnessSpec:
    """The keyword arguments of the compute functions as a spec: sequences become lists,
    mappings dicts, paths text, and unset bootstrap and thresholds their defaults."""
    from pydantic import ValidationError

    normalised = dict(fields)
    for key in ("sensitive", "features"):
        if normalised.get(key) is not None:
            normalised[key] = list(normalised[key])
    if normalised.get("where") is not None:
        normalised["where"] = dict(normalised["where"])
    if normalised.get("model") is not None:
        normalised["model"] = str(normalised["model"])
    if normalised.get("data") is not None:
        normalised["data"] = str(normalised["data"])
    normalised["bootstrap"] = normalised.get("bootstrap") or BootstrapSpec()
    normalised["thresholds"] = dict(normalised.get("thresholds") or {})
    try:
        return FairnessSpec(**normalised)
    except ValidationError as exc:
        raise DataError(f"invalid fairness settings: {_validation_message(exc)}") from None


def _frame_columns(spec: FairnessSpec, frame: Any, display: str) -> tuple[Any, list[str]]:
    """``frame`` as a DataFrame of the columns ``spec`` reads, checked as a file's would be."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    from riskcheck.fairness.inputs import column_roles

    if isinstance(frame, Mapping) and not isinstance(frame, pd.DataFrame):
        lengths: dict[str, int] = {}
        columns: dict[str, Any] = {}
        for key, values in frame.items():
            array = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
            if array.ndim != 1:
                raise DataError(f"{display}: column {key!r} has shape {array.shape}; expected one dimension")
            columns[str(key)] = array
            lengths[str(key)] = len(array)
        if len(set(lengths.values())) > 1:
            sizes = ", ".join(f"{key!r} has {size:,}" for key, size in lengths.items())
            raise DataError(f"{display}: columns differ in length: {sizes} rows")
        frame = pd.DataFrame(columns)
    elif not isinstance(frame, pd.DataFrame):
        raise DataError(
            f"{display}: expected a pandas DataFrame or a mapping of column name to values, got {type(frame).__name__}"
        )
    roles = column_roles(spec)
    available = [str(column) for column in frame.columns]
    missing = [column for column in roles if column not in available]
    if missing:
        named = ", ".join(f"{column!r} ({roles[column]})" for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise DataError(f"{display}: no {noun} {named}; available columns: {', '.join(available)}")
    if len(set(available)) != len(available):
        twice = sorted({column for column in available if available.count(column) > 1})
        raise DataError(f"{display}: column names appear twice: {', '.join(twice)}")
    if len(frame) == 0:
        raise DataError(f"{display}: no data rows; expected at least one row")
    needed = list(roles)
    table = frame.set_axis(available, axis=1)[needed].reset_index(drop=True)
    return table, needed


def _frame_sha256(table: Any, columns: Sequence[str]) -> str:
    """The sha256 documented in :func:`compute_fairness_frame`."""
    import hashlib

    import pandas as pd

    digest = hashlib.sha256()
    for column in columns:
        series = table[column]
        digest.update(f"{len(column)}:{column}:{series.dtype}\n".encode())
        digest.update(pd.util.hash_pandas_object(series, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def load_fairness_result(path: Path | str) -> FairnessResult:
    """Read a result saved by ``riskcheck fairness -o`` (:meth:`FairnessResult.to_json`)."""
    from riskcheck.files.fileio import read_bounded_bytes

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise DataError(f"{path}: no such file (a saved fairness result)")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a saved fairness result")
    try:
        # Bounded on the bytes read, and regular files only: a link to /dev/zero or a
        # FIFO (which a stat-reported size of 0 lets through) would never end.
        text = read_bounded_bytes(path, limit=MAX_RESULT_BYTES).decode("utf-8")
    except RiskcheckError as exc:
        raise DataError(str(exc)) from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; expected a fairness result in JSON") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise DataError(f"{path}: JSON nested too deeply; expected a fairness result") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise DataError(f"{path}: not a fairness result ({exc}); expected numbers of ordinary size") from None
    result = FairnessResult.from_dict(data, source=str(path))
    check_consistent(result, data, source=str(path))
    return result


#: How far a figure may be from the same figure computed again.
TOLERANCE = 1e-9


def check_consistent(result: FairnessResult, saved: Mapping[str, Any], *, source: str) -> None:
    """Refuse a saved result that contradicts itself: its groups, row count, disparities,
    breaches and variables must be those its own per-group and overall figures give."""
    from riskcheck.fairness.disparity import DEFINITIONS

    if list(result.by_group) != list(result.groups):
        raise DataError(
            f"{source}: by_group lists the groups {list(result.by_group)}; expected groups {list(result.groups)}"
        )
    counts = [metrics.get("count") for metrics in result.by_group.values()]
    if all(isinstance(count, (int, float)) for count in counts) and sum(counts) != result.rows:  # type: ignore[arg-type]
        raise DataError(
            f"{source}: rows is {result.rows:,}, but the groups' counts add up to {sum(counts):,}; "  # type: ignore[arg-type]
            "expected them to agree"
        )
    labels = list(result.groups)
    excluded: dict[str, set[str]] = {}
    for entry in result.insufficient_evidence:
        if entry.group not in labels:
            raise DataError(f"{source}: insufficient_evidence names {entry.group!r}, which is not a group")
        excluded.setdefault(entry.group, set()).update(entry.metrics)
    config = result.config
    mode = str(config.get("compare", "between_groups"))
    reference = config.get("reference_group")
    if mode == "reference" and reference not in labels:
        raise DataError(f"{source}: reference_group {reference!r} is not one of its groups")
    index = labels.index(str(reference)) if mode == "reference" else None

    def eligible_values(part: str) -> list[float | None]:
        values = []
        for label in labels:
            value = result.by_group[label].get(part)
            values.append(None if value is None or part in excluded.get(label, ()) else float(value))
        return values

    for name, disparity in result.disparities.items():
        if name not in DEFINITIONS:
            continue
        kind, parts = DEFINITIONS[name]
        values = []
        for part in parts:
            overall = result.overall.get(part)
            values.append(
                _component(kind, eligible_values(part), None if overall is None else float(overall), mode, index)
            )
        defined = [value for value in values if value is not None]
        point = (max if kind == "difference" else min)(defined) if defined else None
        _same(
            f"disparities.{name}.value", disparity.value, point, source, "as its own by_group and overall figures give"
        )
    if isinstance(saved.get("breaches"), list):
        found = [(b.metric, b.bound) for b in result.breaches()]
        written = [(b.get("metric"), b.get("bound")) for b in saved["breaches"] if isinstance(b, Mapping)]
        if found != written or len(written) != len(saved["breaches"]):
            raise DataError(
                f"{source}: breaches lists {written or 'none'}, but its figures and thresholds give "
                f"{found or 'none'}; expected the breaches its own figures give"
            )
    if isinstance(saved.get("variables"), Mapping):
        for name, value in result.variables().items():
            if name in saved["variables"]:
                written_value = saved["variables"][name]
                if written_value is not None and not isinstance(written_value, (int, float)):
                    raise DataError(f"{source}: variables.{name}: expected a number or null, got {written_value!r}")
                _same(f"variables.{name}", written_value, value, source, "as its own figures give")


def _component(
    kind: str, values: list[float | None], overall: float | None, mode: str, reference: int | None
) -> float | None:
    """One metric's disparity as :func:`riskcheck.fairness.disparity.component` computes it, in
    plain Python (a saved result is read without numpy); None where it is undefined."""

    def divide(numerator: float | None, denominator: float | None) -> float | None:
        if numerator is None or denominator is None or not denominator > 0:
            return None
        return numerator / denominator

    if mode == "reference":
        assert reference is not None
        base = values[reference]
        others = [value for position, value in enumerate(values) if position != reference and value is not None]
        if base is None or not others:
            return None
    else:
        base = overall
        others = [value for value in values if value is not None]
        if len(others) < 2:
            return None
    if mode == "between_groups":
        high, low = max(others), min(others)
        return high - low if kind == "difference" else divide(low, high)
    if base is None:
        return None
    if kind == "difference":
        return max(abs(value - base) for value in others)
    if kind == "ratio":
        ratios = [ratio for value in others if (ratio := divide(value, base)) is not None]
        return min(1 / ratio if ratio > 1 else ratio for ratio in ratios) if ratios else None
    return divide(min(others), base)


def _same(where: str, saved: Any, computed: Any, source: str, how: str) -> None:
    """Refuse ``saved`` unless it is ``computed`` to within :data:`TOLERANCE` (None only as None)."""
    import math

    if saved is None and computed is None:
        return
    if saved is not None and computed is not None:
        a, b = float(saved), float(computed)
        if math.isclose(a, b, rel_tol=0.0, abs_tol=TOLERANCE):
            return
    shown = "null" if saved is None else repr(saved)
    expected = "null (undefined)" if computed is None else repr(computed)
    raise DataError(f"{source}: {where} is {shown}; expected {expected}, {how}")


def _validation_message(exc: Any) -> str:
    """The settings' errors in riskcheck's words (expected ..., got ...), not pydantic's."""
    from riskcheck.core.loader import validation_messages

    return "; ".join(validation_messages(exc))


def _require_fairness_extra() -> None:
    import importlib.util

    for module, package in (
        ("numpy", "numpy"),
        ("pandas", "pandas"),
        ("pyarrow", "pyarrow"),
        ("sklearn", "scikit-learn"),
        ("fairlearn", "fairlearn"),
        ("skops", "skops"),
        ("duckdb", "duckdb"),
    ):
        if importlib.util.find_spec(module) is None:
            raise MissingDependencyError(package, "fairness")


#: The identity kinds a saved result can be checked against data by.
_CHECKABLE_KINDS = ("sha256", "fingerprint", "delta-sha256", "delta-fingerprint", "delta-version")


def _check_against_data(
    saved: Path,
    data: str,
    base: Path,
    result: FairnessResult,
    *,
    progress: Callback | None,
    limits: ModelLimits | None,
    scan: ScanLimits | None,
    trust: ModelTrust | None,
) -> None:
    """The saved result is what ``data`` gives: the same data, by the kind of identity it
    recorded, and the same figures, computed again from ``data`` with its own settings."""
    identity: Any = result.data_identity or {"kind": "sha256", "digest": result.data_sha256}
    sides = identity.get("sides")
    if isinstance(sides, list) and sides and isinstance(sides[0], dict):
        identity = sides[0]  # joined to a sensitive table: data: names the data side
    kind = str(identity.get("kind", "sha256"))
    expected = str(identity.get("digest", result.data_sha256))
    display = str(base / data)
    config = dict(result.config)
    if kind not in _CHECKABLE_KINDS or config.get("table") is not None:
        what = f"table {config['table']}" if config.get("table") is not None else f"data identified by its {kind}"
        raise DataError(
            f"{saved}: computed from {what}, which riskcheck cannot check {display} against; remove data: "
            "from the fairness block, or compute the result from the files with riskcheck fairness"
        )
    spec = _recompute_spec(saved, config, data, base)
    try:
        again = _evaluate(
            spec,
            base,
            progress=progress,
            warn=None,
            limits=limits,
            scan=scan,
            data_identity=kind,
            trust=trust,
            spark=None,
        )
    except DataError as exc:
        message = str(exc)
        if "no longer such a table" in message or "add.size" in message:
            raise DataError(
                f"{saved}: computed from data with {kind} {expected}, but {display} has changed ({message}); "
                "recompute it with riskcheck fairness"
            ) from None
        raise DataError(f"{saved}: cannot compute its figures again from {display}: {message}") from None
    actual: Any = again.data_identity or {}
    if isinstance(actual.get("sides"), list) and actual["sides"]:
        actual = actual["sides"][0]
    if actual.get("digest") != expected:
        raise DataError(
            f"{saved}: computed from data with {kind} {expected}, but {display} now has {kind} "
            f"{actual.get('digest')}; recompute it with riskcheck fairness"
        )
    how = f"computed again from {display} (to within {TOLERANCE:g}); recompute it with riskcheck fairness"
    _same("rows", result.rows, again.rows, str(saved), how)
    if list(result.groups) != list(again.groups):
        raise DataError(f"{saved}: groups {list(result.groups)}; expected {list(again.groups)}, {how}")
    for group in again.groups:
        for name, value in again.by_group[group].items():
            _same(f"by_group.{group}.{name}", result.by_group[group].get(name), value, str(saved), how)
    for name, value in again.overall.items():
        _same(f"overall.{name}", result.overall.get(name), value, str(saved), how)
    for name, disparity in again.disparities.items():
        mine = result.disparities.get(name)
        for field in ("value", "ci_low", "ci_high"):
            _same(
                f"disparities.{name}.{field}",
                None if mine is None else getattr(mine, field),
                getattr(disparity, field),
                str(saved),
                how,
            )


def _recompute_spec(saved: Path, config: Mapping[str, Any], data: str, base: Path) -> FairnessSpec:
    """The settings a saved result was computed with, on ``data`` (the assessment's file),
    with the DuckDB engine (whose figures equal the others' to 1e-12). A model or sensitive
    table the saved result names is read only inside the assessment's project: the result is
    a file like any other, and a file never makes riskcheck read one outside it."""
    from pydantic import ValidationError

    from riskcheck.core.links import path_outside_project
    from riskcheck.fairness.sources import uri_scheme

    fields = {key: value for key, value in config.items() if key not in ("data", "table", "result", "thresholds")}
    for name in ("model", "sensitive_data"):
        value = fields.get(name)
        if value is None:
            continue
        root = None if not isinstance(value, str) or uri_scheme(value) else path_outside_project(base, value)
        if not isinstance(value, str) or uri_scheme(value) or root is not None:
            inside = f"a path inside {root}" if root is not None else "a path inside the project"
            raise DataError(
                f"{saved}: config.{name}: {value!r} leads outside the project; to compute the figures again "
                f"riskcheck reads only {inside}; recompute the result there, or remove data: from the "
                "fairness block"
            )
    fields["data"] = data
    fields["engine"] = "duckdb"
    try:
        return FairnessSpec(**fields)
    except (ValidationError, TypeError) as exc:
        detail = _validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
        raise DataError(
            f"{saved}: config: {detail}; expected the settings riskcheck fairness records, to compute the figures again"
        ) from None


def _aggregates_in_duckdb(spec: FairnessSpec) -> bool:
    """The DuckDB engine aggregates prediction and score columns, and a model's predictions
    streamed batch by batch (:mod:`riskcheck.fairness.stream`)."""
    return spec.engine == "duckdb"


def _one_file(spec: FairnessSpec, base: Path) -> Path:
    """The single data file the in-memory engines read, or a DataError saying why not."""
    from riskcheck.fairness.sources import resolve_source
    from riskcheck.files.fileio import GLOB_CHARACTERS

    assert spec.data is not None
    path = base / spec.data
    if any(character in spec.data for character in GLOB_CHARACTERS) or path.is_dir():
        source = resolve_source(spec.data, base, display=str(path))
        if not source.single_file:
            why = "a model's predictions" if spec.model is not None else f"engine {spec.engine}"
            if spec.task == "regression":
                why = "a regression"
            raise DataError(
                f"{path}: names {len(source.files):,} files; {why} is measured in memory from one "
                "CSV or Parquet file (the duckdb engine reads globs and folders of prediction columns)"
            )
        return source.files[0]
    return path


def _compute_in_duckdb(
    spec: FairnessSpec,
    base: Path,
    *,
    progress: Callback | None,
    warn: Callback | None,
    scan: ScanLimits | None,
    identity_kind: str,
    limits: ModelLimits,
    trust: ModelTrust,
) -> FairnessResult:
    from riskcheck.fairness.duck import ScanLimits
    from riskcheck.fairness.identity import identify
    from riskcheck.fairness.sources import resolve_source
    from riskcheck.fairness.tally import aggregate

    assert spec.data is not None
    display = str(base / spec.data)
    model_path = model_sha = None
    if spec.model is not None:
        # A model that will be refused is refused before the data is read.
        from riskcheck.fairness.inputs import model_sha256
        from riskcheck.fairness.model import check_model_file

        model_path = base / spec.model
        model_sha = model_sha256(model_path) if model_path.is_file() else None
        trusted = model_sha is not None and trust.allows(model_sha)
        check_model_file(model_path, str(model_path), trusted=trusted, sha256=model_sha)
    data = resolve_source(spec.data, base, display=display)
    sensitive = None
    if spec.sensitive_data is not None:
        sensitive = _sensitive_files(spec.sensitive_data, base)
    say = _progress_for(data.files[0], progress) if data.single_file else _progress_for_files(data, progress)
    identity = identify(data, kind=identity_kind)
    if sensitive is not None:
        identity = _joined_identity(identity, identify(sensitive, kind=identity_kind))
    model_notes: tuple[str, ...] = ()
    if model_path is not None:
        from riskcheck.fairness.stream import aggregate_with_model

        assert model_sha is not None
        table, model_notes = aggregate_with_model(
            spec,
            data,
            sensitive_data=sensitive,
            model_path=model_path,
            model_sha256=model_sha,
            trust=trust,
            model_limits=limits,
            limits=scan or ScanLimits(),
            say=say,
            warn=warn,
        )
    else:
        table = aggregate(spec, data, sensitive_data=sensitive, limits=scan or ScanLimits(), say=say)
    say(f"{int(table.rows.sum()):,} rows in {len(table.labels)} groups")
    for note in table.notes:
        if warn is not None:
            warn(f"warning: {note}")
    if model_notes:
        table = dataclasses.replace(table, notes=(*model_notes, *table.notes))
    return _from_counts(
        spec,
        table,
        engine="duckdb",
        display=display,
        identity=identity.to_dict(),
        model_sha256=model_sha,
        say=say,
    )


def _sensitive_files(text: str, base: Path) -> Any:
    """The sensitive columns' files for the DuckDB engine; a table name is refused, saying why.

    DuckDB here is embedded, with no catalog of its own: a table name has nothing to name.
    A Delta table's folder is files (its current version), and is read as such."""
    from riskcheck.fairness.sources import resolve_source
    from riskcheck.fairness.spec import names_a_table

    display = str(base / text)
    if names_a_table(text) and not (base / text).exists():
        raise DataError(
            f"{text}: no such file or folder, and the duckdb engine reads no tables (it has no catalog); "
            "expected a CSV or Parquet file, a glob or a folder (a Delta table's folder is read at its "
            "latest version), or a table name with --engine spark"
        )
    return resolve_source(text, base, display=display)


def _is_spark_frame(data: Any) -> bool:
    from riskcheck.fairness.spark import is_spark_frame

    return is_spark_frame(data)


def _compute_in_spark(
    spec: FairnessSpec,
    base: Path,
    settings: SparkSettings | None,
    *,
    progress: Callback | None,
    warn: Callback | None,
    identity_kind: str,
    trust: ModelTrust,
    limits: ModelLimits | None,
) -> FairnessResult:
    from riskcheck.fairness.spark import SparkSettings, counts_of_data

    say = progress or _quiet
    counts = counts_of_data(
        spec,
        base,
        settings or SparkSettings(),
        identity_kind=identity_kind,
        say=say,
        trust=trust,
        limits=limits,
        warn=warn,
    )
    table = counts.table
    say(f"{int(table.rows.sum()):,} rows in {len(table.labels)} groups")
    for note in table.notes:
        if warn is not None and note not in counts.model_notes:
            warn(f"warning: {note}")
    return _from_counts(
        spec,
        table,
        engine="spark",
        display=counts.display,
        identity=counts.identity,
        model_sha256=counts.model_sha256,
        say=say,
    )


def _compute_spark_frame(
    fields: Mapping[str, Any], frame: Any, *, name: str, warn: Callback | None, spark: SparkSettings | None
) -> FairnessResult:
    """The result for a Spark DataFrame: one Spark job makes the count table (engine spark)."""
    from riskcheck.fairness.spark import SparkSettings, counts_of_frame

    _require_fairness_extra()
    spec = _settings({**fields, "data": name, "engine": "spark"})
    table, identity = counts_of_frame(spec, frame, name=name, max_groups=(spark or SparkSettings()).max_groups)
    for note in table.notes:
        if warn is not None:
            warn(f"warning: {note}")
    return _from_counts(spec, table, engine="spark", display=name, identity=identity, model_sha256=None, say=_quiet)


def _joined_identity(data: Any, sensitive: Any) -> Any:
    """One identity for data joined to a sensitive table: a digest over both. Its kind is theirs
    when they share one, else ``joined``; ``parts`` gives each side's kind, ``sides`` each one's
    identity in full (a table's name and version included)."""
    import hashlib

    from riskcheck.fairness.identity import DataIdentity

    kind = data.kind if data.kind == sensitive.kind else "joined"
    digest = hashlib.sha256(f"joined {data.kind}:{data.digest} {sensitive.kind}:{sensitive.digest}\n".encode())
    details = {"parts": [data.kind, sensitive.kind], "sides": [data.to_dict(), sensitive.to_dict()]}
    return DataIdentity(kind, digest.hexdigest(), data.files + sensitive.files, data.bytes + sensitive.bytes, details)


def _quiet(message: str) -> None:
    pass


def _progress_for_files(data: Any, progress: Callback | None) -> Callback:
    """Progress lines for several files, on the same size rule as one file's."""
    size = sum(path.stat().st_size for path in data.files)
    if progress is None or size < PROGRESS_MIN_BYTES:
        return _quiet
    progress(f"reading {data.display} ({len(data.files):,} files, {size / 1024**2:,.0f} MiB)")
    return progress


def _private_callback(warn: Callback) -> Callback:
    def private(message: str) -> None:
        warn(private_note(message))

    return private


def private_note(note: str) -> str:
    """A note without the row counts that could reveal a suppressed group's size."""
    import re

    note = re.sub(r"has [\d,]+ missing value\(s\)", "has missing values", note)
    return re.sub(r"[\d,]+ of [\d,]+ row\(s\) have no match", "some rows have no match", note)


def _compute(
    spec: FairnessSpec,
    *,
    data_path: Path,
    model_path: Path | None,
    progress: Callback | None,
    warn: Callback | None,
    limits: ModelLimits,
    trust: ModelTrust,
    identity_kind: str,
) -> FairnessResult:
    from riskcheck.fairness.identity import identify
    from riskcheck.fairness.inputs import prepare_inputs
    from riskcheck.fairness.sources import resolve_source

    display = str(data_path)
    say = _progress_for(data_path, progress)
    inputs = prepare_inputs(
        spec, data_path=data_path, model_path=model_path, say=say, warn=warn, limits=limits, trust=trust
    )
    source = resolve_source(str(data_path), Path("."), display=display)
    identity = identify(source, kind=identity_kind).to_dict()
    return _measure(spec, inputs, display=display, data_sha256=identity["digest"], say=say, identity=identity)


def _measure(
    spec: FairnessSpec,
    inputs: Inputs,
    *,
    display: str,
    data_sha256: str,
    say: Callback,
    identity: Mapping[str, Any] | None = None,
) -> FairnessResult:
    """The metrics, disparities and intervals of prepared inputs: shared by files and frames."""
    from riskcheck.fairness.counts import confusion_counts, regression_sums
    from riskcheck.fairness.tally import CountTable

    groups, y_true, y_pred, weights = inputs.groups, inputs.y_true, inputs.y_pred, inputs.weights
    labels = groups.labels
    if spec.task == "classification":
        weighted, rows = confusion_counts(groups.codes, len(labels), y_true, y_pred, weights)
    else:
        weighted, rows = regression_sums(groups.codes, len(labels), y_true, y_pred, weights)
    figures = None
    if spec.engine == "fairlearn":
        from riskcheck.fairness.data import MISSING_GROUP
        from riskcheck.fairness.fairlearn_engine import fairlearn_metrics, sensitive_frame

        say("computing metrics with the fairlearn engine")
        figures = fairlearn_metrics(
            sensitive_frame(inputs.frame, spec.sensitive, MISSING_GROUP),
            labels,
            y_true,
            y_pred,
            weights,
            spec.task,
        )
    return _from_counts(
        spec,
        CountTable(labels, weighted, rows, inputs.notes),
        engine="fairlearn" if spec.engine == "fairlearn" else "count",
        display=display,
        identity=identity or {"kind": "columns-sha256", "digest": data_sha256},
        model_sha256=inputs.model_sha256,
        say=say,
        figures=figures,
    )


def _from_counts(
    spec: FairnessSpec,
    table: CountTable,
    *,
    engine: str,
    display: str,
    identity: Mapping[str, Any],
    model_sha256: str | None,
    say: Callback,
    figures: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> FairnessResult:
    """Metrics (from the counts, or ``figures`` from fairlearn), evidence, disparities, intervals.

    ``table.weighted`` holds confusion counts (groups, 4) for a classifier and the sums of
    :func:`~riskcheck.fairness.counts.regression_sums` (groups, 3) for a regressor.
    """
    import numpy as np

    from riskcheck.fairness.bootstrap import bootstrap_intervals
    from riskcheck.fairness.counts import metrics_from_counts, metrics_from_sums
    from riskcheck.fairness.disparity import Comparison, assess_evidence, describe, disparity_values

    notes = table.notes
    if spec.suppress_below is not None:
        table, notes = _suppress(table, spec.suppress_below, display)
    labels, weighted, rows = table.labels, table.weighted, table.rows
    sizes = rows.sum(axis=-1) if rows.ndim == 2 else rows
    classification = spec.task == "classification"
    metric_names = CLASSIFICATION_METRICS if classification else REGRESSION_METRICS
    names = CLASSIFICATION_DISPARITIES if classification else REGRESSION_DISPARITIES
    if figures is None:
        say(f"computing metrics with the {engine} engine")
        from_counts = metrics_from_counts if classification else metrics_from_sums
        metrics = from_counts(weighted[None])
        overall = from_counts(weighted.sum(axis=0)[None])
        metrics["count"] = sizes[None].astype(np.float64)
        overall["count"] = np.array([float(sizes.sum())])
    else:
        metrics, overall = figures
    eligible, evidence = assess_evidence(
        labels,
        rows,
        task=spec.task,
        min_group_size=spec.min_group_size,
        min_class_size=spec.min_class_size,
    )
    comparison = Comparison(spec.compare, _reference_index(spec, labels, display))
    point = disparity_values(names, metrics, overall, eligible, comparison)
    if classification and spec.bootstrap.replicates:
        say(f"bootstrap: {spec.bootstrap.replicates:,} replicates")
        intervals = bootstrap_intervals(names, weighted, rows, eligible, comparison, spec.bootstrap)
    else:
        intervals = {name: (None, None) for name in names}
    disparities = {
        name: describe(
            name,
            _number(point[name][0]),
            labels=labels,
            metrics=metrics,
            overall=overall,
            eligible=eligible,
            comparison=comparison,
            interval=intervals[name],
        )
        for name in names
    }
    return FairnessResult(
        task=spec.task,
        engine=engine,
        rows=int(sizes.sum()),
        data_sha256=str(identity["digest"]),
        model_sha256=model_sha256,
        groups=labels,
        by_group={label: _row(metric_names, metrics, index) for index, label in enumerate(labels)},
        overall=_row(metric_names, overall, None),
        disparities=disparities,
        insufficient_evidence=evidence,
        warnings=notes,
        config=spec.model_dump(mode="json", exclude={"thresholds", "result"}),
        thresholds=dict(spec.thresholds),
        data_identity=dict(identity),
    )


def _suppress(table: CountTable, k: int, display: str) -> tuple[CountTable, tuple[str, ...]]:
    """``table`` without the groups of fewer than ``k`` rows, and notes that give no count away.

    A suppressed group's rows leave every figure, the overall ones and the row count
    included: an overall count with them in would give their number away by subtraction.
    """
    from riskcheck.fairness.tally import CountTable

    sizes = table.rows.sum(axis=-1) if table.rows.ndim == 2 else table.rows
    keep = sizes >= k
    notes = tuple(private_note(note) for note in table.notes)
    hidden = int((~keep).sum())
    if hidden:
        notes += (
            f"{display}: {hidden} group(s) with fewer than {k} rows (suppress_below) are left out of every "
            "figure, including the overall figures and the row count",
        )
    labels = tuple(label for label, kept in zip(table.labels, keep.tolist(), strict=True) if kept)
    if len(labels) < 2:
        raise DataError(
            f"{display}: fewer than two groups have at least {k} rows (suppress_below); "
            "fairness metrics compare at least two groups"
        )
    return CountTable(labels, table.weighted[keep], table.rows[keep], notes), notes


def _progress_for(data_path: Path, progress: Callback | None) -> Callback:
    def quiet(message: str) -> None:
        pass

    if progress is None:
        return quiet
    try:
        size = data_path.stat().st_size
    except OSError:
        return quiet
    if size < PROGRESS_MIN_BYTES:
        return quiet
    progress(f"reading {data_path} ({size / 1024**2:,.0f} MiB)")
    return progress


def _reference_index(spec: FairnessSpec, labels: Sequence[str], display: str) -> int | None:
    if spec.reference_group is None:
        return None
    if spec.reference_group not in labels:
        raise DataError(
            f"{display}: reference_group {spec.reference_group!r} is not a group in the data; "
            f"the groups are {', '.join(repr(label) for label in labels)}"
        )
    return list(labels).index(spec.reference_group)


def _number(value: Any) -> float | None:
    import math

    number = float(value)
    return None if math.isnan(number) else number


def _row(
    names: Sequence[str],
    metrics: Mapping[str, npt.NDArray[np.float64]],
    index: int | None,
) -> dict[str, float | int | None]:
    row: dict[str, float | int | None] = {}
    for name in names:
        value = metrics[name][0] if index is None else metrics[name][0][index]
        number = _number(value)
        row[name] = int(number) if name == "count" and number is not None else number
    return row
