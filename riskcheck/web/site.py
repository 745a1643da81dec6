"""The site object: the state one server keeps, shared by the app and every handler.

It lives apart from :mod:`riskcheck.web.app` (which builds the routes from the
handlers) so that handlers can take a ``Site`` without importing the app.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from riskcheck.files.fileio import edit_lock, sha256_file
from riskcheck.web.catalog import Catalog
from riskcheck.web.paths import resolve_inside
from riskcheck.web.render import Renderer
from riskcheck.web.security import CSRF_FIELD, CSRF_HEADER, Csrf

_HERE = Path(__file__).resolve().parent


class Site:
    """The state one server keeps: the directory, templates, CSRF key and a lock per file."""

    def __init__(self, directory: Path, identity_header: str | None = None, lang: str = "en") -> None:
        self.root = directory.resolve()
        #: The language of the form's own strings and, where its catalogue has it, of a
        #: questionnaire's text (``serve --lang``).
        self.lang = lang
        #: The request header a trusted reverse proxy puts the signed-in person's name
        #: in (``serve --identity-header``); None: the server knows nobody's identity.
        self.identity_header = identity_header
        self.csrf = Csrf()
        self.renderer = Renderer(_HERE / "templates", self.csrf, lang)
        self.catalog = Catalog(self.root, lang)
        self._locks: dict[Path, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @contextlib.contextmanager
    def lock(self, path: Path) -> Iterator[None]:
        """Edit ``path`` alone: this server's lock for it, then the file lock that
        ``riskcheck sign`` and ``fill`` take too (:func:`riskcheck.files.fileio.edit_lock`)."""
        with self._locks_guard:
            thread_lock = self._locks.setdefault(path, threading.Lock())
        with thread_lock, edit_lock(path):
            yield

    def file(self, request: Request) -> tuple[str, Path]:
        relative = str(request.path_params["path"])
        return relative, resolve_inside(self.root, relative)

    async def form(self, request: Request) -> Any:
        form = await request.form(max_files=0, max_fields=2000, max_part_size=1024 * 1024)
        token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not self.csrf.valid(request.cookies.get(self.renderer.cookie), str(token) if token else None):
            raise CsrfFailure
        return form

    def invalid_page(self, request: Request, relative: str, problem: str | None) -> Response:
        """The page for an assessment that does not load: its problems, and a link to fix them."""
        return self.renderer.page(
            request, "invalid.html", {"title": relative, "message": problem, "relative": relative}, 422
        )

    @staticmethod
    def version(path: Path) -> str:
        return sha256_file(path)


class CsrfFailure(Exception):
    pass
