"""The local web form (``riskcheck serve``). Needs the ``web`` extra: starlette, uvicorn, jinja2, python-multipart."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def create_app(directory: Path, **options: Any) -> Any:
    """The ASGI app serving the assessments in ``directory`` (see :func:`riskcheck.web.app.create_app`)."""
    from riskcheck.web.app import create_app as _create_app

    return _create_app(directory, **options)
