"""A downloaded checkout's own ``.git/config`` runs nothing when riskcheck reads its history.

``riskcheck evidence`` asks git when each evidence file last changed. It ran ``git
status`` (which runs the clean filter the repository names) and ``git log`` (which,
with ``log.showSignature``, runs the repository's ``gpg.program`` on a signed commit).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "cases" / "mini"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "n",
    "GIT_AUTHOR_EMAIL": "n@example.org",
    "GIT_COMMITTER_NAME": "n",
    "GIT_COMMITTER_EMAIL": "n@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, env=ENV, check=True)
    return done.stdout.decode().strip()


def _checkout(repo: Path) -> None:
    """A repository whose last commit touching ev.txt is signed; an assessment linking ev.txt."""
    _git(repo, "init", "-q", ".")
    shutil.copy(MINI / "questionnaire.yaml", repo / "q.yaml")
    (repo / "a.yaml").write_text(
        "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"
        "questionnaire: {path: q.yaml}\n"
        "answers:\n  decision_type: {value: advisory, evidence: [ev.txt]}\n",
        encoding="utf-8",
    )
    (repo / "ev.txt").write_text("evidence\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "add")
    header, _, message = _git(repo, "cat-file", "commit", "HEAD").partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n"
    signed = _git(
        repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=f"{header}\n{signature}\n{message}\n".encode()
    )
    _git(repo, "update-ref", "HEAD", signed)


def _evidence(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcheck", "evidence", "a.yaml"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**ENV, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
        check=False,
    )


def test_log_show_signature_does_not_run_the_repositorys_gpg_program(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _checkout(repo)
    payload = tmp_path / "gpg"
    payload.write_text(f"#!/bin/sh\ntouch {tmp_path / 'pwned'}\nexit 1\n", encoding="utf-8")
    payload.chmod(0o755)
    _git(repo, "config", "gpg.program", str(payload))
    _git(repo, "config", "log.showSignature", "true")
    done = _evidence(repo)
    assert "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "pwned").exists(), "git ran the repository's gpg.program"
    assert "(git by n)" in done.stdout, done.stdout  # the date still comes from git


def test_the_repositorys_clean_filter_does_not_run(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _checkout(repo)
    _git(repo, "config", "filter.evil.clean", f"sh -c 'touch {tmp_path / 'pwned'}; cat'")
    (repo / ".git" / "info" / "attributes").write_text("*.txt filter=evil\n", encoding="utf-8")
    stamp = (repo / "ev.txt").stat().st_mtime + 5
    os.utime(repo / "ev.txt", (stamp, stamp))  # stat-dirty: `git status` would re-read it through the filter
    done = _evidence(repo)
    assert "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "pwned").exists(), "git ran the repository's clean filter"
    assert "(git by n)" in done.stdout, done.stdout
