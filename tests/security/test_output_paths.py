"""Every command that writes a file refuses, with exit 2 and no traceback, an output it
cannot or must not write: a missing directory (``new`` creates it), a read-only
directory, one of its own inputs, a directory, a FIFO or a device. Inputs stay byte for
byte as they were.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from riskcheck.files.fileio import atomic_write_text, remove_stale_temporaries, write_output

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
CSV = "sex,y,p\n" + "".join(f"{'f' if i % 2 else 'm'},{i % 3 % 2},{i % 5 % 2}\n" for i in range(80))

FAIRNESS = ["fairness", "--data", "data.csv", "--target", "y", "--prediction", "p", "--sensitive", "sex"]
#: command name -> arguments writing to OUT (a placeholder), run in the project folder.
WRITERS: dict[str, list[str]] = {
    "report -o": ["report", "assessment.yaml", "-o", "OUT"],
    "report --html": ["report", "assessment.yaml", "--html", "OUT"],
    "score -o": ["score", "assessment.yaml", "-o", "OUT"],
    "check --json": ["check", "assessment.yaml", "--json", "OUT"],
    "check --junit": ["check", "assessment.yaml", "--junit", "OUT"],
    "check --markdown": ["check", "assessment.yaml", "--markdown", "OUT"],
    "diff -o": ["diff", "assessment.yaml", "other.yaml", "-o", "OUT"],
    "fairness -o": [*FAIRNESS, "-o", "OUT"],
    "new -o": ["new", "-q", "questionnaire.yaml", "-o", "OUT", "--force"],
    "sign-pdf -o": ["sign-pdf", "report.pdf", "--role", "legal", "--key", "key.pem", "--cert", "cert.pem", "-o", "OUT"],
}
#: For each command, one of its inputs, to use as its output.
AN_INPUT = {
    "report -o": "assessment.yaml",
    "report --html": "questionnaire.yaml",
    "score -o": "questionnaire.yaml",
    "check --json": "assessment.yaml",
    "check --junit": "questionnaire.yaml",
    "check --markdown": "assessment.yaml",
    "diff -o": "other.yaml",
    "fairness -o": "data.csv",
    "new -o": "questionnaire.yaml",
    "sign-pdf -o": "key.pem",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    shutil.copy(MINI / "assessment.yaml", tmp_path / "assessment.yaml")
    shutil.copy(MINI / "assessment.yaml", tmp_path / "other.yaml")
    (tmp_path / "data.csv").write_text(CSV, encoding="utf-8")
    # sign-pdf refuses its output before it reads these
    for name in ("report.pdf", "key.pem", "cert.pem"):
        (tmp_path / name).write_text("not read", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")}


def run(capsys: pytest.CaptureFixture[str], writer: str, out: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([out if arg == "OUT" else arg for arg in WRITERS[writer]])
    captured = capsys.readouterr()
    return code, captured.err


def refused(code: int, err: str, out: str, expected: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith(f"error: {out}: "), err
    assert expected in err, err


@pytest.mark.parametrize("writer", WRITERS)
def test_an_input_is_never_an_output(project: Path, capsys: pytest.CaptureFixture[str], writer: str) -> None:
    before = snapshot(project)
    out = AN_INPUT[writer]
    code, err = run(capsys, writer, out)
    refused(code, err, out, "is an input of this command; riskcheck never writes over its inputs")
    assert snapshot(project) == before


@pytest.mark.parametrize("writer", ["report -o", "score -o", "check --json", "new -o"])
def test_a_link_to_an_input_is_refused(project: Path, capsys: pytest.CaptureFixture[str], writer: str) -> None:
    (project / "link.yaml").symlink_to(project / AN_INPUT[writer])
    before = snapshot(project)
    code, err = run(capsys, writer, "link.yaml")
    refused(code, err, "link.yaml", "is an input of this command")
    assert (project / "link.yaml").is_symlink()
    assert snapshot(project) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_a_missing_directory(project: Path, capsys: pytest.CaptureFixture[str], writer: str) -> None:
    out = "no/such/dir/out.txt"
    code, err = run(capsys, writer, out)
    if writer == "new -o":  # creating the folder is the convention for a new assessment
        assert code == 0, err
        assert (project / out).read_text(encoding="utf-8").startswith("#")
        return
    refused(code, err, out, "the directory no/such/dir does not exist\n")
    assert not (project / "no").exists()


@pytest.mark.parametrize("writer", WRITERS)
def test_a_directory(project: Path, capsys: pytest.CaptureFixture[str], writer: str) -> None:
    (project / "folder").mkdir()
    code, err = run(capsys, writer, "folder")
    refused(code, err, "folder", "is a directory, expected a file name")


@pytest.mark.parametrize("writer", WRITERS)
def test_a_fifo(project: Path, capsys: pytest.CaptureFixture[str], writer: str) -> None:
    os.mkfifo(project / "pipe")
    code, err = run(capsys, writer, "pipe")
    refused(code, err, "pipe", "exists and is a pipe, not a regular file; riskcheck writes only regular files")
    assert stat.S_ISFIFO(os.stat(project / "pipe").st_mode)


def test_a_device(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As root a regression would replace the device it is pointed at, so root gets a device
    # node of its own (the same as /dev/null) in the test's folder; others cannot harm /dev/null.
    device = "/dev/null"
    if os.geteuid() == 0:
        device = str(project / "null")
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, err = run(capsys, "score -o", device)
    refused(code, err, device, "exists and is a device, not a regular file")
    assert stat.S_ISCHR(os.stat(device).st_mode)


def _without_root_powers() -> Callable[[], None] | None:
    """Run a child as root without the power to ignore file permissions, as a user is."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl")

    return drop


@pytest.mark.parametrize("writer", WRITERS)
def test_a_read_only_directory(project: Path, writer: str) -> None:
    """A real process, as a user without write permission in the folder would run it."""
    locked = project / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    out = "locked/sub/out.yaml" if writer == "new -o" else "locked/out.txt"
    args = [out if arg == "OUT" else arg for arg in WRITERS[writer]]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "riskcheck", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_without_root_powers(),
        )
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    if writer == "new -o":
        assert result.stderr == f"error: {out}: -o: cannot create locked/sub: no permission to write in locked\n"
    else:
        assert result.stderr.endswith("cannot write in locked (permission denied)\n"), result.stderr
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("writer", ["score -o", "report --html", "check --junit", "sign-pdf -o"])
def test_a_read_only_file(project: Path, writer: str) -> None:
    """Renaming over it would succeed; a write-protected file is refused like cp would refuse it."""
    kept = project / "kept.txt"
    kept.write_text("keep me", encoding="utf-8")
    kept.chmod(0o444)
    args = ["kept.txt" if arg == "OUT" else arg for arg in WRITERS[writer]]
    result = subprocess.run(
        [sys.executable, "-m", "riskcheck", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_without_root_powers(),
    )
    assert (result.returncode, result.stderr.splitlines()[-1:]) == (
        2,
        [f"error: kept.txt: {WRITERS[writer][-2]}: the file is read-only (permission denied)"],
    ), result.stderr
    assert kept.read_text(encoding="utf-8") == "keep me"


def test_an_output_replaces_a_link_and_never_writes_through_it(tmp_path: Path) -> None:
    """A link in a checkout (a pull request can add one) cannot aim an output elsewhere."""
    (tmp_path / "elsewhere.txt").write_text("old", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to("elsewhere.txt")
    write_output(tmp_path / "link.txt", "new")
    assert not (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "link.txt").read_text(encoding="utf-8") == "new"
    assert (tmp_path / "elsewhere.txt").read_text(encoding="utf-8") == "old"


def test_stale_temporary_files_are_removed_by_the_next_write(tmp_path: Path) -> None:
    """A write killed before its rename leaves ``.<name>.<pid>.<random>.tmp``; the next write removes it."""
    child = subprocess.Popen(["true"])
    child.wait()
    target = tmp_path / "out.json"
    stale = tmp_path / f".out.json.{child.pid}.abcd1234.tmp"
    old_style = tmp_path / ".out.json.k2j4h5g6.tmp"
    live = tmp_path / f".out.json.{os.getpid()}.zzzz9999.tmp"
    others = [tmp_path / ".other.json.1.abcd1234.tmp", tmp_path / "out.json.bak.tmp"]
    for path in (stale, old_style, live, *others):
        path.write_text("partial", encoding="utf-8")
    os.utime(old_style, (0, 0))
    atomic_write_text(target, "{}")
    assert target.read_text(encoding="utf-8") == "{}"
    assert not stale.exists()
    assert not old_style.exists()
    assert live.exists()
    assert all(p.exists() for p in others)
    assert remove_stale_temporaries(target) == []


def test_fairness_never_writes_over_its_sensitive_data(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "people.csv").write_text("id,sex\n1,f\n", encoding="utf-8")
    before = snapshot(project)
    capsys.readouterr()
    code = main([*FAIRNESS, "--sensitive-data", "people.csv", "--join-on", "id", "-o", "people.csv"])
    refused(code, capsys.readouterr().err, "people.csv", "is an input of this command")
    assert snapshot(project) == before
