"""The PDF sign-off report for the web form's download button."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskcheck.errors import MissingDependencyError
from riskcheck.loader import LoadedAssessment


def render_pdf_bytes(loaded: LoadedAssessment, result: Mapping[str, Any]) -> bytes:
    """The report for ``loaded`` and its ``result`` (``Result.to_dict()``), rendered by :mod:`riskcheck.report`."""
    try:
        from riskcheck.report.render import render_pdf
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(exc.name or "weasyprint", "pdf") from None
    try:
        return render_pdf(result, loaded)
    except ImportError as exc:  # pragma: no cover - WeasyPrint is imported lazily inside
        raise MissingDependencyError(exc.name or "weasyprint", "pdf") from None
