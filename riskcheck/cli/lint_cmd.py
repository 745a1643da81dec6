from __future__ import annotations

import click

from riskcheck import api
from riskcheck.cli.errors import EXIT_OK
from riskcheck.core.errors import CheckFailed


@click.command("lint")
@click.argument("questionnaires", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--law-max-age",
    "law_max_age",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Months law_as_at may be old before it is reported as stale.",
)
@click.option(
    "--since",
    metavar="REV",
    help="Also check the version against each file at this git revision: bump and migrations.",
)
def command(questionnaires: tuple[str, ...], fmt: str, law_max_age: int, since: str | None) -> int:
    """Check questionnaire content: help, references, mitigations, reachability, unused options.

    Takes files or bundled ids; with none, lints every bundled questionnaire.
    Exit 1 when a problem is found.
    """
    from riskcheck.authoring.lint import lint_questionnaire
    from riskcheck.core.loader import bundled_questionnaires

    targets = list(questionnaires) or sorted(bundled_questionnaires())
    rows = []
    for target in targets:
        compiled = api.questionnaire(target)
        problems = lint_questionnaire(compiled, law_max_age_months=law_max_age)
        if since is not None:
            from riskcheck.lifecycle.versionlint import lint_since

            problems = [*problems, *lint_since(compiled, since)]
        rows.append((target, compiled, problems))
    total = sum(len(problems) for _, _, problems in rows)
    if fmt == "json":
        from riskcheck.core.result import dumps

        click.echo(
            dumps(
                [
                    {
                        "questionnaire": f"{compiled.id}@{compiled.version}",
                        "problems": [
                            {
                                "code": p.code,
                                "file": p.file,
                                "line": p.line,
                                "column": p.column,
                                "path": p.path,
                                "message": p.message,
                            }
                            for p in problems
                        ],
                    }
                    for _, compiled, problems in rows
                ]
            )
        )
    else:
        for _, compiled, problems in rows:
            for problem in problems:
                click.echo(str(problem))
            status = "clean" if not problems else f"{len(problems)} problem(s)"
            click.echo(f"{compiled.id}@{compiled.version}: {len(compiled.questions)} questions, {status}")
    if total:
        raise CheckFailed(f"{total} lint problem(s)")
    return EXIT_OK
