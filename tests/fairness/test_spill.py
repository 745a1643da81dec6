"""DuckDB's spill folder does not outlive a riskcheck killed outright (riskcheck.fairness.spill).

Without a model there is no watchdog: a riskcheck SIGKILLed during a run left its
``riskcheck-duckdb-*`` folder in the temp directory for good, up to ``--max-temp`` of it.
Each folder now names its process in a marker, and the next run removes the folders
whose process is gone; folders it cannot tell are riskcheck's, whose process still runs,
or made in another process-id namespace are left alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riskcheck.fairness.spill import (
    MARKER,
    MODEL_COPY_PREFIX,
    SPILL_PREFIX,
    UNFINISHED_SECONDS,
    make_spill_folder,
    remove_stale_spill,
)
from tests.fairness.conftest import write_csv

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")


def riskcheck(folder: Path, data: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "riskcheck", "fairness", "--data", data, "--target", "y", "--prediction", "p",
        "--sensitive", "grp", "--memory-limit", "64MB",
    ]  # fmt: skip
    env = {**os.environ, "TMPDIR": str(folder / "tmp")}
    return subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def spill_folders(folder: Path) -> list[Path]:
    return sorted((folder / "tmp").glob(SPILL_PREFIX + "*"))


def marked_folders(folder: Path) -> list[Path]:
    return [path for path in spill_folders(folder) if (path / MARKER).is_file()]


def killed_mid_run(folder: Path) -> Path:
    """SIGKILL a riskcheck run while its DuckDB connection is open; the folder it leaves."""
    for _ in range(3):  # a run that ends before it is stopped is run again
        run = riskcheck(folder, "big.csv")
        try:
            deadline = time.monotonic() + 30
            while not marked_folders(folder) and run.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            run.send_signal(signal.SIGSTOP)  # held where it is: DuckDB is reading
            left = marked_folders(folder)
            if run.poll() is None and left:
                run.kill()
                assert run.wait(timeout=10) == -signal.SIGKILL
                return left[0]
        finally:
            run.kill()
            run.wait()
    raise AssertionError("riskcheck ended each time before it could be stopped")


def test_a_folder_left_by_a_killed_run_is_removed_by_the_next_run(tmp_path: Path) -> None:
    import duckdb

    (tmp_path / "tmp").mkdir()
    # big enough that DuckDB is still reading when the run is stopped (about half a second)
    duckdb.execute(
        "COPY (SELECT 'g' || (hash(i) % 40)::VARCHAR AS grp, (hash(i * 7) % 3 = 0)::INT AS y, "
        "(hash(i * 11) % 5 = 0)::INT AS p FROM range(3000000) t(i)) TO $path (FORMAT csv)",
        {"path": str(tmp_path / "big.csv")},
    )
    left = killed_mid_run(tmp_path)
    owner = json.loads((left / MARKER).read_text(encoding="utf-8"))
    assert left.name.startswith(f"{SPILL_PREFIX}{owner['pid']}-")
    write_csv(tmp_path / "small.csv", ["grp", "y", "p"], [(g, y, p) for g in "ab" for y in (0, 1) for p in (0, 1)])
    later = riskcheck(tmp_path, "small.csv")
    _, err = later.communicate(timeout=60)
    assert later.returncode == 0, err.decode()
    assert not left.exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def marked(
    root: Path, pid: int, started: object, name: str = "x", namespace: object = "ours", prefix: str = SPILL_PREFIX
) -> Path:
    folder = root / f"{prefix}{pid}-{name}"
    folder.mkdir()
    if namespace == "ours":
        namespace = os.stat("/proc/self/ns/pid").st_ino
    owner = {"pid": pid, "started": started, "namespace": namespace}
    (folder / MARKER).write_text(json.dumps(owner), encoding="utf-8")
    (folder / "duckdb_temp_block-0.block").write_bytes(b"\0" * 1024)
    return folder


def test_only_folders_riskcheck_marked_for_a_process_that_is_gone_are_removed(tmp_path: Path) -> None:
    ours = make_spill_folder(tmp_path)  # this process's own, still running
    gone = marked(tmp_path, dead_pid(), None, "gone")
    reused = marked(tmp_path, os.getpid(), -1, "reused")  # this id, but another process's start time
    other_namespace = marked(tmp_path, dead_pid(), None, "container", namespace=1)  # its ids are not ours
    unmarked = tmp_path / f"{SPILL_PREFIX}{dead_pid()}-unmarked"
    unmarked.mkdir()
    misnamed = marked(tmp_path, dead_pid(), None, "misnamed")
    misnamed.rename(tmp_path / f"{SPILL_PREFIX}1-misnamed")  # the marker's id is not the name's
    (tmp_path / "kept").mkdir()
    elsewhere = marked(tmp_path / "kept", dead_pid(), None)
    link = tmp_path / f"{SPILL_PREFIX}{dead_pid()}-link"
    link.symlink_to(elsewhere, target_is_directory=True)
    removed = remove_stale_spill(tmp_path)
    assert sorted(removed) == sorted([gone, reused])
    assert not gone.exists() and not reused.exists()
    assert ours.is_dir() and (ours / MARKER).is_file()
    assert unmarked.is_dir() and (tmp_path / f"{SPILL_PREFIX}1-misnamed").is_dir() and other_namespace.is_dir()
    assert link.is_symlink() and (elsewhere / MARKER).is_file()  # a link is not followed


def test_a_run_killed_before_it_marked_its_folder_leaves_one_that_is_removed_once_old(tmp_path: Path) -> None:
    gone = dead_pid()
    empty = tmp_path / f"{SPILL_PREFIX}{gone}-empty"
    empty.mkdir()
    half = tmp_path / f"{SPILL_PREFIX}{gone}-half"
    half.mkdir()
    (half / f"{MARKER}.part").write_text('{"pid": ', encoding="utf-8")  # killed while writing it
    recent = tmp_path / f"{SPILL_PREFIX}{gone}-recent"
    recent.mkdir()
    data = tmp_path / f"{SPILL_PREFIX}{gone}-data"
    data.mkdir()
    (data / "someone-elses.bin").write_bytes(b"keep")
    running = tmp_path / f"{SPILL_PREFIX}{os.getpid()}-running"
    running.mkdir()
    old = time.time() - UNFINISHED_SECONDS - 5
    for folder in (empty, half, data, running):
        os.utime(folder, (old, old))
    assert sorted(remove_stale_spill(tmp_path)) == sorted([empty, half])
    assert recent.is_dir() and data.is_dir() and running.is_dir()


def test_a_spark_executors_model_copy_is_swept_as_its_own_kind(tmp_path: Path) -> None:
    """An executor's copy of the model (riskcheck-spark-model-*) left by a killed worker is removed by
    the next sweep of its kind, and the two kinds never remove each other's folders."""
    copy = marked(tmp_path, dead_pid(), None, "copy", prefix=MODEL_COPY_PREFIX)
    spill = marked(tmp_path, dead_pid(), None, "spill")
    assert remove_stale_spill(tmp_path, MODEL_COPY_PREFIX) == [copy]
    assert not copy.exists() and spill.is_dir()
    fresh = make_spill_folder(tmp_path, prefix=MODEL_COPY_PREFIX)
    assert fresh.name.startswith(f"{MODEL_COPY_PREFIX}{os.getpid()}-") and (fresh / MARKER).is_file()
    assert remove_stale_spill(tmp_path) == [spill]
    assert fresh.is_dir()
