"""``riskcheck diff BASE HEAD``: how the risk changed between two versions of an assessment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from riskcheck.cli.errors import EXIT_OK
from riskcheck.cli.trust import trust_option
from riskcheck.core.errors import RiskcheckError

if TYPE_CHECKING:
    from riskcheck.core.loader import LoadedAssessment
    from riskcheck.core.result import Result


@click.command("diff")
@click.argument("base")
@click.argument("head")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@trust_option
def command(base: str, head: str, fmt: str, output: Path | None) -> int:
    """Compare two versions of an assessment: tier, findings, answers, fairness, approvals.

    Each side is a file, REV:FILE (the file at a git revision; FILE is relative to the
    working directory), or for BASE a bare git revision of the HEAD file (e.g.
    `riskcheck diff main risk.yaml`). A side at a revision is scored entirely as it was
    there: its questionnaire file and fairness data, model and saved result are read
    at that revision too (from the working tree, with a warning, if git did not track them).

    Given two questionnaires (files, REV:FILE, or bundled ID@VERSION), lists what changed
    with the questions' numbers, and the version bump the changes ask for.
    """
    from riskcheck.audit.diff import risk_diff
    from riskcheck.files.fileio import check_output, write_output

    if output is not None:
        check_output(output, option="-o", inputs=[Path(side) for side in (base, head) if Path(side).exists()])
    from riskcheck.cli.qdiff_sides import questionnaire_diff_text

    questionnaire_text = questionnaire_diff_text(base, head, fmt)
    if questionnaire_text is not None:
        if output is not None:
            write_output(output, questionnaire_text, option="-o")
        else:
            click.echo(questionnaire_text, nl=False)
        return EXIT_OK
    head_side = _side(head, None)
    base_side = _side(base, head_side[1])
    warnings: list[str] = []
    base_loaded, base_result = _load(*base_side, warnings)
    head_loaded, head_result = _load(*head_side, warnings)
    diff = risk_diff(
        base_loaded,
        base_result,
        head_loaded,
        head_result,
        base_label=_label(base_side),
        head_label=_label(head_side),
        warnings=tuple(warnings),
    )
    data = diff.to_dict()
    if fmt == "json":
        text = diff.to_json()
    elif fmt == "markdown":
        from riskcheck.render.diff_render import diff_markdown

        text = diff_markdown(data)
    else:
        from riskcheck.render.diff_render import diff_text

        text = diff_text(data)
    if output is not None:
        write_output(output, text, option="-o")
    else:
        click.echo(text, nl=False)
    return EXIT_OK


Side = tuple[str | None, Path]


def _side(text: str, other: Path | None) -> Side:
    """(revision or None, path) for one argument."""
    if Path(text).exists():
        return None, Path(text)
    if ":" in text:
        revision, _, path = text.partition(":")
        if not revision or not path:
            raise RiskcheckError(f"{text!r}: expected FILE, REV:FILE or a git revision")
        return revision, Path(path)
    if other is None:
        raise RiskcheckError(f"{text}: no such file (HEAD is an assessment file or REV:FILE)")
    return text, other


def _label(side: Side) -> str:
    revision, path = side
    return str(path) if revision is None else f"{revision}:{path}"


def _load(revision: str | None, path: Path, warnings: list[str]) -> tuple[LoadedAssessment, Result]:
    """Load and score one side; a line for each file read from the working tree goes to
    standard error at once and into ``warnings``."""
    from riskcheck import api
    from riskcheck.core.loader import load_assessment

    if revision is None:
        loaded = load_assessment(path)
        return loaded, api.score(loaded)
    from riskcheck.files.gitrev import GitError, materialised

    def warn(line: str) -> None:
        click.echo(line, err=True)
        warnings.append(line)

    with materialised(revision, path, warn=warn) as old:
        if old is None:
            raise GitError(f"{revision}:{path}: the file does not exist at revision {revision!r}")
        try:
            loaded = load_assessment(old.path)
            return loaded, api.score(loaded)
        except RiskcheckError as exc:
            raise old.rename(exc) from None
