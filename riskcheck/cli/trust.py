"""``--trust-model`` for the commands that compute an assessment's fairness evidence.

Trust to run a model's code is given by whoever runs riskcheck, never by the file
being checked (see :mod:`riskcheck.fairness.trust`). A command decorated with
:func:`trust_option` runs inside that trust: every model with ``--trust-model``,
else the models whose sha256 ``trusted-models`` lists in the project's
``pyproject.toml`` (the one given with ``--config``, or the nearest one above the
working directory).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

TRUST_HELP = (
    "Trust every model this run loads to run code (pickle, joblib, skops types outside the allowlist); "
    "prints each one's sha256. Without it, only models whose sha256 is in [tool.riskcheck] trusted-models "
    "in pyproject.toml are trusted. An assessment cannot trust its own model."
)


def _to_stderr(message: str) -> None:
    from riskcheck.render.safe import one_line

    click.echo(one_line(message), err=True)


def trust_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--trust-model`` to a click command and run its body inside the trust given."""

    @functools.wraps(command)
    def run(*args: Any, trust_model: bool, **kwargs: Any) -> Any:
        from riskcheck.fairness.trust import project_trust, trusting

        config = kwargs.get("config")
        if isinstance(config, Path) and not config.is_file():
            return command(*args, **kwargs)  # which names the missing file; nothing is trusted
        trust = replace(project_trust(every_model=trust_model, pyproject=config), announce=_to_stderr)
        with trusting(trust):
            return command(*args, **kwargs)

    return click.option("--trust-model", is_flag=True, help=TRUST_HELP)(run)
