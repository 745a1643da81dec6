"""Long unbroken words: the report gets break opportunities before layout, so a
100,000-character word renders in seconds and in full; under ``serve`` the PDF renders in
a worker thread with a time limit while other pages are served.

The figures before and after: ``python benchmarks/bench_long_words.py``.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import anyio
import pytest

from riskcheck import api
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.loader import load_assessment
from riskcheck.report.textsafety import ZERO_WIDTH_SPACE, break_long_words
from riskcheck.web.export import render_pdf_in_worker

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
#: Letters no other text in the report is made of, so the word can be found line by line.
WORD = ("qzxjv" * 20_000)[:100_000]


@pytest.fixture
def long_word(tmp_path: Path) -> Path:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    text = (MINI / "assessment.yaml").read_text(encoding="utf-8")
    assert "comment: Planned for Q1." in text
    (tmp_path / "assessment.yaml").write_text(text.replace("Planned for Q1.", f"Planned {WORD} Q1."), encoding="utf-8")
    return tmp_path / "assessment.yaml"


def test_only_body_text_gets_break_opportunities() -> None:
    long = "a" * 45
    html = (
        f"<html><head><title>{long}</title><style>p {{ background: url(data:{long}) }}</style></head>"
        f'<body><p class="{long}">{long} short &amp;{"b" * 40}&lt; <a href="https://x.example/{long}">{long}</a>'
        f"<script>{long}</script><!-- {long} --></p></body></html>"
    )
    broken = break_long_words(html)
    assert broken.replace(ZERO_WIDTH_SPACE, "") == html
    head, body = broken.split("<body>")
    assert ZERO_WIDTH_SPACE not in head
    assert f'class="{long}"' in body
    assert f'href="https://x.example/{long}"' in body
    assert f"<script>{long}</script><!-- {long} -->" in body
    twenty = "a" * 20
    assert f">{twenty}{ZERO_WIDTH_SPACE}{twenty}{ZERO_WIDTH_SPACE}aaaaa short " in body
    # an entity is one character and is never cut
    assert f"&amp;{'b' * 19}{ZERO_WIDTH_SPACE}{'b' * 20}{ZERO_WIDTH_SPACE}b&lt;" in body
    # a sha256 in hex (64 characters) is a long run too, but the PDF text keeps it whole
    assert break_long_words("<p>short words stay as they are</p>") == "<p>short words stay as they are</p>"


def test_a_report_with_a_100k_character_word_renders_in_full(long_word: Path) -> None:
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "riskcheck", "report", long_word.name, "-o", "r.pdf"],
        cwd=long_word.parent,
        capture_output=True,
        text=True,
        timeout=300,  # minutes before the fix; seconds after
    )
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    from pypdf import PdfReader

    pages = PdfReader(long_word.parent / "r.pdf").pages
    lines = [line.strip() for page in pages for line in page.extract_text().splitlines()]
    # The word's lines, in order, between the page headers and footers of 20-odd pages.
    pieces = [m.group(1) for line in lines if (m := re.fullmatch(r"(?:Planned )?([qzxjv]+)(?: Q1\.)?", line))]
    assert "".join(pieces) == WORD
    assert elapsed < 240


def test_a_render_past_its_time_limit_is_an_error(long_word: Path) -> None:
    loaded = load_assessment(long_word)
    result = api.score(loaded).to_dict()
    with pytest.raises(RiskcheckError) as caught:
        anyio.run(lambda: render_pdf_in_worker(loaded, result, timeout=0.2))
    assert str(caught.value) == (
        "assessment.yaml: the report took longer than 0.2 seconds to render; nothing was produced"
    )


def test_serve_answers_other_pages_while_a_report_renders(long_word: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "riskcheck", "serve", str(long_word.parent), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        assert "serving" in server.stderr.readline()
        base = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(f"{base}/", timeout=60).read()  # warm: the index computes each score once
        finished: dict[str, float] = {}

        def download() -> None:
            with urllib.request.urlopen(f"{base}/pdf/assessment.yaml", timeout=300) as response:
                assert response.read().startswith(b"%PDF")
            finished["pdf"] = time.monotonic()

        thread = threading.Thread(target=download)
        thread.start()
        time.sleep(1.0)  # the render is under way
        with urllib.request.urlopen(f"{base}/", timeout=300) as response:
            assert response.status == 200
        finished["index"] = time.monotonic()
        thread.join(timeout=300)
        assert finished["index"] < finished["pdf"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_render_past_its_time_limit_is_killed_and_frees_its_place(long_word: Path) -> None:
    """The render runs in a process of its own: past the limit it is killed, not left running."""
    import multiprocessing

    loaded = load_assessment(long_word)
    result = api.score(loaded).to_dict()
    for _ in range(3):  # more timeouts than render places: each one gives its place back
        with pytest.raises(RiskcheckError, match=r"took longer than 0\.2 seconds"):
            anyio.run(lambda: render_pdf_in_worker(loaded, result, timeout=0.2))
        assert [p for p in multiprocessing.active_children() if p.name == "riskcheck-report"] == []
    mini = load_assessment(MINI / "assessment.yaml")
    pdf = anyio.run(lambda: render_pdf_in_worker(mini, api.score(mini).to_dict()))
    assert pdf.startswith(b"%PDF-")


def test_an_error_in_the_render_process_comes_back_as_the_error(tmp_path: Path) -> None:
    """A report that cannot be made (here, the assessment vanished) is a message, never a hang."""
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    shutil.copy(MINI / "assessment.yaml", tmp_path / "assessment.yaml")
    loaded = load_assessment(tmp_path / "assessment.yaml")
    result = api.score(loaded).to_dict()
    (tmp_path / "questionnaire.yaml").unlink()
    with pytest.raises(RiskcheckError, match=r"questionnaire\.yaml"):
        anyio.run(lambda: render_pdf_in_worker(loaded, result, timeout=60))
