"""Jinja2 rendering with autoescape always on, and the CSRF cookie set on every page.

The templates' own strings go through the report's gettext catalogues
(``jinja2.ext.i18n``), in the language the server runs in (``serve --lang``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from riskcheck.web.security import CSRF_COOKIE, Csrf


class Renderer:
    cookie = CSRF_COOKIE

    def __init__(self, templates: Path, csrf: Csrf, lang: str = "en") -> None:
        import jinja2

        from riskcheck.report.i18n import TemplateTranslations

        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        # As the report's templates: trimmed {% trans %} blocks, newstyle gettext (values autoescaped),
        # the catalogue of the language in use (riskcheck.report.i18n.use_language) at each call.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_translations(TemplateTranslations(), newstyle=True)  # type: ignore[attr-defined]
        from riskcheck.report.document import severity_word, state_word, status_word
        from riskcheck.report.i18n import format_number

        # Values of a result (pending, high, complete) and figures, in the language in use.
        self.env.globals.update(
            lang=lang,
            number=format_number,
            state_word=state_word,
            status_word=status_word,
            severity_word=severity_word,
        )
        self.lang = lang
        self.csrf = csrf

    def _nonce(self, request: Request) -> tuple[str, bool]:
        nonce = request.cookies.get(CSRF_COOKIE)
        if nonce and 20 <= len(nonce) <= 100:
            return nonce, False
        return self.csrf.new_nonce(), True

    def fragment(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(template).render(**context)

    def page(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        nonce, fresh = self._nonce(request)
        html = self.env.get_template(template).render(
            csrf_token=self.csrf.token(nonce), request_path=request.url.path, **context
        )
        response = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
        if fresh:
            response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/")
        return response
