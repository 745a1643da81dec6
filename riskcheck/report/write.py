"""Score an assessment and write its report files: the one call behind ``riskcheck report``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riskcheck.errors import ReportError


@dataclass(frozen=True)
class ReportFiles:
    pdf: Path | None
    html: Path | None
    tier: str
    signoff_status: str
    #: URLs the templates referenced that rendering refused to fetch.
    refused: tuple[str, ...]


def check_writable(path: Path, option: str) -> None:
    """Fail before the slow part when an output cannot be written."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ReportError(f"{path}: {option}: is a directory, expected a file name")
    if parent.exists() and not parent.is_dir():
        raise ReportError(f"{path}: {option}: {parent} is a file, expected a directory")
    if not parent.is_dir():
        raise ReportError(f"{path}: {option}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"{path}: {option}: cannot write in {parent} (permission denied)")


def write_report(
    assessment: Path,
    *,
    pdf: Path | None = None,
    html: Path | None = None,
    template_dir: Path | None = None,
    theme: Path | None = None,
) -> ReportFiles:
    """Score ``assessment`` and write the PDF and/or HTML report, atomically."""
    from riskcheck import api
    from riskcheck.fileio import atomic_write_bytes, atomic_write_text
    from riskcheck.loader import load_assessment
    from riskcheck.report.render import pdf_from_html, render_html
    from riskcheck.report.theme import load_theme

    if pdf is None and html is None:
        raise ReportError("nothing to write: give -o report.pdf, --html report.html, or both")
    for path, option in ((pdf, "-o"), (html, "--html")):
        if path is not None:
            check_writable(path, option)
    loaded_theme = load_theme(theme) if theme is not None else None
    loaded = load_assessment(Path(assessment))
    result = api.score(loaded).to_dict()
    text = render_html(result, loaded, template_dir=template_dir, theme=loaded_theme)
    refused: tuple[str, ...] = ()
    if pdf is not None:
        output = pdf_from_html(text, result, loaded, template_dir=template_dir)
        refused = output.refused
        _write(pdf, lambda: atomic_write_bytes(pdf, output.pdf))
    if html is not None:
        _write(html, lambda: atomic_write_text(html, text))
    return ReportFiles(pdf, html, result["tier"], result["signoffs"]["status"], refused)


def _write(target: Path, write: Callable[[], None]) -> None:
    """Run ``write``; an OS error names the file the user asked for, not a temporary one."""
    try:
        write()
    except OSError as exc:
        raise ReportError(f"{target}: cannot write the report: {exc.strerror}") from None
