from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from riskcheck.cli.serve_cmd import is_loopback


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.com", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcheck", "serve", *args], capture_output=True, text=True, timeout=30, check=False
    )


def test_serve_refuses_a_non_loopback_host_without_the_flag(workdir: Path) -> None:
    result = run(str(workdir), "--host", "0.0.0.0")
    assert result.returncode == 2
    assert result.stderr == (
        "error: --host 0.0.0.0: refusing to listen on a non-loopback address; the form has no login, so anyone "
        "who can reach it could read and change the assessments. Use --host 127.0.0.1, or add "
        "--allow-remote if you really mean to expose it.\n"
    )


def test_serve_needs_a_directory(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing"))
    assert (result.returncode, result.stderr) == (2, f"error: {tmp_path / 'missing'}: not a directory\n")


def test_serve_warns_when_exposed_with_allow_remote(workdir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "riskcheck", "serve", str(workdir), "--host", "0.0.0.0", "--port", str(port),
         "--allow-remote"],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        second = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert first == (
        f"warning: serving on 0.0.0.0:{port} without a login: anyone who can reach this address can read "
        f"and change the assessments in {workdir.resolve()}\n"
    )
    assert second == f"riskcheck: serving {workdir.resolve()} at http://0.0.0.0:{port}/ (Ctrl-C to stop)\n"
