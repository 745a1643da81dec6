from __future__ import annotations

import json
from pathlib import Path

import click

from riskcheck import api


@click.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--fail-on", help="Fail when the tier is at or above this tier (e.g. high).")
@click.option("--allow-incomplete", is_flag=True, help="Do not fail on unanswered required questions.")
@click.option("--require-signoff", is_flag=True, help="Fail unless every required role has a current approval.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def command(file: Path, fail_on: str | None, allow_incomplete: bool, require_signoff: bool, fmt: str) -> int:
    """Gate: exit 1 when the tier is too high, a blocking finding fired, or answers are missing."""
    outcome = api.check(file, fail_on=fail_on, allow_incomplete=allow_incomplete, require_signoff=require_signoff)
    result = outcome.result
    if fmt == "json":
        payload = {
            "schema_version": 1,
            "file": str(file),
            "passed": outcome.passed,
            "tier": result.tier,
            "reasons": [{"kind": r.kind, "message": r.message, "finding": r.finding_id} for r in outcome.reasons],
            "result": result.to_dict(),
        }
        click.echo(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        verdict = "PASSED" if outcome.passed else "FAILED"
        click.echo(f"{file}: {verdict} - tier {result.tier}, {len(result.findings)} finding(s), {result.status}")
        for reason in outcome.reasons:
            click.echo(f"  - {reason.message}")
    return 0 if outcome.passed else 1
