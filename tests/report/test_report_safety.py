"""Hostile text stays text, and rendering never fetches anything outside the templates."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskcheck.core.loader import load_assessment
from riskcheck.files.yamledit import edit_yaml
from riskcheck.report.render import pdf_from_html, render_html
from tests.report.conftest import flat, render


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b"body { background: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def hostile(demo: Path, base: str) -> dict[str, str]:
    texts = {
        "name": '<b>Evil</b> & "Co" </title><script>alert(1)</script>',
        "confidentiality": "</style><style>@page { @top-right { content: 'pwned' } }</style>",
        "description": (
            "<script>alert('x')</script></style><style>body { background: url(" + base + "/css-bg) }</style>"
            '<img src="' + base + '/img"><link rel="stylesheet" href="' + base + '/link.css">'
        ),
        "comment": "url(" + base + "/comment) {{ 7 * 7 }} {% raw %}<iframe src=x>",
    }

    def change(data: Any) -> None:
        data["system"]["name"] = texts["name"]
        data["system"]["confidentiality"] = texts["confidentiality"]
        data["answers"]["description"] = texts["description"]
        data["answers"]["decision_type"]["comment"] = texts["comment"]
        data["answers"]["bias_tested"]["evidence"] = [base + "/evidence", "javascript:alert(1)"]

    edit_yaml(demo, change)
    return texts


def test_hostile_answers_appear_as_literal_text_and_fetch_nothing(demo: Path, server: tuple[str, list[str]]) -> None:
    base, hits = server
    texts = hostile(demo, base)
    report = render(demo)
    assert hits == []
    text = flat(report.text)
    # Compared without white space (lines wrap inside the long values) and, for the
    # confidentiality line the header shows in capitals, without case.
    squashed = "".join(text.split())
    for key, value in texts.items():
        if key == "confidentiality":
            assert "".join(value.split()).upper() in squashed.upper()
        else:
            assert "".join(value.split()) in squashed, value
    assert squashed.lower().count("pwned") == squashed.lower().count("content:'pwned'")
    # Escaped in the HTML: no element or style came from the answers.
    html = report.html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;/style&gt;" in html
    assert "{{ 7 * 7 }}" in text  # data, never evaluated as a template
    # Only web links become links; javascript: stays text.
    assert f'<a href="{base}/evidence">' in html
    assert 'href="javascript:' not in html


def test_template_references_outside_the_templates_are_refused(
    demo: Path, server: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, hits = server
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "ok.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (templates / "report.html").write_text(
        '{% extends "builtin/report.html" %}{% block cover %}'
        f'<link rel="stylesheet" href="{base}/evil.css">'
        f'<link rel="stylesheet" href="{secret.as_uri()}">'
        f'<img src="{base}/logo.png"><img src="{(templates / "ok.svg").as_uri()}">'
        '<img src="ftp://127.0.0.1/x.png">'
        "<h1>Custom cover</h1>{% endblock %}"
    )
    loaded = load_assessment(demo)
    from riskcheck import api

    result = api.score(loaded).to_dict()
    html = render_html(result, loaded, template_dir=templates, strict=True)
    output = pdf_from_html(html, result, loaded, template_dir=templates)
    assert hits == []
    assert sorted(output.refused) == sorted(
        [f"{base}/evil.css", secret.as_uri(), f"{base}/logo.png", "ftp://127.0.0.1/x.png"]
    )
