"""What a YAML file is: an assessment, a questionnaire, or something else.

One decision, used by the gate, the Python API, the pytest plugin and the web
form's index. It leans towards "assessment" on purpose: a file that shows any sign
of being one is checked, and its errors fail the gate. A misspelt ``sytem:`` must
never make an assessment drop out of ``riskcheck check DIR`` unseen.

The signs of an assessment, any one of which is enough:

- a top-level key of an assessment (``system``, ``questionnaire``, ``answers``, ...),
  or a key one typo away from one;
- a top-level value that refers to a questionnaire (``rai-prelaunch@1.0.0``);
- the file does not parse at all (a broken assessment is still an assessment).

A questionnaire has ``sections:`` or ``scoring:`` and no sign of an assessment.
Anything else (a CI configuration, say) is plainly not riskcheck's, and is skipped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from riskcheck.core.assessment import AssessmentFile
from riskcheck.core.errors import RiskcheckError
from riskcheck.files.yamlio import Document, load_yaml

Kind = Literal["assessment", "questionnaire", "other"]

#: The top-level keys of an assessment file.
ASSESSMENT_KEYS = tuple(field.alias or name for name, field in AssessmentFile.model_fields.items())
#: Keys that only a questionnaire has at the top level.
QUESTIONNAIRE_KEYS = ("sections", "scoring")

_REFERENCE = re.compile(r"^\s*[a-z0-9][a-z0-9_.-]*@\d+\.\d+\.\d+\S*\s*$")


@dataclass(frozen=True)
class FileKind:
    """What a file is, why, and (when it parsed) the parsed document, so it is read once."""

    path: Path
    kind: Kind
    #: One line: the sign that decided, as a person reads it.
    reason: str
    document: Document | None = None


def classify(path: Path) -> FileKind:
    """Read ``path`` and decide what it is. A file that does not parse counts as an assessment."""
    path = Path(path)
    try:
        document = load_yaml(path, what="assessment")
    except RiskcheckError:
        return FileKind(path, "assessment", "does not parse as a YAML mapping, so it is checked")
    kind, reason = kind_of(document.data)
    return FileKind(path, kind, reason, document)


def is_assessment(path: Path) -> bool:
    """True when ``path`` shows any sign of being an assessment (see the module docstring)."""
    return classify(path).kind == "assessment"


def kind_of(data: Any) -> tuple[Kind, str]:
    """The kind of already parsed YAML data, and the sign that decided it."""
    if not isinstance(data, dict):
        return "assessment", "is not a YAML mapping, so it is checked"
    keys = [str(key) for key in data]
    exact = [key for key in keys if key in ASSESSMENT_KEYS]
    if exact:
        return "assessment", f"has the assessment key(s) {', '.join(exact)}"
    if any(key in QUESTIONNAIRE_KEYS for key in keys):
        return "questionnaire", "a questionnaire (it has sections or scoring)"
    for key in keys:
        near = difflib.get_close_matches(key.lower(), ASSESSMENT_KEYS, n=1, cutoff=0.75)
        if near:
            return "assessment", f"has the key {key!r}, close to the assessment key {near[0]!r}"
    for key, value in data.items():
        if isinstance(value, str) and _REFERENCE.match(value):
            return "assessment", f"refers to the questionnaire {value.strip()!r} under {str(key)!r}"
    shown = ", ".join(keys[:5]) + (", ..." if len(keys) > 5 else "")
    return "other", f"not an assessment: none of its top-level keys ({shown}) is an assessment key"


def neither_message(data: Any) -> str | None:
    """One message for YAML with not one top-level key of a questionnaire or an assessment.

    A questionnaire with a misspelt key still has its other keys, and gets the
    loader's message for each problem instead.
    """
    from riskcheck.core.questionnaire import Questionnaire

    if not isinstance(data, dict) or kind_of(data)[0] != "other":
        return None
    known = {field.alias or name for name, field in Questionnaire.model_fields.items()}
    if any(str(key) in known for key in data):
        return None
    shown = ", ".join(str(key) for key in list(data)[:5]) + (", ..." if len(data) > 5 else "")
    return f"this is neither a questionnaire nor an assessment: none of its top-level keys ({shown}) is theirs"


def wrong_kind_message(data: Any, expected: Literal["assessment", "questionnaire"]) -> str | None:
    """One message for a file of the other kind (an assessment given where a questionnaire is wanted)."""
    kind, _ = kind_of(data)
    if expected == "assessment" and kind == "questionnaire":
        return "this is a questionnaire, not an assessment"
    if (
        expected == "questionnaire"
        and kind == "assessment"
        and isinstance(data, dict)
        and not any(str(key) in QUESTIONNAIRE_KEYS for key in data)
    ):
        return "this is an assessment, not a questionnaire"
    return None
