"""Entry point: a click group whose subcommands are imported only when used.

Each subcommand lives in its own module in this package and exposes ``command``.
The table below is the whole registry: no import side effects, no magic.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

#: Subcommand name -> (module in riskcheck.cli, one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate_cmd", "Check questionnaires or assessments; file:line:col errors."),
    "schema": ("schema_cmd", "Print the JSON Schema of a questionnaire or an assessment."),
    "new": ("new_cmd", "Start an assessment file for a questionnaire."),
    "fill": ("fill_cmd", "Answer an assessment interactively; resumes where it stopped."),
    "serve": ("serve_cmd", "Serve a local web form for the assessments in a directory."),
    "score": ("score_cmd", "Score an assessment and print the result."),
    "check": ("check_cmd", "Gate: exit 1 when the risk is above the agreed level."),
    "diff": ("diff_cmd", "Show what changed between two versions of an assessment or of a questionnaire."),
    "migrate": ("migrate_cmd", "Move an assessment's answers to a newer questionnaire version; nothing is lost."),
    "history": ("history_cmd", "Who changed which answers of an assessment, and when (from git)."),
    "evidence": ("evidence_cmd", "The evidence register: each link, the answer it supports, its hash."),
    "lint": ("lint_cmd", "Content lint for questionnaires: help, references, reachability, unused options."),
    "coverage": ("coverage_cmd", "List framework clauses and the questions and rules that address them."),
    "fairness": ("fairness_cmd", "Compute fairlearn disparity metrics on a dataset."),
    "report": ("report_cmd", "Render the PDF sign-off report."),
    "sign": ("sign_cmd", "Record a sign-off decision in an assessment file."),
    "sign-pdf": ("sign_pdf_cmd", "Sign the PDF report for one role; any later change breaks the signature."),
    "verify-pdf": ("verify_pdf_cmd", "Check the role signatures in a PDF report."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (module, _) in COMMANDS.items() if _available(module))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _available(entry[0]):
            return None
        module = importlib.import_module(f"riskcheck.cli.{entry[0]}")
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"riskcheck.cli.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskcheck", prog_name="riskcheck")
def cli() -> None:
    """riskcheck: responsible-AI risk assessment, from questionnaire to signed-off PDF.

    Exit codes: 0 passed, 1 the gate failed, 2 bad usage or invalid input,
    3 unexpected error, 130 interrupted.
    """


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    from riskcheck.cli.errors import run_guarded

    return run_guarded(cli, argv)


def _entry() -> Any:
    # The command line uses no pydantic plugins; looking them up scans every installed
    # package's entry points, a large share of start-up time.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
