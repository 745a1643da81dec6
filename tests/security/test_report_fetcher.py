"""What a report may load while it renders: files under the template roots, bounded data: URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskcheck.report.fetcher import MAX_DATA_URI_CHARS, make_url_fetcher


def test_a_symlink_inside_a_root_that_points_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (tmp_path / "secret.css").write_text("body { color: red }")
    (root / "style.css").symlink_to(tmp_path / "secret.css")
    fetcher = make_url_fetcher([root])
    with pytest.raises(ValueError) as caught:
        fetcher.fetch((root / "style.css").as_uri())
    assert str(caught.value) == (
        f"riskcheck refused to fetch {(root / 'style.css').as_uri()}: reports load only data: URIs and files "
        "inside the template directories"
    )
    assert fetcher.refused == [(root / "style.css").as_uri()]


def test_a_fifo_inside_a_root_is_refused(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.css")
    fetcher = make_url_fetcher([tmp_path])
    with pytest.raises(ValueError):
        fetcher.fetch((tmp_path / "pipe.css").as_uri())


def test_an_oversized_data_uri_is_refused() -> None:
    fetcher = make_url_fetcher([])
    url = "data:text/css;base64," + "A" * MAX_DATA_URI_CHARS
    with pytest.raises(ValueError) as caught:
        fetcher.fetch(url)
    assert str(caught.value) == f"riskcheck refused a data: URI of {len(url):,} characters"
    assert fetcher.refused == ["data:text/css;base64,AAAAAAAAAAAAAAAAAAA..."]
    fetcher.fetch("data:text/css;base64,Ym9keXt9")
    assert fetcher.served == ["data:text/css;base64,Ym9keXt9"]
