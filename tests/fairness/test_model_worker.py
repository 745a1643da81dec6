"""The model process never outlives riskcheck, nor its own limits (issue 11, item 6).

Every hanging model here starts a shell that records the model process's pid and
its own, then sleeps: the shell is a child of the model process, in its process
group. Each test stops riskcheck one way (Ctrl-C, SIGTERM, SIGKILL, the time limit)
and asserts that both processes are gone and the temporary folder removed.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riskcheck.core.errors import DataError

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")


class _Reduce:
    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self.function, self.args


def alive(pid: int) -> bool:
    """Running, and not a zombie (an orphan's zombie may wait long for a reaper in a container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Data, a model that hangs (with a child), and an empty folder for temporary files."""
    rows = ["sex,x,y"] + [f"{sex},{x},{int(x >= 5)}" for sex in ("F", "M") for x in range(10)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    started = tmp_path / "started"
    script = f"echo $PPID $$ > {started}.tmp && mv {started}.tmp {started}; exec sleep 60"
    (tmp_path / "hangs.pkl").write_bytes(pickle.dumps(_Reduce(os.system, script)))
    (tmp_path / "tmp").mkdir()
    return tmp_path


def pids(folder: Path) -> tuple[int, int]:
    """The model process's pid and its child's, once the model has started."""
    assert wait_for((folder / "started").exists, 30), "the model never started"
    worker, child = (int(part) for part in (folder / "started").read_text().split())
    return worker, child


def start_riskcheck(folder: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "riskcheck", "fairness", "--data", "data.csv", "--target", "y",
        "--model", "hangs.pkl", "--trust-model", "--sensitive", "sex",
    ]  # fmt: skip
    env = {**os.environ, "TMPDIR": str(folder / "tmp")}
    return subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def assert_all_gone(folder: Path, worker: int, child: int) -> None:
    assert wait_for(lambda: not alive(worker) and not alive(child), 5), "the model process outlived riskcheck"
    assert wait_for(lambda: not any((folder / "tmp").iterdir()), 5), list((folder / "tmp").iterdir())


@pytest.mark.parametrize(("how", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 130)])
def test_stopping_riskcheck_stops_the_model_and_its_children(folder: Path, how: int, exit_code: int) -> None:
    riskcheck = start_riskcheck(folder)
    try:
        worker, child = pids(folder)
        riskcheck.send_signal(how)
        assert riskcheck.wait(timeout=10) == exit_code
        assert riskcheck.stderr is not None and b"Traceback" not in riskcheck.stderr.read()
        assert_all_gone(folder, worker, child)
    finally:
        riskcheck.kill()
        riskcheck.wait()


def test_a_killed_riskcheck_leaves_no_model_process_and_no_temporary_folder(folder: Path) -> None:
    riskcheck = start_riskcheck(folder)
    try:
        worker, child = pids(folder)
        riskcheck.kill()  # SIGKILL: riskcheck runs no clean-up of its own; the watchdog does it
        riskcheck.wait(timeout=10)
        assert_all_gone(folder, worker, child)
    finally:
        riskcheck.kill()
        riskcheck.wait()


def test_the_time_limit_stops_the_model_and_its_children(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from riskcheck.fairness.api import compute_fairness
    from riskcheck.fairness.model import ModelLimits

    monkeypatch.setattr(tempfile, "tempdir", str(folder / "tmp"))
    with pytest.raises(DataError, match="within the time limit of 3 s; it was stopped"):
        compute_fairness(
            folder / "data.csv", target="y", sensitive=["sex"], model=folder / "hangs.pkl",
            trust_model=True, limits=ModelLimits(seconds=3),
        )  # fmt: skip
    assert_all_gone(folder, *pids(folder))


@pytest.mark.parametrize(
    ("model", "how"),
    [
        (_Reduce(exec, "while True: pass"), "spins"),  # RLIMIT_CPU, or the watchdog's clock
        (_Reduce(time.sleep, 60), "sleeps"),  # the watchdog's clock, or the alarm
    ],
)
def test_the_model_process_enforces_its_own_time_limit(tmp_path: Path, model: Any, how: str) -> None:
    """With a parent that never stops it, the model process still stops itself."""
    import pandas as pd

    from riskcheck.fairness.model import worker_command

    path = tmp_path / f"{how}.pkl"
    path.write_bytes(pickle.dumps(model))
    pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(tmp_path / "features.parquet", index=False)
    job = {
        "model": str(path), "loader": "pickle", "trust": True, "sha256": "",
        "features": str(tmp_path / "features.parquet"), "explicit_features": True, "threshold": None,
        "positive_label": None, "memory_bytes": 2 * 1024**3,
        "seconds": 1.0, "parent": os.getpid(), "out": str(tmp_path / "work"),
    }  # fmt: skip
    (tmp_path / "work").mkdir()
    (tmp_path / "job.json").write_text(json.dumps(job), encoding="utf-8")
    started = time.monotonic()
    process = subprocess.Popen(worker_command(tmp_path / "job.json"), cwd=tmp_path, start_new_session=True)
    try:
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert code < 0  # stopped by a signal: SIGXCPU, SIGKILL or SIGALRM
    assert time.monotonic() - started < 10


def test_a_program_that_ignores_sigchld_still_gets_predictions(folder: Path) -> None:
    """With SIGCHLD ignored the kernel reaps the model process itself; waiting must not crash."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from riskcheck.fairness.api import compute_fairness

    frame = pd.read_csv(folder / "data.csv")
    (folder / "plain.pkl").write_bytes(pickle.dumps(LogisticRegression().fit(frame[["x"]], frame["y"])))
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        result = compute_fairness(
            folder / "data.csv", target="y", sensitive=["sex"], model=folder / "plain.pkl", features=["x"],
            trust_model=True, min_group_size=1,
        )  # fmt: skip
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert result.rows == 20


def test_the_next_run_removes_scratch_folders_left_by_a_killed_riskcheck(tmp_path: Path, monkeypatch: Any) -> None:
    # A worker stuck in C code when riskcheck is SIGKILLed dies to its CPU limit and runs no
    # cleanup; its folder is removed by the next run once its parent is gone and time is up.
    from riskcheck.fairness import model

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    old = time.time() - model.MODEL_TIME_LIMIT_SECONDS - 120

    def scratch(name: str, parent: int, mtime: float) -> Path:
        folder = tmp_path / f"{model.SCRATCH_PREFIX}{name}"
        folder.mkdir()
        (folder / "job.json").write_text(json.dumps({"parent": parent}), encoding="utf-8")
        os.utime(folder, (mtime, mtime))
        return folder

    stale = scratch("stale", gone.pid, old)
    recent = scratch("recent", gone.pid, time.time())
    running = scratch("running", os.getpid(), old)
    other = tmp_path / "someone-else"
    other.mkdir()
    os.utime(other, (old, old))
    assert model.remove_stale_scratch() == [stale]
    assert not stale.exists() and recent.exists() and running.exists() and other.exists()
