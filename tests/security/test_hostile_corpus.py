"""A corpus of hostile and malformed inputs, generated at test time, organised by category.

Every case runs the real command in a fresh process and asserts the same four things:

- the exit code (2 for bad input; the message names the file);
- no traceback, on either stream;
- bounded time and memory (the process's own peak RSS, read with ``wait4``);
- the bytes of every input are untouched afterwards.

A case is a function that writes its files into a folder and returns what to run. New
findings go here as one more function in their category.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "cases" / "mini"
SYSTEM = "system: {name: S, owner: o, version: '1', purpose: p, assessed_on: 2026-11-01}\n"

#: No case may take longer than this, nor grow past this much resident memory.
TIME_LIMIT_S = 60.0
MEMORY_LIMIT_MB = 1024


@dataclass
class Case:
    argv: list[str]
    exit_code: int = 2
    #: Text the error output must contain (the file's name, at least).
    says: str = ""
    #: Files whose bytes must be the same afterwards; every file in the folder by default.
    inputs: list[str] | None = None
    #: Files that must not exist afterwards (what a payload would have written).
    never_created: list[str] = field(default_factory=list)


def _mini(folder: Path, answers: str = "answers: {}\n", questionnaire: str | None = None) -> None:
    text = questionnaire if questionnaire is not None else (MINI / "questionnaire.yaml").read_text(encoding="utf-8")
    (folder / "q.yaml").write_text(text, encoding="utf-8")
    (folder / "a.yaml").write_text(SYSTEM + "questionnaire: {path: q.yaml}\n" + answers, encoding="utf-8")


# --- YAML -----------------------------------------------------------------------------


def yaml_deep_flow_nesting(folder: Path) -> Case:
    (folder / "a.yaml").write_text("a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n", encoding="utf-8")
    return Case(["validate", "a.yaml"], says="a.yaml:1:103: invalid YAML")


def yaml_deep_block_nesting(folder: Path) -> Case:
    (folder / "a.yaml").write_text("a:\n" + "- " * 300_000 + "x\n", encoding="utf-8")
    return Case(["score", "a.yaml"], says="a.yaml:2:199: invalid YAML")


def yaml_billion_laughs(folder: Path) -> Case:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    (folder / "a.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case(["score", "a.yaml"], says="a.yaml:")


def yaml_alias_amplified_text(folder: Path) -> Case:
    text = SYSTEM + "questionnaire: {path: q.yaml}\nnotes: &b '" + "x" * 1_000_000 + "'\nanswers:\n"
    text += "".join(f"  q{i}: *b\n" for i in range(30_000))
    _mini(folder)
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    return Case(["score", "a.yaml"], says="a.yaml:3:8: document expands to more than")


def yaml_python_object_tag(folder: Path) -> Case:
    (folder / "a.yaml").write_text("a: !!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    return Case(["validate", "a.yaml"], says="a.yaml:1:4:", never_created=["pwned"])


def yaml_invalid_utf8(folder: Path) -> Case:
    (folder / "a.yaml").write_bytes(SYSTEM.encode() + b"answers: {x: \xff\xfe}\n")
    return Case(["score", "a.yaml"], says="a.yaml")


def yaml_nul_byte(folder: Path) -> Case:
    (folder / "a.yaml").write_text(SYSTEM + "answers: {x: 'a\x00b'}\n", encoding="utf-8")
    return Case(["validate", "a.yaml"], says="a.yaml")


def yaml_file_past_the_size_bound(folder: Path) -> Case:
    (folder / "a.yaml").write_text(SYSTEM + "# " + "x" * (3 * 1024 * 1024) + "\n", encoding="utf-8")
    return Case(["validate", "a.yaml"], says="a.yaml")


def yaml_duplicate_keys(folder: Path) -> Case:
    (folder / "a.yaml").write_text(SYSTEM + SYSTEM + "answers: {}\n", encoding="utf-8")
    return Case(["score", "a.yaml"], says="a.yaml:2:1: duplicate key 'system'")


def yaml_a_directory_named_like_a_file(folder: Path) -> Case:
    (folder / "a.yaml").mkdir()
    return Case(["score", "a.yaml"], says="a.yaml", inputs=[])


# --- Expressions in questionnaires ------------------------------------------------------


def _with_rule(condition: str) -> str:
    text = (MINI / "questionnaire.yaml").read_text(encoding="utf-8")
    return text.replace("when: \"bias_tested == 'no' and decision_type == 'automated'\"", f"when: {condition!r}")


def expr_import_call(folder: Path) -> Case:
    _mini(folder, questionnaire=_with_rule("__import__('os').system('touch pwned')"))
    return Case(["score", "a.yaml"], says="q.yaml:", never_created=["pwned"])


def expr_dunder_walk(folder: Path) -> Case:
    _mini(folder, questionnaire=_with_rule("().__class__.__bases__[0].__subclasses__()"))
    return Case(["validate", "q.yaml"], says="q.yaml:")


def expr_lambda(folder: Path) -> Case:
    _mini(folder, questionnaire=_with_rule("(lambda: 1)() == 1"))
    return Case(["validate", "q.yaml"], says="q.yaml:")


def expr_power_bomb(folder: Path) -> Case:
    _mini(folder, questionnaire=_with_rule("people_count ** 99999999 > 1"))
    return Case(["validate", "q.yaml"], says="q.yaml:")


def expr_deeply_nested(folder: Path) -> Case:
    _mini(folder, questionnaire=_with_rule("(" * 5_000 + "people_count" + ")" * 5_000 + " > 1"))
    return Case(["validate", "q.yaml"], says="q.yaml:")


# --- Paths ------------------------------------------------------------------------------


def path_questionnaire_is_not_yaml(folder: Path) -> Case:
    (folder / "a.yaml").write_text(SYSTEM + "questionnaire: {path: /etc/passwd}\nanswers: {}\n", encoding="utf-8")
    return Case(["validate", "a.yaml"], says="a.yaml:2:23: questionnaire.path")


def path_questionnaire_is_missing(folder: Path) -> Case:
    (folder / "a.yaml").write_text(SYSTEM + "questionnaire: {path: nowhere.yaml}\nanswers: {}\n", encoding="utf-8")
    return Case(
        ["score", "a.yaml"],
        says="a.yaml:2:23: questionnaire.path: expected a questionnaire file, got 'nowhere.yaml': no such file",
    )


def path_questionnaire_is_itself(folder: Path) -> Case:
    (folder / "a.yaml").write_text(SYSTEM + "questionnaire: {path: a.yaml}\nanswers: {}\n", encoding="utf-8")
    return Case(["score", "a.yaml"], says="a.yaml")


def path_questionnaire_is_a_fifo(folder: Path) -> Case:
    os.mkfifo(folder / "q.yaml")
    (folder / "a.yaml").write_text(SYSTEM + "questionnaire: {path: q.yaml}\nanswers: {}\n", encoding="utf-8")
    return Case(
        ["score", "a.yaml"],
        says="a.yaml:2:23: questionnaire.path: expected a questionnaire file, got 'q.yaml': not a regular file",
        inputs=["a.yaml"],
    )


def path_evidence_streams_without_end(folder: Path) -> Case:
    # /proc/self/pagemap claims 0 bytes and streams ~256 GB: hashing it unbounded hung `check`.
    # Now refused before any read: a local evidence link must stay inside the project.
    _mini(folder, "answers:\n  decision_type: {value: advisory, evidence: [/proc/self/pagemap]}\n")
    return Case(["check", "a.yaml"], says="evidence link '/proc/self/pagemap' leads outside the project")


def path_evidence_is_a_fifo_inside_the_project(folder: Path) -> Case:
    # Opening a FIFO for reading blocks until a writer comes: it must be refused, not waited on.
    os.mkfifo(folder / "proof.pdf")
    _mini(folder, "answers:\n  decision_type: {value: advisory, evidence: [proof.pdf]}\n")
    return Case(["check", "a.yaml"], exit_code=1, inputs=["a.yaml", "q.yaml"])


# --- Answers ----------------------------------------------------------------------------


def answer_wrong_types(folder: Path) -> Case:
    _mini(folder, "answers: {decision_type: [a, b], people_count: {x: 1}, protected: 7}\n")
    return Case(["score", "a.yaml"], says="a.yaml:")


def answer_unknown_question(folder: Path) -> Case:
    _mini(folder, "answers: {no_such_question: yes}\n")
    return Case(["score", "a.yaml"], says="a.yaml:")


def answer_hostile_markup_in_text(folder: Path) -> Case:
    # Valid input: the gate judges it, and the markup never becomes markup.
    _mini(folder, "answers: {decision_type: advisory, affects_people: no, protected: [none]}\n")
    text = (folder / "a.yaml").read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(text.replace("name: S", 'name: "<script>alert(1)</script>"'), encoding="utf-8")
    return Case(["check", "a.yaml", "--format", "github"], exit_code=0)


def answer_integer_too_large_for_a_float(folder: Path) -> Case:
    _mini(folder, "answers: {affects_people: yes, people_count: 1" + "0" * 400 + "}\n")
    return Case(["score", "a.yaml"], says="a.yaml:")


def answer_not_finite(folder: Path) -> Case:
    _mini(folder, "answers: {affects_people: yes, people_count: .inf}\n")
    return Case(["score", "a.yaml"], says="a.yaml:")


def questionnaire_points_not_finite(folder: Path) -> Case:
    text = (MINI / "questionnaire.yaml").read_text(encoding="utf-8")
    _mini(folder, questionnaire=text.replace("points: {yes: 3, no: 0}", "points: {yes: .inf, no: 0}"))
    return Case(["validate", "q.yaml"], says="q.yaml:")


# --- Outputs ----------------------------------------------------------------------------


def output_is_the_assessment(folder: Path) -> Case:
    _mini(folder, "answers: {decision_type: advisory}\n")
    return Case(["score", "a.yaml", "--format", "json", "-o", "a.yaml"], says="a.yaml")


def output_is_the_questionnaire(folder: Path) -> Case:
    _mini(folder, "answers: {decision_type: advisory}\n")
    return Case(["check", "a.yaml", "--junit", "q.yaml"], says="q.yaml")


def output_is_a_symlink_to_the_assessment(folder: Path) -> Case:
    _mini(folder, "answers: {decision_type: advisory}\n")
    (folder / "out.json").symlink_to(folder / "a.yaml")
    return Case(["score", "a.yaml", "--format", "json", "-o", "out.json"], says="out.json")


def output_is_a_fifo(folder: Path) -> Case:
    _mini(folder, "answers: {decision_type: advisory}\n")
    os.mkfifo(folder / "out.json")
    return Case(["score", "a.yaml", "--format", "json", "-o", "out.json"], says="out.json", inputs=["a.yaml", "q.yaml"])


def output_is_the_fairness_data_of_a_checked_assessment(folder: Path) -> Case:
    (folder / "d.csv").write_text("g,y,p\n" + "a,1,1\nb,0,0\n" * 40, encoding="utf-8")
    _mini(folder, "answers: {decision_type: advisory}\n")
    block = "fairness: {data: d.csv, target: y, prediction: p, sensitive: [g]}\n"
    (folder / "a.yaml").write_text((folder / "a.yaml").read_text(encoding="utf-8") + block, encoding="utf-8")
    return Case(["check", "a.yaml", "--json", "d.csv"], says="d.csv")


def output_folder_is_missing(folder: Path) -> Case:
    _mini(folder, "answers: {decision_type: advisory}\n")
    return Case(["check", "a.yaml", "--junit", "nodir/j.xml"], says="nodir")


# --- Command-line values ----------------------------------------------------------------


def cli_threshold_nan(folder: Path) -> Case:
    (folder / "d.csv").write_text("y,s,g\n1,0.5,a\n0,0.2,b\n", encoding="utf-8")
    argv = ["fairness", "--data", "d.csv", "--target", "y", "--score", "s", "--threshold", "nan", "--sensitive", "g"]
    return Case(argv, says="threshold")


def cli_fairness_output_is_its_data(folder: Path) -> Case:
    (folder / "d.csv").write_text("y,p,g\n1,1,a\n0,0,b\n", encoding="utf-8")
    argv = ["fairness", "--data", "d.csv", "--target", "y", "--prediction", "p", "--sensitive", "g", "-o", "d.csv"]
    return Case(argv, says="d.csv")


# --- Fairness data and models -----------------------------------------------------------

FAIRNESS_ARGS = ["--target", "y", "--prediction", "p", "--sensitive", "g"]


def fairness_parquet_dictionary_bomb(folder: Path) -> Case:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 2000
    huge = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * 4 * 1024**2]))
    table = pa.table({"g": huge, "y": pa.array([0, 1] * (rows // 2)), "p": pa.array([1] * rows)})
    pq.write_table(table, folder / "bomb.parquet", compression="zstd", use_dictionary=True)
    return Case(["fairness", "--data", "bomb.parquet", *FAIRNESS_ARGS], says="bomb.parquet")


def fairness_huge_group_name(folder: Path) -> Case:
    with (folder / "d.csv").open("w", encoding="utf-8") as out:
        out.write("g,y,p\n" + "x" * 20_000_000 + ",1,1\n" + "a,0,0\n" * 100)
    return Case(
        ["fairness", "--data", "d.csv", *FAIRNESS_ARGS],
        says="d.csv: cannot read the csv data: a line is longer than 2,000,000 bytes, the most a CSV line may hold",
    )


def fairness_list_column_as_target(folder: Path) -> Case:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"g": ["a", "b"] * 20, "y": [[0, 1]] * 40, "p": [1, 0] * 20})
    pq.write_table(table, folder / "d.parquet")
    return Case(["fairness", "--data", "d.parquet", *FAIRNESS_ARGS], says="d.parquet")


def fairness_file_not_what_its_suffix_says(folder: Path) -> Case:
    (folder / "d.parquet").write_text("g,y,p\na,1,1\n", encoding="utf-8")
    return Case(["fairness", "--data", "d.parquet", *FAIRNESS_ARGS], says="d.parquet")


def fairness_assessment_trusts_its_own_pickle(folder: Path) -> Case:
    import pickle

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {folder / 'pwned'}",))

    (folder / "m.pkl").write_bytes(pickle.dumps(Payload()))
    (folder / "d.csv").write_text("g,y,x\n" + "a,1,1\nb,0,0\n" * 40, encoding="utf-8")
    _mini(folder, "answers: {decision_type: advisory}\n")
    text = (folder / "a.yaml").read_text(encoding="utf-8")
    block = "fairness: {data: d.csv, target: y, sensitive: [g], model: m.pkl, trust_model: true}\n"
    (folder / "a.yaml").write_text(text + block, encoding="utf-8")
    return Case(["check", "a.yaml"], says="a.yaml:", never_created=["pwned"])


def fairness_glob_through_symlink_loops(folder: Path) -> Case:
    # Two links back to their own folder: the stdlib glob followed both at every level (2**40 paths).
    data = folder / "data"
    data.mkdir()
    (data / "d.csv").write_text("g,y,p\n" + "a,1,1\nb,0,0\n" * 20, encoding="utf-8")
    (data / "a").symlink_to(".")
    (data / "b").symlink_to(".")
    return Case(["fairness", "--data", "data/**/*.csv", *FAIRNESS_ARGS], exit_code=0)


def fairness_saved_result_is_a_device(folder: Path) -> Case:
    # A link committed as the saved result: its stat size is 0, and reading it never ended.
    (folder / "r.json").symlink_to("/dev/zero")
    _mini(folder, "answers: {decision_type: advisory}\nfairness: {result: r.json}\n")
    return Case(
        ["check", "a.yaml"], says="fairness.result: 'r.json' leads outside the project", inputs=["a.yaml", "q.yaml"]
    )


def fairness_model_streams_without_end(folder: Path) -> Case:
    # A committed link: its stat size is 0, its reads ~256 GB; hashing it unbounded hung.
    (folder / "m.skops").symlink_to("/proc/self/pagemap")
    (folder / "d.csv").write_text("g,y,x\n" + "a,1,1\nb,0,0\n" * 40, encoding="utf-8")
    argv = ["fairness", "--data", "d.csv", "--target", "y", "--sensitive", "g", "--model", "m.skops"]
    return Case(argv, says="m.skops: model file larger than", inputs=["d.csv"])


# --- report ----------------------------------------------------------------------------


def report_word_template_zip_bomb(folder: Path) -> Case:
    # 512 KB of zip whose [Content_Types].xml inflates to 512 MiB; a 3 MB one took 6 GB.
    import zipfile

    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as handle:
            for _ in range(8):
                handle.write(b" " * (64 << 20))
        archive.writestr("word/document.xml", "<x/>")
    _mini(folder, "answers: {decision_type: advisory}\n")
    argv = ["report", "a.yaml", "--docx-template", "bomb.docx", "-o", "r.docx"]
    return Case(
        argv, says="bomb.docx: --docx-template: part '[Content_Types].xml' inflates to", never_created=["r.docx"]
    )


def report_svg_logo_of_nested_use(folder: Path) -> Case:
    # 1.7 KB: each level uses the one below ten times; six levels took six minutes to draw.
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><g id="l0"><rect/></g>']
    parts += [f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 7)]
    (folder / "logo.svg").write_text("".join(parts) + '</defs><use href="#l6"/></svg>', encoding="utf-8")
    (folder / "theme.yaml").write_text("logo: logo.svg\n", encoding="utf-8")
    _mini(folder, "answers: {decision_type: advisory}\n")
    argv = ["report", "a.yaml", "--theme", "theme.yaml", "-o", "r.pdf"]
    says = "theme.yaml:1:7: logo: logo.svg:1: <use href='#l1'>: a <use> may draw only elements that hold no <use>"
    return Case(argv, says=says, never_created=["r.pdf"])


def report_svg_logo_with_entities(folder: Path) -> Case:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    svg = (
        f'<!DOCTYPE svg [<!ENTITY e0 "lol">{entities}]><svg xmlns="http://www.w3.org/2000/svg"><text>&e9;</text></svg>'
    )
    (folder / "logo.svg").write_text(svg, encoding="utf-8")
    (folder / "theme.yaml").write_text("logo: logo.svg\n", encoding="utf-8")
    _mini(folder, "answers: {decision_type: advisory}\n")
    argv = ["report", "a.yaml", "--theme", "theme.yaml", "-o", "r.pdf"]
    return Case(argv, says="logo.svg:1: a DOCTYPE is not allowed in an SVG logo", never_created=["r.pdf"])


CATEGORIES: dict[str, list[Callable[[Path], Case]]] = {
    "yaml": [
        yaml_deep_flow_nesting,
        yaml_deep_block_nesting,
        yaml_billion_laughs,
        yaml_alias_amplified_text,
        yaml_python_object_tag,
        yaml_invalid_utf8,
        yaml_nul_byte,
        yaml_file_past_the_size_bound,
        yaml_duplicate_keys,
        yaml_a_directory_named_like_a_file,
    ],
    "expressions": [expr_import_call, expr_dunder_walk, expr_lambda, expr_power_bomb, expr_deeply_nested],
    "paths": [
        path_questionnaire_is_not_yaml,
        path_questionnaire_is_missing,
        path_questionnaire_is_itself,
        path_questionnaire_is_a_fifo,
        path_evidence_streams_without_end,
        path_evidence_is_a_fifo_inside_the_project,
    ],
    "answers": [
        answer_wrong_types,
        answer_unknown_question,
        answer_hostile_markup_in_text,
        answer_integer_too_large_for_a_float,
        answer_not_finite,
        questionnaire_points_not_finite,
    ],
    "outputs": [
        output_is_the_assessment,
        output_is_the_questionnaire,
        output_is_a_symlink_to_the_assessment,
        output_is_a_fifo,
        output_is_the_fairness_data_of_a_checked_assessment,
        output_folder_is_missing,
    ],
    "command-line": [cli_threshold_nan, cli_fairness_output_is_its_data],
    "fairness": [
        fairness_parquet_dictionary_bomb,
        fairness_huge_group_name,
        fairness_list_column_as_target,
        fairness_file_not_what_its_suffix_says,
        fairness_assessment_trusts_its_own_pickle,
        fairness_glob_through_symlink_loops,
        fairness_saved_result_is_a_device,
        fairness_model_streams_without_end,
    ],
    "report": [report_word_template_zip_bomb, report_svg_logo_of_nested_use, report_svg_logo_with_entities],
}

CASES = [(category, make) for category, makers in CATEGORIES.items() for make in makers]


def _fingerprints(folder: Path, names: list[str] | None) -> dict[str, str]:
    paths = [folder / name for name in names] if names is not None else sorted(folder.rglob("*"))
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in paths
        if path.is_file() and not path.is_symlink()
    }


def run_case(folder: Path, argv: list[str]) -> tuple[int, str, str, float, float]:
    """Run ``riskcheck ARGV`` in ``folder``; exit code, output, seconds and its own peak RSS in MB."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "riskcheck", *argv],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    streams: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=name, s=stream: streams.__setitem__(n, s.read()))
        for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
    ]
    for reader in readers:
        reader.start()
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(TIME_LIMIT_S, kill)
    timer.start()
    # wait4 reaps this one child and gives its own rusage, not the largest of all children.
    _, status, usage = os.wait4(process.pid, 0)
    timer.cancel()
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    assert not timed_out.is_set(), f"riskcheck {' '.join(argv)} ran past {TIME_LIMIT_S} s"
    stdout, stderr = streams["stdout"].decode(errors="replace"), streams["stderr"].decode(errors="replace")
    return process.returncode, stdout, stderr, elapsed, usage.ru_maxrss / 1024


@pytest.mark.parametrize(("category", "make"), CASES, ids=[f"{c}/{m.__name__}" for c, m in CASES])
def test_hostile_input(tmp_path: Path, category: str, make: Callable[[Path], Case]) -> None:
    folder = tmp_path / category
    folder.mkdir()
    case = make(folder)
    before = _fingerprints(folder, case.inputs)
    code, stdout, stderr, elapsed, peak_mb = run_case(folder, case.argv)
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr[-2000:]
    assert code == case.exit_code, f"exit {code}\nstdout: {stdout[-1000:]}\nstderr: {stderr[-1000:]}"
    if case.exit_code == 2:
        assert case.says in stderr, stderr[-1000:]
        assert len(stderr.splitlines()) <= 20, f"a wall of errors, not one clear message:\n{stderr[-2000:]}"
    assert elapsed < TIME_LIMIT_S
    assert peak_mb < MEMORY_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    assert _fingerprints(folder, case.inputs) == before, "an input file changed"
    for name in case.never_created:
        assert not (folder / name).exists(), f"{name} was created: a payload ran"
    shutil.rmtree(folder, ignore_errors=True)
