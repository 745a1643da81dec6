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

        from riskcheck.core.i18n import TemplateTranslations

        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        # As the report's templates: trimmed {% trans %} blocks, newstyle gettext (values autoescaped),
        # the catalogue of the language in use (riskcheck.core.i18n.use_language) at each call.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_translations(TemplateTranslations(), newstyle=True)  # type: ignore[attr-defined]
        from riskcheck.core.i18n import format_number
        from riskcheck.report.document import severity_word, state_word, status_word

        # Values of a result (pending, high, complete) and figures, in the language in use.
        self.env.globals.update(
            script_strings=script_strings,
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


def _script_messages() -> tuple[str, ...]:
    """The messages ``static/app.js`` writes, as gettext messages with ``{name}`` placeholders
    that the script fills. Singular and plural are separate messages: the script picks one."""
    from riskcheck.core.i18n import _

    return (
        _("{length} of {limit} characters: {over} too many. Shorten it; it is not saved until it fits."),
        _("Too long: {over} characters over the limit."),
        _("{length} of {limit} characters"),
        _(
            "Not a whole number: \u201c{text}\u201d. Type digits only, e.g. 350000. "
            "It is not saved until it is a number."
        ),
        _(
            "Not a number: \u201c{text}\u201d. Type digits only (a point for decimals), e.g. 350000. "
            "It is not saved until it is a number."
        ),
        _("Must be at least {min}; it is not saved."),
        _("Must be at most {max}; it is not saved."),
        _("Collapse"),
        _("Expand"),
        _("Collapse or expand {section}"),
        _("Every question that applies is answered."),
        _("Not saved: {error}"),
        _("saved \u201c{theirs}\u201d; yours \u201c{yours}\u201d, not saved."),
        _("{count} answer was changed in another tab too; yours is not saved."),
        _("{count} answers were changed in another tab too; yours are not saved."),
        _("{text} (was: {value})"),
        _("Some answers no longer apply: confirm before they are dropped."),
        _("{answered} of {total} answered"),
        _("(provisional)"),
        _("New question: {questions}"),
        _("Risk tier now {tier}."),
        _("Class now {label}."),
        _("{count} finding."),
        _("{count} findings."),
        _("Saving\u2026"),
        _("the server refused the change"),
        _("Not saved."),
        _("Unsaved: confirm the dropped answers below"),
        _("Saved {time} except {count} answer to correct"),
        _("Saved {time} except {count} answers to correct"),
        _("Saved {time}"),
        _("Not saved: the server cannot be reached. Your answers are still on this page."),
        _("Not saved: the server cannot be reached."),
        _("Unsaved changes"),
    )


def script_strings() -> dict[str, str]:
    """English -> the language in use, for each message of ``static/app.js`` that has a translation.

    base.html puts it in a JSON block (``tojson``: escaped for HTML), which the script reads.
    """
    from riskcheck.core.i18n import use_language

    translated = _script_messages()
    with use_language("en"):
        english = _script_messages()
    return {source: text for source, text in zip(english, translated, strict=True) if source != text}
