"""The local web form: a Starlette app over the assessment files of one directory.

Every page is a plain HTML form that works with JavaScript off (a full-page round
trip); ``static/app.js`` only asks ``/preview`` for the questions that apply and
the score panel as answers change. All business logic lives in
:mod:`riskcheck.authoring.fill`, :mod:`riskcheck.audit.signoff` and :mod:`riskcheck.report`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.i18n import _
from riskcheck.web.handlers import autosave, form, manage, review, spreadsheet
from riskcheck.web.paths import OutsideRoot
from riskcheck.web.security import (
    LOOPBACK_HOSTS,
    MAX_BODY_BYTES,
    BodyTooLarge,
    Guard,
    too_large_message,
)
from riskcheck.web.site import CsrfFailure, Site

_HERE = Path(__file__).resolve().parent


def create_app(
    directory: Path,
    *,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
    identity_header: str | None = None,
    lang: str = "en",
) -> Any:
    """The ASGI app serving the assessments in ``directory``.

    ``allowed_hosts`` are the Host header names accepted (``None`` accepts any,
    for a server deliberately exposed with ``--allow-remote``). ``identity_header``
    names the header in which a trusted reverse proxy passes the signed-in person's
    name; review decisions are then recorded under that name only. ``lang``: the language
    of the form's own strings (one of :func:`riskcheck.core.i18n.languages`).
    """
    from riskcheck.core.i18n import check_language, use_language

    directory = Path(directory)
    if not directory.is_dir():
        raise RiskcheckError(f"{directory}: not a directory")
    check_language(lang, what="the web form")
    site = Site(directory, identity_header=identity_header, lang=lang)
    review.warn_legacy_store(site.root)

    def endpoint(handler: Any) -> Any:
        async def wrapped(request: Request) -> Response:
            with use_language(site.lang):
                return await answer(request)

        async def answer(request: Request) -> Response:
            try:
                response: Response = await handler(site, request)
                return response
            except BodyTooLarge:
                return PlainTextResponse(too_large_message(MAX_BODY_BYTES), status_code=413)
            except OutsideRoot as exc:
                return site.renderer.page(request, "error.html", {"title": _("Not found"), "message": str(exc)}, 404)
            except CsrfFailure:
                message = _(
                    "This form has expired or did not come from this page, so nothing was saved. "
                    "Go back, reload the page and submit it again."
                )
                if request.url.path.startswith(("/preview/", "/autosave/")):
                    return JSONResponse({"error": message}, status_code=403)
                return site.renderer.page(request, "error.html", {"title": _("Form expired"), "message": message}, 403)
            except RiskcheckError as exc:
                # A file the server keeps (the review links, say) that cannot be read: say which.
                message = str(exc).replace(str(site.root) + "/", "")
                return site.renderer.page(
                    request, "error.html", {"title": _("Cannot do that"), "message": message}, 422
                )

        return wrapped

    routes = [
        Route("/", endpoint(form.index), methods=["GET"]),
        Route("/new", endpoint(form.new_form), methods=["GET"]),
        Route("/new", endpoint(form.new_create), methods=["POST"]),
        Route("/a/{path:path}", endpoint(form.assessment), methods=["GET"]),
        Route("/a/{path:path}", endpoint(form.save), methods=["POST"]),
        Route("/preview/{path:path}", endpoint(form.preview), methods=["POST"]),
        Route("/autosave/{path:path}", endpoint(autosave.autosave), methods=["POST"]),
        Route("/pdf/{path:path}", endpoint(form.pdf), methods=["GET"]),
        Route("/docx/{path:path}", endpoint(form.docx), methods=["GET"]),
        Route("/export/{path:path}", endpoint(spreadsheet.export), methods=["GET"]),
        Route("/setup/{path:path}", endpoint(manage.setup_form), methods=["GET"]),
        Route("/setup/{path:path}", endpoint(manage.setup_save), methods=["POST"]),
        Route("/signoff/{path:path}", endpoint(review.signoff_page), methods=["GET"]),
        Route("/signoff/{path:path}", endpoint(review.invite_reviewer), methods=["POST"]),
        Route("/review/{token}", endpoint(review.review_form), methods=["GET"]),
        Route("/review/{token}", endpoint(review.review_record), methods=["POST"]),
        Route("/review-done", endpoint(review.review_done), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=_warm_index(site))
    app.state.site = site
    return Guard(app, allowed_hosts=allowed_hosts)


def _warm_index(site: Site) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """On start-up, read and score the listed files once in the background, so that
    the first visit to the list is as fast as the next ones (each row is cached)."""

    from riskcheck.core.i18n import use_language

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        def warm() -> None:
            # A thread starts without the request's language (a context variable): the rows it
            # caches, their draft reasons, stale notes and fairness notes, are in the server's.
            with use_language(site.lang), contextlib.suppress(RiskcheckError, OSError):
                site.catalog.scan()  # a problem shows on the page itself when it is visited

        threading.Thread(target=warm, name="riskcheck-warm-index", daemon=True).start()
        yield

    return lifespan
