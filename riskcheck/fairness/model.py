"""Predicting with a model file, safely: an allowlist, and a child process with limits.

A model file is code as much as data. riskcheck loads it in a separate Python process
that caps its own address space (``RLIMIT_AS``) before it imports anything, under a
wall-clock limit, so a hostile or broken
file can at worst fail that process. The parent hands the child the feature columns
as Parquet and reads back the predictions as a plain ``.npy`` array and a JSON status:
formats that cannot carry code back into the parent. Or, streaming
(:func:`stream_predictions`, for data of any size), one child predicts on batch after
batch: features go in on its stdin and predictions come back on its stdout, each an
Arrow IPC stream framed by its length (values only, checked before use), under the
same limits, the time limit holding for each exchange.

- ``.skops`` files load with skops, trusting only skops' defaults and
  :data:`TRUSTED_TYPES`; any other type is refused, by name, unless the file is
  trusted.
- ``.pkl``, ``.pickle`` and ``.joblib`` can run any code when loaded, so they load only
  when the file is trusted, and riskcheck then prints the file's sha256. Who may trust
  a file is set out in :mod:`riskcheck.fairness.trust`: never the assessment.

The child runs in isolated mode (``python -I``: no working directory, ``PYTHONPATH``
or user site-packages on ``sys.path``) in a fresh temporary directory holding a copy
of the model whose sha256 was checked, so no file beside the data or the model is
imported, and the bytes loaded are the bytes trusted. It runs in its own session; the
parent kills its whole process group on every way out (done, time limit, Ctrl-C,
SIGTERM, an exception), and the child stops itself too: a CPU-time limit
(``RLIMIT_CPU``), an alarm at the wall-clock limit, and a watchdog thread that removes
the temporary directory and exits when the parent is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import DataError
from riskcheck.fairness.trust import HOW_TO_TRUST, NO_TRUST, ModelTrust
from riskcheck.files.fileio import process_alive

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped]

    from riskcheck.fairness.csv_types import ColumnType

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
#: Seconds past its time limit after which the child stops itself; the parent, while it
#: lives, stops it first and says why.
WORKER_GRACE_SECONDS = 2.0
#: Name prefix of the model process's scratch folders in the temp directory.
SCRATCH_PREFIX = "riskcheck-model-"


def remove_stale_scratch(*, older_than: float = MODEL_TIME_LIMIT_SECONDS + 60.0, limit: int = 1000) -> list[Path]:
    """Remove scratch folders left by model runs whose riskcheck process is gone.

    The watchdog removes its folder on every exit it sees, but a worker stuck in C code
    while riskcheck is SIGKILLed dies to its CPU limit without running any cleanup. The
    next run clears such folders: its own prefix, owned by this user, with a recorded
    parent that no longer exists, untouched for longer than any run may last.
    """
    removed: list[Path] = []
    now = time.time()
    root = Path(tempfile.gettempdir())
    try:
        entries = [entry for _, entry in zip(range(limit), root.glob(SCRATCH_PREFIX + "*"), strict=False)]
    except OSError:
        return removed
    for folder in entries:
        try:
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or now - info.st_mtime < older_than:
                continue
            job = json.loads((folder / "job.json").read_text(encoding="utf-8")[:10_000])
            parent = int(job["parent"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not process_alive(parent):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


#: The child's entry point. ``-I`` keeps the working directory off ``sys.path``;
#: riskcheck's own location is appended (after the standard library and
#: site-packages), so a checkout that is not installed still runs and nothing there
#: shadows a module the child imports.
_BOOTSTRAP = (
    "import sys; sys.path.append(sys.argv.pop(1)); "
    "from riskcheck.fairness._model_worker import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass(frozen=True)
class ModelLimits:
    """Resource limits for the model process."""

    memory_bytes: int = MODEL_MEMORY_LIMIT_BYTES
    seconds: float = MODEL_TIME_LIMIT_SECONDS


def check_model_file(path: Path, display: str, *, trusted: bool, sha256: str | None = None) -> str:
    """Return the loader for ``path`` ("skops" or "pickle"), or refuse it.

    ``trusted`` says whether whoever runs riskcheck trusts this file
    (:meth:`ModelTrust.allows` its ``sha256``, given to name it in the refusal).
    """
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
        if not trusted:
            digest = f" (sha256 {sha256})" if sha256 else ""
            raise DataError(
                f"{display}: refusing to load a {suffix} model: pickle and joblib files can "
                "run any code when loaded. Save the model with skops (skops.io.dump); "
                f"if you trust this file{digest}, {HOW_TO_TRUST}"
            )
        return "pickle"
    if suffix == ".onnx":
        raise DataError(
            f"{display}: ONNX models are not supported; save the model with skops, "
            "or give its predictions as a column (--prediction)"
        )
    raise DataError(
        f"{display}: unknown model file type {suffix or '(no suffix)'!r}; expected .skops "
        f"(or, when trusted, {', '.join(PICKLE_SUFFIXES)})"
    )


def predict_with_model(
    path: Path,
    *,
    display: str,
    features: pd.DataFrame,
    explicit_features: bool,
    trust: ModelTrust = NO_TRUST,
    sha256: str,
    threshold: float | None = None,
    positive_label: Any = None,
    limits: ModelLimits | None = None,
    warn: Callable[[str], None] | None = None,
    csv_types: Mapping[str, ColumnType] | None = None,
) -> tuple[npt.NDArray[Any], tuple[str, ...]]:
    """Run the model in a child process; return its predictions and the warnings raised.

    With ``threshold`` the predictions are booleans: the probability of the positive
    class (``positive_label``, else 1) at or above the threshold. ``sha256`` is the
    file's digest as the caller read it; the child loads a copy with that digest.
    ``csv_types`` (features read as text from a CSV file) are the typing rule's decisions
    (:mod:`riskcheck.fairness.csv_types`), carried out in the child on the columns the model uses.
    """

    warn = warn if warn is not None else trust.announce
    limits = limits or ModelLimits()
    notes: list[str] = []
    settings = _settings(explicit_features, threshold, positive_label, csv_types)
    with _model_folder(path, display, sha256, trust, limits, notes, warn) as (work, job):
        features.to_parquet(work / "features.parquet", index=False)
        _write_job(work, {**job, **settings, "features": str(work / "features.parquet")})
        status = _run_child(work, display, limits)
        if not status.get("ok"):
            raise _refusal(status, display)
        predictions = _read_predictions(work / "predictions.npy", rows=len(features), display=display)
    _note_trusted_types(status, display, trust, sha256, notes, warn)
    return predictions, tuple(notes)


@contextlib.contextmanager
def _model_folder(
    path: Path,
    display: str,
    sha256: str,
    trust: ModelTrust,
    limits: ModelLimits,
    notes: list[str],
    warn: Callable[[str], None] | None,
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The checks every model run starts with (the file, its trust), then a scratch folder
    holding a copy of the model with the digest the caller read; yields the folder and
    the job settings every run shares. A trusted pickle is noted in ``notes`` and ``warn``."""
    trusted = trust.allows(sha256)
    loader = check_model_file(path, display, trusted=trusted, sha256=sha256)
    if loader == "pickle":
        notes.append(
            f"{display}: loading with pickle because the model is trusted ({trust.reason(sha256)}); "
            f"pickle runs any code in the file. sha256 {sha256}"
        )
        if warn is not None:
            warn(f"warning: {notes[-1]}")
    remove_stale_scratch()
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as scratch:
        work = Path(scratch)
        model_copy = work / f"model{path.suffix.lower()}"
        _copy_checked(path, model_copy, sha256, display)
        yield (
            work,
            {
                "model": str(model_copy),
                "loader": loader,
                "trust": trusted,
                "sha256": sha256,
                "memory_bytes": limits.memory_bytes,
                "seconds": limits.seconds + WORKER_GRACE_SECONDS,
                "parent": os.getpid(),
                "out": str(work),
            },
        )


def _settings(
    explicit_features: bool, threshold: float | None, positive_label: Any, csv_types: Mapping[str, ColumnType] | None
) -> dict[str, Any]:
    """The job's settings for predicting, shared by both ways of running the model."""
    from riskcheck.fairness.csv_types import to_job

    return {
        "explicit_features": explicit_features,
        "threshold": threshold,
        "positive_label": positive_label,
        "csv_types": None if csv_types is None else to_job(csv_types),
    }


def _refusal(status: Mapping[str, Any], display: str) -> DataError:
    """The error a failed status gives: about the data (it names the data file), else the model."""
    message = _printable(status.get("message", "the model process failed"))
    return DataError(message if status.get("about") == "data" else f"{display}: {message}")


def _write_job(work: Path, job: dict[str, Any]) -> None:
    (work / "job.json").write_text(json.dumps(job), encoding="utf-8")


def _note_trusted_types(
    status: dict[str, Any],
    display: str,
    trust: ModelTrust,
    sha256: str,
    notes: list[str],
    warn: Callable[[str], None] | None,
) -> None:
    """Each type outside the skops allowlist that the model process loaded because the model is trusted."""
    for name in status.get("trusted_types", []):
        note = (
            f"{display}: trusted type {_printable(name)} loaded because the model is trusted ({trust.reason(sha256)})"
        )
        notes.append(note)
        if warn is not None:
            warn(f"warning: {note}")


#: Rows the model process predicts on at a time when predictions are streamed.
STREAM_BATCH_ROWS = 32_768
#: The most bytes of features riskcheck sends the model process in one message.
_STREAM_MAX_MESSAGE = 2 * 1024**3
#: Seconds the model process has to exit once riskcheck has sent everything.
_EXIT_SECONDS = 30.0


class ModelStream:
    """One model process that predicts batch after batch (:func:`stream_predictions`).

    Features go to the model process as Arrow IPC streams on its stdin; its predictions
    come back as Arrow IPC streams on a pipe of their own (the model's prints go to its
    stderr), each framed by its length. Arrow IPC carries values, never code; each
    answer is checked for one column of one prediction per row, of a plain type, before
    it is used. Every exchange is held to the time limit: loading and the first batch,
    then each later batch.
    """

    def __init__(self, process: subprocess.Popen[bytes], work: Path, display: str, limits: ModelLimits) -> None:
        self._process = process
        self._work = work
        self.display = display
        self._limits = limits
        assert process.stdin is not None and process.stdout is not None
        self._send_fd = process.stdin.fileno()
        self._receive_fd = process.stdout.fileno()
        os.set_blocking(self._send_fd, False)
        os.set_blocking(self._receive_fd, False)
        self.output_type: Any = None
        self.batches = 0

    @property
    def work(self) -> Path:
        """The model process's scratch folder: its watchdog removes it if riskcheck is killed."""
        return self._work

    def send(self, features: Any) -> None:
        """Send a batch of feature columns (a ``pyarrow.RecordBatch``)."""
        import pyarrow as pa  # type: ignore[import-untyped]

        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, features.schema) as writer:
            writer.write_batch(features)
        payload = sink.getvalue()
        if payload.size > _STREAM_MAX_MESSAGE:
            raise DataError(f"{self.display}: a batch of features is {payload.size:,} bytes; too wide to send")
        deadline = time.monotonic() + self._limits.seconds
        try:
            self._write(len(payload).to_bytes(8, "little"), deadline)
            self._write(memoryview(payload), deadline)
        except BrokenPipeError:
            raise self._failure() from None

    def receive(self, rows: int) -> Any:
        """The predictions for the batch sent last, as a ``pyarrow.Array`` of ``rows`` values."""
        import pyarrow as pa

        deadline = time.monotonic() + self._limits.seconds
        header = self._read(8, deadline)
        if header is None:
            raise self._failure()
        length = int.from_bytes(header, "little")
        limit = rows * _PREDICTION_MAX_BYTES_PER_ROW + 64 * 1024
        if length > limit:
            raise DataError(f"{self.display}: the model process sent {length:,} bytes of predictions for {rows:,} rows")
        payload = self._read(length, deadline)
        if payload is None:
            raise self._failure()
        try:
            table = pa.ipc.open_stream(pa.py_buffer(payload)).read_all()
            table.validate(full=True)
        except (pa.ArrowException, ValueError) as exc:
            raise DataError(
                f"{self.display}: the model process sent unreadable predictions: {_printable(str(exc), 300)}"
            ) from None
        if table.num_columns != 1 or table.num_rows != rows:
            raise DataError(
                f"{self.display}: the model process sent {table.num_columns} column(s) of {table.num_rows:,} "
                f"predictions for {rows:,} rows; expected one prediction per row"
            )
        column = table.column(0).combine_chunks()
        kind = column.type
        if not (pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                raise DataError(f"{self.display}: the model process sent predictions of type {kind}")
            column = column.cast(pa.string())
        if self.output_type is None:
            self.output_type = column.type
        elif column.type != self.output_type:
            raise DataError(
                f"{self.display}: the model predicted {self.output_type} values, then {column.type} values; "
                "expected one type of prediction"
            )
        self.batches += 1
        return column

    def predict(self, features: Any) -> Any:
        self.send(features)
        return self.receive(features.num_rows)

    def finish(self) -> dict[str, Any]:
        """Tell the model process that the data has ended; its final status."""
        self._process.stdin.close()  # type: ignore[union-attr]
        if not _wait_unreaped(self._process, _EXIT_SECONDS):
            raise DataError(f"{self.display}: the model process did not stop within {_EXIT_SECONDS:g} s of the end")
        status = _status(self._work)
        if status is None:
            raise _ended_without_status(self._work, self.display, self._limits, _exit_code(self._process))
        if not status.get("ok"):
            raise _refusal(status, self.display)
        return status

    def _failure(self) -> DataError:
        """Why the model process stopped talking: its status, else how it ended."""
        if not _wait_unreaped(self._process, 5.0):
            return DataError(f"{self.display}: the model process stopped answering; it was stopped")
        status = _status(self._work)
        if status is not None and not status.get("ok"):
            return _refusal(status, self.display)
        return _ended_without_status(self._work, self.display, self._limits, _exit_code(self._process))

    def _timeout(self) -> DataError:
        return DataError(
            f"{self.display}: the model did not load and predict within the time limit of "
            f"{self._limits.seconds:g} s; it was stopped"
        )

    def _write(self, data: bytes | memoryview, deadline: float) -> None:
        import select

        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timeout()
            _, writable, _ = select.select([], [self._send_fd], [], min(left, 1.0))
            if not writable:
                continue
            try:
                written = os.write(self._send_fd, view[: 1024 * 1024])
            except BlockingIOError:
                continue
            view = view[written:]

    def _read(self, size: int, deadline: float) -> bytes | None:
        """Exactly ``size`` bytes, or None at the end of the stream."""
        import select

        parts = bytearray()
        while len(parts) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timeout()
            readable, _, _ = select.select([self._receive_fd], [], [], min(left, 1.0))
            if not readable:
                continue
            try:
                chunk = os.read(self._receive_fd, min(size - len(parts), 4 * 1024 * 1024))
            except BlockingIOError:
                continue
            if not chunk:
                return None
            parts += chunk
        return bytes(parts)


@contextlib.contextmanager
def stream_predictions(
    path: Path,
    *,
    display: str,
    sha256: str,
    explicit_features: bool,
    trust: ModelTrust = NO_TRUST,
    threshold: float | None = None,
    positive_label: Any = None,
    limits: ModelLimits | None = None,
    warn: Callable[[str], None] | None = None,
    notes: list[str] | None = None,
    csv_types: Mapping[str, ColumnType] | None = None,
) -> Iterator[ModelStream]:
    """A model process that predicts on batch after batch, under the rules of :func:`predict_with_model`.

    The same checks come first (the file, its trust, the copy's sha256); the same limits
    hold (memory for the whole run, time per exchange); the process is stopped and its
    folder removed however the block ends. Warnings (a trusted pickle, trusted types) are
    appended to ``notes`` and passed to ``warn``. ``csv_types`` as for :func:`predict_with_model`.
    """
    warn = warn if warn is not None else trust.announce
    limits = limits or ModelLimits()
    notes = notes if notes is not None else []
    settings = _settings(explicit_features, threshold, positive_label, csv_types)
    with _model_folder(path, display, sha256, trust, limits, notes, warn) as (work, job):
        _write_job(work, {**job, **settings, "stream": True})
        with (work / "stderr.txt").open("wb") as stderr:
            process = subprocess.Popen(
                worker_command(work / "job.json"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=_worker_environment(),
                cwd=work,
                start_new_session=True,
            )
            try:
                with _interrupt_on_termination(process):
                    stream = ModelStream(process, work, display, limits)
                    yield stream
                    status = stream.finish()
            finally:
                _kill_group(process)
                for pipe in (process.stdin, process.stdout):
                    if pipe is not None:
                        with contextlib.suppress(OSError):
                            pipe.close()
    _note_trusted_types(status, display, trust, sha256, notes, warn)


def _exit_code(process: subprocess.Popen[bytes]) -> int | None:
    """How an exited child ended (negative: the signal), without reaping it (see :func:`_wait_unreaped`)."""
    try:
        info = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return None
    if info is None:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def _worker_environment() -> dict[str, str]:
    env = dict(os.environ)
    # one thread each: BLAS pools reserve address space per thread, and results stay stable
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


def _copy_checked(source: Path, target: Path, sha256: str, display: str) -> None:
    """Copy the model for the child, refusing it if its bytes are no longer those hashed (and trusted)."""
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(1024 * 1024):
            digest.update(chunk)
            writer.write(chunk)
    if digest.hexdigest() != sha256:
        raise DataError(
            f"{display}: the file changed while riskcheck read it (sha256 {sha256}, now {digest.hexdigest()}); "
            "run again"
        )


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


def worker_command(job: Path) -> list[str]:
    """The command that runs the model process on ``job`` (see :mod:`riskcheck.fairness._model_worker`)."""
    import riskcheck

    return [sys.executable, "-I", "-c", _BOOTSTRAP, str(Path(riskcheck.__file__).resolve().parent.parent), str(job)]


def _run_child(work: Path, display: str, limits: ModelLimits) -> dict[str, Any]:
    env = _worker_environment()
    with (work / "stderr.txt").open("wb") as stderr:
        process = subprocess.Popen(
            worker_command(work / "job.json"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            cwd=work,
            start_new_session=True,
        )
        try:
            with _interrupt_on_termination(process):
                finished = _wait_unreaped(process, limits.seconds)
        finally:
            # the child and anything it started, however the wait ended (Ctrl-C included)
            _kill_group(process)
    if not finished:
        raise DataError(
            f"{display}: the model did not load and predict within the time limit of "
            f"{limits.seconds:g} s; it was stopped"
        )
    status = _status(work)
    if status is not None:
        return status
    raise _ended_without_status(work, display, limits, process.returncode)


def _status(work: Path) -> dict[str, Any] | None:
    """The model process's ``status.json``, when it wrote a readable one."""
    status_file = work / "status.json"
    if status_file.is_file() and status_file.stat().st_size <= _STATUS_MAX_BYTES:
        try:
            status: dict[str, Any] = json.loads(status_file.read_text(encoding="utf-8"))
            if isinstance(status, dict):
                return status
        except (ValueError, UnicodeDecodeError):
            pass
    return None


def _ended_without_status(work: Path, display: str, limits: ModelLimits, code: int | None) -> DataError:
    """The error for a model process that ended (or was stopped) without saying why."""
    tail = (work / "stderr.txt").read_bytes()[-_STDERR_TAIL_BYTES:].decode("utf-8", "replace")
    last = tail.strip().splitlines()[-1] if tail.strip() else ""
    if code is None:
        how = "stopped answering"
    elif code < 0:
        how = f"was killed by signal {signal.Signals(-code).name}"
    else:
        how = f"exited with code {code}"
    hint = f" ({_printable(last, 300)})" if last else ""
    return DataError(
        f"{display}: the model process {how} before giving predictions{hint}; "
        f"limits: {limits.memory_bytes:,} bytes of memory, {limits.seconds:g} s"
    )


def _wait_unreaped(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` for the child to exit, without reaping it; False if it is still running.

    Until it is reaped, the child's process id (its process group's id) cannot be
    reused, so killing the group afterwards cannot reach an unrelated process.
    """
    deadline = time.monotonic() + seconds
    pause = 0.001
    try:
        while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.05)
    except ChildProcessError:  # reaped already (a program that ignores SIGCHLD): it has exited
        pass
    return True


@contextlib.contextmanager
def _interrupt_on_termination(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """While the child runs, SIGTERM and SIGHUP stop it first: the group is killed, then a
    handler the program had runs, or (with the default action) the wait ends as Ctrl-C
    would end it, so the temporary directory is removed on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers belong to the main thread; the child's watchdog covers the rest
        return
    previous: dict[int, Any] = {}

    def stop(signum: int, frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        before = previous[signum]
        if callable(before):
            before(signum, frame)
        elif before != signal.SIG_IGN:
            raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def model_columns(columns: Sequence[str], *, exclude: Sequence[str]) -> list[str]:
    """The columns offered to a model that was not told its features."""
    skip = set(exclude)
    return [column for column in columns if column not in skip]
