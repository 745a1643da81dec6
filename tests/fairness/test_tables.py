"""Tables on disk and by name: a Delta table read at its latest version and identified by it,
an Iceberg table identified by its snapshot and never read as loose files, and the
``table:`` field of an assessment's fairness block.

The Delta logs here are written action by action as the Delta protocol lays them out
(newline-delimited JSON commits, a Parquet checkpoint), with real Parquet data files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from riskcheck.core.errors import DataError
from riskcheck.fairness.api import compute_fairness, evaluate_fairness
from riskcheck.fairness.spec import BootstrapSpec, FairnessSpec
from riskcheck.fairness.tables import delta_snapshot, iceberg_snapshot
from tests.fairness.conftest import EXAMPLES

Run = Any
NO_BOOTSTRAP = BootstrapSpec(replicates=0)
PROTOCOL = {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}


def metadata(partitions: list[str] | None = None, configuration: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metaData": {
            "id": "5e1c7a2e-0000-4000-8000-000000000001",
            "format": {"provider": "parquet", "options": {}},
            "schemaString": "{}",
            "partitionColumns": partitions or [],
            "configuration": configuration or {},
            "createdTime": 1700000000000,
        }
    }


def add(path: str, **extra: Any) -> dict[str, Any]:
    """An add action; :func:`commit` gives it the file's size, as a Delta writer does."""
    return {"add": {"path": path, "partitionValues": {}, "modificationTime": 0, "dataChange": True, **extra}}


def remove(path: str) -> dict[str, Any]:
    return {"remove": {"path": path, "deletionTimestamp": 1, "dataChange": True}}


def commit(folder: Path, version: int, *actions: dict[str, Any]) -> None:
    log = folder / "_delta_log"
    log.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"commitInfo": {"timestamp": 1700000000000 + version, "operation": "WRITE"}})]
    for action in actions:
        added = action.get("add")
        if added is not None and "size" not in added and (folder / added["path"]).is_file():
            action = {"add": {**added, "size": (folder / added["path"]).stat().st_size}}
        lines.append(json.dumps(action))
    (log / f"{version:020d}.json").write_text("\n".join(lines) + "\n", encoding="utf-8")


def part(folder: Path, name: str, rows: int, seed: int) -> int:
    """A Parquet data file of ``rows`` rows: g (A/B), y, p."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "g": rng.choice(["A", "B"], rows),
            "y": rng.integers(0, 2, rows),
            "p": rng.integers(0, 2, rows),
        }
    )
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return rows


def settings(**extra: Any) -> dict[str, Any]:
    return {"target": "y", "prediction": "p", "sensitive": ["g"], "bootstrap": NO_BOOTSTRAP, **extra}


@pytest.fixture
def delta(tmp_path: Path) -> Path:
    """A Delta table at version 1: part-0 written, then replaced by part-2 (part-1 stays)."""
    folder = tmp_path / "predictions"
    part(folder, "part-0.parquet", 400, 1)
    part(folder, "part-1.parquet", 300, 2)
    part(folder, "part-2.parquet", 200, 3)
    commit(folder, 0, PROTOCOL, metadata(), add("part-0.parquet"), add("part-1.parquet"))
    commit(folder, 1, remove("part-0.parquet"), add("part-2.parquet"))
    return folder


def test_a_delta_table_is_read_at_its_latest_version(delta: Path, tmp_path: Path) -> None:
    result = compute_fairness(delta, **settings())
    assert result.rows == 500  # part-1 and part-2; part-0 was removed at version 1
    identity = result.data_identity or {}
    assert (identity["kind"], identity["version"], identity["format"], identity["files"]) == (
        "delta-sha256",
        1,
        "delta",
        2,
    )
    cheap = compute_fairness(delta, full_hash_limit=0, **settings())
    assert (cheap.data_identity or {})["kind"] == "delta-fingerprint"
    assert cheap.to_dict()["data_identity_note"].startswith("Delta version with a fingerprint of its files")
    assert "not tamper-evident" in cheap.to_dict()["data_identity_note"]
    loose = tmp_path / "loose"
    loose.mkdir()
    for name in ("part-1.parquet", "part-2.parquet"):
        shutil.copy(delta / name, loose / name)
    same = compute_fairness(loose, **settings())
    assert same.by_group == result.by_group and same.overall == result.overall
    commit(delta, 2, remove("part-1.parquet"))
    later = compute_fairness(delta, **settings())
    assert later.rows == 200
    assert (later.data_identity or {})["version"] == 2
    assert later.data_sha256 != result.data_sha256
    full = compute_fairness(delta, data_identity="sha256", **settings())
    assert (full.data_identity or {})["kind"] == "sha256" and full.rows == 200


def test_a_saved_result_is_checked_against_the_delta_version(delta: Path, tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    saved.write_text(compute_fairness(delta, **settings()).to_json(), encoding="utf-8")
    spec = FairnessSpec(result=str(saved), data=str(delta))
    assert evaluate_fairness(spec, tmp_path).rows == 500
    commit(delta, 2, remove("part-1.parquet"))
    with pytest.raises(DataError) as error:
        evaluate_fairness(spec, tmp_path)
    assert str(error.value).startswith(f"{saved}: computed from data with delta-sha256 ")
    assert str(error.value).endswith("; recompute it with riskcheck fairness")


def test_a_partitioned_delta_table_and_a_checkpoint(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "partitioned"
    for name, seed in (("region=north/part-0.parquet", 4), ("region=south/part-1.parquet", 5)):
        part(folder, name, 100, seed)
    part(folder, "region=south/part-old.parquet", 100, 6)
    add_type = pa.struct(
        [("path", pa.string()), ("partitionValues", pa.map_(pa.string(), pa.string())), ("size", pa.int64())]
    )
    remove_type = pa.struct([("path", pa.string()), ("deletionTimestamp", pa.int64())])
    rows = [
        {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}, "metaData": None, "add": None, "remove": None},
        {
            "protocol": None,
            "metaData": {"id": "x", "partitionColumns": ["region"], "configuration": [("delta.appendOnly", "false")]},
            "add": None,
            "remove": None,
        },
        {"protocol": None, "metaData": None, "add": None, "remove": {"path": "region=south/part-old.parquet"}},
        {
            "protocol": None,
            "metaData": None,
            "add": {
                "path": "region=north/part-0.parquet",
                "size": (folder / "region=north" / "part-0.parquet").stat().st_size,
            },
            "remove": None,
        },
    ]
    schema = pa.schema(
        [
            ("protocol", pa.struct([("minReaderVersion", pa.int32()), ("minWriterVersion", pa.int32())])),
            (
                "metaData",
                pa.struct(
                    [
                        ("id", pa.string()),
                        ("partitionColumns", pa.list_(pa.string())),
                        ("configuration", pa.map_(pa.string(), pa.string())),
                    ]
                ),
            ),
            ("add", add_type),
            ("remove", remove_type),
        ]
    )
    (folder / "_delta_log").mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "_delta_log" / f"{4:020d}.checkpoint.parquet")
    commit(folder, 5, add("region=south/part-1.parquet"))
    snapshot = delta_snapshot(folder, str(folder))
    assert snapshot.version == 5 and snapshot.partition_columns == ("region",)
    assert [path.name for path in snapshot.files] == ["part-0.parquet", "part-1.parquet"]
    result = compute_fairness(folder, **settings(sensitive=["region", "g"]))
    assert result.rows == 200
    assert {label.split(" & ")[0] for label in result.groups} == {"north", "south"}


@pytest.mark.parametrize(
    ("actions", "version", "expected"),
    [
        (
            [add("part-1.parquet", deletionVector={"storageType": "u", "pathOrInlineDv": "x", "cardinality": 3})],
            1,
            "1 of the Delta table's files have deletion vectors (rows deleted without rewriting the file); "
            "riskcheck would count those rows. Purge them (REORG TABLE ... APPLY (PURGE)), or read the table "
            "with Spark (--engine spark --table)",
        ),
        (
            [metadata(configuration={"delta.columnMapping.mode": "name"})],
            1,
            "the Delta table maps column names (delta.columnMapping.mode = name); riskcheck reads tables whose "
            "Parquet columns are the table's columns",
        ),
        (
            [{"protocol": {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": ["v2Checkpoint"]}}],
            1,
            "the Delta table needs reader features riskcheck does not support (v2Checkpoint); expected a table "
            "readable as plain Parquet files",
        ),
        (
            [add("../elsewhere.parquet")],
            1,
            "_delta_log/00000000000000000001.json:2: the file '../elsewhere.parquet' is outside the table's folder",
        ),
        (
            [add("part-2.parquet")],
            2,
            "the Delta log has no commit 00000000000000000001.json between its checkpoint and its latest version 2; "
            "expected every commit since the last checkpoint",
        ),
    ],
)
def test_a_delta_table_riskcheck_cannot_read_exactly_is_exit_2(
    run_cli: Run, delta: Path, actions: list[dict[str, Any]], version: int, expected: str
) -> None:
    (delta / "_delta_log" / f"{1:020d}.json").unlink()
    commit(delta, version, *actions)
    code, out, err = run_cli(
        "fairness", "--data", delta, "--target", "y", "--prediction", "p", "--sensitive", "g"
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == f"error: {delta}: {expected}\n"


def iceberg(folder: Path, versions: dict[int, int | None]) -> None:
    metadata_folder = folder / "metadata"
    metadata_folder.mkdir(parents=True, exist_ok=True)
    for number, snapshot in versions.items():
        document = {
            "format-version": 2,
            "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
            "location": str(folder),
            "current-snapshot-id": snapshot if snapshot is not None else -1,
            "snapshots": [] if snapshot is None else [{"snapshot-id": snapshot, "manifest-list": "snap.avro"}],
        }
        (metadata_folder / f"v{number}.metadata.json").write_text(json.dumps(document), encoding="utf-8")
    (metadata_folder / "version-hint.text").write_text(str(max(versions)), encoding="utf-8")


def test_an_iceberg_table_is_identified_by_its_snapshot_and_not_read_as_files(run_cli: Run, tmp_path: Path) -> None:
    folder = tmp_path / "events"
    part(folder, "data/00000-0-a.parquet", 50, 7)
    iceberg(folder, {1: None, 2: 3055729675574597004})
    snapshot = iceberg_snapshot(folder, str(folder))
    assert (snapshot.kind, snapshot.version) == ("iceberg-snapshot", 3055729675574597004)
    assert snapshot.identity_details()["metadata"] == "v2.metadata.json"
    iceberg(folder, {3: 7777})
    later = iceberg_snapshot(folder, str(folder))
    assert later.version == 7777 and later.digest != snapshot.digest
    code, out, err = run_cli("fairness", "--data", folder, "--target", "y", "--prediction", "p", "--sensitive", "g")
    assert (code, out) == (2, "")
    assert err == (
        f"error: {folder}: an Iceberg table (snapshot 7777); which of its files belong to that snapshot is "
        "written in Avro manifests, which riskcheck does not read; expected a folder of Parquet files, a Delta "
        "table, or the table through a Spark catalog (--engine spark --table NAME)\n"
    )


# ---------------------------------------------------------------- table: in an assessment


def assessment_with(tmp_path: Path, lines: str) -> Path:
    """The credit example with its fairness block's data line replaced by ``lines``."""
    text = (EXAMPLES / "credit-scoring.yaml").read_text(encoding="utf-8")
    original = "  data: data/german_credit_scored.csv\n"
    assert original in text
    path = tmp_path / "assessment.yaml"
    path.write_text(text.replace(original, lines), encoding="utf-8")
    shutil.copytree(EXAMPLES / "data", tmp_path / "data")
    return path


def line_of(path: Path, start: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize(
    ("lines", "key", "message"),
    [
        (
            "  data: data/german_credit_scored.csv\n  table: lake.credit.scores\n  engine: spark\n",
            "  table:",
            "fairness.table: give data (files) or table (a Spark table), not both",
        ),
        (
            "  engine: spark\n",
            "  engine:",
            "fairness: missing data (or table) (or give result: a saved result)",
        ),
        (
            "  table: lake.credit.scores\n",
            "  table:",
            "fairness: table: lake.credit.scores is read by Spark; give engine: spark (the duckdb engine reads "
            "files: give data: instead)",
        ),
        (
            "  table: 'lake.credit; DROP TABLE x'\n  engine: spark\n",
            "  table:",
            "fairness.table: 'lake.credit; DROP TABLE x' is not a table name; expected catalog.schema.table "
            "(one to three identifiers, each plain or in backquotes)",
        ),
    ],
)
def test_a_bad_table_field_is_exit_2_naming_the_file_and_place(
    run_cli: Run, tmp_path: Path, lines: str, key: str, message: str
) -> None:
    path = assessment_with(tmp_path, lines)
    code, out, err = run_cli("validate", path)
    assert code == 2
    first = err.splitlines()[0]
    location, _, text = first.partition(": ")
    assert location.startswith(f"{path}:")
    assert text == message
    assert int(location.split(":")[-2]) == line_of(path, key)  # the table: line, else the block's first key
    assert "Traceback" not in err + out


def test_a_table_field_is_recorded_in_the_dump_and_left_out_when_unused() -> None:
    spec = FairnessSpec(table="lake.credit.scores", engine="spark", **settings(bootstrap={"replicates": 0}))
    dumped = spec.model_dump(mode="json")
    assert dumped["table"] == "lake.credit.scores" and dumped["data"] is None
    assert "table" not in FairnessSpec(data="x.csv", **settings()).model_dump(mode="json")
    with pytest.raises(ValueError, match="result: reads a saved result, so table cannot be given too"):
        FairnessSpec(result="saved.json", table="lake.credit.scores", engine="spark")


def test_a_glob_or_folder_inside_a_delta_table_is_exit_2(run_cli: Run, delta: Path) -> None:
    (delta / "region=north").mkdir()
    shutil.copy(delta / "part-1.parquet", delta / "region=north" / "part-9.parquet")
    expected = (
        f"inside the Delta table {delta.resolve()}, whose folders also hold files its later versions removed; "
        f"expected the table's own folder ({delta.resolve()}), which riskcheck reads at its latest version\n"
    )
    for data in (f"{delta}/*.parquet", delta / "region=north"):
        code, out, err = run_cli(
            "fairness", "--data", data, "--target", "y", "--prediction", "p", "--sensitive", "g"
        )  # fmt: skip
        assert (code, out) == (2, "")
        assert err == f"error: {data}: {expected}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--table", "lake.scores"], "Error: --table needs --engine spark"),
        (
            ["--table", "lake.scores", "--data", "x.csv", "--engine", "spark"],
            "Error: give the data one way: --data PATH, or --table NAME with --engine spark",
        ),
        (
            ["--table", "lake.scores; DROP TABLE x", "--engine", "spark"],
            "error: invalid fairness settings: table: 'lake.scores; DROP TABLE x' is not a table name; expected "
            "catalog.schema.table (one to three identifiers, each plain or in backquotes)",
        ),
    ],
)
def test_the_table_option_is_checked(run_cli: Run, args: list[str], expected: str) -> None:
    code, out, err = run_cli("fairness", *args, "--target", "y", "--prediction", "p", "--sensitive", "g")
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1] == expected
    assert "Traceback" not in err
