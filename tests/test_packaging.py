"""The wheel carries the bundled questionnaires and report templates, and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel_path,) = out.glob("riskcheck-*.whl")
    return wheel_path


def test_wheel_contains_shipped_defaults(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for questionnaire in sorted((ROOT / "questionnaires").glob("*.yaml")):
        assert f"riskcheck/_bundled/questionnaires/{questionnaire.name}" in names
    for template in sorted((ROOT / "reports" / "templates").rglob("*")):
        if template.is_file():
            relative = template.relative_to(ROOT / "reports" / "templates").as_posix()
            assert f"riskcheck/_bundled/templates/{relative}" in names
    assert "riskcheck/cli/main.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_works_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import riskcheck.core.loader as l; print(l.bundled_dir('questionnaires'))"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where
    new = subprocess.run(
        [str(python), "-m", "riskcheck", "new", "--questionnaire", "rai-prelaunch", "-o", "a.yaml", "--name", "X"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    assert new.returncode == 0, new.stderr
    coverage = subprocess.run(
        [str(python), "-m", "riskcheck", "coverage", "rai-prelaunch"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    assert coverage.returncode == 0, coverage.stderr
    assert "eu-ai-act:art-5" in coverage.stdout
