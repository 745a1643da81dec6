"""A theme from another team: its logo must be its own, bounded, regular file."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from riskcheck.core.errors import ReportError
from riskcheck.report.theme import load_theme


def png(width: int, height: int) -> bytes:
    """A valid PNG of ``width`` x ``height`` black pixels (it compresses to almost nothing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * (width * 3)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def theme_error(theme_dir: Path, logo: str) -> str:
    theme = theme_dir / "theme.yaml"
    theme.write_text(f"logo: {logo}\n", encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        load_theme(theme)
    return str(caught.value)


def test_a_logo_outside_the_theme_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(png(1, 1))
    theme_dir = tmp_path / "theme"
    theme_dir.mkdir()
    message = theme_error(theme_dir, "../secret.png")
    assert message == (
        f"{theme_dir}/theme.yaml:1:7: logo: ../secret.png: the logo must be a file in the theme's directory {theme_dir}"
    )


def load_theme_in_child(theme: Path) -> str:
    """The error of ``load_theme`` in a child process with 1 GB of memory and 30 s.

    Before the fixes a FIFO blocked forever and /dev/zero was read until memory ran out.
    """
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30)); "
        f"from riskcheck.report.theme import load_theme; load_theme({str(theme)!r})"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    return result.stderr.strip().splitlines()[-1]


def test_a_symlinked_logo_pointing_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").symlink_to("/dev/zero")
    (tmp_path / "theme.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    assert load_theme_in_child(tmp_path / "theme.yaml") == (
        f"riskcheck.core.errors.ReportError: {tmp_path}/theme.yaml:1:7: logo: logo.png: "
        f"the logo must be a file in the theme's directory {tmp_path}"
    )


def test_a_fifo_logo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "logo.png")
    (tmp_path / "theme.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    assert load_theme_in_child(tmp_path / "theme.yaml") == (
        f"riskcheck.core.errors.ReportError: {tmp_path}/theme.yaml:1:7: logo: {tmp_path}/logo.png: "
        "is not a regular file (a pipe or a device?); expected a file"
    )


def test_a_decompression_bomb_logo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png(5000, 5000))  # 40 KB that decode to 75 MB
    message = theme_error(tmp_path, "logo.png")
    assert message == (
        f"{tmp_path}/theme.yaml:1:7: logo: {tmp_path}/logo.png: the image is 5,000 x 5,000 pixels; "
        "a logo may have at most 16,777,216 pixels"
    )


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not an image", encoding="utf-8")
    message = theme_error(tmp_path, "logo.png")
    assert (
        message == f"{tmp_path}/theme.yaml:1:7: logo: {tmp_path}/logo.png: not a PNG or JPEG image riskcheck can read"
    )


def test_a_small_logo_in_a_subdirectory_loads(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.png").write_bytes(png(200, 80))
    (tmp_path / "theme.yaml").write_text("logo: img/logo.png\n", encoding="utf-8")
    assert load_theme(tmp_path / "theme.yaml").logo_data_uri is not None
