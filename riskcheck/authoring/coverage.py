"""Which questions and rules address each framework clause."""

from __future__ import annotations

import re

from riskcheck.core.compiler import CompiledQuestionnaire


def _sort_key(clause: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", clause)]


def clause_coverage(compiled: CompiledQuestionnaire) -> list[tuple[str, list[str], list[str]]]:
    """Rows of (clause, question ids, rule ids), ordered by framework and clause number."""
    questions: dict[str, list[str]] = {}
    rules: dict[str, list[str]] = {}
    for section in compiled.spec.sections:
        for question in section.questions:
            for reference in question.references:
                questions.setdefault(reference, []).append(question.id)
    for rule in compiled.spec.rules:
        for reference in rule.references:
            rules.setdefault(reference, []).append(rule.id)
    clauses = sorted(set(questions) | set(rules), key=_sort_key)
    return [(c, questions.get(c, []), rules.get(c, [])) for c in clauses]
