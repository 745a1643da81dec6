from __future__ import annotations

from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK
from riskcheck.core.errors import CheckFailed


@click.command("verify-pdf")
@click.argument("report", type=click.Path(path_type=Path))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    metavar="[ROLE=]CERT",
    help=(
        "A certificate (PEM or DER) to trust as an issuer or signer, for every role or, as ROLE=CERT, "
        "for that role only; repeatable. Without it, trust is not checked."
    ),
)
def command(report: Path, trust: tuple[str, ...]) -> int:
    """Check the role signatures in a PDF report: exit 1 unless every required role signed it
    and nothing changed since."""
    from riskcheck.report.pdfsign import describe, verify_report

    verification = verify_report(report, trust=trust)
    click.echo(describe(verification))
    if not verification.ok:
        raise CheckFailed(f"{report}: the signatures do not hold")
    return EXIT_OK
