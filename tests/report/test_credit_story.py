"""The credit-scoring report reads as one story (issue 12, break 4): its extracted text, cross-checked."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from riskcheck.pipeline import Assessed, assess
from riskcheck.report.render import render_pdf
from tests.report.conftest import flat


def report_pdf(assessed: Assessed) -> bytes:
    """The one path from a result to the report."""
    return render_pdf(assessed.result.to_dict(), assessed.loaded)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "credit-scoring.yaml"


@pytest.fixture(scope="module")
def text() -> str:
    assessed = assess(EXAMPLE)
    reader = PdfReader(io.BytesIO(report_pdf(assessed)))
    return flat("\n".join(page.extract_text() for page in reader.pages))


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_summary_counts_equal_the_findings_listed(text: str) -> None:
    result = assess(EXAMPLE).result
    total = len(result.findings)
    assert f"{total} findings in all" in text
    findings = _between(text, "Findings 4 findings, most severe first.", "Fairness Measured on")
    assert findings.count("REQUIRED MITIGATION") == total
    fairness = [f for f in result.findings if f.id.startswith("fairness.")]
    assert len(fairness) == 3
    section = _between(text, "Fairness Measured on", "Metrics by group")
    assert "3 fairness findings: 1 from the assessment's thresholds, 2 from the questionnaire's rules" in section
    for finding in fairness:
        assert f"({finding.id})" in section.replace("- ", "-")
    assert "1 fairness threshold breached" not in text


def test_every_judged_figure_shows_every_test_and_its_outcome(text: str) -> None:
    section = _between(text, "Fairness Measured on", "Metrics by group").replace("- ", "-")
    # The ratio is judged twice, and the two tests read together rather than contradict.
    assert re.search(
        r"disparate impact ratio 0\.7762 \[0\.6758, 0\.8746\] ✓ met: threshold: the upper CI bound \(0\.8746\) "
        r"must be ≥ 0\.8 ✗ finding raised: rule fairness\.four-fifths-breach",
        section,
    ), section
    assert re.search(
        r"equalized odds difference 0\.1602 \[0\.0831, 0\.3083\] ✗ finding raised: rule fairness\.equalized",
        section,
    )
    assert (
        "equal opportunity difference 0.1390 [0.0523, 0.2323] ✗ breached: threshold: the value (0.1390) must be ≤ 0.1"
        in section
    )
    assert "within threshold" not in section
    assert "equalized odds difference 0.1602 [0.0831, 0.3083] not judged" not in section


def test_the_smallest_group_is_the_real_one(text: str) -> None:
    assert "Minimum group size (setting) 30" in text
    assert "Smallest group under 25: 149 rows" in text
    assert "Smallest group used" not in text
