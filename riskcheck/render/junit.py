"""JUnit XML of the gate: a test suite per assessment, a test case per check.

Figures go in the failure message and text, never in ``time``: CI dashboards add
``time`` up as seconds. ElementTree escapes text and attributes, and characters
XML 1.0 cannot carry at all (most control characters) are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def gate_junit(gate: dict[str, Any]) -> str:
    """The gate document (:func:`riskcheck.render.gate_json.gate_dict`) as JUnit XML."""
    summary = gate["summary"]
    root = ET.Element(
        "testsuites",
        {
            "name": "riskcheck",
            "tests": str(summary["checks"]),
            "failures": str(summary["checks_failed"]),
            "errors": "0",
        },
    )
    for assessment in gate["assessments"]:
        checks = assessment["checks"]
        name = assessment["system"].get("name", assessment["file"])
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _clean(f"riskcheck: {name}"),
                "file": _clean(assessment["file"]),
                "tests": str(len(checks)),
                "failures": str(sum(1 for c in checks if c["status"] == "failed")),
                "errors": "0",
                "skipped": str(sum(1 for c in checks if c["status"] == "skipped")),
            },
        )
        properties = ET.SubElement(suite, "properties")
        for key, value in (
            ("tier", assessment["tier"]),
            ("score", assessment["score"]),
            ("questionnaire", f"{assessment['questionnaire']['id']}@{assessment['questionnaire']['version']}"),
            ("signoff", assessment["signoff"]["status"]),
            ("content_sha256", assessment["content_sha256"]),
            ("policy", assessment.get("policy", {}).get("summary", "")),
        ):
            ET.SubElement(properties, "property", {"name": key, "value": _clean(value)})
        for check in checks:
            attributes = {
                "name": _clean(check["name"]),
                "classname": _clean(f"riskcheck.{_classname(name)}.{check['kind']}"),
                "file": _clean(assessment["file"]),
            }
            if check["line"] is not None:
                attributes["line"] = str(check["line"])
            case = ET.SubElement(suite, "testcase", attributes)
            body = "\n".join([check["message"], *check["details"]])
            if check["status"] == "failed":
                failure = ET.SubElement(case, "failure", {"message": _clean(check["message"]), "type": check["kind"]})
                failure.text = _clean(body)
            elif check["status"] == "skipped":
                ET.SubElement(case, "skipped", {"message": _clean(check["message"])})
            else:
                out = ET.SubElement(case, "system-out")
                out.text = _clean(body)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _classname(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "assessment"
