"""From a fairness spec and a data file to the arrays the engines count over.

Reads and filters the data, encodes the (intersectional) groups, turns the target and
the prediction (a column, a thresholded score, or a model's output) into arrays, and
checks the sample weights. Every problem is a :class:`DataError` naming the file,
the column, what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import DataError
from riskcheck.fairness.model import ModelLimits
from riskcheck.fairness.spec import FairnessSpec
from riskcheck.fairness.trust import NO_TRUST, ModelTrust

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped]

    from riskcheck.fairness.data import Groups

Callback = Callable[[str], None]


@dataclass(frozen=True)
class Inputs:
    """The rows to measure: groups, outcomes, weights, and what to tell the user."""

    frame: pd.DataFrame
    groups: Groups
    y_true: Any
    y_pred: Any
    weights: npt.NDArray[np.float64] | None
    notes: tuple[str, ...]
    model_sha256: str | None


def prepare_inputs(
    spec: FairnessSpec,
    *,
    data_path: Path,
    model_path: Path | None,
    say: Callback,
    warn: Callback | None,
    limits: ModelLimits,
    trust: ModelTrust = NO_TRUST,
) -> Inputs:
    """Read ``data_path`` as ``spec`` describes it; run the model if there is one.

    ``trust`` comes from whoever runs riskcheck, never from ``spec``: see
    :mod:`riskcheck.fairness.trust`. A model it does not trust is refused before the
    data is read.
    """
    display = str(data_path)
    model_sha = None
    if model_path is not None:
        from riskcheck.fairness.model import check_model_file

        model_sha = model_sha256(model_path) if model_path.is_file() else None
        trusted = model_sha is not None and trust.allows(model_sha)
        check_model_file(model_path, str(model_path), trusted=trusted, sha256=model_sha)
    frame = _read_frame(spec, data_path, display, say)
    return inputs_from_frame(
        spec,
        frame,
        display=display,
        model_path=model_path,
        model_sha=model_sha,
        say=say,
        warn=warn,
        limits=limits,
        trust=trust,
        csv_path=data_path if model_path is not None and data_path.suffix.lower() == ".csv" else None,
    )


def inputs_from_frame(
    spec: FairnessSpec,
    frame: pd.DataFrame,
    *,
    display: str,
    model_path: Path | None,
    model_sha: str | None,
    say: Callback,
    warn: Callback | None,
    limits: ModelLimits,
    trust: ModelTrust = NO_TRUST,
    csv_path: Path | None = None,
) -> Inputs:
    """The rows of ``frame`` (already read, or given in memory) as ``spec`` describes them.

    ``csv_path``: the CSV file ``frame`` was read from, its features as text, for the model."""
    from riskcheck.fairness import data as tables

    if spec.where:
        frame = tables.apply_where(frame, spec.where, display=display)
    groups = tables.encode_groups(frame, spec.sensitive, display=display)
    if len(groups.labels) < 2:
        columns = " and ".join(repr(column) for column in spec.sensitive)
        several = len(spec.sensitive) > 1
        raise DataError(
            f"{display}: sensitive column{'s' if several else ''} {columns} "
            f"give{'' if several else 's'} a single group, {groups.labels[0]!r}, across all {len(frame):,} rows; "
            "fairness metrics compare at least two groups"
        )
    notes = [
        f"{display}: column {column!r} has {count:,} missing value(s); they form the group {tables.MISSING_GROUP!r}"
        for column, count in groups.missing.items()
    ]
    for note in notes:
        if warn is not None:
            warn(f"warning: {note}")
    say(f"{len(frame):,} rows in {len(groups.labels)} groups")
    y_true, y_pred, model_notes = _outcomes(
        spec, frame, display, model_path, model_sha, say, warn, limits, trust, csv_path
    )
    notes.extend(model_notes)
    weights = None
    if spec.sample_weight is not None:
        weights = tables.numeric_column(
            frame[spec.sample_weight],
            display=display,
            column=spec.sample_weight,
            role="sample weight",
            non_negative=True,
        )
        if not weights.sum() > 0:
            raise DataError(f"{display}: column {spec.sample_weight!r} (the sample weight) is 0 in every row")
    return Inputs(frame, groups, y_true, y_pred, weights, tuple(notes), model_sha)


def column_roles(spec: FairnessSpec) -> dict[str, str]:
    """Each column ``spec`` reads, and what it is for (to name it in a missing-column message)."""
    assert spec.target is not None
    roles: dict[str, str] = {spec.target: "the target"}
    for column in spec.sensitive:
        roles[column] = "a sensitive column"
    for maybe, role in (
        (spec.prediction, "the prediction"),
        (spec.score, "the score"),
        (spec.sample_weight, "the sample weight"),
    ):
        if maybe is not None:
            roles[maybe] = role
    for column in spec.where or {}:
        roles.setdefault(column, "a where filter")
    for column in spec.features or ():
        roles.setdefault(column, "a model feature")
    return roles


def _read_frame(spec: FairnessSpec, data_path: Path, display: str, say: Callback) -> pd.DataFrame:
    from riskcheck.fairness.data import read_table

    roles = column_roles(spec)
    needed = list(roles)
    frame = read_table(
        data_path,
        display=display,
        columns=None if spec.model is not None else needed,
        required=needed,
        text_columns=[*spec.sensitive, *(spec.where or {})],
        roles=roles,
        # a model's features, as text: riskcheck's one typing rule applies to them (csv_types)
        text_except=None if spec.model is None else [c for c in (spec.target, spec.sample_weight) if c is not None],
    )
    say(f"read {len(frame):,} rows")
    return frame


def _outcomes(
    spec: FairnessSpec,
    frame: pd.DataFrame,
    display: str,
    model_path: Path | None,
    model_sha: str | None,
    say: Callback,
    warn: Callback | None,
    limits: ModelLimits,
    trust: ModelTrust,
    csv_path: Path | None,
) -> tuple[Any, Any, list[str]]:
    """The true and predicted outcomes as arrays (booleans for classification)."""
    import pandas as pd

    from riskcheck.fairness import data as tables

    assert spec.target is not None
    notes: list[str] = []
    raw: Any = None
    model_display = str(model_path)
    if model_path is not None:
        from riskcheck.fairness.model import predict_with_model

        assert model_sha is not None
        exclude = [spec.target, *(spec.where or {})]
        if spec.sample_weight is not None:
            exclude.append(spec.sample_weight)
        columns = spec.features or [c for c in frame.columns if c not in set(exclude)]
        csv_types = None if csv_path is None else _csv_types(csv_path, display, columns)
        say(f"predicting with {model_display} on {len(frame):,} rows")
        raw, model_notes = predict_with_model(
            model_path,
            display=model_display,
            features=frame[columns],
            explicit_features=spec.features is not None,
            trust=trust,
            sha256=model_sha,
            threshold=spec.threshold if spec.task == "classification" else None,
            positive_label=spec.positive_label,
            limits=limits,
            warn=warn,
            csv_types=csv_types,
        )
        notes.extend(model_notes)
    if spec.task == "regression":
        y_true = tables.numeric_column(frame[spec.target], display=display, column=spec.target, role="target")
        if raw is not None:
            y_pred = tables.numeric_column(
                pd.Series(raw),
                display=model_display,
                column="predictions",
                role="model output",
            )
        else:
            assert spec.prediction is not None
            y_pred = tables.numeric_column(
                frame[spec.prediction],
                display=display,
                column=spec.prediction,
                role="prediction",
            )
        return y_true, y_pred, notes
    y_true_labels, target_values = tables.binary_labels(
        frame[spec.target],
        display=display,
        column=spec.target,
        role="target",
        positive_label=spec.positive_label,
    )
    predicted: Any
    if spec.prediction is not None:
        predicted, _ = tables.binary_labels(
            frame[spec.prediction],
            display=display,
            column=spec.prediction,
            role="prediction",
            positive_label=spec.positive_label,
            allowed=target_values,
        )
    elif spec.score is not None:
        assert spec.threshold is not None
        scores = tables.numeric_column(frame[spec.score], display=display, column=spec.score, role="score")
        predicted = scores >= spec.threshold
    elif spec.threshold is not None:
        predicted = raw.astype(bool)
    else:
        predicted, _ = tables.binary_labels(
            pd.Series(raw),
            display=model_display,
            column="predictions",
            role="model output",
            positive_label=spec.positive_label,
            allowed=target_values,
        )
    return y_true_labels, predicted, notes


def _csv_types(path: Path, display: str, columns: list[str]) -> dict[str, Any]:
    """The typing rule's decisions for a CSV file's feature columns, from every row, by DuckDB
    (as the streamed engine makes them)."""
    from riskcheck.fairness.csv_types import duckdb_types
    from riskcheck.fairness.duck import ScanLimits, connect, relation
    from riskcheck.fairness.sources import resolve_source

    source = resolve_source(str(path), Path("."), display=display)
    with connect(ScanLimits()) as connection:
        return duckdb_types(connection, relation(connection, source, name="data"), columns)


def model_sha256(path: Path) -> str:
    """The sha256 of a model file, read up to the model process's memory bound: a link to
    ``/proc/self/pagemap`` (size 0 by its stat, hundreds of gigabytes by its reads) is
    refused, not hashed without end."""
    from riskcheck.fairness.model import MODEL_MEMORY_LIMIT_BYTES
    from riskcheck.files.fileio import EvidenceTooLarge, sha256_evidence

    try:
        return sha256_evidence(path, limit=MODEL_MEMORY_LIMIT_BYTES)[0]
    except EvidenceTooLarge:
        raise DataError(
            f"{path}: model file larger than {MODEL_MEMORY_LIMIT_BYTES:,} bytes, more than the model process "
            "may hold; expected a model file"
        ) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the model file: {exc.strerror or exc}") from None
