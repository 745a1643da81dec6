"""``riskcheck report`` from the command line, including bad input (exit 2)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from riskcheck.cli.main import main
from tests.report.conftest import FIXTURES


def test_report_writes_pdf_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    code = main(["report", str(FIXTURES / "assessment.yaml"), "-o", str(pdf), "--html", str(html)])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out == f"{pdf} and {html}: tier medium, sign-off pending\n"
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert "Page 1 of" in reader.pages[0].extract_text()
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_html_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "report.html"
    assert main(["report", str(FIXTURES / "assessment.yaml"), "--html", str(html)]) == 0
    assert capsys.readouterr().out == f"{html}: tier medium, sign-off pending\n"
    assert not (tmp_path / "report.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{t}/missing.yaml", "-o", "{t}/r.pdf"], "error: {t}/missing.yaml: no such file\n"),
        (
            ["{a}", "-o", "{t}/no/such/dir/r.pdf"],
            "error: {t}/no/such/dir/r.pdf: -o: the directory {t}/no/such/dir does not exist\n",
        ),
        (
            ["{a}", "-o", "{t}/file.txt/r.pdf"],
            "error: {t}/file.txt/r.pdf: -o: {t}/file.txt is a file, expected a directory\n",
        ),
        (["{a}", "-o", "{t}"], "error: {t}: -o: is a directory, expected a file name\n"),
        (["{a}", "--html", "{t}/x/r.html"], "error: {t}/x/r.html: --html: the directory {t}/x does not exist\n"),
        (["{a}"], "error: nothing to write: give -o report.pdf, --html report.html, or both\n"),
        (
            ["{a}", "-o", "{t}/r.pdf", "--template-dir", "{t}/nope"],
            "error: {t}/nope: --template-dir: no such directory\n",
        ),
        (
            ["{a}", "-o", "{t}/r.pdf", "--theme", "{t}/bad-theme.yaml"],
            "{t}/bad-theme.yaml:1:1: logos: unknown key; check its spelling (unknown keys are errors, not ignored)\n"
            "1 error(s)\n",
        ),
        (["{a}", "-o", "{t}/r.pdf", "--theme", "{t}/none.yaml"], "error: {t}/none.yaml: no such file\n"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "bad-theme.yaml").write_text("logos: x.png\n")
    argv = [a.format(t=tmp_path, a=FIXTURES / "assessment.yaml") for a in args]
    assert main(["report", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err == message.format(t=tmp_path)
    assert not (tmp_path / "r.pdf").exists()


def test_an_output_under_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    assert main(["report", str(FIXTURES / "assessment.yaml"), "-o", str(blocker / "r.pdf")]) == 2
    assert capsys.readouterr().err == f"error: {blocker / 'r.pdf'}: -o: {blocker} is a file, expected a directory\n"


def test_a_failed_write_names_the_requested_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # /proc accepts no new files, even from root: the write itself fails, after rendering.
    target = Path("/proc/riskcheck-report.pdf")
    assert main(["report", str(FIXTURES / "assessment.yaml"), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {target}: -o: cannot write: ")
    assert ".tmp" not in err
