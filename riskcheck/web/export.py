"""The sign-off report for the web form's download buttons: PDF and Word."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
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
        from riskcheck.report.render import render_html, render_pdf
    with optional_extra("pdf", "weasyprint"):
        html = render_html(result, loaded, lang=str(result.get("lang") or "en"))
        return render_pdf(result, loaded, html=html)


def render_docx_bytes(loaded: LoadedAssessment, result: Mapping[str, Any]) -> bytes:
    """The report as a Word document, rendered by :mod:`riskcheck.report.docx`."""
    with optional_extra("docx", "docx"):
        from riskcheck.report.docx import render_docx

        return render_docx(result, loaded, lang=str(result.get("lang") or "en"))


async def render_pdf_in_worker(
    loaded: LoadedAssessment,
    result: Mapping[str, Any],
    *,
    timeout: float = RENDER_TIMEOUT,
    render: Callable[[LoadedAssessment, Mapping[str, Any]], bytes] = render_pdf_bytes,
) -> bytes:
    """:func:`render_pdf_bytes` (or ``render``: :func:`render_docx_bytes`) in a process of its own.

    The server keeps answering other pages while it runs. A render that takes longer
    than ``timeout`` seconds is an error, and its process is killed: it holds none of
    the :data:`RENDER_WORKERS` places after that, so a report that never finishes
    cannot take the download buttons down for everyone. ``render`` must be a
    module-level function, as the process receives it by name.
    """
    import anyio
    import anyio.to_thread

    async with _limiter():
        return await anyio.to_thread.run_sync(_render_in_process, render, loaded, dict(result), timeout)


def _render_in_process(
    render: Callable[[LoadedAssessment, Mapping[str, Any]], bytes],
    loaded: LoadedAssessment,
    result: dict[str, Any],
    timeout: float,
) -> bytes:
    context = _context()
    receive, send = context.Pipe(duplex=False)
    # The compiled questionnaire holds compiled expressions, which do not cross a process
    # boundary: the process loads the assessment again from the document already read here,
    # confined to the folder of the questionnaire that was accepted here.
    source = loaded.questionnaire.source
    args = (send, render, loaded.path, loaded.document, source, result)
    process = context.Process(target=_render_child, args=args, daemon=True, name="riskcheck-report")
    process.start()
    send.close()
    name = loaded.path.name
    try:
        if not receive.poll(timeout):
            raise RiskcheckError(
                f"{name}: the report took longer than {timeout:g} seconds to render; nothing was produced"
            )
        try:
            status, payload = receive.recv()
        except EOFError:
            process.join(5)
            raise RiskcheckError(
                f"{name}: the report renderer stopped without a report (exit code {process.exitcode}); "
                "nothing was produced"
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()
    if status != "ok":
        raise RiskcheckError(str(payload))
    return bytes(payload)


def _render_child(
    connection: Any,
    render: Callable[[LoadedAssessment, Mapping[str, Any]], bytes],
    path: Path,
    document: Any,
    source: str,
    result: dict[str, Any],
) -> None:
    """The render process: load the assessment from ``document``, render, and send back the bytes or the error."""
    try:
        from riskcheck.core.loader import load_assessment

        root = Path(source).parent if Path(source).is_file() else None
        loaded = load_assessment(path, document=document, questionnaire_root=root)
        connection.send(("ok", render(loaded, result)))
    except RiskcheckError as exc:
        connection.send(("error", str(exc)))
    except Exception as exc:  # a bug, not bad input: said as such, with the traceback on the server's stderr
        import traceback

        traceback.print_exc()
        connection.send(
            ("error", f"{path.name}: the report could not be rendered ({type(exc).__name__}); see the server log")
        )
    finally:
        connection.close()


def _context() -> Any:
    """Processes started from a fork server that has the report modules loaded, so a render starts at once.

    A fork server rather than a plain fork: the web server runs threads, which a fork
    would copy in whatever state they are in.
    """
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["riskcheck.web.export", "riskcheck.report.render", "weasyprint"])
    return context


#: One limiter per event loop (a test client runs its own loop).
_LIMITERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _limiter() -> Any:
    import asyncio

    import anyio

    loop = asyncio.get_running_loop()
    if loop not in _LIMITERS:
        _LIMITERS[loop] = anyio.CapacityLimiter(RENDER_WORKERS)
    return _LIMITERS[loop]
