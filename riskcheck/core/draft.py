"""When a report is a draft: the reasons, in words, for its cover.

A report is final only when every required question is answered, no field still
holds the placeholder text :mod:`riskcheck.authoring.skeleton` writes, ``assessed_on`` is
given, and all the evidence it declares was computed or read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from riskcheck.core.i18n import _, _n

#: What a new assessment holds until someone writes the real text. A report of an
#: assessment that still holds any of these is a draft, and ``check`` fails on it.
NAME_PLACEHOLDER = "TODO: the name of the AI system"
OWNER_PLACEHOLDER = "TODO: the team or person who answers for it"
PURPOSE_PLACEHOLDER = "TODO: Describe what the system does and for whom."
PLACEHOLDERS = frozenset(
    {
        NAME_PLACEHOLDER,
        OWNER_PLACEHOLDER,
        PURPOSE_PLACEHOLDER,
        # Written by earlier versions of ``riskcheck new``.
        "My AI system",
        "Describe what the system does and for whom.",
    }
)


def placeholder_fields(system: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The fields (``system.purpose``, ``answers.q``) that still hold a skeleton placeholder."""
    found = [f"system.{key}" for key, value in system.items() if _is_placeholder(value)]
    found += [f"answers.{qid}" for qid, value in answers.items() if _is_placeholder(value)]
    return found


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in PLACEHOLDERS


def draft_reasons(
    *,
    missing: Sequence[str],
    system: Mapping[str, Any],
    answers: Mapping[str, Any],
    missing_evidence: Sequence[str] = (),
) -> tuple[str, ...]:
    """Why a result is not final, in the language in use; empty when it is.

    ``missing_evidence`` are reasons already written (by :mod:`riskcheck.pipeline`).
    """
    reasons: list[str] = []
    if missing:
        # English keeps its "question(s)"; other languages get their plural forms.
        reasons.append(
            _n(
                "the assessment is incomplete: {count} required question(s) unanswered",
                "the assessment is incomplete: {count} required question(s) unanswered",
                len(missing),
            )
        )
    placeholders = placeholder_fields(system, answers)
    if placeholders:
        # The field names (system.purpose, answers.q) are the file's own: never translated.
        reasons.append(_("still holds placeholder text: {fields}", fields=", ".join(placeholders)))
    if not system.get("assessed_on"):
        reasons.append(_("the date of the assessment (system.assessed_on) is not given"))
    reasons.extend(missing_evidence)
    return tuple(reasons)
