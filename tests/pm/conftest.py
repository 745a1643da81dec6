"""Fixtures for the product manager's ways in: ``riskcheck fill`` and ``riskcheck serve``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(directory: Path, *options: str) -> Iterator[str]:
    """`riskcheck serve DIR [OPTIONS]` on a free loopback port, as a user starts it; yields its address."""
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "riskcheck", "serve", str(directory), "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"riskcheck serve did not start: {process.communicate()[1]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end test driving Debian's Chromium through Playwright")


def write_draft(directory: Path, name: str = "draft.yaml", *, system: str = "Loan approvals") -> Path:
    """A new assessment as `riskcheck new` writes it: every question listed, with comments."""
    from riskcheck.authoring.skeleton import assessment_skeleton
    from riskcheck.core.loader import load_questionnaire

    questionnaire = load_questionnaire(directory / "questionnaire.yaml")
    path = directory / name
    path.write_text(
        assessment_skeleton(
            questionnaire, name=system, owner="credit-team@example.com", reference='{path: "questionnaire.yaml"}'
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory holding the demo questionnaire and an empty draft assessment."""
    directory = tmp_path / "assessments"
    directory.mkdir()
    shutil.copy(DATA / "questionnaire.yaml", directory / "questionnaire.yaml")
    write_draft(directory)
    return directory
