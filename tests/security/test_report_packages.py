"""Word packages from elsewhere (``--docx-template``, a report read back): bounded before anything inflates.

A few megabytes of zip can inflate to gigabytes (a 3 MB template took 6 GB of memory).
Each case runs ``riskcheck report`` in a child process with 2 GiB of address space;
it exits 2 naming the file, the part and the bound, and writes no report.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from riskcheck.core.errors import ReportError
from riskcheck.report.docx import (
    MAX_COMPRESSION_RATIO,
    MAX_PACKAGE_BYTES,
    MAX_PART_BYTES,
    read_result,
    read_template,
)
from tests.report.conftest import FIXTURES

MIB = 1024 * 1024


def _word_package(path: Path, big_parts: dict[str, bytes | list[bytes]]) -> Path:
    """A real Word document (python-docx's) with ``big_parts`` added, each streamed in chunks."""
    base = io.BytesIO()
    docx.Document().save(base)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for name, content in big_parts.items():
            with target.open(name, "w", force_zip64=True) as handle:
                for chunk in content if isinstance(content, list) else [content]:
                    handle.write(chunk)
    return path


def _report_in_child(template: Path, tmp_path: Path) -> tuple[int, str]:
    """``riskcheck report --docx-template`` with 2 GiB of address space and 60 s."""
    word = tmp_path / "report.docx"
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
        "from riskcheck.cli.main import main; "
        f"sys.exit(main(['report', {str(FIXTURES / 'assessment.yaml')!r}, '-o', {str(word)!r}, "
        f"'--docx-template', {str(template)!r}]))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert not word.exists()
    return done.returncode, done.stderr


def test_a_part_that_inflates_past_the_bound_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # The reported case, smaller: a 65 KB [Content_Types].xml of spaces that inflates to 65 MiB.
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as handle:
            for _ in range(65):
                handle.write(b" " * MIB)
        archive.writestr("word/document.xml", "<x/>")
    assert bomb.stat().st_size < MIB
    code, err = _report_in_child(bomb, tmp_path)
    assert (code, err) == (
        2,
        f"error: {bomb}: --docx-template: part '[Content_Types].xml' inflates to {65 * MIB:,} bytes; "
        f"a part of a Word package may inflate to at most {MAX_PART_BYTES:,} bytes\n",
    )


def test_a_part_that_inflates_more_than_the_ratio_is_refused(tmp_path: Path) -> None:
    bomb = _word_package(tmp_path / "styles.dotx", {"word/media/image1.png": b"\0" * (8 * MIB)})
    code, err = _report_in_child(bomb, tmp_path)
    assert code == 2
    assert err.startswith(f"error: {bomb}: --docx-template: part 'word/media/image1.png' inflates ")
    assert err.endswith(f"bytes); a part of a Word package may inflate at most {MAX_COMPRESSION_RATIO} times\n")


def test_parts_that_inflate_past_the_bound_together_are_refused(tmp_path: Path) -> None:
    # Three parts of 48 MiB, each within the part bound and compressing about 60 times.
    block = os.urandom(1024) + b"\0" * (63 * 1024)
    parts = {f"word/media/image{i}.bin": [block] * (48 * 16) for i in range(3)}
    bomb = _word_package(tmp_path / "parts.docx", parts)
    code, err = _report_in_child(bomb, tmp_path)
    total = sum(info.file_size for info in zipfile.ZipFile(bomb).infolist())
    assert total > MAX_PACKAGE_BYTES
    assert (code, err) == (
        2,
        f"error: {bomb}: --docx-template: its parts inflate to {total:,} bytes; "
        f"a Word package may inflate to at most {MAX_PACKAGE_BYTES:,} bytes in all\n",
    )


def test_a_real_template_with_a_picture_is_within_the_bounds(tmp_path: Path) -> None:
    # An organisation's template: styles, a header, and a few megabytes of picture that does not compress.
    template = _word_package(tmp_path / "org.docx", {"word/media/photo.jpg": os.urandom(4 * MIB)})
    assert read_template(template) == template.read_bytes()


def test_a_report_read_back_is_bounded_too(tmp_path: Path) -> None:
    bomb = _word_package(tmp_path / "edited.docx", {"customXml/item9.xml": b"<a>" + b" " * (70 * MIB) + b"</a>"})
    with pytest.raises(ReportError) as caught:
        read_result(bomb.read_bytes(), name="edited.docx")
    assert str(caught.value) == (
        f"edited.docx: part 'customXml/item9.xml' inflates to {70 * MIB + 7:,} bytes; "
        f"a part of a Word package may inflate to at most {MAX_PART_BYTES:,} bytes"
    )
