"""``riskcheck evidence FILE``: the evidence register of an assessment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from riskcheck.cli.errors import EXIT_GATE_FAILED, EXIT_OK

if TYPE_CHECKING:
    from riskcheck.audit.evidence import EvidenceRegister


@click.command("evidence")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(file: Path, fmt: str) -> int:
    """List every evidence link of FILE: the question it supports, whether it exists, its sha256,
    and when it last changed (from git, or the file's time when git does not track it as is).

    Exit 1 when a local evidence file is missing or an answer still waits for its evidence.
    """
    from riskcheck.audit.evidence import evidence_register
    from riskcheck.core.loader import load_assessment

    register = evidence_register(load_assessment(file))
    problems = register.problems()
    if fmt == "json":
        from riskcheck.core.result import dumps

        click.echo(dumps(register.to_dict()))
    else:
        click.echo(render(register), nl=False)
        for problem in problems:
            click.echo(str(problem), err=True)
    return EXIT_GATE_FAILED if problems else EXIT_OK


def render(register: EvidenceRegister) -> str:
    local = [i for i in register.items if i.local]
    lines = [
        f"{register.path}: {len(register.items)} evidence link(s), {len(local)} local file(s), "
        f"{len(register.missing)} missing"
    ]
    for item in register.items:
        where = f"{item.number} {item.question}" if item.number else f"archived {item.question}"
        lines.append("")
        lines.append(f"{where}: {item.link}")
        if not item.local:
            lines.append("  external link (not checked)")
        elif not item.exists:
            lines.append(f"  MISSING (line {item.line})")
        else:
            who = f" by {item.changed_by}" if item.changed_by else ""
            lines.append(f"  sha256 {item.sha256}  {item.size:,} bytes")
            lines.append(f"  last changed {item.changed} ({item.changed_from}{who})")
    for qid, line, _ in register.waiting:
        lines.append("")
        lines.append(f"{qid}: waiting for evidence (line {line}); the answer does not count until a link is attached")
    return "\n".join(lines) + "\n"
