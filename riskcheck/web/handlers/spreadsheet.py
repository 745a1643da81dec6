"""The answers of an assessment as CSV or XLSX (``GET /export/FILE?format=csv|xlsx``),
one row per question with its section, comment and evidence, for governance suites."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from riskcheck.authoring.fill import FillState, describe
from riskcheck.core.errors import MissingDependencyError
from riskcheck.core.i18n import _
from riskcheck.core.optional import optional_extra

if TYPE_CHECKING:
    from riskcheck.web.site import Site

EXPORT_COLUMNS = ("Section", "Question ID", "Question", "Required", "Applies", "Answer", "Comment", "Evidence")


def export_rows(state: FillState) -> list[tuple[str, ...]]:
    """One row per question, in questionnaire order: what governance suites import."""
    visible = state.visible_ids()
    rows: list[tuple[str, ...]] = []
    for compiled in state.questions():
        question = compiled.question
        value = state.values.get(compiled.id)
        rows.append(
            (
                compiled.section.title,
                compiled.id,
                question.text,
                "yes" if question.required else "no",
                "yes" if compiled.id in visible else "no",
                describe(question, value) if value is not None else "",
                state.comments.get(compiled.id) or "",
                "\n".join(state.evidence.get(compiled.id, ())),
            )
        )
    return rows


def _cell(text: str) -> str:
    # A cell starting with = + - @ (or a tab or carriage return) is a formula to a
    # spreadsheet: quote it, so that an answer cannot run anything where it is opened.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export(site: Site, request: Request) -> Response:
    from riskcheck.web.handlers.form import load_file

    relative, _path, loaded, problem = load_file(site, request)
    if loaded is None:
        return site.invalid_page(request, relative, problem)
    kind = request.query_params.get("format", "csv")
    rows = [EXPORT_COLUMNS, *export_rows(FillState.from_loaded(loaded))]
    stem = Path(relative).stem
    if kind == "xlsx":
        try:
            data = _xlsx(rows, loaded.file.system.name)
        except MissingDependencyError as exc:
            context = {"title": _("Export unavailable"), "message": str(exc), "relative": relative}
            return site.renderer.page(request, "error.html", context, 501)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows([[_cell(c) for c in row] for row in rows])
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
        media = "text/csv; charset=utf-8"
    else:
        message = _("{kind}: choose csv or xlsx", kind=repr(kind))
        context = {"title": _("Unknown format"), "message": message, "relative": relative}
        return site.renderer.page(request, "error.html", context, 400)
    name = f"{stem}-answers.{kind}"
    return Response(
        data,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{quote(name)}"', "cache-control": "no-store"},
    )


def _xlsx(rows: list[tuple[str, ...]], title: str) -> bytes:
    with optional_extra("web", "openpyxl"):
        from openpyxl import Workbook  # type: ignore[import-untyped]
        from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Answers"
    for row in rows:
        sheet.append([_cell(c) for c in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = (24, 20, 60, 10, 10, 40, 40, 40)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.properties.title = f"{title}: answers"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
