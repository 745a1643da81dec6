"""The content lint: bundled questionnaires are clean; each kind of defect is caught."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from riskcheck import api
from riskcheck.authoring.lint import lint_questionnaire
from riskcheck.cli.main import main as riskcheck_main
from riskcheck.core.compiler import CompiledRule
from riskcheck.core.loader import bundled_questionnaires, load_questionnaire

BROKEN = """\
id: broken
version: 1.0.0
title: Deliberately broken content
frameworks:
  - {id: policy, title: Internal AI policy}
sections:
  - id: main
    title: Main
    questions:
      - id: kind
        type: single_choice
        text: Which kind?
        help: Pick one.
        references: ["nist-ai-rmf:MAP-1.1"]
        options:
          - {value: x, points: 1}
          - {value: y, points: 0}
          - {value: z, points: 0}
      - id: no_help
        type: yes_no
        text: A question without help?
        references: ["gdpr:art-5(1)(c)"]
        points: {yes: 1}
      - id: no_reference
        type: yes_no
        text: A question without references?
        help: It cites nothing.
        points: {yes: 1}
      - id: bad_reference
        type: yes_no
        text: A question citing a clause with a space?
        help: Declared frameworks are only checked by the lint.
        references: ["policy:section 4"]
        points: {yes: 1}
      - id: contradiction
        type: yes_no
        text: Shown when kind is both x and y?
        help: Never shown.
        when: kind == 'x' and kind == 'y'
        references: ["nist-ai-rmf:MAP-1.1"]
        points: {yes: 1}
      - id: only_for_z
        type: yes_no
        text: Shown only for z?
        help: Shown for z.
        when: kind == 'z'
        references: ["nist-ai-rmf:MAP-1.1"]
        points: {yes: 1}
      - id: ancestor_conflict
        type: yes_no
        text: Shown for x, after a question only shown for z?
        help: Never shown, because only_for_z is hidden whenever kind is x.
        when: kind == 'x' and only_for_z == 'yes'
        references: ["nist-ai-rmf:MAP-1.1"]
        points: {yes: 1}
      - id: behind_unreachable
        type: yes_no
        text: Shown after an unreachable question?
        help: Never shown.
        when: contradiction == 'no'
        references: ["nist-ai-rmf:MAP-1.1"]
        points: {yes: 1}
      - id: small_number
        type: number
        text: How many?
        help: At most five.
        min: 0
        max: 5
        references: ["nist-ai-rmf:MAP-1.1"]
        points: [{min: 3, points: 1}]
      - id: beyond_maximum
        type: yes_no
        text: Shown above ten?
        help: Never shown.
        when: small_number > 10
        references: ["nist-ai-rmf:MAP-1.1"]
        points: {yes: 1}
      - id: flat_choice
        type: single_choice
        text: A choice that changes nothing?
        help: No points, and only 'used' is read by a rule.
        references: ["nist-ai-rmf:MAP-1.1"]
        options:
          - {value: used}
          - {value: unused}
          - {value: recorded, informational: true}
      - id: ignored
        type: yes_no
        text: A question nothing reads?
        help: No points and no conditions.
        references: ["nist-ai-rmf:MAP-1.1"]
      - id: notes
        type: text
        text: Notes for the record?
        help: Informational questions are exempt.
        informational: true
        references: ["nist-ai-rmf:MAP-1.1"]
rules:
  - id: uses-flat-choice
    when: flat_choice == 'used'
    severity: low
    message: Used.
    mitigation: Nothing to do.
  - id: never
    when: kind == 'x' and small_number > 99
    severity: low
    message: Never fires.
    mitigation: Nothing to do.
scoring:
  model: weighted_sections
  tiers: [{id: low, min: 0}, {id: high, min: 50}]
classification:
  id: demo
  title: Demo
  classes:
    - {id: impossible, label: Impossible, when: "kind == 'y' and only_for_z == 'yes'"}
    - {id: other, label: Other, when: "answered(kind)"}
law_as_at:
  date: 2026-11-01
  sources: [{title: "A law"}]
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.mark.parametrize("qid", sorted(bundled_questionnaires()))
def test_bundled_questionnaire_is_clean(qid: str) -> None:
    # Dated on the day the content was last checked, so the suite does not age; `riskcheck
    # lint` itself uses today's date and reports the content once law_as_at is stale.
    assert lint_questionnaire(api.questionnaire(qid), today=dt.date(2026, 11, 29)) == []


def test_each_defect_is_reported(broken: Path) -> None:
    problems = [str(p).replace(str(broken), "broken.yaml") for p in lint_questionnaire(load_questionnaire(broken))]
    assert problems == [
        "broken.yaml:19:13: sections[0].questions[1].id: question 'no_help' has no help text [missing-help]",
        "broken.yaml:24:13: sections[0].questions[2].id: question 'no_reference' cites no framework clause "
        "[missing-reference]",
        "broken.yaml:33:22: sections[0].questions[3].references[0]: reference 'policy:section 4' is not a "
        "well-formed clause of a known or declared framework [malformed-reference]",
        "broken.yaml:39:15: sections[0].questions[4].when: question 'contradiction' can never be shown: "
        "no combination of answers makes its conditions true [unreachable-question]",
        "broken.yaml:53:15: sections[0].questions[6].when: question 'ancestor_conflict' can never be shown: "
        "no combination of answers makes its conditions true [unreachable-question]",
        "broken.yaml:60:15: sections[0].questions[7].when: question 'behind_unreachable' can never be shown: "
        "no combination of answers makes its conditions true [unreachable-question]",
        "broken.yaml:75:15: sections[0].questions[9].when: question 'beyond_maximum' can never be shown: "
        "no combination of answers makes its conditions true [unreachable-question]",
        "broken.yaml:85:21: sections[0].questions[10].options[1].value: option 'unused' of question "
        "'flat_choice' changes neither the score nor any condition; give it points, use it in a rule, "
        "or mark it informational: true [unused-option]",
        "broken.yaml:87:13: sections[0].questions[11].id: question 'ignored' gives no points and no "
        "condition reads it; use it in scoring or a rule, or mark it informational: true [unused-question]",
        "broken.yaml:105:11: rules[1].when: rule 'never' can never fire: no combination of answers makes "
        "\"kind == 'x' and small_number > 99\" true [rule-never-fires]",
        "broken.yaml:116:49: classification.classes[0].when: class 'impossible' can never match: no "
        "combination of answers makes \"kind == 'y' and only_for_z == 'yes'\" true [class-never-matches]",
    ]


def test_missing_mitigation_is_reported(broken: Path) -> None:
    # The schema rejects an empty mitigation in a file; the lint still guards
    # questionnaires built in code.
    compiled = load_questionnaire(broken)
    rule = compiled.spec.rules[0].model_copy(update={"mitigation": " "})
    spec = compiled.spec.model_copy(update={"rules": [rule, *compiled.spec.rules[1:]]})
    rules = (CompiledRule(rule, compiled.rules[0].when, None), *compiled.rules[1:])
    problems = lint_questionnaire(dataclasses.replace(compiled, spec=spec, rules=rules))
    assert [(p.code, p.path, p.message) for p in problems if p.code == "missing-mitigation"] == [
        ("missing-mitigation", "rules[0].mitigation", "rule 'uses-flat-choice' has no mitigation")
    ]


def test_lint_command_text(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    assert riskcheck_main(["lint", "algorithmic-impact", "eu-ai-act-classification"]) == 0
    assert capsys.readouterr().out == (
        "algorithmic-impact@1.0.1: 35 questions, clean\neu-ai-act-classification@2.0.0: 50 questions, clean\n"
    )
    assert riskcheck_main(["lint", str(broken)]) == 1
    out, err = capsys.readouterr()
    assert err == ""  # the problems are the report; exit 1 adds no message of its own
    assert out.endswith("broken@1.0.0: 13 questions, 11 problem(s)\n")


def test_lint_command_json(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    assert riskcheck_main(["lint", str(broken), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["questionnaire"] == "broken@1.0.0"
    assert [p["code"] for p in data[0]["problems"]] == [
        "missing-help",
        "missing-reference",
        "malformed-reference",
        "unreachable-question",
        "unreachable-question",
        "unreachable-question",
        "unreachable-question",
        "unused-option",
        "unused-question",
        "rule-never-fires",
        "class-never-matches",
    ]
    assert data[0]["problems"][0] == {
        "code": "missing-help",
        "column": 13,
        "file": str(broken),
        "line": 19,
        "message": "question 'no_help' has no help text",
        "path": "sections[0].questions[1].id",
    }


def test_law_as_at_missing_and_stale(tmp_path: Path) -> None:
    text = BROKEN.split("law_as_at:")[0]
    missing = tmp_path / "missing.yaml"
    missing.write_text(text, encoding="utf-8")
    problems = lint_questionnaire(load_questionnaire(missing), today=dt.date(2026, 11, 29))
    assert (problems[0].code, problems[0].path, problems[0].line) == ("law-as-at-missing", "id", 1)
    stale = tmp_path / "stale.yaml"
    stale.write_text(text + "law_as_at: {date: 2025-11-30, sources: [{title: A law}]}\n", encoding="utf-8")
    compiled = load_questionnaire(stale)
    assert not [p for p in lint_questionnaire(compiled, today=dt.date(2026, 11, 29)) if p.code.startswith("law")]
    found = [str(p) for p in lint_questionnaire(compiled, today=dt.date(2026, 11, 30)) if p.code.startswith("law")]
    assert found == [
        f"{stale}:118:19: law_as_at.date: law_as_at is 2025-11-30, 12 months before 2026-11-30 (at most 12): "
        "check the sources for changes and update it [law-as-at-stale]"
    ]
    fewer = lint_questionnaire(compiled, today=dt.date(2026, 11, 30), law_max_age_months=13)
    assert not [p for p in fewer if p.code.startswith("law")]
