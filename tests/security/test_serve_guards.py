"""``riskcheck serve``: a busy port is a clear error before "serving at"; a Host header is
parsed strictly, so ``127.0.0.1:1@evil.com`` is not taken for 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from riskcheck.web.app import create_app

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"


def test_a_busy_port_exits_2_before_announcing(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "riskcheck", "serve", str(tmp_path), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: --port {port}: cannot listen on 127.0.0.1:{port}: the port is already in use "
        "(another riskcheck serve?); choose another --port\n"
    )


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:1@evil.com", 400),
        ("127.0.0.1@evil.com", 400),
        ("evil.com#127.0.0.1", 400),
        ("127.0.0.1:8000:1", 400),
        ("127.0.0.1:99999", 400),
        ("evil.com", 400),
        ("127.0.0.1", 200),
        ("127.0.0.1:8000", 200),
        ("localhost:8000", 200),
        ("[::1]:8000", 200),
    ],
)
def test_the_host_header_is_parsed_strictly(tmp_path: Path, host: str, status: int) -> None:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    with TestClient(create_app(tmp_path), base_url="http://127.0.0.1") as client:
        response = client.get("/", headers={"host": host})
    assert response.status_code == status
