"""The PDF sign-off report for the web form's download button."""

from __future__ import annotations

from riskcheck.errors import MissingDependencyError, ReportError
from riskcheck.loader import LoadedAssessment


def render_pdf_bytes(loaded: LoadedAssessment) -> bytes:
    """Render the report of ``loaded`` with :mod:`riskcheck.report` and return the PDF."""
    try:
        from riskcheck import report
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(exc.name or "weasyprint", "pdf") from None
    render = getattr(report, "render_pdf", None)
    if render is None:
        raise ReportError("the PDF report is not available in this version of riskcheck")
    data = render(loaded)
    if not isinstance(data, bytes):
        raise ReportError("the report renderer returned no PDF")
    return data
