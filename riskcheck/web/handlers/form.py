"""The request handlers: each reads the request, calls riskcheck, and renders a page."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from riskcheck.authoring.fill import FillState, save_answers
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.i18n import _, format_number, use_language
from riskcheck.core.loader import LoadedAssessment, load_assessment
from riskcheck.report.qcatalog import translate
from riskcheck.web.merge import Clash, file_fields, keep_missing, merge
from riskcheck.web.progress import status as form_status
from riskcheck.web.viewmodels import (
    build_sections,
    dropped_views,
    parse_submission,
    questionnaire_lang,
    questionnaire_words,
)

if TYPE_CHECKING:
    from riskcheck.web.site import Site


#: The questionnaire a new assessment is offered first.
DEFAULT_QUESTIONNAIRE = "bundled:rai-prelaunch"


def _url(prefix: str, relative: str) -> str:
    return prefix + quote(relative)


# ---------------------------------------------------------------- list and new


async def index(site: Site, request: Request) -> Response:
    entries, _problems = site.catalog.scan()
    deleted = request.query_params.get("deleted")
    notice = _("Deleted: moved to {path}. Move it back to restore it.", path=deleted) if deleted else None
    context = {"title": _("Assessments"), "entries": entries, "root": site.root, "notice": notice}
    return site.renderer.page(request, "index.html", context)


async def new_form(site: Site, request: Request) -> Response:
    return _new_page(site, request, {}, {})


def _new_page(
    site: Site, request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    _entries, local = site.catalog.scan()
    choices = site.catalog.bundled() + local
    # The pre-launch check is what most people start with.
    choices.sort(key=lambda choice: choice.key != DEFAULT_QUESTIONNAIRE)
    context = {"title": _("New assessment"), "choices": choices, "values": values, "errors": errors}
    return site.renderer.page(request, "new.html", context, status)


async def new_create(site: Site, request: Request) -> Response:
    from riskcheck.authoring.skeleton import assessment_skeleton
    from riskcheck.core.loader import bundled_questionnaires, load_questionnaire
    from riskcheck.files.fileio import atomic_write_text
    from riskcheck.web.paths import new_file_path, resolve_inside

    form = await site.form(request)
    values = {k: str(form.get(k, "") or "").strip() for k in ("questionnaire", "name", "owner", "filename")}
    errors: dict[str, str] = {}
    kind, _sep, key = values["questionnaire"].partition(":")
    source: Path | None = None
    reference = None
    if kind == "bundled" and key in bundled_questionnaires():
        source = bundled_questionnaires()[key]
    elif kind == "file":
        try:
            source = resolve_inside(site.root, key)
            reference = '{path: "' + Path(key).as_posix().replace('"', "") + '"}'
        except RiskcheckError:
            source = None
    if source is None:
        errors["questionnaire"] = _("Choose one of the questionnaires listed.")
    if not values["name"]:
        errors["name"] = _("Give the AI system a name.")
    if len(values["name"]) > 200:
        errors["name"] = _("Use at most {limit} characters.", limit=format_number(200))
    from riskcheck.web.handlers.manage import complete_file_name, file_name_for

    values["filename"] = complete_file_name(values["filename"]) or file_name_for(values["name"])
    target = None
    try:
        target = new_file_path(site.root, values["filename"])
    except RiskcheckError as exc:
        errors["filename"] = str(exc)
    if errors or source is None or target is None:
        return _new_page(site, request, values, errors, 422)
    try:
        compiled = load_questionnaire(source)
    except RiskcheckError as exc:
        return _new_page(site, request, values, {"questionnaire": str(exc)}, 422)
    text = assessment_skeleton(compiled, name=values["name"], owner=values["owner"], reference=reference)
    with site.lock(target):
        if target.exists():
            return _new_page(site, request, values, {"filename": _("A file with this name already exists.")}, 422)
        atomic_write_text(target, text)
    return RedirectResponse(_url("/a/", target.name) + "?created=1", status_code=303)


# ---------------------------------------------------------------- the assessment form


def load_file(site: Site, request: Request) -> tuple[str, Path, LoadedAssessment | None, str | None]:
    relative, path = site.file(request)
    try:
        return relative, path, load_assessment(path, questionnaire_root=site.root), None
    except RiskcheckError as exc:
        return relative, path, None, str(exc).replace(str(site.root) + "/", "")


def _form_context(
    site: Site,
    relative: str,
    loaded: LoadedAssessment,
    state: FillState,
    version: str,
    *,
    submission: Any = None,
    dropped: list[str] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    before = FillState.from_loaded(loaded)
    dropped = before.dropped_by(state) if dropped is None else dropped
    result, fairness_note = site.catalog.score(loaded, state)
    status = form_status(state, result, fairness_note)
    words = questionnaire_words(loaded.questionnaire, site.lang)
    return {
        "title": loaded.file.system.name,
        "relative": relative,
        "system": loaded.file.system,
        "questionnaire": translate(loaded.questionnaire.spec.model_dump(), words),
        "sections": build_sections(state, submission, words),
        "version": version,
        "base": file_fields(before),
        "status": status,
        "result": translate(result, words),
        "panel": _panel(site, result, status, before, dropped, fairness_note),
        "nav": site.renderer.fragment(
            "_sections.html", {"status": translate(status, questionnaire_words(state.questionnaire, site.lang))}
        ),
        "errors": [] if submission is None else _error_list(state, submission.errors),
        "dropped": dropped_views(before, dropped),
        "notice": notice,
        "confirm_drop": False,
        "clashes": [],
        "urls": _urls(relative),
    }


def _urls(relative: str) -> dict[str, str]:
    return {
        "form": _url("/a/", relative),
        "preview": _url("/preview/", relative),
        "autosave": _url("/autosave/", relative),
        "pdf": _url("/pdf/", relative),
        "docx": _url("/docx/", relative),
        "csv": _url("/export/", relative) + "?format=csv",
        "xlsx": _url("/export/", relative) + "?format=xlsx",
        "signoff": _url("/signoff/", relative),
        "setup": _url("/setup/", relative),
    }


def _panel(
    site: Site, result: Any, status: Any, before: FillState, dropped: list[str], fairness_note: str | None
) -> str:
    # Shown only: the questionnaire's text (tier labels, findings, question text) in the form's language.
    words = questionnaire_words(before.questionnaire, site.lang)
    return site.renderer.fragment(
        "_panel.html",
        {
            "result": translate(result, words),
            "status": translate(status, words),
            "dropped": translate(dropped_views(before, dropped), words),
            "fairness_note": fairness_note,
            "number": format_number,
        },
    )


def _error_list(state: FillState, errors: dict[str, str]) -> list[tuple[str, str, str]]:
    order = [q.id for q in state.questions()]
    return [
        (qid, state.questionnaire.questions[qid].question.text, errors[qid]) for qid in sorted(errors, key=order.index)
    ]


async def assessment(site: Site, request: Request) -> Response:
    relative, path, loaded, problem = load_file(site, request)
    if loaded is None:
        return site.invalid_page(request, relative, problem)
    notice = None
    if request.query_params.get("saved"):
        notice = _("Saved.")
    elif request.query_params.get("created"):
        notice = _(
            "Assessment created. Answer the questions below; each answer is saved as you give it. "
            "Set the purpose, version and date under “{details}”.",
            details=_("Details, rename, delete"),
        )
    elif request.query_params.get("renamed"):
        notice = _("Renamed to {path}.", path=relative)
    elif request.query_params.get("signed"):
        notice = _("Sign-off recorded.")
    state = FillState.from_loaded(loaded)
    context = _form_context(site, relative, loaded, state, site.version(path), notice=notice, dropped=[])
    return site.renderer.page(request, "assessment.html", context)


async def save(site: Site, request: Request) -> Response:
    form = await site.form(request)
    relative, path = site.file(request)
    action = str(form.get("action", "save"))
    with site.lock(path):
        current_version = site.version(path)
        submitted_version = str(form.get("version", ""))
        relative, path, loaded, problem = load_file(site, request)
        if loaded is None:
            return site.invalid_page(request, relative, problem)
        before = FillState.from_loaded(loaded)
        clashes: tuple[Clash, ...] = ()
        submitted: Any = form
        if submitted_version != current_version:
            # Saved elsewhere since this page was loaded: keep both sides' answers
            # and hold back only the answers changed on both sides.
            merged = merge(before, form, form.getlist)
            submitted, clashes = merged.form, merged.clashes
        else:
            # A field missing from the form keeps the file's value, as autosave does.
            submitted = keep_missing(before, form, form.getlist)
        state, submission = parse_submission(before, submitted, submitted.getlist)
        dropped = before.dropped_by(state)
        if submission.errors or action == "update" or (dropped and action != "confirm_drop"):
            status = 422 if submission.errors else 200
            notice = None
            if action == "update" and not submission.errors:
                notice = _("Form updated with the questions that apply. Nothing is saved until you press Save.")
            context = _form_context(
                site, relative, loaded, state, current_version, submission=submission, notice=notice
            )
            context["confirm_drop"] = bool(dropped) and not submission.errors and action != "update"
            context["clashes"] = clashes
            return site.renderer.page(request, "assessment.html", context, status)
        save_answers(path, before, state, drop=dropped)
    if clashes:
        return _conflict(site, request, relative, clashes)
    # Without JavaScript a save reloads the page: come back to the last answer changed.
    changed = [q.id for q in state.questions() if state.values.get(q.id) != before.values.get(q.id)]
    place = f"#question-{changed[-1]}" if changed else ""
    return RedirectResponse(_url("/a/", relative) + "?saved=1" + place, status_code=303)


def _conflict(site: Site, request: Request, relative: str, clashes: tuple[Clash, ...]) -> Response:
    context = {"title": _("Changed elsewhere"), "relative": relative, "clashes": clashes, "urls": _urls(relative)}
    return site.renderer.page(request, "conflict.html", context, 409)


async def preview(site: Site, request: Request) -> Response:
    """The questions that apply and the score panel for the form as it stands (nothing is saved)."""
    form = await site.form(request)
    _relative, _path, loaded, problem = load_file(site, request)
    if loaded is None:
        return JSONResponse({"error": problem}, status_code=422)
    before = FillState.from_loaded(loaded)
    state, submission = parse_submission(before, form, form.getlist)
    return JSONResponse(
        live_view(site, loaded, before, state, submission.errors), headers={"cache-control": "no-store"}
    )


def live_view(
    site: Site, loaded: LoadedAssessment, before: FillState, state: FillState, errors: dict[str, str]
) -> dict[str, Any]:
    """What the page updates in place as answers change: the questions that apply,
    progress, the panel and the section list, and the few facts it announces."""
    visible = state.visible_ids()
    result, fairness_note = site.catalog.score(loaded, state)
    dropped = before.dropped_by(state)
    status = form_status(state, result, fairness_note)
    classification = result.classification.label if result.classification is not None else None
    words = questionnaire_words(loaded.questionnaire, site.lang)  # what the page announces, in its language
    return {
        "visible": {q.id: q.id in visible for q in state.questions()},
        "answered": {q.id: state.is_answered(q.id) for q in state.questions()},
        "sections": {p.id: {"visible": p.visible, "answered": p.answered, "total": p.total} for p in state.progress()},
        "errors": errors,
        "dropped": dropped,
        "tier": result.tier,
        "score": result.score,
        "summary": {
            "tier": words.get(result.tier_label, result.tier_label),
            "provisional": status.provisional,
            "classification": words.get(classification, classification) if classification else None,
            "missing": len(status.missing),
            "findings": len(result.findings),
        },
        "next_unanswered": status.next_unanswered.id if status.next_unanswered else None,
        "panel": _panel(site, result, status, before, dropped, fairness_note),
        "nav": site.renderer.fragment(
            "_sections.html", {"status": translate(status, questionnaire_words(state.questionnaire, site.lang))}
        ),
    }


# ---------------------------------------------------------------- PDF and sign-off


async def pdf(site: Site, request: Request) -> Response:
    return await _report(site, request, "pdf")


async def docx(site: Site, request: Request) -> Response:
    """The report as a Word document, beside the PDF."""
    return await _report(site, request, "docx")


#: The report's formats: media type and how the renderer is found.
_REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


async def _report(site: Site, request: Request, kind: str) -> Response:
    relative, _path, loaded, problem = load_file(site, request)
    if loaded is None:
        return site.invalid_page(request, relative, problem)
    from riskcheck.pipeline import result_of
    from riskcheck.web.export import render_docx_bytes, render_pdf_bytes, render_pdf_in_worker

    fairness = site.catalog.fairness(loaded)
    if fairness.note is not None:
        # Evidence the report would have to leave out: an error, as on the command line,
        # never a report that silently drops the fairness section.
        context = {"title": _("Report unavailable"), "message": fairness.note, "relative": relative}
        return site.renderer.page(request, "error.html", context, 422)
    try:
        # The form's language, where the questionnaire has it; the report records it (result.lang),
        # and the messages the core writes into the result are made in it.
        lang = questionnaire_lang(loaded.questionnaire, site.lang)
        with use_language(lang):
            result = result_of(loaded, fairness=fairness.figures, evidence_hash=fairness.evidence_hash)
        result = dataclasses.replace(result, lang=lang)
        render = render_docx_bytes if kind == "docx" else render_pdf_bytes
        data = await render_pdf_in_worker(loaded, result.to_dict(), render=render)
    except RiskcheckError as exc:
        context = {"title": _("Report unavailable"), "message": str(exc), "relative": relative}
        return site.renderer.page(request, "error.html", context, 500)
    name = Path(relative).stem + f"-report.{kind}"
    return Response(
        data,
        media_type=_REPORT_TYPES[kind],
        headers={"content-disposition": f'attachment; filename="{quote(name)}"', "cache-control": "no-store"},
    )


def panel_html(site: Site, state: FillState, result: Any, fairness_note: str | None) -> str:
    """The score panel for a saved assessment (the sign-off and review pages)."""
    return _panel(site, result, form_status(state, result, fairness_note), state, [], fairness_note)
