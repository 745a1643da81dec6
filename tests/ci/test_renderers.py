"""Escaping in the GitHub and JUnit renderers, and colour only on a terminal."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pexpect

from riskcheck.render.github import annotation
from riskcheck.render.junit import gate_junit


def test_github_annotations_escape_per_the_workflow_command_rules() -> None:
    line = annotation("error", "100% sure,\r\nreally: yes", file="a,b:c.yaml", line=3, column=5, title="50%: x,y")
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=5,title=50%25%3A x%2Cy::100%25 sure,%0D%0Areally: yes"


def _gate(message: str) -> dict:
    check = {
        "id": "rule:x",
        "kind": "rule",
        "name": 'rule <x> & "y"',
        "status": "failed",
        "message": message,
        "details": ["when: a < b"],
        "severity": "high",
        "line": 4,
        "column": 3,
        "accepted": False,
    }
    assessment = {
        "file": "a&b.yaml",
        "system": {"name": "S <1>"},
        "questionnaire": {"id": "q", "version": "1.0.0"},
        "tier": "high",
        "score": 60.0,
        "signoff": {"status": "pending"},
        "content_sha256": "0" * 64,
        "checks": [check],
    }
    return {"summary": {"checks": 1, "checks_failed": 1}, "assessments": [assessment]}


def test_junit_escapes_markup_and_drops_characters_xml_cannot_hold() -> None:
    xml = gate_junit(_gate('figure <0.8> & "quoted" \x1b[31m bell\x07'))
    root = ET.fromstring(xml)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.attrib["message"] == 'figure <0.8> & "quoted" \ufffd[31m bell\ufffd'
    assert failure.text == 'figure <0.8> & "quoted" \ufffd[31m bell\ufffd\nwhen: a < b'
    assert root.find("testsuite").attrib["name"] == "riskcheck: S <1>"
    assert root.find("testsuite/testcase").attrib["classname"] == "riskcheck.S_1.rule"


def _spawn(project: Path, env: dict[str, str]) -> str:
    child = pexpect.spawn("riskcheck", ["check", "scaled.yaml"], cwd=str(project), env=env, encoding="utf-8")
    child.expect(pexpect.EOF, timeout=30)
    child.close()
    return str(child.before)


def test_text_is_coloured_on_a_terminal_and_plain_under_no_color(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm-256color", "COLUMNS": "200"}
    coloured = _spawn(project, env)
    assert "\x1b[" in coloured
    assert "PASSED" in coloured
    plain = _spawn(project, env | {"NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert plain.replace("\r\n", "\n").startswith(
        "policy: fail on no tier (no fail-on set, and the questionnaire declares no default gate); "
        "a blocking finding; a fairness threshold breached; an unanswered required question\n"
        "PASSED  scaled.yaml  Scaled system: tier high, score 60 of 100, 1 finding(s), complete\n"
    )
