from __future__ import annotations

import os
from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK


@click.command("sign-pdf")
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--role", required=True, help="The sign-off role this signature is for (e.g. legal).")
@click.option("--key", required=True, type=click.Path(path_type=Path), help="The signer's private key (PEM or DER).")
@click.option("--cert", required=True, type=click.Path(path_type=Path), help="The signer's certificate (PEM or DER).")
@click.option(
    "--passphrase-env",
    metavar="VAR",
    help="Name of an environment variable holding the key's passphrase (never the passphrase itself).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the signed PDF here (default: in place).")
def command(report: Path, role: str, key: Path, cert: Path, passphrase_env: str | None, output: Path | None) -> int:
    """Sign the PDF REPORT for one role; any later change to the file breaks the signature."""
    from riskcheck.core.errors import RiskcheckError
    from riskcheck.report.pdfsign import sign_report

    passphrase = None
    if passphrase_env is not None:
        # Bytes as the environment holds them: a passphrase need not be UTF-8.
        passphrase = os.environb.get(os.fsencode(passphrase_env))
        if passphrase is None:
            raise RiskcheckError(f"--passphrase-env: the environment variable {passphrase_env!r} is not set")
    if output is not None and os.path.realpath(output) != os.path.realpath(report):
        from riskcheck.files.fileio import check_output

        check_output(output, option="-o", inputs=[key, cert])
    signed = sign_report(report, role=role, key=key, certificate=cert, passphrase=passphrase, output=output)
    click.echo(f"{output or report}: signed for {signed.role} by {signed.signer}")
    return EXIT_OK
