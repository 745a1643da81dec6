"""The assessment result: frozen data with exactly one JSON form.

Results are plain frozen dataclasses (and named tuples for the many small
records) rather than pydantic models: they are built
by the engine from already-validated data (so there is nothing to validate) and
scoring throughput matters. ``to_dict()`` is the single boundary every output
(text, JSON, markdown, JUnit, HTML, PDF) goes through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, NamedTuple

RESULT_SCHEMA_VERSION = 1


class SectionScore(NamedTuple):
    id: str
    title: str
    points: float
    max: float
    share: float | None
    weight: float
    visible: bool


class Finding(NamedTuple):
    id: str
    source: str  # "rule" or "fairness"
    severity: str
    message: str
    mitigation: str
    references: tuple[str, ...]
    blocks_launch: bool
    #: The answers (question id -> value) or figures that triggered it.
    triggered_by: tuple[tuple[str, Any], ...]


class Contribution(NamedTuple):
    question: str
    section: str
    value: Any
    points: float
    max: float


class RuleTrace(NamedTuple):
    id: str
    when: str
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class NextTier:
    id: str
    threshold: float
    distance: float


@dataclass(frozen=True, slots=True)
class Trace:
    contributions: tuple[Contribution, ...]
    rules_fired: tuple[RuleTrace, ...]
    tier_from_score: str
    escalated_by: tuple[str, ...]
    next_tier: NextTier | None


@dataclass(frozen=True, slots=True)
class Impact:
    raw: float
    raw_max: float
    mitigation: float
    mitigation_max: float
    mitigation_share: float | None
    reduction_applied: bool
    adjusted: float
    level_bounds: tuple[tuple[str, float], ...]


class DutyStatus(NamedTuple):
    """A duty of the class or of a flag, and whether it applies on the assessment date."""

    id: str
    label: str
    #: The class or flag the duty comes from.
    source: str
    references: tuple[str, ...]
    applies_from: str | None  # ISO date; None: applies with no date to wait for
    #: applies_now | applies_later | undated (no assessment date to compare with)
    status: str
    #: "applies now", "applies from 2 Dec 2027", or "applies from 2 Dec 2027 (no assessment date)".
    when: str


@dataclass(frozen=True, slots=True)
class ClassificationResult:
    id: str
    title: str
    outcome: str | None
    label: str | None
    references: tuple[str, ...]
    flags: tuple[tuple[str, str], ...]
    flag_references: tuple[str, ...]
    #: Duties of the class and the flags that hold, in order, dated against ``Result.as_of``.
    duties: tuple[DutyStatus, ...] = ()
    #: When the class's own rules start to apply (ISO date), if the questionnaire dates it.
    applies_from: str | None = None


@dataclass(frozen=True, slots=True)
class Completeness:
    required: int
    answered: int
    share: float
    missing: tuple[str, ...]
    hidden_answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignoffState:
    name: str
    role: str
    decision: str
    comment: str | None
    timestamp: str
    current: bool
    #: The parts of the content changed since the record was made (names as in
    #: :mod:`riskcheck.core.content`); empty for a current record or one without parts.
    changed: tuple[str, ...] = ()
    #: Why a record does not count, in words: what changed since, or its older scheme.
    note: str | None = None
    #: ``current`` for records with per-part hashes, ``legacy`` for the older one-hash scheme.
    scheme: str = "current"
    #: The questionnaire version the record was made under (``id@version``); ``None`` for a
    #: record made before records named it.
    questionnaire: str | None = None


@dataclass(frozen=True, slots=True)
class Signoffs:
    required_roles: tuple[str, ...]
    status: str  # pending | approved | rejected | stale
    records: tuple[SignoffState, ...]
    #: Role -> "approved" | "rejected" | "stale" | "missing", for required roles.
    roles: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Hashes:
    questionnaire: str
    answers: str
    evidence: str | None
    content: str


@dataclass(frozen=True, slots=True)
class Result:
    system: tuple[tuple[str, Any], ...]
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_title: str
    scoring_model: str
    status: str  # complete | incomplete
    tier: str
    tier_label: str
    tier_index: int
    tiers: tuple[tuple[str, str, float], ...]  # id, label, threshold (score or points)
    score: float
    score_max: float
    blocked: bool
    sections: tuple[SectionScore, ...]
    findings: tuple[Finding, ...]
    completeness: Completeness
    impact: Impact | None
    classification: ClassificationResult | None
    fairness: dict[str, Any] | None
    signoffs: Signoffs
    trace: Trace
    hashes: Hashes
    #: The date duties are dated against: ``--as-of``, else the system's ``assessed_on``.
    as_of: str | None = None
    #: The questionnaire's ``law_as_at`` (date and sources), carried into every output.
    law_as_at: dict[str, Any] | None = None
    #: Why the result is not final (see :mod:`riskcheck.core.draft`); empty when it is.
    draft: tuple[str, ...] = ()
    #: The language the result is shown in: ``riskcheck report --lang``; English everywhere else.
    lang: str = "en"

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocks_launch)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form; keys and order are part of the contract."""
        data: dict[str, Any] = _plain(self)
        data["system"] = dict(self.system)
        data["schema_version"] = RESULT_SCHEMA_VERSION
        data["questionnaire"] = {
            "id": data.pop("questionnaire_id"),
            "version": data.pop("questionnaire_version"),
            "title": data.pop("questionnaire_title"),
        }
        data["tiers"] = [{"id": i, "label": label, "threshold": t} for i, label, t in self.tiers]
        for finding in data["findings"]:
            finding["triggered_by"] = dict(finding["triggered_by"])
        for rule in data["trace"]["rules_fired"]:
            rule["values"] = dict(rule["values"])
        if data["classification"] is not None:
            data["classification"]["flags"] = [{"id": i, "label": lab} for i, lab in self.classification.flags]  # type: ignore[union-attr]
        if data["impact"] is not None:
            data["impact"]["level_bounds"] = [{"id": i, "max_points": b} for i, b in self.impact.level_bounds]  # type: ignore[union-attr]
        data["signoffs"]["roles"] = dict(self.signoffs.roles)
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent=indent)


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Deterministic JSON: sorted keys, no NaN, UTF-8 text."""
    return json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False, allow_nan=False, default=_json_default)


def canonical_hash(data: Any) -> str:
    """sha256 over the canonical JSON of ``data``."""
    text = json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        check_circular=False,  # plain data from the loader; skipping the check is measurably faster
        default=_json_default,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
