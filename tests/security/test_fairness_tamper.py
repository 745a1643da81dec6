"""The fairness data and a saved result cannot be changed behind a sign-off, and hostile table
metadata or JSON is an error (exit 2) naming the file, never a traceback or gigabytes of memory.

- Data up to the full-hash limit is identified by the sha256 of every byte: a Parquet
  dictionary swapped in place (same size, same footer) or a Delta data file rewritten
  behind its log makes an approval stale and a saved result's data: check fail.
- A saved result's figures are computed again from data: and must match; without data:
  the result must agree with itself.
- A gzip Iceberg metadata file and a Delta checkpoint are bounded when decoded.

Real files throughout: Parquet written by pyarrow, Delta logs as the protocol lays them out,
and riskcheck run as the command line runs it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riskcheck.audit.signoff import sign
from riskcheck.cli.main import main

MINI = Path(__file__).resolve().parents[1] / "cases" / "mini" / "questionnaire.yaml"
SYSTEM = "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"
ARGS = ("--target", "y", "--prediction", "p", "--sensitive", "g", "--bootstrap", "0")
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _parquet(path: Path, seed: int, rows: int = 400) -> None:
    """g (a/b), y and p as int8 with p == y: pyarrow's defaults (dictionary pages, snappy)."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    y = [rng.randint(0, 1) for _ in range(rows)]
    groups = ["a" if i % 2 else "b" for i in range(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"g": groups, "y": pa.array(y, pa.int8()), "p": pa.array(y, pa.int8())}), path)


def _swap_prediction_dictionary(path: Path) -> None:
    """Swap the two entries of column p's dictionary page in place: every prediction is
    inverted, and the file keeps its size and its footer (offsets, sizes, statistics)."""
    import pyarrow.parquet as pq

    zero_one = b"\x08\x1c\x00\x00\x00\x00\x01\x00\x00\x00"  # snappy literal: int32 0, then 1
    one_zero = b"\x08\x1c\x01\x00\x00\x00\x00\x00\x00\x00"
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(2)
    content = bytearray(path.read_bytes())
    low, high = chunk.dictionary_page_offset, chunk.data_page_offset
    found = content.find(zero_one, low, high)
    old, new = (zero_one, one_zero) if found >= 0 else (one_zero, zero_one)
    found = content.find(old, low, high)
    assert found >= 0, "the dictionary page is where pyarrow writes it"
    content[found : found + len(old)] = new
    before = pq.ParquetFile(path).metadata.to_dict()
    path.write_bytes(bytes(content))
    assert pq.ParquetFile(path).metadata.to_dict() == before  # the footer is unchanged


def _delta(folder: Path) -> None:
    _parquet(folder / "part-0.parquet", 2)
    actions = [
        {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}},
        {
            "metaData": {
                "id": "x",
                "format": {"provider": "parquet", "options": {}},
                "schemaString": "{}",
                "partitionColumns": [],
                "configuration": {},
                "createdTime": 0,
            }
        },
        {
            "add": {
                "path": "part-0.parquet",
                "partitionValues": {},
                "size": (folder / "part-0.parquet").stat().st_size,
                "modificationTime": 0,
                "dataChange": True,
            }
        },
    ]
    (folder / "_delta_log").mkdir(parents=True)
    (folder / "_delta_log" / f"{0:020d}.json").write_text("\n".join(map(json.dumps, actions)) + "\n")


def _assessment(folder: Path, fairness: str, name: str = "a.yaml") -> Path:
    shutil.copy(MINI, folder / "q.yaml")
    path = folder / name
    path.write_text(
        SYSTEM + "questionnaire: {path: q.yaml}\n"
        "answers: {decision_type: advisory, affects_people: no, protected: [none]}\n"
        f"fairness: {fairness}\n",
        encoding="utf-8",
    )
    return path


def _score(run_cli: Run, path: Path) -> dict[str, Any]:
    code, out, err = run_cli("score", path, "--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def _approve(path: Path) -> None:
    for role in ("product", "legal"):
        sign(path, name=role.title(), role=role, decision="approve", now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))


@pytest.mark.parametrize("layout", ["parquet folder", "delta table"])
def test_a_dictionary_swapped_in_place_makes_the_approval_stale_and_the_saved_result_fail(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    monkeypatch.chdir(tmp_path)
    if layout == "delta table":
        _delta(tmp_path / "data")
        files = [tmp_path / "data" / "part-0.parquet"]
    else:
        files = [tmp_path / "data" / f"part{k}.parquet" for k in range(2)]
        for seed, file in enumerate(files):
            _parquet(file, seed)
    spec = "{data: data, target: y, prediction: p, sensitive: [g], bootstrap: {replicates: 0}}"
    path = _assessment(tmp_path, spec)
    code, _out, err = run_cli("fairness", "--data", "data", *ARGS, "-o", "r.json")
    assert code == 0, err
    code, _out, err = run_cli("fairness", "--data", "data", *ARGS, "--full-hash-limit", "0", "-o", "cheap.json")
    assert code == 0, err
    saved = _assessment(tmp_path, "{result: r.json, data: data}", "b.yaml")
    _approve(path)
    before = _score(run_cli, path)
    kind = "delta-sha256" if layout == "delta table" else "sha256"
    assert before["fairness"]["data_identity"]["kind"] == kind
    assert (before["signoffs"]["status"], before["fairness"]["overall"]["accuracy"]) == ("approved", 1.0)
    assert run_cli("check", saved)[0] == 0

    for file in files:
        _swap_prediction_dictionary(file)

    after = _score(run_cli, path)
    assert after["fairness"]["overall"]["accuracy"] == 0.0  # every prediction inverted
    assert after["fairness"]["data_identity"]["digest"] != before["fairness"]["data_identity"]["digest"]
    assert after["signoffs"]["status"] == "stale"
    code, _out, err = run_cli("check", saved)
    assert code == 2
    assert f"r.json: computed from data with {kind} {before['fairness']['data_identity']['digest']}, but " in err
    # Above the limit the fingerprint cannot see it, and says so where it is shown.
    cheap = json.loads((tmp_path / "cheap.json").read_text(encoding="utf-8"))
    assert cheap["data_identity"]["kind"] == ("delta-fingerprint" if layout == "delta table" else "fingerprint")
    assert "not tamper-evident" in cheap["data_identity_note"]
    code, out, _err = run_cli("fairness", "--data", "data", *ARGS, "--full-hash-limit", "0", "--format", "json")
    assert json.loads(out)["data_identity"]["digest"] == cheap["data_identity"]["digest"]


def test_a_delta_data_file_rewritten_behind_the_log_is_refused(run_cli: Run, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _delta(tmp_path / "tbl")
    code, _out, err = run_cli("fairness", "--data", tmp_path / "tbl", *ARGS, "-o", tmp_path / "r.json")
    assert code == 0, err
    rows = 400
    table = pa.table(
        {"g": ["a" if i % 2 else "b" for i in range(rows)], "y": [1] * rows, "p": [i % 2 for i in range(rows)]}
    )
    pq.write_table(table, tmp_path / "tbl" / "part-0.parquet")  # the log is untouched
    code, _out, err = run_cli("fairness", "--data", tmp_path / "tbl", *ARGS)
    assert code == 2
    size = (tmp_path / "tbl" / "part-0.parquet").stat().st_size
    assert f"tbl: part-0.parquet: {size:,} bytes, but the Delta log's add.size for it is " in err
    assert "expected the file the log added (a data file was rewritten outside the table's log)" in err


def _saved_result(run_cli: Run, folder: Path, *extra: str) -> dict[str, Any]:
    # Group a (odd rows) is predicted positive 2 times in 5, group b 3 times in 5.
    rows = ["g,y,p"] + [f"{'a' if i % 2 else 'b'},{i % 3 == 0:d},{i % 5 < 2 + (i % 2 == 0):d}" for i in range(400)]
    (folder / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, _out, err = run_cli("fairness", "--data", folder / "d.csv", *ARGS[:-2], *extra, "-o", folder / "r.json")
    assert code == 0, err
    return dict(json.loads((folder / "r.json").read_text(encoding="utf-8")))


def _more_rows(result: dict[str, Any]) -> None:
    result["rows"] += 1
    result["variables"]["rows"] += 1
    result["by_group"]["a"]["count"] += 1


def _lower_interval(result: dict[str, Any]) -> None:
    result["disparities"]["equalized_odds_ratio"]["ci_low"] = 0.0
    result["variables"]["equalized_odds_ratio_ci_low"] = 0.0


def _accuracy(result: dict[str, Any]) -> None:
    result["overall"]["accuracy"] = result["variables"]["overall_accuracy"] = 0.125


def _precision(result: dict[str, Any]) -> None:
    result["by_group"]["a"]["precision"] = 0.25


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (_more_rows, "rows is 401; expected 400"),
        (_precision, "by_group.a.precision is 0.25; expected "),
        (_accuracy, "overall.accuracy is 0.125; expected "),
        (_lower_interval, "disparities.equalized_odds_ratio.ci_low is 0.0; expected "),
    ],
)
def test_figures_edited_in_a_saved_result_are_computed_again_from_the_data(
    run_cli: Run, tmp_path: Path, edit: Callable[[dict[str, Any]], None], says: str
) -> None:
    saved = _saved_result(run_cli, tmp_path, "--bootstrap", "50")
    path = _assessment(tmp_path, "{result: r.json, data: d.csv}")
    assert run_cli("check", path)[0] == 0
    edit(saved)
    (tmp_path / "r.json").write_text(json.dumps(saved), encoding="utf-8")
    code, _out, err = run_cli("check", path)
    assert code == 2
    assert f"r.json: {says}" in err
    assert f"computed again from {tmp_path / 'd.csv'} (to within 1e-09); recompute it with riskcheck fairness" in err


def test_a_saved_result_without_data_must_agree_with_itself(run_cli: Run, tmp_path: Path) -> None:
    saved = _saved_result(run_cli, tmp_path)
    path = _assessment(tmp_path, "{result: r.json, thresholds: {demographic_parity_difference: {max: 0.01}}}")
    assert saved["disparities"]["demographic_parity_difference"]["value"] > 0.01
    code, _out, err = run_cli("check", path)
    assert code == 1, err  # the breach is found from the figures
    edited = json.loads(json.dumps(saved))
    edited["disparities"]["demographic_parity_difference"]["value"] = 0.0
    (tmp_path / "r.json").write_text(json.dumps(edited), encoding="utf-8")
    code, _out, err = run_cli("check", path)
    assert code == 2
    expected = saved["disparities"]["demographic_parity_difference"]["value"]
    assert f"r.json: disparities.demographic_parity_difference.value is 0.0; expected {expected!r}" in err
    # The file's own breaches list, made to say its thresholds hold.
    edited = json.loads(json.dumps(saved))
    edited["thresholds"] = {"demographic_parity_difference": {"max": 0.01, "on": "value"}}
    (tmp_path / "r.json").write_text(json.dumps(edited), encoding="utf-8")
    code, _out, err = run_cli("check", path)
    assert code == 2
    assert "r.json: breaches lists none, but its figures and thresholds give [('demographic_parity_difference'" in err


# ---------------------------------------------------------------- decoding bounds


def _peak_run(folder: Path, *args: str) -> tuple[int, str, int]:
    """riskcheck ARGS in a fresh process: exit code, stderr and its peak RSS in KiB."""
    script = (
        "import resource, sys\n"
        "from riskcheck.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=folder, capture_output=True, text=True, timeout=300
    )
    peak = int(done.stderr.rsplit("peak ", 1)[1].split()[0])
    return done.returncode, done.stderr, peak


def test_a_gzip_iceberg_metadata_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    metadata = tmp_path / "ice" / "metadata"
    metadata.mkdir(parents=True)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (64 << 20)
    with (metadata / "v1.gz.metadata.json").open("wb") as handle:
        for _ in range(8):  # 512 MiB of zeros in about 500 KB
            handle.write(deflate.compress(zeros))
        handle.write(deflate.flush())
    _assessment(tmp_path, "{data: ice, target: y, prediction: p, sensitive: [g]}")
    code, err, peak = _peak_run(tmp_path, "check", "a.yaml")
    assert code == 2
    assert "ice: v1.gz.metadata.json decompresses to more than 268,435,456 bytes" in err
    assert peak < 1024 * 1024  # KiB: well under the 512 MiB it would inflate to, twice over


def _checkpoint(folder: Path, add: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    log = folder / "_delta_log"
    log.mkdir(parents=True)
    table = pa.table({"add": pa.StructArray.from_arrays([add], names=["path"])})
    pq.write_table(table, log / f"{0:020d}.checkpoint.parquet", compression="zstd")


def test_a_delta_checkpoint_that_decodes_to_gigabytes_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    import pyarrow as pa

    rows = 1500  # one 4 MiB string, used by every row: 6 GiB decoded, 1 KB on disk
    huge = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * (4 << 20)]))
    _checkpoint(tmp_path / "dlt", huge)
    assert (tmp_path / "dlt" / "_delta_log" / f"{0:020d}.checkpoint.parquet").stat().st_size < 4096
    code, err, peak = _peak_run(tmp_path, "fairness", "--data", "dlt", *ARGS)
    assert code == 2
    assert (
        "dlt: _delta_log/00000000000000000000.checkpoint.parquet: rows 1 to 1,024 decode to 4,294,983,680 "
        "bytes; expected at most 67,108,864 bytes per 1,024 rows"
    ) in err
    assert peak < 1024 * 1024


def test_a_single_oversized_value_in_a_delta_checkpoint_is_refused(run_cli: Run, tmp_path: Path) -> None:
    import pyarrow as pa

    _checkpoint(tmp_path / "dlt", pa.array(["x" * (17 << 20)]))
    code, _out, err = run_cli("fairness", "--data", tmp_path / "dlt", *ARGS)
    assert code == 2
    assert "_delta_log/00000000000000000000.checkpoint.parquet: a value of 17,825,792 bytes; expected at most " in err


# ---------------------------------------------------------------- hostile JSON


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("[" * 100_000 + "]" * 100_000, "r.json: JSON nested too deeply; expected a fairness result"),
        ('{"rows": ' + "9" * 5000 + "}", "r.json: not a fairness result (Exceeds the limit (4300 digits)"),
    ],
)
def test_hostile_json_in_a_saved_result_is_exit_2(run_cli: Run, tmp_path: Path, content: str, says: str) -> None:
    (tmp_path / "r.json").write_text(content, encoding="utf-8")
    path = _assessment(tmp_path, "{result: r.json}")
    code, _out, err = run_cli("check", path)
    assert code == 2
    assert says in err


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("[" * 200_000 + "]" * 200_000, "_delta_log/00000000000000000000.json:1: nested too deeply"),
        (
            '{"add": {"path": "p.parquet", "size": ' + "9" * 5000 + "}}",
            "00000000000000000000.json:1: not a JSON action",
        ),
        (
            '{"protocol": {"minReaderVersion": "x"}}',
            "the Delta log's protocol or metaData is not as the Delta protocol",
        ),
        ('{"add": {"path": "p.parquet", "size": -4}}', "00000000000000000000.json:1: add.size -4; expected a number"),
        ('{"add": "p.parquet"}', "00000000000000000000.json:1: not a Delta action; expected protocol, metaData,"),
    ],
)
def test_hostile_json_in_a_delta_commit_is_exit_2(run_cli: Run, tmp_path: Path, line: str, says: str) -> None:
    log = tmp_path / "tbl" / "_delta_log"
    log.mkdir(parents=True)
    (log / f"{0:020d}.json").write_text(line + "\n", encoding="utf-8")
    code, _out, err = run_cli("fairness", "--data", tmp_path / "tbl", *ARGS)
    assert code == 2
    assert says in err


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("model", "../outside/model.skops"),
        ("sensitive_data", "/etc/hostname"),
        ("model", "https://example.org/m.skops"),
    ],
)
def test_a_saved_result_never_makes_its_check_read_a_file_outside_the_project(
    run_cli: Run, tmp_path: Path, name: str, value: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    saved = _saved_result(run_cli, project)
    saved["config"][name] = value
    if name == "sensitive_data":
        saved["config"]["join_on"] = "g"
    (project / "r.json").write_text(json.dumps(saved), encoding="utf-8")
    path = _assessment(project, "{result: r.json, data: d.csv}")
    code, _out, err = run_cli("check", path)
    assert code == 2
    assert f"r.json: config.{name}: {value!r} leads outside the project; to compute the figures again" in err
