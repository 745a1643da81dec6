from __future__ import annotations

from pathlib import Path

import click

from riskcheck.cli.errors import EXIT_OK
from riskcheck.cli.trust import trust_option


@click.command("report")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the report here: a Word document if it ends in .docx, else the PDF (tagged PDF/A-3a).",
)
@click.option("--html", "html", type=click.Path(path_type=Path), help="Also (or only) write the HTML here.")
@click.option(
    "--template-dir",
    type=click.Path(path_type=Path),
    help=(
        "Templates that override the built-in ones, file by file. "
        "They are trusted code: use only a directory you would run."
    ),
)
@click.option("--theme", type=click.Path(path_type=Path), help="A theme file: logo, organisation, colours.")
@click.option(
    "--allow-missing-evidence",
    is_flag=True,
    help="Render even when declared evidence cannot be computed; the report is then marked DRAFT.",
)
@click.option(
    "--docx-template",
    type=click.Path(path_type=Path),
    help="A Word document or template (.docx, .dotx) whose styles, page set-up, headers and footers the .docx uses.",
)
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help=(
        "The language of the report, PDF and Word: its own strings (headings, labels, cover) in en, fr or de, "
        "and the questionnaire's text from its catalogue beside it (QUESTIONNAIRE.LANG.po)."
    ),
)
@click.option("--history", is_flag=True, help="Add the change log since the first approval (from git).")
@trust_option
def command(
    file: Path,
    output: Path | None,
    html: Path | None,
    template_dir: Path | None,
    theme: Path | None,
    allow_missing_evidence: bool,
    history: bool,
    docx_template: Path | None,
    lang: str,
) -> int:
    """Render the sign-off report for legal review: PDF, or Word with -o report.docx."""
    from riskcheck.report import write_report

    word = output is not None and output.suffix.lower() == ".docx"
    files = write_report(
        file,
        pdf=None if word else output,
        docx=output if word else None,
        docx_template=docx_template,
        lang=lang,
        html=html,
        template_dir=template_dir,
        theme=theme,
        allow_missing_evidence=allow_missing_evidence,
        history=history,
    )
    for url in files.refused:
        click.echo(f"warning: the templates referenced {url}; reports never fetch external resources", err=True)
    written = " and ".join(str(p) for p in (files.pdf, files.docx, files.html) if p is not None)
    click.echo(f"{written}: tier {files.tier}, sign-off {files.signoff_status}")
    return EXIT_OK
