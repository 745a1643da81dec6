"""Render the sign-off report: jinja2 templates to HTML, WeasyPrint to tagged PDF/A-3a.

jinja2 and WeasyPrint are imported inside the functions: the rest of riskcheck
never pays for them. Autoescaping is on for every template except stylesheets, a
user's template directory is searched before the built-ins, and rendering fetches
nothing but data: URIs and files inside the template directories.

The PDF is deterministic: its dates come from the assessment (``assessed_on``), its
identifier from the result, and the result JSON is attached exactly as
``riskcheck score --format json`` prints it, but for its ``lang``: the language the
report is written in (``report --lang``), which also sets ``<html lang>`` and so the
PDF's ``/Lang``. The HTML is drawn from the report's document
(:mod:`riskcheck.report.document`), the one the Word report is written from: the
templates decide the look, the document the words, in the language of ``--lang``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcheck.core.errors import ReportError
from riskcheck.core.loader import LoadedAssessment, bundled_dir
from riskcheck.core.optional import optional_extra
from riskcheck.core.result import dumps
from riskcheck.report.theme import DEFAULT_THEME, LoadedTheme

if TYPE_CHECKING:
    from riskcheck.report.document import Document

#: The name of the result attached to the PDF.
ATTACHMENT_NAME = "riskcheck-result.json"
#: Used for the PDF dates when an assessment has no ``assessed_on`` and no sign-off.
FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def templates_dir() -> Path:
    """The built-in templates: ``reports/templates`` in a checkout, bundled when installed."""
    return bundled_dir("templates")


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("riskcheck")
    except PackageNotFoundError:  # pragma: no cover - running from an unpacked tree
        return "unknown"


def make_environment(template_dir: Path | None = None, *, strict: bool = False) -> Any:
    """A jinja2 environment: the user's templates first, then the built-ins.

    A user template can extend a built-in one of the same name as ``builtin/<name>``.
    ``strict`` makes an undefined name an error instead of an empty string.

    ``template_dir`` is trusted code: jinja2 templates are not sandboxed, so a template
    can run Python in the process that renders it. Pass only a directory you would
    run as code. What the templates show (answers, names, questionnaire text) is
    data and is autoescaped; the files they may load are limited to the template
    directories by :mod:`riskcheck.report.fetcher`.
    """
    with optional_extra("pdf", "jinja2"):
        import jinja2  # noqa: F401
    directory = None
    if template_dir is not None:
        directory = Path(template_dir).resolve()
        if not directory.is_dir():
            raise ReportError(f"{template_dir}: --template-dir: no such directory")
        _refuse_retired_templates(directory)
    return _environment(None if directory is None else str(directory), strict)


#: Templates the report no longer reads: its words come from the document, drawn by macros/nodes.html.
RETIRED_TEMPLATES = ("parts", "macros/ui.html")


def _refuse_retired_templates(directory: Path) -> None:
    """An override the report would silently ignore is an error: a customised part must not vanish."""
    for name in RETIRED_TEMPLATES:
        found = directory / name
        if found.is_dir():
            found = next(iter(sorted(found.rglob("*.html"))), found)
        if found.exists() and (found.is_file() or any(found.iterdir())):
            raise ReportError(
                f"{found}: --template-dir: the report no longer reads {name}; its parts are blocks of "
                "report.html (cover, summary, findings, fairness, answers, signoff, appendices, archived, "
                "evidence_register, changelog) and each kind of node is drawn by a macro of macros/nodes.html"
            )


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None, strict: bool) -> Any:
    """One environment per template directory and mode, so that a process that renders
    many reports (``riskcheck serve``) compiles each template once. jinja2 checks each
    template file's modification time before using its compiled form."""
    import jinja2

    builtin = jinja2.FileSystemLoader(str(templates_dir()))
    loaders: list[Any] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # The templates' own strings go through the report's gettext catalogues.
        extensions=["jinja2.ext.i18n"],
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg"),
            disabled_extensions=("css",),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined if strict else jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from riskcheck.core import i18n
    from riskcheck.report import context

    # {% trans %} blocks are whitespace-trimmed, as pybabel extracts them (translations.JINJA_OPTIONS).
    env.policies["ext.i18n.trimmed"] = True
    # Translations are read at render time from the language in use (i18n.use_language);
    # newstyle: the values put into a message are autoescaped like any other.
    env.install_gettext_translations(i18n.TemplateTranslations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = i18n.format_number
    env.filters["day"] = i18n.format_date
    env.filters["timestamp"] = context.format_timestamp
    env.filters["clause"] = context.clause_label
    # The report's messages are the document's, with {name} placeholders: a template of the user's
    # can use them through t() and tn() (what it writes is autoescaped like any value).
    env.globals["t"] = i18n._
    env.globals["tn"] = i18n._n
    # The document's nodes are drawn by kind (macros/nodes.html); a kind no macro knows is an error.
    env.globals["node_kind"] = lambda node: type(node).__name__
    env.globals["unknown_node"] = _unknown_node
    env.globals["reference_label"] = lambda ref, frameworks=None: context.reference_label(
        ref, frameworks or context.KNOWN_FRAMEWORKS
    )
    from riskcheck.report import document

    # Values of the result (approved, high, complete) in words of the report's language.
    env.globals.update(
        css_content=css_content,
        state_word=document.state_word,
        severity_word=document.severity_word,
        status_word=document.status_word,
        yes_no=document.yes_no,
    )
    return env


_CSS_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _unknown_node(kind: str) -> str:
    raise ReportError(f"macros/nodes.html: no macro draws a {kind} node of the report's document")


def css_content(message: str, **functions: str) -> str:
    """A CSS ``content`` value from a message in the current language: its text as CSS
    strings, each ``%(name)s`` as the CSS function given for it (``counter(page)``).

    The stylesheet is not autoescaped (it is CSS), so the text is escaped here for a CSS
    string inside an HTML ``<style>``: quotes, backslashes, line breaks and ``<``.
    """
    from riskcheck.core.i18n import current

    text = current().gettext(message)
    parts: list[str] = []
    position = 0
    for match in _CSS_PLACEHOLDER.finditer(text):
        literal = text[position : match.start()] + ("%" if match.group(0) == "%%" else "")
        if literal:
            parts.append(_css_string(literal))
        if match.group(1) is not None:
            parts.append(functions[match.group(1)])
        position = match.end()
    if text[position:]:
        parts.append(_css_string(text[position:]))
    return " ".join(parts) or '""'


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return f'"{escaped}"'


def render_html(
    result: Mapping[str, Any],
    loaded: LoadedAssessment,
    *,
    template_dir: Path | None = None,
    theme: LoadedTheme | None = None,
    strict: bool = False,
    extra: Mapping[str, Any] | None = None,
    lang: str = "en",
) -> str:
    """The report as one self-contained HTML document (styles inline, charts as SVG).

    ``extra`` adds to the template context (the change log of ``report --history``).
    ``lang``: the language of the report's own strings and, from its catalogue beside
    it, of the questionnaire's text.
    """
    import jinja2

    from riskcheck.core.i18n import use_language

    env = make_environment(template_dir, strict=strict)
    with use_language(lang):
        data, document = report_document(result, loaded, theme=theme, extra=extra, lang=lang)
        data["document"] = document
        try:
            return str(env.get_template("report.html").render(data))
        except jinja2.TemplateSyntaxError as exc:
            place = f"{exc.filename or exc.name}:{exc.lineno}"
            raise ReportError(f"{place}: template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise ReportError(f"{template_place(exc)}: template not found: {exc.name}") from None
        except jinja2.UndefinedError as exc:
            raise ReportError(f"{template_place(exc)}: report template: {exc.message}") from None
        except ReportError:
            raise
        except Exception as exc:
            # A template is code: anything it raises is an error at its line, not a crash.
            failed = f"{type(exc).__name__}: {exc}"
            raise ReportError(f"{template_place(exc)}: the report template failed: {failed}") from None


def report_document(
    result: Mapping[str, Any],
    loaded: LoadedAssessment,
    *,
    theme: LoadedTheme | None = None,
    extra: Mapping[str, Any] | None = None,
    lang: str = "en",
) -> tuple[dict[str, Any], Document]:
    """The report in ``lang``: the data it is built from and its document, which the PDF's
    templates draw and the Word writer writes (:mod:`riskcheck.report.document`)."""
    from riskcheck.core.i18n import use_language
    from riskcheck.report.document import build_document

    with use_language(lang):
        data = report_context(result, loaded, theme=theme, extra=extra, lang=lang)
        return data, build_document(data, created=document_date(result, loaded), lang=lang)


def report_context(
    result: Mapping[str, Any],
    loaded: LoadedAssessment,
    *,
    theme: LoadedTheme | None = None,
    extra: Mapping[str, Any] | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """What the templates and the document model see, in ``lang``: call it within
    :func:`riskcheck.core.i18n.use_language`, so that the phrases the context writes
    are translated; the questionnaire's text comes from its catalogue beside it."""
    from riskcheck.report.context import appendix_letters, build_context

    data = build_context(result, loaded, tool_version=tool_version())
    created = document_date(result, loaded)
    data.update(
        theme=theme or DEFAULT_THEME,
        pdf_date=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        keywords=_keywords(result),
        lang=lang,
    )
    data.update(extra or {})
    data["appendix"] = appendix_letters(data)
    if lang != "en":
        from riskcheck.report.qcatalog import translate, translations

        spec = loaded.questionnaire.spec.model_dump(mode="json", exclude_none=True)
        table = translations(Path(loaded.questionnaire.source), spec, lang)
        # A copy: the result attached to the report stays as computed.
        data = translate(data, table)
    return data


#: File names jinja2 gives the frames of compiled templates.
_TEMPLATE_SUFFIXES = (".html", ".htm", ".css", ".svg", ".xml", ".j2", ".jinja", ".txt")


def template_place(exc: BaseException) -> str:
    """``file:line`` of the innermost template frame in ``exc``'s traceback.

    jinja2 rewrites the traceback of a rendering error so that template frames carry
    the template's file name and line number.
    """
    import traceback

    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename.endswith(_TEMPLATE_SUFFIXES) or frame.filename == "<template>"
    ]
    if not frames:
        return "report template"
    return f"{frames[-1].filename}:{frames[-1].lineno}"


def render_pdf(
    result: Mapping[str, Any],
    loaded: LoadedAssessment,
    *,
    template_dir: Path | None = None,
    theme: LoadedTheme | None = None,
    strict: bool = False,
    html: str | None = None,
) -> bytes:
    """The report as tagged PDF/A-3a with the result JSON attached. ``html`` skips re-rendering."""
    if html is None:
        html = render_html(result, loaded, template_dir=template_dir, theme=theme, strict=strict)
    return pdf_from_html(html, result, loaded, template_dir=template_dir).pdf


@dataclass(frozen=True)
class PdfOutput:
    pdf: bytes
    #: URLs the templates asked for and rendering refused.
    refused: tuple[str, ...] = field(default_factory=tuple)


def pdf_from_html(
    html: str, result: Mapping[str, Any], loaded: LoadedAssessment, *, template_dir: Path | None = None
) -> PdfOutput:
    """Lay out ``html`` with WeasyPrint, fetching only the project's own files."""
    with optional_extra("pdf", "weasyprint"):
        import weasyprint  # type: ignore[import-untyped]
    from riskcheck.report.fetcher import make_url_fetcher

    roots = [templates_dir()] + ([Path(template_dir)] if template_dir is not None else [])
    fetcher = make_url_fetcher(roots)
    result_json = dumps(result, indent=2) + "\n"
    moment = document_date(result, loaded)
    attachment = weasyprint.Attachment(
        string=result_json,
        name=ATTACHMENT_NAME,
        description="The riskcheck result this report shows (riskcheck score --format json)",
        created=moment,
        modified=moment,
        relationship="Data",
        url_fetcher=fetcher,
    )
    from riskcheck.report.textsafety import break_long_words

    # A word longer than a line makes layout quadratic; it gets places to break.
    laid_out = break_long_words(html)
    document = weasyprint.HTML(string=laid_out, base_url=templates_dir().as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(
        # PDF/A-3 level A: archival and tagged (a structure tree, headings as an outline,
        # text alternatives for the charts), for screen readers; see the README.
        pdf_variant="pdf/a-3a",
        pdf_tags=True,
        pdf_identifier=identifier(result_json),
        attachments=[attachment],
        uncompressed_pdf=False,
        finisher=list_associated_files_once,
    )
    return PdfOutput(bytes(pdf), tuple(fetcher.refused))


def list_associated_files_once(document: Any, pdf: Any) -> None:
    """Keep one entry per file in the catalog's /AF array.

    WeasyPrint 70 adds each PDF/A-3 attachment to /AF twice, once from the
    EmbeddedFiles name tree and once from the file specification itself.
    """
    entries = pdf.catalog.get("AF")
    if entries is None:
        return
    unique = list(dict.fromkeys(entries))
    entries.clear()
    entries.extend(unique)


def identifier(result_json: str) -> bytes:
    """A stable PDF file identifier: the same result gives the same identifier."""
    return hashlib.sha256(result_json.encode("utf-8")).hexdigest()[:32].encode("ascii")


def document_date(result: Mapping[str, Any], loaded: LoadedAssessment) -> dt.datetime:
    """The PDF's dates: the assessment date, else the latest sign-off, else a fixed date.

    Never the clock: the same inputs must give the same bytes.
    """
    assessed = loaded.file.system.assessed_on
    if assessed is not None:
        return dt.datetime(assessed.year, assessed.month, assessed.day, tzinfo=dt.UTC)
    stamps = [r.timestamp for r in loaded.file.signoffs]
    if stamps:
        latest = max(s if s.tzinfo else s.replace(tzinfo=dt.UTC) for s in stamps)
        return latest.astimezone(dt.UTC).replace(microsecond=0)
    return FALLBACK_DATE


def _keywords(result: Mapping[str, Any]) -> str:
    words = ["riskcheck", "AI risk assessment", f"tier {result['tier']}", result["questionnaire"]["id"]]
    classification = result.get("classification")
    if classification and classification.get("label"):
        words.append(classification["label"])
    return ", ".join(w.replace(",", " ") for w in words)
