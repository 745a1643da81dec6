"""What the Spark engine reads: only what riskcheck checked, and URIs only from whoever runs it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness
from tests.pm.conftest import DATA, write_draft

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

COLUMNS: dict[str, Any] = {"target": "y", "prediction": "p", "sensitive": ["g"], "engine": "spark"}


def test_a_uri_in_an_assessment_is_refused_with_its_place(
    spark: SparkSession, tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: data: file:///... skipped every path check, and the rows of a CSV outside the
    # project were counted into the report (s3a:// would have read with the runner's credentials).
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "s.csv").write_text("g,y,p\n" + "secret,1,1\nother,0,0\n" * 5, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(DATA / "questionnaire.yaml", project / "questionnaire.yaml")
    path = write_draft(project, "a.yaml", system="System a")
    uri = (outside / "s.csv").as_uri()
    block = f"fairness:\n  engine: spark\n  data: {uri}\n  target: y\n  prediction: p\n  sensitive: [g]\n"
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index(f"  data: {uri}") + 1
    monkeypatch.chdir(project)
    code, out, err = run_cli("check", "a.yaml")
    assert (code, out) == (2, "")
    assert err.splitlines()[0].removeprefix("error: ") == (
        f"a.yaml:{line}:9: fairness.data: {uri}: a URI is read only when whoever runs riskcheck gives it "
        "(--data or --table with --engine spark); expected a local file, glob or folder relative to the assessment"
    )
    assert "Traceback" not in err


def test_a_uri_given_by_the_caller_is_still_read(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("g,y,p\n" + "a,1,1\nb,0,0\n" * 5, encoding="utf-8")
    assert compute_fairness((tmp_path / "d.csv").as_uri(), **COLUMNS).rows == 10


@pytest.mark.parametrize("name", ["*.csv", "x[1].csv", "?.csv", "{b,x1}.csv"])
def test_a_file_named_like_a_glob_is_read_alone(spark: SparkSession, tmp_path: Path, name: str) -> None:
    # Before: Spark globbed the checked name again and also read the unchecked files it matched.
    (tmp_path / name).write_text("g,y,p\n" + "a,1,1\nb,0,0\n" * 20, encoding="utf-8")
    for other in ("b.csv", "x1.csv"):
        (tmp_path / other).write_text("g,y,p\n" + "c,1,1\n" * 50, encoding="utf-8")
    assert compute_fairness(tmp_path / name, **COLUMNS).rows == 40


def test_the_model_is_hashed_within_the_model_process_bound(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the whole file was hashed, unbounded (a link to /proc/self/pagemap never ended).
    import riskcheck.fairness.model

    monkeypatch.setattr(riskcheck.fairness.model, "MODEL_MEMORY_LIMIT_BYTES", 1000)
    (tmp_path / "d.csv").write_text("g,y,x\n" + "a,1,1\nb,0,0\n" * 5, encoding="utf-8")
    (tmp_path / "m.skops").write_bytes(b"PK\x03\x04" + b"\0" * 2000)
    settings = {**COLUMNS, "prediction": None, "model": tmp_path / "m.skops"}
    with pytest.raises(DataError, match="model file larger than 1,000 bytes"):
        compute_fairness(tmp_path / "d.csv", **settings)
