"""The PDF sign-off report. The only package that imports jinja2 and WeasyPrint, lazily.

``render.render_html`` and ``render.render_pdf`` turn a result into the report;
``write_report`` is what ``riskcheck report`` calls.
"""

from __future__ import annotations

from riskcheck.report.write import ReportFiles, write_report

__all__ = ["ReportFiles", "write_report"]
