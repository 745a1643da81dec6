"""Jinja2 rendering with autoescape always on, and the CSRF cookie set on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from riskcheck.web.security import CSRF_COOKIE, Csrf


class Renderer:
    cookie = CSRF_COOKIE

    def __init__(self, templates: Path, csrf: Csrf) -> None:
        import jinja2

        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
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
