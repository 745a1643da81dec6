"""What the served directory holds: assessments with their tier and status, and questionnaires."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcheck.errors import RiskcheckError
from riskcheck.fileio import sha256_file
from riskcheck.fill import FillState
from riskcheck.loader import LoadedAssessment, bundled_questionnaires, load_assessment, load_questionnaire
from riskcheck.result import Result
from riskcheck.web.paths import yaml_files


@dataclass(frozen=True)
class Entry:
    relative: str
    name: str
    questionnaire: str
    tier: str = ""
    tier_label: str = ""
    status: str = ""
    signoff: str = ""
    answered: int = 0
    required: int = 0
    blocked: bool = False
    error: str | None = None


@dataclass(frozen=True)
class QuestionnaireChoice:
    key: str  # "bundled:ID" or "file:RELATIVE"
    title: str
    detail: str


@dataclass(frozen=True)
class Fairness:
    figures: Any
    evidence_hash: str | None
    note: str | None


class Catalog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._fairness: dict[tuple[Path, str], Fairness] = {}
        self._guard = threading.Lock()

    def scan(self) -> tuple[list[Entry], list[QuestionnaireChoice]]:
        from riskcheck.yamlio import load_yaml

        entries: list[Entry] = []
        questionnaires: list[QuestionnaireChoice] = []
        for listed in yaml_files(self.root):
            try:
                data = load_yaml(listed.path).data
            except RiskcheckError as exc:
                entries.append(Entry(listed.relative, listed.relative, "", error=self._message(exc)))
                continue
            if not isinstance(data, dict):
                continue
            if "system" in data or "answers" in data:
                entries.append(self._entry(listed.relative, listed.path))
            elif "sections" in data and "scoring" in data:
                title = str(data.get("title") or listed.relative)
                questionnaires.append(
                    QuestionnaireChoice(f"file:{listed.relative}", title, f"{listed.relative} in this directory")
                )
        return entries, questionnaires

    def _entry(self, relative: str, path: Path) -> Entry:
        try:
            loaded = load_assessment(path, questionnaire_root=self.root)
            result, _ = self.score(loaded, FillState.from_loaded(loaded))
        except RiskcheckError as exc:
            return Entry(relative, relative, "", error=self._message(exc))
        return Entry(
            relative=relative,
            name=str(loaded.file.system.name),
            questionnaire=f"{result.questionnaire_title} ({result.questionnaire_id}@{result.questionnaire_version})",
            tier=result.tier,
            tier_label=result.tier_label,
            status=result.status,
            signoff=result.signoffs.status,
            answered=result.completeness.answered,
            required=result.completeness.required,
            blocked=result.blocked,
        )

    def _message(self, exc: RiskcheckError) -> str:
        return _first_line(exc).replace(str(self.root) + "/", "")

    def bundled(self) -> list[QuestionnaireChoice]:
        choices = []
        for qid, path in bundled_questionnaires().items():
            try:
                compiled = load_questionnaire(path)
            except RiskcheckError:
                continue
            choices.append(
                QuestionnaireChoice(f"bundled:{qid}", compiled.spec.title, f"{qid}@{compiled.version}, bundled")
            )
        return choices

    def fairness(self, loaded: LoadedAssessment) -> Fairness:
        """The fairness figures of an assessment, computed once per version of the file."""
        if loaded.file.fairness is None:
            return Fairness(None, None, None)
        key = (loaded.path.resolve(), sha256_file(loaded.path))
        with self._guard:
            cached = self._fairness.get(key)
        if cached is not None:
            return cached
        from riskcheck import api

        try:
            figures = api.evaluate_fairness_block(loaded)
            value = Fairness(figures, api.fairness_evidence_hash(loaded, figures), None)
        except RiskcheckError as exc:
            value = Fairness(None, None, f"Fairness figures unavailable: {self._message(exc)}")
        with self._guard:
            if len(self._fairness) > 64:
                self._fairness.clear()
            self._fairness[key] = value
        return value

    def score(self, loaded: LoadedAssessment, state: FillState) -> tuple[Result, str | None]:
        """The live result of ``state`` (answers as edited) with the file's fairness figures and sign-offs."""
        from riskcheck.engine import evaluate

        fairness = self.fairness(loaded)
        result = evaluate(
            state.questionnaire,
            state.answer_set(),
            system=state.system,
            fairness=fairness.figures,
            signoffs=loaded.signoffs,
            evidence_hash=fairness.evidence_hash,
        )
        return result, fairness.note


def _first_line(exc: RiskcheckError) -> str:
    text = str(exc)
    lines = text.splitlines()
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return (lines[0] if lines else text) + more
