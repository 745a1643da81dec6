"""Errors: an optional extra that is missing names the extra to install, and the exit
code of an error comes from its class."""

from __future__ import annotations

import click
import pytest

from riskcheck.cli.errors import run_guarded
from riskcheck.core.errors import MissingDependencyError, RiskcheckError
from riskcheck.core.optional import optional_extra


def test_a_missing_optional_module_names_its_extra() -> None:
    with pytest.raises(MissingDependencyError) as caught, optional_extra("pdf", "weasyprint"):
        import riskcheck_no_such_module  # noqa: F401
    assert str(caught.value) == (
        "this needs the optional dependency 'riskcheck_no_such_module'; install it with: pip install 'riskcheck[pdf]'"
    )
    assert caught.value.exit_code == 2


def test_an_installed_module_imports_as_usual() -> None:
    with optional_extra("pdf", "json"):
        import json
    assert json.dumps([1]) == "[1]"


def test_the_exit_code_comes_from_the_exception_class(capsys: pytest.CaptureFixture[str]) -> None:
    class Refused(RiskcheckError):
        exit_code = 4

    @click.command()
    def refuse() -> None:
        raise Refused("refused")

    group = click.Group(commands={"refuse": refuse})
    assert run_guarded(group, ["refuse"]) == 4
    assert capsys.readouterr().err == "error: refused\n"
    assert RiskcheckError.exit_code == 2
