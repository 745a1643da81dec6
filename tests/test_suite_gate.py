"""The suite says when it is incomplete: skipped browser tests are announced, and fail under .ci/run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SKIPPED_BROWSER_TEST = """
import pytest

@pytest.mark.browser
@pytest.mark.skip(reason="/usr/bin/chromium is not installed")
def test_in_chromium():
    pass
"""


def run_suite(tmp_path: Path, *, require_browser: bool) -> subprocess.CompletedProcess[str]:
    shutil.copy(Path(__file__).parent / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: in Chromium\n", encoding="utf-8")
    (tmp_path / "test_page.py").write_text(SKIPPED_BROWSER_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "RISKCHECK_REQUIRE_BROWSER"}
    if require_browser:
        env["RISKCHECK_REQUIRE_BROWSER"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_a_skipped_browser_test_is_announced(tmp_path: Path) -> None:
    result = run_suite(tmp_path, require_browser=False)
    assert result.returncode == 0, result.stdout
    assert (
        "1 browser test(s) did not run: /usr/bin/chromium is not installed. The suite is not complete; "
        "run scripts/install-system-deps.sh --browser first." in result.stdout
    )


def test_ci_fails_on_a_skipped_browser_test(tmp_path: Path) -> None:
    result = run_suite(tmp_path, require_browser=True)
    assert result.returncode == 1, result.stdout
    assert (
        "browser test skipped (/usr/bin/chromium is not installed), "
        "but RISKCHECK_REQUIRE_BROWSER=1 demands that every browser test runs" in result.stdout
    )


def test_ci_script_requires_the_browser_tests() -> None:
    script = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "export RISKCHECK_REQUIRE_BROWSER=1" in script
