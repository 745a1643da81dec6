"""``riskcheck serve [DIR]``: the local web form for the assessments in a directory."""

from __future__ import annotations

import errno
import ipaddress
import socket
from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.optional import optional_extra


def is_loopback(host: str) -> bool:
    """True for addresses only this computer can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host. Anyone who can reach it can read and change the assessments.",
)
@click.option(
    "--identity-header",
    metavar="HEADER",
    help="Record review decisions under the name a trusted reverse proxy passes in this header "
    "(e.g. X-Remote-User). Only behind a proxy that sets it and strips it from clients' requests.",
)
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help=(
        "The language of the form's own strings (en, fr, de), and of a questionnaire's text where its "
        "catalogue beside it has that language."
    ),
)
def command(directory: Path, host: str, port: int, allow_remote: bool, identity_header: str | None, lang: str) -> int:
    """Serve a web form for the assessments in DIRECTORY (default: the current one)."""
    from riskcheck.core.i18n import check_language

    check_language(lang, what="the web form")  # before anything listens: an unknown language is exit 2
    if not directory.is_dir():
        raise RiskcheckError(f"{directory}: not a directory")
    loopback = is_loopback(host)
    if not loopback and not allow_remote:
        raise RiskcheckError(
            f"--host {host}: refusing to listen on a non-loopback address; the form has no login, so anyone "
            "who can reach it could read and change the assessments. Use --host 127.0.0.1, or add "
            "--allow-remote if you really mean to expose it."
        )
    with optional_extra("web", "starlette"):
        import uvicorn

        from riskcheck.web import create_app
    if not loopback:
        click.secho(
            f"warning: serving on {host}:{port} without a login: anyone who can reach this address can read "
            "and change the assessments in " + str(directory.resolve()),
            fg="yellow",
            err=True,
        )
    app = create_app(
        directory, allowed_hosts=None if allow_remote else _hosts(), identity_header=identity_header, lang=lang
    )
    # Listen before announcing: a busy port is an error the user can act on, not a
    # "serving at" line followed by a crash.
    listener = _listen(host, port)
    port = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"riskcheck: serving {directory.resolve()} at http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False, date_header=False)
    uvicorn.Server(config).run(sockets=[listener])
    return EXIT_OK


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a clear error (exit 2) when it cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family = infos[0][0]
        address = infos[0][4]
    except (OSError, IndexError) as exc:
        raise RiskcheckError(f"--host {host}: cannot resolve this address ({exc})") from None
    try:
        return socket.create_server(address, family=family, backlog=2048)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = "the port is already in use (another riskcheck serve?); choose another --port"
        elif exc.errno == errno.EACCES:
            reason = "permission denied (ports below 1024 need privileges); choose another --port"
        else:
            reason = exc.strerror or str(exc)
        raise RiskcheckError(f"--port {port}: cannot listen on {host}:{port}: {reason}") from None


def _hosts() -> tuple[str, ...]:
    from riskcheck.web.security import LOOPBACK_HOSTS

    return LOOPBACK_HOSTS
