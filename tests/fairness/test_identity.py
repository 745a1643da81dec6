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
