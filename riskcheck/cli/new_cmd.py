from __future__ import annotations

import json
import os
from pathlib import Path

import click

from riskcheck import api
from riskcheck.errors import RiskcheckError
from riskcheck.fileio import atomic_write_text
from riskcheck.skeleton import assessment_skeleton


@click.command("new")
@click.option("--questionnaire", "-q", "questionnaire_ref", required=True, help="Bundled id (e.g. rai-prelaunch) or a file.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The assessment file to create.")
@click.option("--name", default="", help="The AI system's name.")
@click.option("--owner", default="", help="The accountable owner.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def command(questionnaire_ref: str, output: Path, name: str, owner: str, force: bool) -> int:
    """Start an assessment file listing every question with its help text."""
    if output.exists() and not force:
        raise RiskcheckError(f"{output}: already exists; answers are never overwritten (use --force to replace it)")
    questionnaire = api.questionnaire(questionnaire_ref)
    reference = None
    if Path(questionnaire_ref).exists():
        relative = os.path.relpath(Path(questionnaire_ref).resolve(), output.resolve().parent)
        reference = "{path: %s}" % json.dumps(relative)
    atomic_write_text(output, assessment_skeleton(questionnaire, name=name, owner=owner, reference=reference))
    click.echo(f"wrote {output} ({len(questionnaire.questions)} questions); fill it in, then: riskcheck score {output}")
    return 0
