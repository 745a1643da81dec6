"""Editing an assessment in place: concurrent signers lose nothing, a link stays a link,
the file never grows past what riskcheck reads, and a failed render leaves no report
that looks current."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from riskcheck.cli.main import main
from riskcheck.files.fileio import MAX_YAML_BYTES, edit_lock
from riskcheck.web.site import Site

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "questionnaire.yaml")
    shutil.copy(MINI / "assessment.yaml", tmp_path / "assessment.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def signers(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return sorted(record["name"] for record in data.get("signoffs") or [])


def start_sign(directory: Path, file: str, name: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "riskcheck", "sign", file, "--name", name, "--role", "legal", "--decision", "approve"],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_signers_all_get_their_record(project: Path) -> None:
    names = [f"Signer {i}" for i in range(6)]
    processes = [start_sign(project, "assessment.yaml", name) for name in names]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert signers(project / "assessment.yaml") == names
    assert sorted(p.name for p in project.iterdir()) == ["assessment.yaml", "questionnaire.yaml"]  # no lock left


def test_sign_waits_for_an_editor_holding_the_lock(project: Path) -> None:
    """The web form's save holds the same lock (across its conflict check and its write)."""
    site = Site(project)
    with site.lock(project / "assessment.yaml"):
        process = start_sign(project, "assessment.yaml", "Late Signer")
        time.sleep(1.5)
        assert process.poll() is None
        assert signers(project / "assessment.yaml") == []
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert signers(project / "assessment.yaml") == ["Late Signer"]


def test_the_edit_lock_is_reentrant_in_a_thread(project: Path) -> None:
    with edit_lock(project / "assessment.yaml") as outer, edit_lock(project / "assessment.yaml") as inner:
        assert outer == inner == (project / "assessment.yaml").resolve()


def test_sign_edits_the_target_of_a_link_and_keeps_the_link(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "link.yaml").symlink_to("assessment.yaml")
    code = main(["sign", "link.yaml", "--name", "Lena Legal", "--role", "legal", "--decision", "approve"])
    assert code == 0, capsys.readouterr().err
    assert (project / "link.yaml").is_symlink()
    assert signers(project / "assessment.yaml") == ["Lena Legal"]


def test_sign_refuses_to_grow_the_file_past_the_read_limit(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    padding = MAX_YAML_BYTES - len(text.encode("utf-8")) - 100
    path.write_text(text + "# " + "x" * (padding - 3) + "\n", encoding="utf-8")
    before = path.read_bytes()
    assert len(before) <= MAX_YAML_BYTES
    capsys.readouterr()
    code = main(["sign", "assessment.yaml", "--name", "Lena Legal", "--role", "legal", "--decision", "approve"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: assessment.yaml: the edit would make the file ")
    assert err.endswith(f"over the {MAX_YAML_BYTES:,} bytes riskcheck reads; nothing was changed\n")
    assert path.read_bytes() == before


def test_a_failed_render_names_the_template_line_and_removes_the_earlier_report(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = project / "templates"
    templates.mkdir()
    (templates / "report.html").write_text("<html>\n<body>\n{{ 1 // 0 }}\n</body>\n</html>\n", encoding="utf-8")
    (project / "report.pdf").write_bytes(b"%PDF-1.7 an earlier report")
    capsys.readouterr()
    code = main(["report", "assessment.yaml", "-o", "report.pdf", "--template-dir", "templates"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert err == (
        f"error: {templates.resolve() / 'report.html'}:3: the report template failed: "
        "ZeroDivisionError: integer division or modulo by zero\n"
        "report.pdf: removed the earlier report, which no longer matches the assessment\n"
    )
    assert not (project / "report.pdf").exists()
