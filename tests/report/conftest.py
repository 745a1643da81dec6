"""Fixtures for the report and sign-off tests: a demo assessment and its rendered PDF."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from riskcheck import api
from riskcheck.core.loader import LoadedAssessment, load_assessment
from riskcheck.report.render import render_html, render_pdf

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Rendered:
    loaded: LoadedAssessment
    result: dict[str, Any]
    html: str
    pdf: bytes

    @property
    def reader(self) -> PdfReader:
        return PdfReader(io.BytesIO(self.pdf))

    @property
    def pages(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def render(path: Path, **options: Any) -> Rendered:
    """Score ``path`` and render its report (strict templates, as in every test)."""
    loaded = load_assessment(path)
    result = api.score(loaded).to_dict()
    html = render_html(result, loaded, strict=True, **options)
    return Rendered(loaded, result, html, render_pdf(result, loaded, html=html, **options))


def flat(text: str) -> str:
    """PDF text with line breaks and repeated spaces folded, for phrase searches."""
    return " ".join(text.split())


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A private copy of the demo assessment (questionnaire and data beside it)."""
    target = tmp_path / "demo"
    shutil.copytree(FIXTURES, target)
    return target / "assessment.yaml"


@pytest.fixture(scope="session")
def demo_report() -> Rendered:
    """The demo report, rendered once for the tests that only read it."""
    return render(FIXTURES / "assessment.yaml")
