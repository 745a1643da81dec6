"""Score an assessment and write its report files: the one call behind ``riskcheck report``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcheck.core.errors import ReportError, RiskcheckError


@dataclass(frozen=True)
class ReportFiles:
    pdf: Path | None
    html: Path | None
    tier: str
    signoff_status: str
    #: URLs the templates referenced that rendering refused to fetch.
    refused: tuple[str, ...]
    docx: Path | None = None


def check_writable(path: Path, option: str, inputs: tuple[Path, ...] = ()) -> None:
    """Fail before the slow part when an output cannot, or must not, be written."""
    from riskcheck.files.fileio import check_output

    try:
        check_output(path, option=option, inputs=inputs)
    except RiskcheckError as exc:
        raise ReportError(str(exc)) from None


def write_report(
    assessment: Path,
    *,
    pdf: Path | None = None,
    html: Path | None = None,
    template_dir: Path | None = None,
    theme: Path | None = None,
    allow_missing_evidence: bool = False,
    history: bool = False,
    docx: Path | None = None,
    docx_template: Path | None = None,
    lang: str = "en",
) -> ReportFiles:
    """Score ``assessment`` and write the PDF and/or HTML report, atomically.

    No output may be one of the inputs (the assessment, its questionnaire, its
    fairness files, the theme, the templates). When rendering fails, an earlier
    report at an output path is removed, so that it cannot pass for a current one.
    """
    from riskcheck.core.i18n import use_language
    from riskcheck.core.loader import load_assessment
    from riskcheck.files.fileio import note_input_patterns, write_output
    from riskcheck.pipeline import assess
    from riskcheck.report.render import pdf_from_html, render_html
    from riskcheck.report.theme import load_theme

    if pdf is None and html is None and docx is None:
        raise ReportError("nothing to write: give -o report.pdf, --html report.html, or both")
    if pdf is not None and html is not None and os.path.realpath(pdf) == os.path.realpath(html):
        raise ReportError(f"{html}: --html: is also the -o output; give two different files")
    given = tuple(Path(p) for p in (assessment, theme, docx_template) if p is not None)
    if template_dir is not None:
        note_input_patterns(Path.cwd(), str(template_dir))
    outputs = ((pdf, "-o"), (html, "--html"), (docx, "-o"))
    for path, option in outputs:
        if path is not None:
            check_writable(path, option, given)
    if lang != "en":
        from riskcheck.core.i18n import check_language

        check_language(lang)
    if docx_template is not None and docx is None:
        raise ReportError(f"{docx_template}: --docx-template: gives the styles of a Word report; give -o report.docx")
    word_template = None
    if docx is not None and docx_template is not None:
        from riskcheck.report.docx import read_template

        word_template = read_template(Path(docx_template))
    loaded_theme = load_theme(theme) if theme is not None else None
    loaded = load_assessment(Path(assessment))
    if lang != "en":  # the questionnaire must be translated too
        from riskcheck.report.qcatalog import check_declared

        check_declared(Path(loaded.questionnaire.source), lang)
    for path, option in outputs:
        if path is not None:  # again, before the slow part: the questionnaire and theme are known inputs now
            check_writable(path, option, given)
    # Evidence that cannot be computed is an error unless allowed; then the report is a DRAFT.
    # Scored in the report's language: the messages the core writes into the result (draft
    # reasons, stale approvals, breaches, findings' mitigations) are made in it. The loading
    # above stays in English, as every error riskcheck reports does; no hash depends on it.
    with use_language(lang):
        assessed = assess(loaded, allow_missing_evidence=allow_missing_evidence).result
    # The language is part of the result the report carries: a reader and read_result know it.
    result = dataclasses.replace(assessed, lang=lang).to_dict()
    try:
        # --history: the change log since the first approval, from git, in the report's language.
        with use_language(lang):
            extra = _change_log(Path(assessment)) if history else None
        text = None
        if pdf is not None or html is not None:
            text = render_html(result, loaded, template_dir=template_dir, theme=loaded_theme, extra=extra, lang=lang)
        output = pdf_from_html(text, result, loaded, template_dir=template_dir) if pdf and text else None
        word = None
        if docx is not None:
            from riskcheck.report.docx import render_docx

            word = render_docx(
                result,
                loaded,
                template_dir=template_dir,
                theme=loaded_theme,
                docx_template=word_template,
                extra=extra,
                lang=lang,
            )
    except ReportError as exc:
        removed = _remove_earlier(pdf, html, docx)
        if removed:
            names = " and ".join(str(p) for p in removed)
            note = f"{names}: removed the earlier report, which no longer matches the assessment"
            raise ReportError(f"{exc}\n{note}") from None
        raise
    refused: tuple[str, ...] = ()
    if pdf is not None and output is not None:
        refused = output.refused
        _write(lambda: write_output(pdf, output.pdf, option="-o"))
    if html is not None and text is not None:
        _write(lambda: write_output(html, text, option="--html"))
    if docx is not None and word is not None:
        _write(lambda: write_output(docx, word, option="-o"))
    return ReportFiles(pdf, html, result["tier"], result["signoffs"]["status"], refused, docx)


def _change_log(assessment: Path) -> dict[str, Any]:
    from riskcheck.audit.history import change_log, file_history

    return {"change_log": change_log(file_history(assessment))}


def _remove_earlier(*paths: Path | None) -> list[Path]:
    """Delete the regular files at ``paths`` (already checked as outputs); return those removed."""
    removed: list[Path] = []
    for path in paths:
        if path is not None and os.path.isfile(path):
            try:
                os.unlink(os.path.realpath(path))
            except OSError:
                continue
            removed.append(path)
    return removed


def _write(write: Callable[[], None]) -> None:
    """Run ``write``; its failure (which names the output) is a report error."""
    try:
        write()
    except RiskcheckError as exc:
        raise ReportError(str(exc)) from None
