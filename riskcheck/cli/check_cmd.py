"""``riskcheck check``: the gate CI runs. Exit 0 passed, 1 failed (:class:`GateFailed`), 2 bad input, 3 a bug."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from riskcheck.cli.trust import trust_option
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.vocabulary import GATE_FORMATS, SEVERITIES, GateFormat
from riskcheck.gate.policy import Policy, find_pyproject, load_policy

if TYPE_CHECKING:
    from rich.text import Text


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--fail-on",
    metavar="TIER",
    help="Fail when the tier is at or above this tier (e.g. high; 'none': never on the tier). "
    "Default: [tool.riskcheck] fail-on, else the questionnaire's default gate.",
)
@click.option(
    "--require-signoff/--no-require-signoff",
    default=None,
    help="Fail unless every required role has a current approval.",
)
@click.option(
    "--allow-incomplete/--no-allow-incomplete",
    default=None,
    help="Do not fail on unanswered required questions.",
)
@click.option(
    "--max-severity",
    type=click.Choice(SEVERITIES),
    help="The most severe finding allowed; a finding above it fails the gate.",
)
@click.option(
    "--outdated-questionnaire",
    type=click.Choice(("warn", "fail", "ignore")),
    help="An assessment pinned to an older questionnaire version than the newest: warn (default), fail, or ignore. "
    "Default: [tool.riskcheck] outdated-questionnaire, else warn.",
)
@click.option("--baseline", metavar="REV", help="Fail only on risk that is new since this git revision.")
@click.option(
    "--format", "fmt", type=click.Choice(GATE_FORMATS), default="text", show_default=True, help="Standard output."
)
@click.option("--junit", "junit_out", type=click.Path(path_type=Path), help="Also write JUnit XML here.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the gate JSON here.")
@click.option("--markdown", "markdown_out", type=click.Path(path_type=Path), help="Also write a markdown summary here.")
@click.option("-v", "--verbose", is_flag=True, help="Also list the YAML files skipped, and why.")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The pyproject.toml with the [tool.riskcheck] policy (default: the nearest one above the working directory).",
)
@trust_option
def command(
    files: tuple[Path, ...],
    fail_on: str | None,
    require_signoff: bool | None,
    allow_incomplete: bool | None,
    max_severity: str | None,
    outdated_questionnaire: str | None,
    baseline: str | None,
    fmt: GateFormat,
    verbose: bool,
    junit_out: Path | None,
    json_out: Path | None,
    markdown_out: Path | None,
    config: Path | None,
) -> None:
    """Gate assessments (files or directories): exit 1 when the risk is above the agreed level.

    The policy comes from [tool.riskcheck] in pyproject.toml; options override it. With
    no fail-on from either, each questionnaire's default gate applies (the bundled ones
    fail at high). Blocking findings and fairness breaches always fail. Every run prints
    the policy in effect.
    """
    from riskcheck.gate.runner import GateFailed, run_gate
    from riskcheck.render.gate_formats import render_gate
    from riskcheck.render.gate_json import gate_dict
    from riskcheck.render.gate_text import gate_text

    if config is not None and not config.is_file():
        raise RiskcheckError(f"{config}: no such file (given with --config)")
    pyproject = config if config is not None else find_pyproject(Path.cwd())
    policy = load_policy(pyproject).merged(
        fail_on=fail_on,
        require_signoff=require_signoff,
        allow_incomplete=allow_incomplete,
        max_severity=max_severity,
        outdated_questionnaire=outdated_questionnaire,
    )
    paths = list(files) or _policy_paths(policy, pyproject)
    from riskcheck.files.fileio import check_output, write_output

    also: tuple[tuple[Path | None, GateFormat], ...] = (
        (junit_out, "junit"),
        (json_out, "json"),
        (markdown_out, "markdown"),
    )
    for target, kind in also:
        if target is not None:
            check_output(target, option=f"--{kind}", inputs=[p for p in paths if p.is_file()])
    run = run_gate(paths, policy, baseline=baseline, progress=_to_stderr, warn=_to_stderr)
    gate = gate_dict(run)
    # Every output is rendered before any is written, so a failure leaves none half-made.
    outputs = [(target, kind, render_gate(gate, kind)) for target, kind in also if target is not None]
    text = gate_text(gate, verbose=verbose) if fmt == "text" else None
    standard = render_gate(gate, fmt) if text is None else ""
    for target, kind, content in outputs:
        write_output(target, content, option=f"--{kind}")
    if text is not None:
        _print_text(text)
    else:
        click.echo(standard, nl=False)
    if not run.passed:
        raise GateFailed(run)


def _to_stderr(message: str) -> None:
    click.echo(message, err=True)


def _policy_paths(policy: Policy, pyproject: Path | None) -> list[Path]:
    if not policy.paths or pyproject is None:
        raise RiskcheckError(
            "no assessment given: name files or directories, or list them in [tool.riskcheck] paths in pyproject.toml"
        )
    return [_relative_to_cwd(pyproject.parent / path) for path in policy.paths]


def _relative_to_cwd(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it.

    Every output names files as given; GitHub attaches an annotation only to a path
    relative to the checkout, so paths from pyproject.toml are made relative too.
    """
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _print_text(text: Text) -> None:
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console

        Console(soft_wrap=True, highlight=False).print(text, end="")
    else:
        click.echo(text.plain, nl=False)
