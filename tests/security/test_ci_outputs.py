"""Names and messages from files others write cannot command the CI runner or ping people."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from riskcheck.render.safe import md, md_code, one_line

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
HOSTILE_NAME = (
    "::stop-commands::abc\\n::error title=x::pwned @octocat ![i](https://evil.example/p.png) "
    "<img src=https://evil.example/q.png> `x\\u001b[2J"
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    text = (MINI / "assessment.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Mini system", f'name: "{HOSTILE_NAME}"')
    text = text.replace('version: "1.0"', 'version: "1\\n::warning::v"')
    (tmp_path / "assessment.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def riskcheck(directory: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "riskcheck", *args], capture_output=True, text=True, cwd=directory, timeout=60
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def workflow_commands(output: str) -> list[str]:
    """Lines a GitHub Actions runner would take as commands (it trims leading spaces)."""
    return [line for line in output.splitlines() if line.lstrip().startswith("::")]


@pytest.mark.parametrize(
    "args",
    [
        ("score", "assessment.yaml"),
        ("check", "assessment.yaml"),
        ("check", "assessment.yaml", "--format", "github"),
        ("check", "assessment.yaml", "--format", "markdown"),
        ("score", "assessment.yaml", "--format", "markdown"),
    ],
    ids=["score-text", "check-text", "check-github", "check-markdown", "score-markdown"],
)
def test_no_output_line_is_a_command_the_project_did_not_write(hostile: Path, args: tuple[str, ...]) -> None:
    output = riskcheck(hostile, *args)
    commands = workflow_commands(output)
    # only riskcheck's own annotations, whose message and properties are escaped
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in commands), commands
    assert "\x1b" not in output


def test_the_github_summary_line_is_inert(hostile: Path) -> None:
    last = riskcheck(hostile, "check", "assessment.yaml", "--format", "github").splitlines()[-1]
    assert last == (
        ": :stop-commands::abc ::error title=x::pwned @octocat ![i](https://evil.example/p.png) "
        "<img src=https://evil.example/q.png> `x [2J: passed - tier critical, 2 finding(s)"
    )


def test_the_markdown_heading_neither_pings_nor_embeds(hostile: Path) -> None:
    heading = riskcheck(hostile, "score", "assessment.yaml", "--format", "markdown").splitlines()[0]
    assert heading == (
        "## riskcheck: : :stop-commands::abc ::error title=x::pwned @&#8203;octocat "
        "\\!\\[i\\](https://evil.example/p.png) &lt;img src=https://evil.example/q.png&gt; \\`x \\[2J "
        "1 ::warning::v"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::add-mask::x", ": :add-mask::x"),
        ("  ::error::x", "  : :error::x"),
        ("a\nb\r\nc\x85d\u2028e", "a b  c d e"),
        ("plain: text", "plain: text"),
    ],
)
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected


def test_markdown_escaping() -> None:
    assert md("a|b <b>@team [x](y) *z* _w_ ~s~ !") == (
        "a\\|b &lt;b&gt;@&#8203;team \\[x\\](y) \\*z\\* \\_w\\_ \\~s\\~ \\!"
    )
    assert md_code("a`b") == "`` a`b ``"
    assert md_code("a|b", in_table=True) == "`a\\|b`"
