"""Bad input: every problem reported at once, with file:line:col, exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from riskcheck.cli.main import main
from riskcheck.files.fileio import MAX_YAML_BYTES

QUESTIONNAIRE_HEAD = """\
id: broken
version: 1.0.0
title: Broken
sections:
  - id: profile
    title: Profile
    questions:
"""
SCORING = """\
scoring:
  model: weighted_sections
  tiers:
    - {id: low, min: 0}
    - {id: high, min: 50}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "q.yaml", "id: x\nsections: [\n  - a\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    # Where and that it is refused are riskcheck's; the reason's wording is libyaml's own.
    assert err.startswith(f"{path}:3:3: invalid YAML: ")
    assert err.endswith("\n1 error(s)\n") and err.count("\n") == 2


def test_duplicate_keys_are_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "q.yaml", "id: a\nversion: 1.0.0\nid: b\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == f"{path}:3:1: duplicate key 'id' (first defined on line 1)\n1 error(s)\n"


def test_every_schema_error_at_once_with_positions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        QUESTIONNAIRE_HEAD
        + """\
      - id: q1
        type: yes_no
        text: Is it?
        colour: blue
      - id: q2
        type: number
        text: How many?
        min: lots
    weight: high
"""
        + SCORING
    )
    path = write(tmp_path, "q.yaml", text)
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"{path}:11:9: sections[0].questions[0].colour: unknown key; check its spelling "
        "(unknown keys are errors, not ignored)",
        f"{path}:15:14: sections[0].questions[1].min: expected a valid number, unable to parse string "
        "as a number, got 'lots'",
        f"{path}:16:13: sections[0].weight: expected a valid number, unable to parse string as a number, got 'high'",
        "3 error(s)",
    ]


def test_unknown_question_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = QUESTIONNAIRE_HEAD + "      - {id: q1, type: slider, text: How much?}\n" + SCORING
    path = write(tmp_path, "q.yaml", text)
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == (
        f"{path}:8:9: sections[0].questions[0]: expected one of 'yes_no', 'single_choice', "
        "'multiple_choice', 'number', 'text', 'date', 'evidence', got 'slider'\n1 error(s)\n"
    )


def test_expression_errors_point_into_the_expression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        QUESTIONNAIRE_HEAD
        + """\
      - id: kind
        type: single_choice
        text: Which?
        options: [{value: a}, {value: b}]
      - id: count_q
        type: number
        text: How many?
        when: kind == 'c'
      - id: other
        type: yes_no
        text: Other?
        when: count_q > 'ten'
rules:
  - id: r1
    when: missing_q and other
    severity: low
    message: m
    mitigation: x
  - id: r2
    when: other.__class__
    severity: low
    message: m
    mitigation: x
"""
        + SCORING
    )
    path = write(tmp_path, "q.yaml", text)
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"{path}:15:23: sections[0].questions[1].when: 'c' is not an option of 'kind' (options: a, b)",
        f"{path}:19:15: sections[0].questions[2].when: '>' compares numbers or dates, got number count_q "
        "and text 'ten'",
        f"{path}:22:11: rules[0].when: unknown question 'missing_q' (known: count_q, kind, other)",
        f"{path}:27:11: rules[1].when: attribute access is only allowed as fairness.<metric>",
        "4 error(s)",
    ]


def test_circular_when(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        QUESTIONNAIRE_HEAD
        + """\
      - {id: a, type: yes_no, text: A?, when: b}
      - {id: b, type: yes_no, text: B?, when: a}
"""
        + SCORING
    )
    path = write(tmp_path, "q.yaml", text)
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == f"{path}:8:47: sections[0].questions[0].when: circular 'when:' conditions: a -> b -> a\n1 error(s)\n"


def test_alias_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert "document expands to more than 250,000 values (anchors and aliases nested too deeply); " in err
    assert err.startswith(f"{path}:")


def test_file_over_the_size_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "big.yaml", "# " + "x" * MAX_YAML_BYTES + "\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    size = path.stat().st_size
    assert err == f"{path}: file is {size:,} bytes; riskcheck reads at most {MAX_YAML_BYTES:,} bytes\n1 error(s)\n"


def test_non_utf8_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "latin1.yaml", "id: x\ntitle: caf\xe9\n".encode("latin-1"))
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == f"{path}:2:11: not valid UTF-8 (byte 0xe9); save the file as UTF-8\n1 error(s)\n"


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "empty.yaml", "# nothing here\n\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == f"{path}: file is empty; expected a document (a YAML mapping)\n1 error(s)\n"


def test_not_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "list.yaml", "- a\n- b\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == f"{path}:1:1: expected a document (a YAML mapping), got a list\n1 error(s)\n"


def test_questionnaire_version_mismatch(
    tmp_path: Path, mini_questionnaire: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "questionnaires").mkdir()
    path = write(
        tmp_path,
        "a.yaml",
        "system: {name: S, owner: o, version: '1', purpose: p}\nquestionnaire: mini@2.0.0\nanswers: {}\n",
    )
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert "unknown bundled questionnaire 'mini'" in err
    # A bundled id is checked against the bundled version (a path, below, against the file):
    from riskcheck.core.loader import bundled_questionnaires

    bundled = bundled_questionnaires()
    if bundled:
        qid = sorted(bundled)[0]
        path.write_text(
            f"system: {{name: S, owner: o, version: '1', purpose: p}}\nquestionnaire: {qid}@9.9.9\n",
            encoding="utf-8",
        )
        code, _, err = run(capsys, "validate", str(path))
        assert code == 2
        assert (
            f"{path}:2:16: questionnaire: the assessment answers {qid}@9.9.9, but the questionnaire available is "
            in err
        )


def test_a_pinned_version_of_a_questionnaire_file_must_match(
    tmp_path: Path, mini_questionnaire: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 12, break 6: a path questionnaire's pinned version was not checked.
    import shutil

    shutil.copy(mini_questionnaire, tmp_path / "q.yaml")
    path = write(
        tmp_path,
        "a.yaml",
        "system: {name: S, owner: o, version: '1', purpose: p}\n"
        "questionnaire: {path: q.yaml, version: 0.2.0}\nanswers: {}\n",
    )
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == (
        f"{path}:2:40: questionnaire.version: expected q.yaml at version 0.2.0 (the version pinned "
        "here), but the file is mini@1.0.0; update the pin after reviewing what changed\n1 error(s)\n"
    )
    path.write_text(path.read_text().replace("version: 0.2.0", "version: 1.0.0"))
    assert run(capsys, "validate", str(path))[0] == 0


def test_assessment_answer_errors_all_reported(
    tmp_path: Path, mini_questionnaire: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        f"""\
system:
  name: S
  owner: o
  version: '1'
  purpose: p
  colour: red
questionnaire: {{path: {mini_questionnaire}}}
answers:
  decision_type: sometimes
  affects_people: maybe
  people_count: -5
  protected: [sex, sex]
  unknown_q: yes
""",
    )
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"{path}:6:3: system.colour: unknown key; check its spelling (unknown keys are errors, not ignored)",
        "1 error(s)",
    ]
    path.write_text(path.read_text().replace("  colour: red\n", ""), encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"{path}:8:18: answers.decision_type: expected one of: advisory, human_in_loop, automated; got 'sometimes'",
        f"{path}:9:19: answers.affects_people: expected yes or no, got 'maybe'",
        f"{path}:10:17: answers.people_count: expected a number >= 0, got -5",
        f"{path}:11:14: answers.protected: option 'sex' is selected twice",
        f"{path}:12:3: answers.unknown_q: no question 'unknown_q' in mini@1.0.0",
        "5 error(s)",
    ]


def test_cli_never_shows_a_traceback_for_bad_input(tmp_path: Path) -> None:
    path = write(tmp_path, "q.yaml", "id: [unclosed\n")
    proc = subprocess.run(
        [sys.executable, "-m", "riskcheck", "validate", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{path}:2:1: invalid YAML: ")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert err == f"error: {tmp_path / 'nope.yaml'}: no such file\n"


# ---------------------------------------------------------------- loaders under random input

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from riskcheck.core.errors import RiskcheckError  # noqa: E402
from riskcheck.files.yamlio import parse_yaml  # noqa: E402

_yaml_text = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            ["id: x", "- a", "  b: [1, 2", "&a [1]", "*a", "? k", "key: 'v'", "x: !!binary aGk=", ": :", "\t"]
        ),
        max_size=8,
    ).map("\n".join),
)


@settings(max_examples=300, deadline=None)
@given(_yaml_text)
def test_yaml_loader_only_raises_riskcheck_errors(text: str) -> None:
    try:
        document = parse_yaml(text, "random.yaml")
    except RiskcheckError as exc:
        assert str(exc).startswith("random.yaml")
        return
    assert isinstance(document.data, dict)


_json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["id", "version", "title", "sections", "scoring", "rules"]), _json_like))
def test_questionnaire_loader_only_raises_riskcheck_errors(tmp_path: Path, data: dict[str, object]) -> None:
    import yaml as pyyaml

    from riskcheck.core.loader import load_questionnaire

    path = tmp_path / "random.yaml"
    path.write_text(pyyaml.safe_dump(data), encoding="utf-8")
    try:
        load_questionnaire(path)
    except RiskcheckError as exc:
        assert str(path) in str(exc)
