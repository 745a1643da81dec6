"""Write a new assessment file: every question listed, with its help as comments.

The comments can be in another language than the questionnaire's English: ``words``
maps its English text to a translation (from its catalogue, ``riskcheck new --lang``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping

from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.draft import NAME_PLACEHOLDER, OWNER_PLACEHOLDER, PURPOSE_PLACEHOLDER
from riskcheck.core.questionnaire import MultipleChoiceQuestion, NumberQuestion, SingleChoiceQuestion

_TYPE_HINT = {
    "yes_no": "yes | no",
    "text": "text",
    "date": "date, YYYY-MM-DD",
    "evidence": "list of links",
}


def _flat(text: object) -> str:
    """Text for a ``#`` comment: one line, so a questionnaire's text can never add YAML lines."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def _scalar(text: str) -> str:
    """A YAML scalar that reads back as the same string."""
    return json.dumps(text, ensure_ascii=False)


def assessment_skeleton(
    questionnaire: CompiledQuestionnaire,
    *,
    name: str = "",
    owner: str = "",
    reference: str | None = None,
    words: Mapping[str, str] | None = None,
) -> str:
    """The text of a new assessment for ``questionnaire``; answers left empty (null).

    ``words``: English -> translation of the questionnaire's text, for the comments.
    """
    spec = questionnaire.spec
    words = words or {}

    def said(text: str) -> str:
        return _flat(words.get(text, text))

    lines = [
        f"# riskcheck assessment for {said(spec.title)} ({spec.id}@{spec.version})",
        "# Fill in each answer after the colon. Questions whose 'shown when' condition",
        "# does not hold can stay empty. Check your work with: riskcheck validate FILE",
        "system:",
        f"  name: {_scalar(name or NAME_PLACEHOLDER)}",
        f"  owner: {_scalar(owner or OWNER_PLACEHOLDER)}",
        '  version: "0.1.0"',
        f"  purpose: {_scalar(PURPOSE_PLACEHOLDER)}",
        "  # The date of the assessment, YYYY-MM-DD. Until it is given, reports are drafts.",
        "  assessed_on:",
        f"questionnaire: {reference or f'{spec.id}@{spec.version}'}",
        "answers:",
    ]
    for section in spec.sections:
        lines.append("")
        title = said(section.title)
        lines.append(f"  # == {title} " + "=" * max(3, 60 - len(title)))
        if section.when:
            lines.append(f"  # (this section applies when: {_flat(section.when)})")
        for question in section.questions:
            lines.append(f"  # {said(question.text)}")
            if question.help:
                for part in textwrap.wrap(said(question.help), 84):
                    lines.append(f"  #   {part}")
            lines.append(f"  #   type: {_flat(_hint(question))}{'' if question.required else ' (optional)'}")
            if question.when:
                lines.append(f"  #   shown when: {_flat(question.when)}")
            if question.references:
                lines.append(f"  #   references: {_flat(', '.join(question.references))}")
            lines.append(f"  {question.id}:")
    lines.append("")
    return "\n".join(lines)


def _hint(question: object) -> str:
    if isinstance(question, SingleChoiceQuestion):
        return "one of " + " | ".join(o.value for o in question.options)
    if isinstance(question, MultipleChoiceQuestion):
        return "list of " + " | ".join(o.value for o in question.options)
    if isinstance(question, NumberQuestion):
        bounds = []
        if question.min is not None:
            bounds.append(f">= {question.min:g}")
        if question.max is not None:
            bounds.append(f"<= {question.max:g}")
        unit = f" {question.unit}" if question.unit else ""
        return "number" + (f" ({', '.join(bounds)})" if bounds else "") + unit
    return _TYPE_HINT.get(getattr(question, "type", ""), "value")
