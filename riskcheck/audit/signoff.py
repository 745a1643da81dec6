"""Record a sign-off decision against exactly what was reviewed.

A record names the reviewer, their role and decision, and carries the content
sha256 over everything the signer sees at the moment of signing: the system block,
the questionnaire, every answer with its comment and evidence links, the fairness
settings and evidence, the archived answers a migration could not place, and the
bytes of local evidence files (see :mod:`riskcheck.core.content`). It also keeps a
short hash of each of those parts (``covers``), so that once anything changes the
record is stale and says what changed, and the questionnaire version it was made
under (``questionnaire``), so that a record made stale by ``riskcheck migrate``
says so. The record is appended to the assessment file with a round-trip edit, so
the rest of the file keeps its comments and layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from riskcheck.core.assessment import SignoffRecord
from riskcheck.core.content import short_parts
from riskcheck.core.engine import SignoffInput, _signoffs
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.loader import load_assessment
from riskcheck.core.result import Signoffs
from riskcheck.pipeline import content_parts_of

DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class SignOutcome:
    """The record written, and the sign-off state of the file once it is written."""

    path: Path
    record: SignoffRecord
    signoffs: Signoffs
    #: What identifies the fairness data the approval binds (``sha256 of every byte``, or a
    #: fingerprint that is not tamper-evident); None without fairness evidence.
    data_identity_note: str | None = None


def sign(
    path: Path,
    *,
    name: str,
    role: str,
    decision: str,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> SignOutcome:
    """Append a sign-off record to the assessment at ``path``.

    ``role`` must be one the questionnaire declares under ``signoff.roles`` (when it
    declares any). ``now`` (default: the current UTC time, to the second) is the
    record's timestamp. Raises :class:`RiskcheckError` on bad input, before writing.
    """
    from riskcheck.files.yamledit import append_signoff
    from riskcheck.pipeline import assess

    path = Path(path)
    loaded = load_assessment(path)
    roles = loaded.questionnaire.spec.signoff.roles
    where = f"{path}: sign"
    if decision not in DECISIONS:
        raise RiskcheckError(f"{where}: --decision: expected approve or reject, got {decision!r}")
    if roles and role not in roles:
        raise RiskcheckError(
            f"{where}: --role: {role!r} is not a sign-off role of "
            f"{loaded.questionnaire.id}@{loaded.questionnaire.version}; expected one of: {', '.join(roles)}"
        )
    result = assess(loaded).result
    parts = content_parts_of(loaded, result)
    timestamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if timestamp.tzinfo is None:
        raise RiskcheckError(f"{where}: the timestamp needs a time zone, got {timestamp.isoformat()}")
    comment = comment.strip() if comment is not None and comment.strip() else None
    try:
        record = SignoffRecord(
            name=name,
            role=role,
            decision=decision,
            comment=comment,
            timestamp=timestamp,
            questionnaire=f"{loaded.questionnaire.id}@{loaded.questionnaire.version}",
            content_sha256=result.hashes.content,
            covers=short_parts(parts),
        )
    except ValidationError as exc:
        from riskcheck.core.loader import validation_messages

        raise RiskcheckError(f"{where}: --" + "; --".join(validation_messages(exc))) from None
    append_signoff(path, _as_written(record))
    written = SignoffInput(
        record.name,
        record.role,
        record.decision,
        record.comment,
        record.timestamp.isoformat(),
        record.content_sha256,
        record.covers,
        record.questionnaire,
    )
    state = _signoffs(
        roles,
        (*loaded.signoffs, written),
        result.hashes.content,
        parts_of=lambda: parts,
        compiled=loaded.questionnaire,
        migrations=loaded.migrations,
    )
    note = (result.fairness or {}).get("data_identity_note")
    return SignOutcome(path, record, state, str(note) if note else None)


def _as_written(record: SignoffRecord) -> dict[str, Any]:
    """The record for the file. Part hashes are quoted: a YAML 1.1 reader takes a
    hash made only of digits for a number."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    data = record.model_dump(exclude_none=True)
    if record.covers is not None:
        covers = CommentedMap()
        for key, digest in record.covers.items():
            covers[key] = DoubleQuotedScalarString(digest)
        data["covers"] = covers
    return data


def describe(outcome: SignOutcome) -> str:
    """A short confirmation for the command line."""
    record = outcome.record
    lines = [
        (
            f"{outcome.path}: recorded {record.decision} by {record.name} ({record.role}) "
            f"at {record.timestamp.isoformat()}"
        ),
        (
            f"  content sha256 {record.content_sha256} ({len(record.covers or {})} parts covered), "
            f"under {record.questionnaire}"
        ),
    ]
    if outcome.data_identity_note:
        # What the approval binds of the fairness data: said at signing, not only in the report.
        lines.append(f"  fairness data: {outcome.data_identity_note}")
    lines.append(f"  sign-off status: {outcome.signoffs.status}")
    notes = {r.role: r.note for r in outcome.signoffs.records if r.note}
    for role, state in outcome.signoffs.roles:
        lines.append(f"    {role}: {state}" + (f" ({notes[role]})" if state == "stale" and role in notes else ""))
    return "\n".join(lines)
