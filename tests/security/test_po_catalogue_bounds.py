"""A questionnaire's translation catalogue is read bounded and as a regular file only:
a device, a pipe or a huge file is refused with the file named (exit 2), never a
MemoryError or a hang."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from riskcheck.core.i18n import MAX_CATALOGUE_BYTES
from tests.report.conftest import FIXTURES


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(FIXTURES, folder)
    return folder


def report_de(demo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    word = demo / "bericht.docx"
    code = main(["report", str(demo / "assessment.yaml"), "-o", str(word), "--lang", "de"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not word.exists()
    return code, err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_catalogue_linked_to_a_device_is_refused(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = demo / "questionnaire.de.po"
    catalogue.symlink_to("/dev/zero")
    code, err = report_de(demo, capsys)
    assert code == 2
    assert f"{catalogue}: is not a regular file" in err and "(a translation catalogue)" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_catalogue_that_is_a_pipe_is_refused(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = demo / "questionnaire.de.po"
    os.mkfifo(catalogue)
    code, err = report_de(demo, capsys)
    assert code == 2
    assert f"{catalogue}: is not a regular file" in err


def test_a_catalogue_past_the_bound_is_refused_unread(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = demo / "questionnaire.de.po"
    with catalogue.open("wb") as handle:
        handle.truncate(MAX_CATALOGUE_BYTES + 1)
    code, err = report_de(demo, capsys)
    assert code == 2
    assert f"{catalogue}: file is {MAX_CATALOGUE_BYTES + 1:,} bytes" in err


def test_a_catalogue_not_in_its_charset_names_the_file(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = demo / "questionnaire.de.po"
    catalogue.write_bytes(
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Yes"\nmsgstr "\xff\xfe"\n'
    )
    code, err = report_de(demo, capsys)
    assert code == 2
    assert f"{catalogue}: not a readable PO catalogue" in err
