"""The README's test command is what .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = readme_commands()[1]
    assert test_command.endswith("python -m pytest")
    script_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert script_lines[-1] == test_command


def test_the_readme_test_command_installs_the_browser() -> None:
    assert readme_commands()[1].startswith("scripts/install-system-deps.sh --browser && ")
