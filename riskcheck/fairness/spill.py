"""DuckDB's spill folders: made so that a later run can tell a stale one and remove it.

DuckDB spills to a folder of riskcheck's (bounded by ``--max-temp``), removed when the
connection closes. A riskcheck killed outright (SIGKILL, the OOM killer, a power cut)
runs no clean-up, and the folder, up to ``--max-temp`` of it, stays behind. So each
folder is named ``riskcheck-duckdb-<pid>-<random>`` and holds a marker file recording
the process that made it (its id and, where the system tells it, when that process
started and its process-id namespace). Before making its own, every run removes the
folders whose marker names a process that is gone: same prefix, a real folder (not a
link) owned by this user, a marker riskcheck wrote, and no process with that id and
start time. A folder whose owner still runs, or made in another process-id namespace
(another container sharing the temp directory, where the id means another process), is
left alone. The marker is written whole or not at all; a run killed before it was
written leaves a folder with nothing in it (DuckDB spills only into a marked folder),
which is removed once it is a minute old and the process its name gives is gone. Any
other folder without a marker is left alone.

Spark's executors copy the model into a folder of the same kind (``riskcheck-spark-model-``):
an executor's Python worker killed outright would leave the model's bytes behind, and the
next task on that machine removes them the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from itertools import islice
from pathlib import Path

from riskcheck.files.fileio import process_alive

#: The name every spill folder starts with.
SPILL_PREFIX = "riskcheck-duckdb-"
#: The name of a Spark executor's folder for its copy of the model.
MODEL_COPY_PREFIX = "riskcheck-spark-model-"
#: The file in a spill folder that says which riskcheck process made it.
MARKER = "riskcheck-spill-owner.json"
#: The marker while it is written; renamed to :data:`MARKER` once whole.
_MARKER_PART = MARKER + ".part"
_MARKER_MAX_BYTES = 4096
#: A folder without its marker is left alone this long: its process may be writing it.
UNFINISHED_SECONDS = 60.0
#: The most folders one run looks at: a temp directory full of them is not a reason to wait.
_MAX_LOOKED_AT = 1000


def make_spill_folder(parent: str | os.PathLike[str] | None = None, prefix: str = SPILL_PREFIX) -> Path:
    """A new, marked folder named ``prefix`` in ``parent`` (the temp directory by default), after
    removing the stale ones of that prefix there."""
    remove_stale_spill(parent, prefix)
    pid = os.getpid()
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{pid}-", dir=parent))
    owner = {"pid": pid, "started": _start_time(pid), "namespace": _pid_namespace()}
    (folder / _MARKER_PART).write_text(json.dumps(owner), encoding="utf-8")
    os.replace(folder / _MARKER_PART, folder / MARKER)  # whole, or not there at all
    return folder


def remove_stale_spill(parent: str | os.PathLike[str] | None = None, prefix: str = SPILL_PREFIX) -> list[Path]:
    """Remove the folders named ``prefix`` in ``parent`` whose riskcheck process is gone; return them."""
    root = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    try:
        candidates = list(islice(root.glob(prefix + "*"), _MAX_LOOKED_AT))
    except OSError:
        return []
    removed = []
    for folder in candidates:
        if _is_stale(folder, prefix):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_stale(folder: Path, prefix: str) -> bool:
    try:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        marker = folder / MARKER
        if not marker.exists():
            return _unfinished(folder, info.st_mtime, prefix)
        marker_info = marker.lstat()
        if not stat.S_ISREG(marker_info.st_mode) or marker_info.st_size > _MARKER_MAX_BYTES:
            return False
        owner = json.loads(marker.read_text(encoding="utf-8"))
        pid = int(owner["pid"])
        started = owner.get("started")
        namespace = owner.get("namespace")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    if pid <= 0 or not folder.name.startswith(f"{prefix}{pid}-") or namespace != _pid_namespace():
        return False
    if not process_alive(pid):
        return True
    # the id may have been given to another process since: its start time says so
    return started is not None and _start_time(pid) not in (None, started)


def _unfinished(folder: Path, modified: float, prefix: str) -> bool:
    """A folder whose run was killed between making it and marking it: nothing in it but the
    marker being written (DuckDB spills only once it is marked), named for a process that is
    gone, and untouched for longer than marking takes."""
    match = re.fullmatch(rf"{re.escape(prefix)}([0-9]+)-[^/]+", folder.name)
    if match is None or time.time() - modified < UNFINISHED_SECONDS:
        return False
    try:
        entries = list(islice(os.scandir(folder), 3))
    except OSError:
        return False
    if any(entry.name != _MARKER_PART for entry in entries):
        return False
    return not process_alive(int(match.group(1)))


def _pid_namespace() -> int | None:
    """This process's process-id namespace (Linux), in which a recorded id means a process."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None


def _start_time(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux); None where unknown."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
        # the command name, in parentheses, may hold spaces: fields are counted after it
        return int(text[text.rindex(")") + 2 :].split()[19])
    return None
