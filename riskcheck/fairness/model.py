"""Predicting with a model file, safely: an allowlist, and a child process with limits.

A model file is code as much as data. riskcheck loads it in a separate Python process
that caps its own address space (``RLIMIT_AS``) before it imports anything, under a
wall-clock limit, so a hostile or broken
file can at worst fail that process. The parent hands the child the feature columns
as Parquet and reads back the predictions as a plain ``.npy`` array and a JSON status:
formats that cannot carry code back into the parent.

- ``.skops`` files load with skops, trusting only skops' defaults and
  :data:`TRUSTED_TYPES`; any other type is refused, by name, unless the user trusts
  the file.
- ``.pkl``, ``.pickle`` and ``.joblib`` can run any code when loaded, so they load only
  when the user trusts the file, and riskcheck then prints the file's sha256.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.errors import DataError

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped]

#: Types a skops file may contain beyond those skops trusts by default (scikit-learn's
#: estimators and transformers, numpy arrays and dtypes, builtin containers). These are
#: value types and plain containers that older skops versions flag; none runs code
#: when loaded. Anything else (a function, a custom class) is refused by name unless
#: the user trusts the file.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.bool",
        "builtins.float",
        "builtins.int",
        "builtins.str",
        "builtins.NoneType",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.bool_",
        "numpy.str_",
        "sklearn.compose._column_transformer._RemainderColsList",
        "sklearn.utils._bunch.Bunch",
    }
)

SKOPS_SUFFIXES = (".skops",)
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")

#: Default limits for the child process that loads and runs a model.
MODEL_MEMORY_LIMIT_BYTES = 4 * 1024**3
MODEL_TIME_LIMIT_SECONDS = 300.0

_STATUS_MAX_BYTES = 1024 * 1024
#: Room for one prediction in the child's output (a class label up to 256 characters).
_PREDICTION_MAX_BYTES_PER_ROW = 1024
_STDERR_TAIL_BYTES = 2000


@dataclass(frozen=True)
class ModelLimits:
    """Resource limits for the model process."""

    memory_bytes: int = MODEL_MEMORY_LIMIT_BYTES
    seconds: float = MODEL_TIME_LIMIT_SECONDS


def check_model_file(path: Path, display: str, *, trust: bool) -> str:
    """Return the loader for ``path`` ("skops" or "pickle"), or refuse it."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError(f"{display}: no such model file")
    if suffix in SKOPS_SUFFIXES:
        with path.open("rb") as handle:
            head = handle.read(4)
        if head != b"PK\x03\x04":
            raise DataError(f"{display}: not a skops file: it is not a zip archive (it starts with {head!r})")
        return "skops"
    if suffix in PICKLE_SUFFIXES:
        if not trust:
            raise DataError(
                f"{display}: refusing to load a {suffix} model: pickle and joblib files can "
                "run any code when loaded. Save the model with skops (skops.io.dump), or "
                "pass --trust-model (trust_model: true) if you trust this file"
            )
        return "pickle"
    if suffix == ".onnx":
        raise DataError(
            f"{display}: ONNX models are not supported; save the model with skops, "
            "or give its predictions as a column (--prediction)"
        )
    raise DataError(
        f"{display}: unknown model file type {suffix or '(no suffix)'!r}; expected .skops "
        f"(or, with --trust-model, {', '.join(PICKLE_SUFFIXES)})"
    )


def predict_with_model(
    path: Path,
    *,
    display: str,
    features: pd.DataFrame,
    explicit_features: bool,
    trust: bool,
    sha256: str,
    threshold: float | None = None,
    positive_label: Any = None,
    limits: ModelLimits | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[npt.NDArray[Any], tuple[str, ...]]:
    """Run the model in a child process; return its predictions and the warnings raised.

    With ``threshold`` the predictions are booleans: the probability of the positive
    class (``positive_label``, else 1) at or above the threshold.
    """

    loader = check_model_file(path, display, trust=trust)
    limits = limits or ModelLimits()
    notes: list[str] = []
    if loader == "pickle":
        notes.append(
            f"{display}: loading with pickle because the model is trusted (--trust-model); "
            f"pickle runs any code in the file. sha256 {sha256}"
        )
        if warn is not None:
            warn(f"warning: {notes[-1]}")
    with tempfile.TemporaryDirectory(prefix="riskcheck-model-") as scratch:
        work = Path(scratch)
        features.to_parquet(work / "features.parquet", index=False)
        job = {
            "model": str(path.resolve()),
            "loader": loader,
            "trust": trust,
            "features": str(work / "features.parquet"),
            "explicit_features": explicit_features,
            "threshold": threshold,
            "positive_label": positive_label,
            "memory_bytes": limits.memory_bytes,
            "out": str(work),
        }
        (work / "job.json").write_text(json.dumps(job), encoding="utf-8")
        status = _run_child(work, display, limits)
        if not status.get("ok"):
            raise DataError(f"{display}: {_printable(status.get('message', 'the model process failed'))}")
        predictions = _read_predictions(work / "predictions.npy", rows=len(features), display=display)
    for name in status.get("trusted_types", []):
        note = f"{display}: trusted type {_printable(name)} loaded because the model is trusted (--trust-model)"
        notes.append(note)
        if warn is not None:
            warn(f"warning: {note}")
    return predictions, tuple(notes)


def _read_predictions(path: Path, *, rows: int, display: str) -> npt.NDArray[Any]:
    """The child's predictions: one per row, in a file no larger than that needs."""
    import numpy as np

    limit = rows * _PREDICTION_MAX_BYTES_PER_ROW + 64 * 1024
    size = path.stat().st_size if path.is_file() else -1
    if not 0 <= size <= limit:
        raise DataError(f"{display}: the model process wrote {size:,} bytes of predictions for {rows:,} rows")
    try:
        predictions: npt.NDArray[Any] = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise DataError(f"{display}: the model process wrote unreadable predictions: {_printable(str(exc))}") from None
    if predictions.ndim != 1 or len(predictions) != rows:
        raise DataError(
            f"{display}: the model process wrote predictions of shape {predictions.shape} for {rows:,} rows"
        )
    return predictions


def _printable(text: Any, limit: int = 2000) -> str:
    """Text from a model file, safe to print: no control characters (a newline would let a
    type name start a line such as '::error::' that CI reads as a command), bounded."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _run_child(work: Path, display: str, limits: ModelLimits) -> dict[str, Any]:
    env = dict(os.environ)
    # one thread each: BLAS pools reserve address space per thread, and results stay stable
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    command = [
        sys.executable,
        "-m",
        "riskcheck.fairness._model_worker",
        str(work / "job.json"),
    ]
    with (work / "stderr.txt").open("wb") as stderr:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise DataError(
                f"{display}: the model did not load and predict within the time limit of "
                f"{limits.seconds:g} s; it was stopped"
            ) from None
    status_file = work / "status.json"
    if status_file.is_file() and status_file.stat().st_size <= _STATUS_MAX_BYTES:
        try:
            status: dict[str, Any] = json.loads(status_file.read_text(encoding="utf-8"))
            if isinstance(status, dict):
                return status
        except (ValueError, UnicodeDecodeError):
            pass
    tail = (work / "stderr.txt").read_bytes()[-_STDERR_TAIL_BYTES:].decode("utf-8", "replace")
    last = tail.strip().splitlines()[-1] if tail.strip() else ""
    if code < 0:
        import signal

        how = f"was killed by signal {signal.Signals(-code).name}"
    else:
        how = f"exited with code {code}"
    hint = f" ({_printable(last, 300)})" if last else ""
    raise DataError(
        f"{display}: the model process {how} before giving predictions{hint}; "
        f"limits: {limits.memory_bytes:,} bytes of memory, {limits.seconds:g} s"
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def model_columns(columns: Sequence[str], *, exclude: Sequence[str]) -> list[str]:
    """The columns offered to a model that was not told its features."""
    skip = set(exclude)
    return [column for column in columns if column not in skip]
