"""The child process that loads a model and predicts (see :mod:`riskcheck.fairness.model`).

The parent runs :func:`main` in isolated mode (``python -I``) with ``JOB.json``. It
writes ``predictions.npy`` and ``status.json`` next to the job; the parent trusts
neither beyond their formats. With ``"stream": true`` in the job it loads the model once
and predicts on each batch of features read from stdin, writing each batch's
predictions to stdout (see :func:`_serve`); ``status.json`` follows at the end.

Before anything else the child bounds itself, so that it cannot outlive its limits
or its parent even when the parent is killed outright: an address-space limit, a
CPU-time limit (``RLIMIT_CPU``: SIGXCPU, then SIGKILL), an alarm at the wall-clock
limit (the default action of SIGALRM ends the process even when Python code cannot
run), and a watchdog thread that, once the parent is gone or the time is up, removes
the temporary directory and kills the child's process group.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: How often the watchdog looks for the parent, in seconds.
WATCHDOG_INTERVAL = 0.1


class _Refused(Exception):
    """The model file is refused before anything in it runs."""


class _DataProblem(Exception):
    """The data cannot be given to the model; the message names the data file, not the model."""


def _load(job: dict[str, Any]) -> tuple[Any, list[str]]:
    path = job["model"]
    if job["loader"] == "skops":
        from skops.io import get_untrusted_types, load  # type: ignore[import-untyped]

        from riskcheck.fairness.model import TRUSTED_TYPES
        from riskcheck.fairness.trust import HOW_TO_TRUST

        untrusted = get_untrusted_types(file=path)
        unknown = sorted(set(untrusted) - TRUSTED_TYPES)
        if unknown and not job["trust"]:
            raise _Refused(
                "refusing to load the model: it holds types that riskcheck does not trust: "
                f"{', '.join(unknown)}. Save it with scikit-learn and numpy types only; "
                f"if you trust this file (sha256 {job['sha256']}), {HOW_TO_TRUST}"
            )
        return load(path, trusted=list(untrusted)), unknown
    if path.endswith(".joblib"):
        import joblib  # type: ignore[import-untyped]

        return joblib.load(path), []
    import pickle

    with open(path, "rb") as handle:
        return pickle.load(handle), []


def _used_columns(model: Any, columns: list[str], explicit: bool) -> list[str] | None:
    """The columns the model is given: those it was fit on, or (None) every column offered."""
    names = getattr(model, "feature_names_in_", None)
    if explicit or names is None:
        return None
    wanted = [str(name) for name in names]
    missing = [name for name in wanted if name not in columns]
    if missing:
        raise _Refused(
            f"the model cannot predict on the columns given: it was fit on column(s) "
            f"{', '.join(map(repr, missing))} that the data lacks; available columns: "
            f"{', '.join(map(str, columns))}"
        )
    return wanted


def _features(model: Any, table: Any, job: dict[str, Any]) -> Any:
    """The model's features as a DataFrame, from a ``pyarrow.Table`` of the columns offered:
    a CSV file's columns typed by riskcheck's rule first (see :mod:`riskcheck.fairness.csv_types`)."""
    from riskcheck.fairness.csv_types import UnclearColumn, apply_types, to_pandas

    columns = [str(name) for name in table.column_names]
    used = _used_columns(model, columns, bool(job["explicit_features"]))
    types = job.get("csv_types")
    if types:
        try:
            table = apply_types(table, types, columns if used is None else used)
        except UnclearColumn as exc:
            raise _DataProblem(str(exc)) from None
        frame = to_pandas(table, types)
    else:
        frame = table.to_pandas()
    return frame if used is None else frame[used]


def _predict(model: Any, features: Any, job: dict[str, Any]) -> Any:
    import numpy as np

    from riskcheck.fairness.data import canonical

    threshold = job["threshold"]
    if threshold is None:
        predictions = np.asarray(model.predict(features))
    else:
        classes = [canonical(c) for c in getattr(model, "classes_", [])]
        label = job["positive_label"]
        wanted = 1 if label is None else canonical(label)
        if isinstance(wanted, str) and classes and not isinstance(classes[0], str):
            with contextlib.suppress(ValueError):
                wanted = canonical(float(wanted))
        if wanted not in classes:
            raise _Refused(
                f"the model's classes are {classes}; none is the positive label {wanted!r}, "
                "so its probability cannot be thresholded"
            )
        probabilities = np.asarray(model.predict_proba(features))
        predictions = probabilities[:, classes.index(wanted)] >= threshold
    if predictions.ndim == 2 and predictions.shape[1] == 1:
        predictions = predictions[:, 0]
    if predictions.ndim != 1 or len(predictions) != len(features):
        raise _Refused(
            f"the model returned predictions of shape {predictions.shape} for "
            f"{len(features)} rows; expected one prediction per row"
        )
    if predictions.dtype.kind == "O":
        predictions = predictions.astype(str)
    return predictions


def _limit_memory(limit: int) -> None:
    """Cap this process's address space before the model (or numpy) is loaded."""
    try:
        import resource
    except ImportError:  # not POSIX: the time limit still applies
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _limit_time(seconds: float) -> None:
    """Cap this process's CPU time and wall-clock time; past either, the kernel ends it."""
    whole = max(1, math.ceil(seconds))
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = whole if hard == resource.RLIM_INFINITY else min(whole, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard if hard != resource.RLIM_INFINITY else soft + 1))
    if hasattr(signal, "alarm"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(whole + 1)


#: What the streaming model process is doing, for its error messages.
_stage = ["load"]
#: When the watchdog stops the process; streaming moves it on with each batch.
_deadline = [0.0]


def _watch(parent: int, seconds: float, scratch: Path) -> None:
    """Start the watchdog: when the parent is gone or time is up, clean up and stop the group."""
    _deadline[0] = time.monotonic() + seconds

    def watch() -> None:
        while os.getppid() == parent and time.monotonic() < _deadline[0]:
            time.sleep(WATCHDOG_INTERVAL)
        shutil.rmtree(scratch, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="riskcheck-watchdog", daemon=True).start()


def _limit_cpu_from_now(seconds: float) -> None:
    """Streaming: the CPU-time limit moves on by ``seconds`` from what has been used so far
    (the soft limit only, below any hard limit the process was given)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + seconds)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _arm(seconds: float) -> None:
    """Streaming: each exchange gets the time limit anew (alarm, watchdog, CPU time)."""
    if hasattr(signal, "alarm"):
        signal.alarm(max(1, math.ceil(seconds)) + 1)
    _deadline[0] = time.monotonic() + seconds
    _limit_cpu_from_now(seconds)


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = bytearray()
    while len(parts) < size:
        chunk = os.read(fd, min(size - len(parts), 4 * 1024 * 1024))
        if not chunk:
            if parts:
                raise _Refused("the feature stream ended in the middle of a batch")
            return None
        parts += chunk
    return bytes(parts)


def _write_all(fd: int, data: Any) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _serve(job: dict[str, Any], channel: int) -> dict[str, Any]:
    """Load the model, then predict on each batch of features read from stdin until it ends.

    Each batch is an Arrow IPC stream framed by its length (8 bytes, little-endian); each
    answer, written to ``channel``, is one too: a single column of predictions."""
    import pyarrow as pa  # type: ignore[import-untyped]

    seconds = float(job["seconds"])
    _stage[0] = "load"
    model, trusted = _load(job)
    _stage[0] = "predict on the columns given"
    while True:
        header = _read_exactly(0, 8)
        if header is None:
            return {"ok": True, "trusted_types": trusted, "stage": "done"}
        payload = _read_exactly(0, int.from_bytes(header, "little"))
        if payload is None:
            raise _Refused("the feature stream ended in the middle of a batch")
        table = pa.ipc.open_stream(pa.py_buffer(payload)).read_all()
        predictions = _predict(model, _features(model, table, job), job)
        column = pa.array(predictions)
        if not (pa.types.is_boolean(column.type) or pa.types.is_integer(column.type)):
            if pa.types.is_floating(column.type):
                column = column.cast(pa.float64())
            else:
                column = column.cast(pa.string())
        elif pa.types.is_integer(column.type):
            column = column.cast(pa.int64())
        table = pa.table({"prediction": column})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        answer = sink.getvalue()
        _write_all(channel, len(answer).to_bytes(8, "little"))
        _write_all(channel, answer)
        del predictions, column, table, answer
        _arm(seconds)


def main(argv: list[str]) -> int:
    job_file = Path(argv[0])
    job = json.loads(job_file.read_text(encoding="utf-8"))
    stream = bool(job.get("stream"))
    channel = -1
    if stream:
        # The predictions leave on the pipe riskcheck gave as stdout; whatever the model
        # prints goes to stderr, so it cannot be read as a prediction.
        channel = os.dup(1)
        os.dup2(2, 1)
    _limit_memory(int(job["memory_bytes"]))
    if stream:
        _limit_cpu_from_now(float(job["seconds"]))
        if hasattr(signal, "alarm"):
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(max(1, math.ceil(float(job["seconds"]))) + 1)
    else:
        _limit_time(float(job["seconds"]))
    out = Path(job["out"])
    _watch(int(job["parent"]), float(job["seconds"]), out)
    if stream:
        (out / "status.json").write_text(json.dumps(_run_stream(job, channel)), encoding="utf-8")
        return 0
    stage = "load"
    try:
        model, trusted = _load(job)
        stage = "predict on the columns given"
        import numpy as np
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        predictions = _predict(model, _features(model, pq.read_table(job["features"]), job), job)
        np.save(out / "predictions.npy", predictions, allow_pickle=False)
        status: dict[str, Any] = {"ok": True, "trusted_types": trusted}
    except _Refused as exc:
        status = {"ok": False, "message": str(exc)}
    except _DataProblem as exc:
        status = {"ok": False, "message": str(exc), "about": "data"}
    except MemoryError:
        status = {
            "ok": False,
            "message": f"the model ran out of memory trying to {stage} (the limit is {job['memory_bytes']:,} bytes)",
        }
    except BaseException as exc:
        text = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        status = {"ok": False, "message": f"the model could not {stage}: {detail}"}
    (out / "status.json").write_text(json.dumps(status), encoding="utf-8")
    return 0


def _run_stream(job: dict[str, Any], channel: int) -> dict[str, Any]:
    """:func:`_serve`, with every failure turned into a status as :func:`main` does."""
    try:
        return _serve(job, channel)
    except _Refused as exc:
        return {"ok": False, "message": str(exc)}
    except _DataProblem as exc:
        return {"ok": False, "message": str(exc), "about": "data"}
    except MemoryError:
        return {
            "ok": False,
            "message": (
                f"the model ran out of memory trying to {_stage[0]} (the limit is {job['memory_bytes']:,} bytes)"
            ),
        }
    except BrokenPipeError:
        return {"ok": False, "message": "riskcheck stopped reading the predictions"}
    except BaseException as exc:
        text = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        return {"ok": False, "message": f"the model could not {_stage[0]}: {detail}"}
    finally:
        with contextlib.suppress(OSError):
            os.close(channel)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
