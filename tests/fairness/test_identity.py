"""The data's identity: the full-hash limit as the command line gives it, and what each
identity says of itself (a joined identity names each side's kind)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskcheck.fairness.api import compute_fairness
from riskcheck.fairness.identity import is_tamper_evident, parse_size
from riskcheck.fairness.spec import BootstrapSpec


@pytest.mark.parametrize(
    ("text", "size"),
    [("0", 0), ("1048576", 1 << 20), ("2GiB", 2 << 30), ("500MB", 500 << 20), ("1.5G", 3 << 29), ("64 kib", 64 << 10)],
)
def test_sizes_as_the_command_line_writes_them(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1GB", "2 GiB extra", "1e9"])
def test_what_is_not_a_size_says_what_is(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected a size such as 2GiB, 500MB or 0, got "):
        parse_size(text)


def test_a_joined_identity_names_each_sides_kind(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = 600
    pd.DataFrame({"id": range(rows), "y": rng.integers(0, 2, rows), "p": rng.integers(0, 2, rows)}).to_csv(
        tmp_path / "log.csv", index=False
    )
    people = pd.DataFrame({"id": range(rows), "g": rng.choice(["a", "b"], rows), "note": ["x" * 40] * rows})
    people.to_parquet(tmp_path / "people.parquet", index=False)
    small, large = (tmp_path / "log.csv").stat().st_size, (tmp_path / "people.parquet").stat().st_size
    settings = {
        "target": "y",
        "prediction": "p",
        "sensitive": ["g"],
        "sensitive_data": tmp_path / "people.parquet",
        "join_on": "id",
        "bootstrap": BootstrapSpec(replicates=0),
    }
    limit = min(small, large)  # the smaller side is hashed in full, the larger fingerprinted
    result = compute_fairness(tmp_path / "log.csv", full_hash_limit=limit, **settings)
    identity = result.data_identity or {}
    assert identity["kind"] == "joined"
    kinds = ["sha256", "fingerprint"] if small <= large else ["fingerprint", "sha256"]
    assert identity["parts"] == kinds
    assert not is_tamper_evident(identity)
    note = result.to_dict()["data_identity_note"]
    assert note.startswith(f"data: {'sha256 of every byte' if kinds[0] == 'sha256' else 'fingerprint (file sizes'}")
    assert "; sensitive table: " in note and "not tamper-evident" in note
    full = compute_fairness(tmp_path / "log.csv", **settings)
    assert (full.data_identity or {})["kind"] == "sha256" and is_tamper_evident(full.data_identity)
    assert full.to_dict()["data_identity_note"] == "sha256 of every byte of the data"


def test_the_environment_sets_the_limit_for_check_and_score(tmp_path: Path) -> None:
    import json
    import os
    import shutil
    import subprocess
    import sys

    rng = np.random.default_rng(5)
    rows = 400
    frame = pd.DataFrame(
        {"g": rng.choice(["a", "b"], rows), "y": rng.integers(0, 2, rows), "p": rng.integers(0, 2, rows)}
    )
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    shutil.copy(Path(__file__).resolve().parents[1] / "cases" / "mini" / "questionnaire.yaml", tmp_path / "q.yaml")
    (tmp_path / "a.yaml").write_text(
        "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"
        "questionnaire: {path: q.yaml}\n"
        "answers: {decision_type: advisory, affects_people: no, protected: [none]}\n"
        "fairness: {data: d.parquet, target: y, prediction: p, sensitive: [g], bootstrap: {replicates: 0}}\n",
        encoding="utf-8",
    )

    def score(limit: str | None) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key != "RISKCHECK_FULL_HASH_LIMIT"}
        if limit is not None:
            env["RISKCHECK_FULL_HASH_LIMIT"] = limit
        command = [sys.executable, "-m", "riskcheck", "score", "a.yaml", "--format", "json"]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)

    kinds = {
        limit: json.loads(score(limit).stdout)["fairness"]["data_identity"]["kind"] for limit in (None, "0", "1GiB")
    }
    assert kinds == {None: "sha256", "0": "fingerprint", "1GiB": "sha256"}
    wrong = score("a lot")
    assert wrong.returncode == 2
    assert "RISKCHECK_FULL_HASH_LIMIT: expected a size such as 2GiB, 500MB or 0, got 'a lot'" in wrong.stderr
