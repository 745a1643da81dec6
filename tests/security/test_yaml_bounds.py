"""Hostile YAML: deep nesting, tags, bad scalars, special files — a clear error, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from riskcheck.core.errors import RiskcheckError
from riskcheck.files.fileio import read_bounded_text
from riskcheck.files.yamlio import load_yaml


def run_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcheck", "validate", path.name],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=path.parent,
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n", "1:103"),
        ("a: " + "{a: " * 400_000 + "1" + "}" * 400_000 + "\n", "1:397"),
        ("a:\n" + "- " * 300_000 + "x\n", "2:199"),
        # libyaml also breaks lines at \r, NEL and U+2028, and skips a BOM: nesting
        # hidden behind them must be caught as well.
        ("\ufeff" + "- " * 200_000 + "x\n", "1:201"),
        ("a:\r" + "- " * 200_000 + "x\n", "2:199"),
        ("a:\u2028" + "- " * 200_000 + "x\n", "2:199"),
        ("[a: " * 2_000 + "1" + "]" * 2_000 + "\n", "1:198"),
    ],
    ids=["flow-lists", "flow-mappings", "block-sequences", "bom", "carriage-return", "line-separator", "flow-pairs"],
)
def test_deep_nesting_is_refused_without_crashing_the_process(tmp_path: Path, text: str, where: str) -> None:
    # libyaml composes recursively in C: this used to die with SIGSEGV (exit -11).
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_validate(path)
    assert result.returncode == 2, result.stderr[-500:]
    assert (
        result.stderr
        == f"deep.yaml:{where}: invalid YAML: lists and mappings nest more than 100 levels deep\n1 error(s)\n"
    )


def test_moderate_nesting_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: " + "[" * 90 + "]" * 90 + "\n", encoding="utf-8")
    nested = load_yaml(path).data["a"]
    for _ in range(89):
        nested = nested[0]
    assert nested == []


def _alias_chain(levels: int) -> str:
    """Anchors each nesting the previous one 90 deep: shallow as written, deep as expanded."""
    text = "a0: &a0 " + "[" * 90 + "]" * 90 + "\n"
    for i in range(1, levels):
        text += f"a{i}: &a{i} " + "[" * 90 + f"*a{i - 1}" + "]" * 90 + "\n"
    return text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [*x]\n", "y.yaml:1:4: invalid YAML: an alias refers to a list or mapping that contains it"),
        ("a: &m {b: {c: *m}}\n", "y.yaml:1:4: invalid YAML: an alias refers to a list or mapping that contains it"),
        (_alias_chain(14), "y.yaml:1:18: invalid YAML: lists and mappings nest more than 100 levels deep"),
    ],
    ids=["list-contains-itself", "mapping-contains-itself", "alias-chain"],
)
def test_aliases_cannot_loop_or_nest_past_the_bound(tmp_path: Path, text: str, message: str) -> None:
    # Both used to recurse until Python gave up with a RecursionError traceback (exit 3).
    path = tmp_path / "y.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_validate(path)
    assert (result.returncode, result.stderr) == (2, f"{message}\n1 error(s)\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: !!python/object/apply:os.system [echo pwned]\n",
            "y.yaml:1:4: a: the tag '!!python/object/apply:os.system' is not supported",
        ),
        ("a: !!python/object:os.Foo {x: 1}\n", "y.yaml:1:4: a: the tag '!!python/object:os.Foo' is not supported"),
        ("a: !!python/name:os.system x\n", "y.yaml:1:4: a: the tag '!!python/name:os.system' is not supported"),
        ("a: !custom x\n", "y.yaml:1:4: a: the tag '!custom' is not supported"),
        (
            "? !!python/name:os.system\n: 1\n",
            "y.yaml:1:3: invalid key: the tag '!!python/name:os.system' is not supported",
        ),
        ("a: 2020-13-45\n", "y.yaml:1:4: a: invalid !!timestamp value '2020-13-45': month must be in 1..12"),
        (
            "? 2020-13-45\n: 1\n",
            "y.yaml:1:3: invalid key: invalid !!timestamp value '2020-13-45': month must be in 1..12",
        ),
        ("a: !!float xx\n", "y.yaml:1:4: a: invalid !!float value 'xx': could not convert string to float: 'xx'"),
        (
            "a: 1" + "0" * 5000 + "\n",
            "y.yaml:1:4: a: invalid !!int value '1" + "0" * 39 + "': a number with too many digits",
        ),
    ],
    ids=["apply", "object", "name", "custom", "key-tag", "bad-date", "bad-date-key", "bad-float", "huge-int"],
)
def test_tags_and_bad_scalars_are_clean_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "y.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RiskcheckError) as caught:
        load_yaml(Path("y.yaml"))
    assert str(caught.value) == message
    result = run_validate(path)
    assert (result.returncode, result.stderr) == (2, f"{message}\n1 error(s)\n")


def test_a_fifo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "assessment.yaml"
    os.mkfifo(fifo)
    result = run_validate(fifo)  # in a subprocess: before the fix this blocked forever
    assert result.returncode == 2
    assert (
        result.stderr == "assessment.yaml: is not a regular file (a pipe or a device?); expected a file\n1 error(s)\n"
    )


def test_a_device_is_refused() -> None:
    with pytest.raises(RiskcheckError) as caught:
        read_bounded_text(Path("/dev/zero"))
    assert str(caught.value) == "/dev/zero: is not a regular file (a pipe or a device?); expected a file"


def test_a_directory_and_a_symlink_loop_are_clean_errors(tmp_path: Path) -> None:
    with pytest.raises(RiskcheckError) as caught:
        read_bounded_text(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory, expected a file"
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(RiskcheckError) as caught:
        read_bounded_text(tmp_path / "a")
    assert str(caught.value) == f"{tmp_path / 'a'}: cannot open: Too many levels of symbolic links"


def test_aliases_cannot_amplify_a_long_string(tmp_path: Path) -> None:
    # 1.8 MB on disk, 200 GB once every alias is expanded: validate used to pass it and
    # score then tried to allocate it all.
    text = "notes: &b '" + "x" * 1_000_000 + "'\nmore:\n" + "- *b\n" * 200_000
    path = tmp_path / "y.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size < 2 * 1024 * 1024
    result = run_validate(path)
    assert (result.returncode, result.stderr) == (
        2,
        "y.yaml:1:8: document expands to more than 4,194,304 characters of text "
        "(aliases repeat the long value that starts here); refusing to load it\n1 error(s)\n",
    )


def test_a_few_aliases_of_ordinary_text_still_load(tmp_path: Path) -> None:
    path = tmp_path / "y.yaml"
    path.write_text("a: &t '" + "x" * 10_000 + "'\nb: [" + ", ".join(["*t"] * 100) + "]\n", encoding="utf-8")
    data = load_yaml(path).data
    assert len(data["b"]) == 100 and data["b"][99] == "x" * 10_000
