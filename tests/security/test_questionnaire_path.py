"""An assessment names its questionnaire by path: not any file, and in the web form only its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from riskcheck.web import create_app

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini"
SYSTEM = "system: {name: S, owner: o, version: '1', purpose: p}\n"


def test_a_questionnaire_path_must_name_a_yaml_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SYSTEM + "questionnaire: {path: /etc/passwd}\nanswers: {}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "riskcheck", "validate", "a.yaml"], capture_output=True, text=True, cwd=tmp_path
    )
    # Before: '... got text 'root:x:0:0:root:/root:/bin/bash ...' - the file's first line, in a CI log.
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "a.yaml:2:23: questionnaire.path: expected the path of a .yaml or .yml questionnaire, got '/etc/passwd'\n"
        "1 error(s)\n"
    )


def test_the_web_form_does_not_load_a_questionnaire_outside_its_directory(tmp_path: Path) -> None:
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "outside.yaml")
    served = tmp_path / "served"
    served.mkdir()
    (served / "a.yaml").write_text(SYSTEM + "questionnaire: {path: ../outside.yaml}\nanswers: {}\n", encoding="utf-8")
    (served / "b.yaml").write_text(
        SYSTEM + f"questionnaire: {{path: {tmp_path / 'outside.yaml'}}}\nanswers: {{}}\n", encoding="utf-8"
    )
    client = TestClient(create_app(served), base_url="http://127.0.0.1")
    page = client.get("/a/a.yaml")
    assert page.status_code == 422
    assert (
        "a.yaml:2:23: questionnaire.path: &#39;../outside.yaml&#39;: not a questionnaire in the served directory"
        in page.text
    )
    page = client.get("/a/b.yaml")
    assert page.status_code == 422
    assert "not a questionnaire in the served directory" in page.text
    assert "Minimal pre-launch check" not in client.get("/").text  # the outside title is never shown


def test_the_web_form_loads_a_questionnaire_inside_its_directory(tmp_path: Path) -> None:
    (tmp_path / "q").mkdir()
    shutil.copy(MINI / "questionnaire.yaml", tmp_path / "q" / "questionnaire.yaml")
    (tmp_path / "a.yaml").write_text(SYSTEM + "questionnaire: {path: q/questionnaire.yaml}\nanswers: {}\n")
    client = TestClient(create_app(tmp_path), base_url="http://127.0.0.1")
    assert client.get("/a/a.yaml").status_code == 200
