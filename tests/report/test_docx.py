"""The Word report: outline, tables, charts, the result inside, templates, bad input, the web form."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from riskcheck import api
from riskcheck.cli.main import main
from riskcheck.core.loader import load_assessment
from riskcheck.files.yamledit import edit_yaml
from riskcheck.report.docx import MAX_TEMPLATE_BYTES, read_result, render_docx
from riskcheck.web import create_app
from tests.report.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
CREDIT = ROOT / "examples" / "credit-scoring.yaml"


@pytest.fixture(scope="module")
def credit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The credit-scoring example's Word report and PDF, written once by the command line."""
    out = tmp_path_factory.mktemp("credit")
    word, pdf = out / "report.docx", out / "report.pdf"
    assert main(["report", str(CREDIT), "-o", str(word)]) == 0
    assert main(["report", str(CREDIT), "-o", str(pdf)]) == 0
    return word, pdf


def outline(pdf: Path) -> list[str]:
    titles: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))  # type: ignore[attr-defined]

    walk(PdfReader(pdf).outline)  # type: ignore[arg-type]
    return titles


def test_headings_are_word_headings_and_match_the_pdf_outline(credit: tuple[Path, Path]) -> None:
    word, pdf = credit
    document = docx.Document(str(word))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    levels = {p.style.name for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")}
    assert levels == {"Heading 1", "Heading 2", "Heading 3"}
    # The PDF's outline has a "Cover" entry where Word has the title; its long words carry zero width spaces.
    pdf_titles = [" ".join(t.replace("\u200b", "").split()) for t in outline(pdf) if t != "Cover"]
    assert [" ".join(h.split()) for h in headings] == pdf_titles
    title = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Title"]
    assert title == ["QuickLoan credit score"]


def test_tables_charts_and_properties(credit: tuple[Path, Path]) -> None:
    word, _ = credit
    document = docx.Document(str(word))
    assert len(document.tables) > 20
    header = [c.text for c in document.tables[2].rows[0].cells]
    assert header == ["Risk tier", "Blocking findings", "Completeness", "EU AI Act risk class"]
    with zipfile.ZipFile(word) as archive:
        media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        assert len(media) == 3  # tier scale, section scores, disparities
        assert all(archive.read(n).startswith(b"\x89PNG") for n in media)
        body = archive.read("word/document.xml").decode()
    assert 'descr="Score 15.35 on the tier scale: Low, Medium, High (this system), Critical."' in body
    props = document.core_properties
    assert (props.title, props.author) == (
        "Risk assessment: QuickLoan credit score 4.1.0",
        "credit-risk-models@example.com",
    )
    assert props.created is not None and props.created.isoformat() == "2026-03-02T00:00:00+00:00"
    assert props.modified == props.created


def test_the_result_json_is_inside_and_reads_back(credit: tuple[Path, Path]) -> None:
    word, _ = credit
    loaded = load_assessment(CREDIT)
    assert read_result(word.read_bytes()) == api.score(loaded).to_dict()


def test_the_same_inputs_give_the_same_bytes(credit: tuple[Path, Path], tmp_path: Path) -> None:
    word, _ = credit
    again = tmp_path / "again.docx"
    assert main(["report", str(CREDIT), "-o", str(again)]) == 0
    assert again.read_bytes() == word.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_hostile_text_reaches_the_docx_literally(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    shutil.copytree(FIXTURES, target)
    assessment = target / "assessment.yaml"
    markup = '<w:p><b>Evil</b> & "Co" ]]> {{ 7 * 7 }} </w:t></w:r>'
    long_word = "x" * 5000
    control = "bell\x07 escape\x1b vertical\x0b null-free"

    def change(data: dict[str, object]) -> None:
        answers = data["answers"]
        assert isinstance(answers, dict)
        answers["description"] = markup
        answers["decision_type"]["comment"] = f"{long_word} then {control}"

    edit_yaml(assessment, change)
    word = tmp_path / "hostile.docx"
    assert main(["report", str(assessment), "-o", str(word)]) == 0
    document = docx.Document(str(word))  # parses: the XML is intact
    text = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert markup in text
    assert f"{long_word} then bell escape vertical null-free" in text
    assert read_result(word.read_bytes())["system"]["name"]


def test_a_word_template_gives_its_styles_and_drops_its_body(credit: tuple[Path, Path], tmp_path: Path) -> None:
    template = docx.Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.add_paragraph("Sample body text of the template")
    template.sections[0].header.paragraphs[0].text = "ACME Corp - internal"
    org = tmp_path / "org.docx"
    template.save(str(org))
    # The same package as a Word template (.dotx): only its main part's content type differs.
    dotx = tmp_path / "org.dotx"
    with zipfile.ZipFile(org) as source, zipfile.ZipFile(dotx, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(info, data)
    for given in (org, dotx):
        word = tmp_path / f"from-{given.suffix[1:]}.docx"
        assert main(["report", str(CREDIT), "-o", str(word), "--docx-template", str(given)]) == 0
        document = docx.Document(str(word))
        assert document.styles["Heading 1"].font.name == "Georgia"
        assert document.sections[0].header.paragraphs[0].text == "ACME Corp - internal"
        assert "Sample body text" not in "\n".join(p.text for p in document.paragraphs)
        assert document.paragraphs[1].text == "QuickLoan credit score"


def test_a_bad_word_template_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    word = tmp_path / "report.docx"
    text = tmp_path / "notes.docx"
    text.write_text("not a zip")
    big = tmp_path / "big.dotx"
    with big.open("wb") as handle:
        handle.truncate(MAX_TEMPLATE_BYTES + 1)
    pdf_named = tmp_path / "styles.pdf"
    pdf_named.write_bytes(b"%PDF-1.7")
    zipped = tmp_path / "other.docx"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "hi")
    cases = {
        text: f"{text}: --docx-template: not a Word file (expected a .docx or .dotx zip package)",
        big: f"{big}: --docx-template: {MAX_TEMPLATE_BYTES + 1:,} bytes; a Word template may be at most "
        f"{MAX_TEMPLATE_BYTES:,} bytes",
        pdf_named: f"{pdf_named}: --docx-template: expected a Word document or template (.docx or .dotx), got '.pdf'",
        zipped: f"{zipped}: --docx-template: not a Word file (no word/document.xml main document part)",
        tmp_path / "none.docx": f"{tmp_path / 'none.docx'}: --docx-template: no such file",
    }
    for template, message in cases.items():
        code = main(["report", str(CREDIT), "-o", str(word), "--docx-template", str(template)])
        captured = capsys.readouterr()
        assert (code, captured.err) == (2, f"error: {message}\n")
        assert not word.exists()
    code = main(["report", str(CREDIT), "-o", str(tmp_path / "r.pdf"), "--docx-template", str(text)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: {text}: --docx-template: gives the styles of a Word report; give -o report.docx\n"
    )


def test_the_web_form_offers_word_beside_pdf(tmp_path: Path) -> None:
    workdir = tmp_path / "assessments"
    shutil.copytree(FIXTURES, workdir)
    with TestClient(create_app(workdir), base_url="http://127.0.0.1") as client:
        page = client.get("/a/assessment.yaml")
        assert page.status_code == 200
        assert 'href="/pdf/assessment.yaml" download>Download PDF</a>' in page.text
        assert 'href="/docx/assessment.yaml" download>Download Word</a>' in page.text
        response = client.get("/docx/assessment.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["content-disposition"] == 'attachment; filename="assessment-report.docx"'
    assert read_result(response.content)["tier"] == "medium"


def test_render_docx_from_the_python_api() -> None:
    loaded = load_assessment(FIXTURES / "assessment.yaml")
    data = render_docx(api.score(loaded).to_dict(), loaded)
    assert docx.Document(io.BytesIO(data)).paragraphs


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_credit_scoring_report(credit: tuple[Path, Path], tmp_path: Path) -> None:
    word, pdf = credit
    profile = tmp_path / "profile"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(word),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = tmp_path / "report.pdf"
    assert converted.exists(), done.stderr
    pages = len(PdfReader(converted).pages)
    # About the PDF's length: Word's tables and default fonts lay out a little longer.
    assert len(PdfReader(pdf).pages) * 0.7 <= pages <= len(PdfReader(pdf).pages) * 2
    assert "QuickLoan credit score" in PdfReader(converted).pages[0].extract_text()


def test_a_theme_gives_the_logo_organisation_and_heading_colour(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#c00"/></svg>'
    )
    theme = tmp_path / "theme.yaml"
    theme.write_text("organisation: Example Bank - AI Governance\nlogo: logo.svg\ncolours: {primary: '#aa3300'}\n")
    word = tmp_path / "themed.docx"
    assert main(["report", str(FIXTURES / "assessment.yaml"), "-o", str(word), "--theme", str(theme)]) == 0
    document = docx.Document(str(word))
    assert document.paragraphs[1].text == "Example Bank - AI Governance"
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0xAA, 0x33, 0x00)
    with zipfile.ZipFile(word) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(media) == 4  # the logo and three charts


def test_a_template_without_heading_styles_gets_them(tmp_path: Path) -> None:
    """Word defines Heading 1 in a document only once it is used: riskcheck adds the styles it needs."""
    from docx.oxml.ns import qn

    template = docx.Document()
    styles = template.styles.element
    for style in list(styles.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if name is not None and name.get(qn("w:val")) in ("heading 1", "heading 2", "heading 3", "Title", "Table Grid"):
            styles.remove(style)
    bare = tmp_path / "bare.docx"
    template.save(str(bare))
    word = tmp_path / "report.docx"
    assert main(["report", str(FIXTURES / "assessment.yaml"), "-o", str(word), "--docx-template", str(bare)]) == 0
    used = {p.style.name for p in docx.Document(str(word)).paragraphs if p.style is not None}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3"} <= used
