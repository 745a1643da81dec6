"""Nothing is lost between the PDF and the Word report: one test over every bundled example.

Each example is rendered once to both formats. Every answer, comment, evidence link,
finding, figure and sign-off entry of the report must appear in the PDF's text
(pdftotext) and in the DOCX's text; the failure names each one missing, and from which.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from riskcheck import api
from riskcheck.audit.signoff import sign
from riskcheck.core.loader import load_assessment
from riskcheck.files.yamledit import set_answers
from riskcheck.report.context import build_context
from riskcheck.report.docx import render_docx
from riskcheck.report.render import render_pdf, tool_version
from tests.report.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOW = dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Pair:
    name: str
    items: list[tuple[str, str]]
    pdf_text: str
    docx_text: str


def squash(text: str) -> str:
    """Text compared without white space, hyphens, case, state marks or compatibility forms (ligatures).

    pdftotext joins a word hyphenated at a line end (cut-off -> cutoff); the PDF shows
    a sign-off state in capitals after a mark (\u25cb MISSING).
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\u200b\u00ad\-\u25cb\u2713\u2717\u21bb]+", "", text)


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def docx_text(docx: bytes) -> str:
    """Every w:t and w:tab of the main document, paragraph by paragraph."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    lines = []
    for paragraph in root.iter(f"{W}p"):
        lines.append("".join(t.text or "" for t in paragraph.iter(f"{W}t")))
    return "\n".join(lines)


def items(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(what, text) for each thing the report must show, from the context both formats are built from."""
    for section in data["answer_sections"]:
        for row in section["rows"]:
            where = f"answer {row['number']} ({row['id']})"
            for line in row["lines"]:
                yield where, line
            for link in row["links"]:
                yield f"{where} evidence link", link["text"]
            if row["comment"]:
                yield f"{where} comment", row["comment"]
            for link in row["evidence"]:
                yield f"{where} evidence link", link["text"]
    for finding in data["findings"]:
        yield f"finding {finding['id']}", finding["message"]
        yield f"finding {finding['id']} mitigation", finding["mitigation"]
        for trigger in finding["triggers"]:
            yield f"finding {finding['id']} trigger", f"{trigger['text']}: {trigger['value']}"
    yield "figure 1 caption", "Figure 1. The score on the tier scale"
    if data["section_chart"]:
        yield "figure 2 caption", "Figure 2. Risk points per section"
    fairness = data["fairness"]
    if fairness:
        if fairness["chart"]:
            yield "figure 3 caption", "Figure 3. Disparities between groups."
        for row in fairness["disparity_rows"]:
            for test in row["tests"]:
                yield f"fairness figure {row['name']} test", test["text"]
        for group in fairness["group_rows"]:
            # As both show them: † marks a group left out, ‡ a rate left out.
            cells = [c["text"] + (" \u2021" if c["note"] else "") for c in group["cells"]]
            yield (
                f"fairness group {group['name']}",
                " ".join([group["name"] + (" \u2020" if group["left_out"] else ""), *cells]),
            )
    signoff = data["signoff"]
    for row in signoff["rows"]:
        yield f"sign-off role {row['role']}", f"{row['role'].capitalize()} {row['state']}"
        record = row["record"]
        if record:
            yield f"sign-off {row['role']} name", record["name"]
            state = "current" if record["current"] else "stale"
            yield f"sign-off {row['role']} decision", f"{record['decision']} ({state})"
            for key in ("comment", "note"):
                if record.get(key):
                    yield f"sign-off {row['role']} {key}", record[key]
    for note in signoff.get("cover_notes") or ():
        yield "cover sign-off note", note
    for record in signoff["others"]:
        yield f"other sign-off {record['role']}", record["name"]
        for key in ("comment", "note"):
            if record.get(key):
                yield f"other sign-off {record['role']} {key}", record[key]


def signed(directory: Path) -> Path:
    """The report tests' demo assessment with sign-offs: approvals made stale by a change,
    comments, and a later rejection (an "other" record); the examples carry none."""
    shutil.copytree(FIXTURES, directory)
    path = directory / "assessment.yaml"
    for name, role in (("Priya Product", "product"), ("Lena Legal", "legal"), ("Paul Privacy", "privacy")):
        sign(path, name=name, role=role, decision="approve", comment=f"Reviewed by {name}; fine.", now=NOW)
    set_answers(path, {"monitoring": "continuous"})
    sign(
        path, name="Lena Legal", role="legal", decision="reject", comment="Monitoring <b>changed</b> & unclear", now=NOW
    )
    sign(path, name="Lena Legal", role="legal", decision="approve", now=NOW + dt.timedelta(hours=1))
    return path


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> list[Pair]:
    """Each example's report in both formats, rendered once for this module."""
    rendered = []
    for path in [*EXAMPLES, signed(tmp_path_factory.mktemp("signed") / "demo")]:
        loaded = load_assessment(path)
        result = api.score(loaded).to_dict()
        data = build_context(result, loaded, tool_version=tool_version())
        pdf = render_pdf(result, loaded)
        docx = render_docx(result, loaded)
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else "signed demo assessment"
        rendered.append(Pair(name, list(items(data)), pdf_text(pdf), docx_text(docx)))
    return rendered


def test_the_examples_are_all_here() -> None:
    assert len(EXAMPLES) >= 8


def test_every_item_of_every_example_is_in_both_the_pdf_and_the_docx(pairs: list[Pair]) -> None:
    missing = []
    for pair in pairs:
        assert pair.items, pair.name
        pdf, docx = squash(pair.pdf_text), squash(pair.docx_text)
        for what, text in pair.items:
            needle = squash(text)
            in_pdf, in_docx = needle in pdf, needle in docx
            if not (in_pdf and in_docx):
                where = "the PDF and the DOCX" if not (in_pdf or in_docx) else ("the PDF" if not in_pdf else "the DOCX")
                missing.append(f"{pair.name}: {what}: {text!r} is missing from {where}")
    assert not missing, "\n".join(missing)
