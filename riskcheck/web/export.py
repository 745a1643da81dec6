"""The sign-off report for the web form's download buttons: PDF and Word."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.loader import LoadedAssessment
from riskcheck.core.optional import optional_extra

#: How long the web form waits for one report (seconds) before answering with an error.
RENDER_TIMEOUT = 120.0
#: Reports rendered at once; more wait their turn, and every other page is still served.
RENDER_WORKERS = 2


def render_pdf_bytes(loaded: LoadedAssessment, result: Mapping[str, Any]) -> bytes:
    """The report for ``loaded`` and its ``result`` (``Result.to_dict()``), rendered by :mod:`riskcheck.report`."""
    with optional_extra("pdf", "weasyprint"):
        from riskcheck.report.render import render_pdf
    with optional_extra("pdf", "weasyprint"):
        return render_pdf(result, loaded)


def render_docx_bytes(loaded: LoadedAssessment, result: Mapping[str, Any]) -> bytes:
    """The report as a Word document, rendered by :mod:`riskcheck.report.docx`."""
    with optional_extra("docx", "docx"):
        from riskcheck.report.docx import render_docx

        return render_docx(result, loaded)


async def render_pdf_in_worker(
    loaded: LoadedAssessment,
    result: Mapping[str, Any],
    *,
    timeout: float = RENDER_TIMEOUT,
    render: Callable[[LoadedAssessment, Mapping[str, Any]], bytes] = render_pdf_bytes,
) -> bytes:
    """:func:`render_pdf_bytes` (or ``render``: :func:`render_docx_bytes`) in a worker thread, so the
    server keeps answering other pages while it runs; a render that takes longer than ``timeout`` seconds is an error.

    The thread cannot be stopped: it finishes in the background and holds one of the
    :data:`RENDER_WORKERS` places until then, so slow renders cannot pile up.
    """
    import anyio
    import anyio.to_thread

    try:
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(render, loaded, result, abandon_on_cancel=True, limiter=_limiter())
    except TimeoutError:
        raise RiskcheckError(
            f"{loaded.path.name}: the report took longer than {timeout:g} seconds to render; nothing was produced"
        ) from None


#: One limiter per event loop (a test client runs its own loop).
_LIMITERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _limiter() -> Any:
    import asyncio

    import anyio

    loop = asyncio.get_running_loop()
    if loop not in _LIMITERS:
        _LIMITERS[loop] = anyio.CapacityLimiter(RENDER_WORKERS)
    return _LIMITERS[loop]
