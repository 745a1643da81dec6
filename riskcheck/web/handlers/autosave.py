"""Save each change as it is made (``POST /autosave/FILE``), for ``static/app.js``.

The page posts the whole form with the values it was rendered from (see
:mod:`riskcheck.web.merge`), so a save never undoes what another tab saved in
between, and answers changed on both sides come back as clashes instead. An
answer that is not valid is not saved (the file keeps its value) and comes back
as an error; the others are saved. A change that would drop answers to questions
it hides is saved only once the person confirms it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from riskcheck.authoring.fill import FillState, save_answers
from riskcheck.web.merge import FormData, field_names, file_fields, merge
from riskcheck.web.viewmodels import dropped_views, parse_submission

if TYPE_CHECKING:
    from riskcheck.web.site import Site


async def autosave(site: Site, request: Request) -> Response:
    from riskcheck.web.handlers.form import live_view, load_file

    form = await site.form(request)
    _, path = site.file(request)
    confirmed = form.get("confirm_drop") == "1"
    with site.lock(path):
        _, path, loaded, problem = load_file(site, request)
        if loaded is None:
            return JSONResponse({"error": problem}, status_code=422)
        before = FillState.from_loaded(loaded)
        merged = merge(before, form, form.getlist)
        state, submission = parse_submission(before, merged.form, merged.form.getlist)
        if submission.errors:
            # Save everything else; an answer that cannot be saved keeps the file's value.
            fields = {name: merged.form.getlist(name) for name in merged.form}
            now = file_fields(before)
            for name, qid, _ in field_names(before):
                if qid in submission.errors:
                    fields[name] = now[name]
            state, _ = parse_submission(before, FormData(fields), FormData(fields).getlist)
        dropped = before.dropped_by(state)
        outcome = "confirm" if dropped and not confirmed else "saved"
        if outcome == "saved":
            save_answers(path, before, state, drop=dropped)
        _, path, after, problem = load_file(site, request)
        version = site.version(path)
    if after is None:  # pragma: no cover - the save is checked before it is written
        return JSONResponse({"error": problem}, status_code=500)
    now_state = FillState.from_loaded(after)
    # The panel shows what is saved, or, while a drop awaits confirmation, what would be.
    shown = now_state if outcome == "saved" else state
    view: dict[str, Any] = live_view(site, after, now_state, shown, submission.errors)
    view.update(
        {
            "outcome": outcome,
            "version": version,
            "values": file_fields(now_state),
            "clashes": [
                {"field": c.field, "question": c.question, "text": c.text, "yours": c.yours, "theirs": c.theirs}
                for c in merged.clashes
            ],
            "drop": [{"text": text, "value": value} for text, value in dropped_views(before, dropped)]
            if outcome == "confirm"
            else [],
        }
    )
    return JSONResponse(view, headers={"cache-control": "no-store"})
