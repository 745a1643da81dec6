"""Map exceptions to exit codes: the only place that decides them."""

from __future__ import annotations

import traceback

import click

from riskcheck.core.errors import RiskcheckError

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_INVALID = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


def run_guarded(group: click.Group, argv: list[str] | None) -> int:
    from riskcheck.files.fileio import tracking_inputs

    try:
        # Every file a command reads is remembered, so that no output can replace it.
        with tracking_inputs():
            result = group.main(args=argv, prog_name="riskcheck", standalone_mode=False)
    except RiskcheckError as exc:
        if not exc.reported:
            from riskcheck.render.safe import one_line

            # A message quotes file names, links and values from files: each line is shown as
            # one line, so none can start a CI workflow command or carry a terminal escape.
            text = f"error: {exc}" if not exc.problems else str(exc)
            click.echo("\n".join(one_line(line) for line in text.split("\n")), err=True)
            if exc.problems:
                click.echo(f"{len(exc.problems)} error(s)", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_INVALID
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        click.echo("riskcheck hit an unexpected error (a bug; please report it):", err=True)
        click.echo(traceback.format_exc(), err=True)
        return EXIT_BUG
    return int(result) if isinstance(result, int) else EXIT_OK
