from __future__ import annotations

from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK
from riskcheck.cli.trust import trust_option


@click.command("sign")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="The reviewer's name.")
@click.option("--role", required=True, help="The sign-off role, as the questionnaire declares it (e.g. legal).")
@click.option("--decision", required=True, type=click.Choice(["approve", "reject"]))
@click.option("--comment", help="Why, or under which conditions.")
@trust_option
def command(file: Path, name: str, role: str, decision: str, comment: str | None) -> int:
    """Record a sign-off decision against the current content hash of FILE."""
    from riskcheck.audit.signoff import describe, sign
    from riskcheck.files.fileio import edit_lock

    # Held from reading the content hash to writing the record: a concurrent signer
    # or editor waits, so no record is lost and the hash is of the file as written.
    with edit_lock(file):
        outcome = sign(file, name=name, role=role, decision=decision, comment=comment)
    click.echo(describe(outcome))
    return EXIT_OK
