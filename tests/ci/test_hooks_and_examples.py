"""The pre-commit hooks and the CI examples: valid YAML, and commands the real CLI accepts."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from riskcheck.cli.main import COMMANDS, cli
from tests.ci.conftest import DATA, ROOT

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "examples" / "ci").glob("*.yml"))


def test_hook_definitions_are_complete() -> None:
    assert [hook["id"] for hook in HOOKS] == ["riskcheck-validate", "riskcheck-check"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        assert hook["language"] == "python"


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("assessments/credit.yaml", {"riskcheck-validate", "riskcheck-check"}),
        ("ml/credit.assessment.yml", {"riskcheck-validate", "riskcheck-check"}),
        ("questionnaires/prelaunch.yaml", {"riskcheck-validate"}),
        ("questionnaire.yaml", {"riskcheck-validate"}),
        ("assessments/questionnaire.yaml", {"riskcheck-validate"}),
        (".github/workflows/ci.yaml", set()),
        ("config/settings.yaml", set()),
    ],
)
def test_hook_file_patterns(name: str, matches: set[str]) -> None:
    assert {hook["id"] for hook in HOOKS if _selects(hook, name)} == matches


def _selects(hook: dict[str, str], name: str) -> bool:
    return bool(re.search(hook["files"], name)) and not re.search(hook.get("exclude", "^$"), name)


def test_hooks_run_on_real_files(tmp_path: Path) -> None:
    """Run each hook's entry the way pre-commit does: entry, args, then the matching file names."""
    assessments = tmp_path / "assessments"
    assessments.mkdir()
    for item in DATA.iterdir():
        shutil.copy(item, assessments / item.name)
    (assessments / "scaled.yaml").unlink()
    (assessments / "fair.yaml").unlink()
    files = sorted(str(p.relative_to(tmp_path)) for p in assessments.iterdir())
    outcomes = {}
    for hook in HOOKS:
        selected = [f for f in files if _selects(hook, f)]
        argv = [*shlex.split(hook["entry"]), *hook.get("args", []), *selected]
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
        outcomes[hook["id"]] = (done.returncode, done.stdout, done.stderr)
    assert outcomes["riskcheck-validate"] == (
        0,
        "assessments/low.yaml: valid assessment\nassessments/questionnaire.yaml: valid questionnaire\n",
        "",
    )
    code, out, _ = outcomes["riskcheck-check"]
    assert code == 0
    assert out.endswith("riskcheck gate passed: 1 of 1 assessment(s) passed, 0 of 7 check(s) failed\n")


def _commands(text: str) -> list[list[str]]:
    """Every ``riskcheck ...`` command in a CI file, with shell continuations joined."""
    document = yaml.safe_load(text)
    scripts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("run", "script", "before_script", "after_script"):
                    scripts.extend(value if isinstance(value, list) else [value])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    commands = []
    for script in scripts:
        joined = script.replace("\\\n", " ")
        for line in joined.splitlines():
            for part in re.split(r"&&|\|\||;|\|", line):
                words = shlex.split(part.strip()) if part.strip() else []
                if words[:1] == ["riskcheck"]:
                    commands.append(words[1:])
    return commands


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_ci_examples_use_the_real_command_line(example: Path) -> None:
    commands = _commands(example.read_text(encoding="utf-8"))
    names = [words[0] for words in commands]
    assert {"check", "diff", "report"} <= set(names), names
    for words in commands:
        module = COMMANDS[words[0]][0]
        if not (ROOT / "riskcheck" / "cli" / f"{module}.py").exists():
            pytest.skip(f"riskcheck {words[0]} is not implemented in this checkout yet")
        ctx = cli.make_context("riskcheck", list(words), resilient_parsing=False)
        sub = cli.get_command(ctx, words[0])
        assert sub is not None
        try:
            sub.make_context(words[0], list(words[1:]))
        except click.UsageError as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{example.name}: riskcheck {shlex.join(words)}: {exc.format_message()}")


def test_github_example_gates_uploads_and_comments() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert "actions/upload-artifact@v4" in uses
    upload = next(step for step in steps if step.get("uses") == "actions/upload-artifact@v4")
    assert "riskcheck-junit.xml" in upload["with"]["path"] and "riskcheck-report.pdf" in upload["with"]["path"]
    assert any("gh pr comment" in step.get("run", "") for step in steps)


def test_gitlab_example_reports_junit() -> None:
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    artifacts = pipeline["riskcheck"]["artifacts"]
    assert artifacts["reports"]["junit"] == "riskcheck-junit.xml"
    assert "riskcheck-report.pdf" in artifacts["paths"]
