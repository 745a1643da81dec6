"""The questionnaire format: pydantic models, strict about every key.

These models check the *shape* of a questionnaire. Cross-references (question ids
in expressions, tiers named by rules, framework ids) are checked afterwards by
:mod:`riskcheck.core.compiler`, which knows where each value came from in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from riskcheck.core.vocabulary import Severity

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
SEMVER_PATTERN = r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$"


#: Well-formed clause ids for the frameworks riskcheck knows. A questionnaire may
#: declare other frameworks; their clauses are then only checked to be non-empty.
REFERENCE_PATTERNS: dict[str, re.Pattern[str]] = {
    "eu-ai-act": re.compile(
        r"^(?:art-\d+[a-z]?(?:\(\d+[a-z]?\))?(?:\([a-z]{1,2}\))?(?:\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\))?"
        r"|annex-(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii)(?:\(\d+\))?(?:\([a-z]\))?"
        r"|recital-\d+)$"
    ),
    "gdpr": re.compile(r"^(?:art-\d+(?:\(\d+\))?(?:\([a-z]\))?|recital-\d+)$"),
    "nist-ai-rmf": re.compile(r"^(?:GOVERN|MAP|MEASURE|MANAGE)-\d+(?:\.\d+)?$"),
    "iso-42001": re.compile(r"^(?:A\.\d+(?:\.\d+){0,2}|\d+(?:\.\d+)*)$"),
}
REFERENCE_EXAMPLES = {
    "eu-ai-act": "eu-ai-act:art-10(2)(f), eu-ai-act:annex-iii(4)",
    "gdpr": "gdpr:art-35, gdpr:art-9(2)(a)",
    "nist-ai-rmf": "nist-ai-rmf:MEASURE-2.11",
    "iso-42001": "iso-42001:A.5.2, iso-42001:A.6.2.4",
}


class Strict(BaseModel):
    # defer_build: validators are built when first used, not at import, which keeps
    # `riskcheck validate` start-up fast (a model nested in another is built once, inside it).
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True, allow_inf_nan=False
    )


class Framework(Strict):
    id: Annotated[str, Field(pattern=SLUG_PATTERN)]
    title: str
    version: str | None = None
    url: str | None = None


def _check_reference(value: str) -> str:
    framework, sep, clause = value.partition(":")
    if not sep or not framework or not clause:
        raise ValueError(f"expected a reference as 'framework:clause' (e.g. eu-ai-act:art-10(2)), got {value!r}")
    pattern = REFERENCE_PATTERNS.get(framework)
    if pattern is not None and not pattern.match(clause):
        raise ValueError(
            f"{clause!r} is not a well-formed {framework} clause; expected e.g. {REFERENCE_EXAMPLES[framework]}"
        )
    return value


Reference = Annotated[str, Field(min_length=3)]


class Option(Strict):
    value: Annotated[str, Field(min_length=1, max_length=80)]
    label: str | None = None
    points: Annotated[float, Field(ge=0)] = 0
    help: str | None = None
    #: The option counts as an answer only once an evidence link is attached to it.
    requires_evidence: bool = False
    #: The option changes neither score nor rules by design (content lint allows it).
    informational: bool = False

    @field_validator("value", mode="before")
    @classmethod
    def _text_value(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return str(value)
        return value


class PointRange(Strict):
    """Points for a number answer in ``[min, max]`` (both inclusive, either open)."""

    min: float | None = None
    max: float | None = None
    points: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> PointRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class QuestionBase(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
    text: Annotated[str, Field(min_length=1)]
    help: str | None = None
    required: bool = True
    when: str | None = None
    references: list[Reference] = []
    #: Collected for the record only: no points and no rules are expected of it.
    informational: bool = False

    @field_validator("references")
    @classmethod
    def _references(cls, values: list[str]) -> list[str]:
        return [_check_reference(v) for v in values]


class YesNoPoints(Strict):
    yes: Annotated[float, Field(ge=0)] = 0
    no: Annotated[float, Field(ge=0)] = 0


class YesNoQuestion(QuestionBase):
    type: Literal["yes_no"]
    points: YesNoPoints = YesNoPoints()
    #: The answer (``yes`` or ``no``) that counts only once an evidence link is attached.
    requires_evidence: Literal["yes", "no"] | None = None

    @field_validator("requires_evidence", mode="before")
    @classmethod
    def _answer_text(cls, value: Any) -> Any:
        return option_text(value) if isinstance(value, bool) else value


class _Choices(QuestionBase):
    options: Annotated[list[Option], Field(min_length=2)]

    def option_label(self, value: str) -> str:
        """The label shown for an option value (the value itself when it has none)."""
        for option in self.options:
            if option.value == value:
                return option.label or option.value
        return value


class SingleChoiceQuestion(_Choices):
    type: Literal["single_choice"]

    @model_validator(mode="after")
    def _unique(self) -> SingleChoiceQuestion:
        _unique_options(self.options)
        return self


class MultipleChoiceQuestion(_Choices):
    type: Literal["multiple_choice"]
    #: Scoring for several selections: the sum of their points, or the largest.
    combine: Literal["sum", "max"] = "sum"
    min_selected: Annotated[int, Field(ge=0)] = 0
    max_selected: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _unique(self) -> MultipleChoiceQuestion:
        _unique_options(self.options)
        return self


class NumberQuestion(QuestionBase):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None
    points: list[PointRange] = []

    @model_validator(mode="after")
    def _bounds(self) -> NumberQuestion:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class TextQuestion(QuestionBase):
    type: Literal["text"]
    max_length: Annotated[int, Field(ge=1, le=100_000)] = 5000


class DateQuestion(QuestionBase):
    type: Literal["date"]
    min: dt.date | None = None
    max: dt.date | None = None


class EvidenceQuestion(QuestionBase):
    """Links to evidence (documents, dashboards, test reports)."""

    type: Literal["evidence"]
    min_links: Annotated[int, Field(ge=0)] = 1
    #: Points when no evidence is given although the question is visible.
    points_if_missing: Annotated[float, Field(ge=0)] = 0


Question = Annotated[
    YesNoQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | NumberQuestion
    | TextQuestion
    | DateQuestion
    | EvidenceQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES = ("yes_no", "single_choice", "multiple_choice", "number", "text", "date", "evidence")


class Section(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
    title: str
    description: str | None = None
    weight: Annotated[float, Field(ge=0)] = 1
    #: For impact-with-mitigation scoring: which side this section counts on.
    role: Literal["impact", "mitigation"] | None = None
    when: str | None = None
    questions: Annotated[list[Question], Field(min_length=1)]


class Rule(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$", max_length=80)]
    when: str
    severity: Severity
    message: Annotated[str, Field(min_length=1)]
    mitigation: Annotated[str, Field(min_length=1)]
    references: list[Reference] = []
    blocks_launch: bool = False
    #: The result's tier is raised to at least this tier when the rule fires.
    escalate_to: str | None = None

    @field_validator("references")
    @classmethod
    def _references(cls, values: list[str]) -> list[str]:
        return [_check_reference(v) for v in values]


class Tier(Strict):
    id: Annotated[str, Field(pattern=SLUG_PATTERN)]
    label: str | None = None
    #: Weighted sections: the tier applies from this overall score (0-100) up.
    min: Annotated[float, Field(ge=0, le=100)] | None = None
    #: Impact with mitigation: the level ends at this fraction of the maximum (inclusive).
    max_fraction: Annotated[float, Field(gt=0, le=1)] | None = None
    description: str | None = None


class WeightedSectionsScoring(Strict):
    """Each section's points as a share of its maximum, weighted into 0-100."""

    model: Literal["weighted_sections"]
    tiers: Annotated[list[Tier], Field(min_length=1)]

    @model_validator(mode="after")
    def _tiers(self) -> WeightedSectionsScoring:
        mins = []
        for tier in self.tiers:
            if tier.min is None or tier.max_fraction is not None:
                raise ValueError(f"tier {tier.id!r}: weighted_sections tiers take 'min' (0-100), not 'max_fraction'")
            mins.append(tier.min)
        if mins[0] != 0:
            raise ValueError(f"the first tier must start at min: 0, got {mins[0]}")
        if any(b <= a for a, b in pairwise(mins)):
            raise ValueError(f"tier minimums must increase strictly, got {mins}")
        _unique_ids(self.tiers, "tier")
        return self


class ImpactMitigationScoring(Strict):
    """A raw impact score, reduced by a percentage once mitigation is strong enough.

    With the defaults this is the Algorithmic Impact Assessment model of the
    Government of Canada: the raw impact is cut by 15 % when mitigation reaches
    80 % of its maximum, and levels I-IV end at 25/50/75/100 % of the maximum raw
    impact, inclusive. The adjusted score is rounded half up to ``decimals``.
    """

    model: Literal["impact_mitigation"]
    mitigation_threshold: Annotated[float, Field(gt=0, le=1)] = 0.8
    mitigation_reduction: Annotated[float, Field(ge=0, lt=1)] = 0.15
    decimals: Annotated[int, Field(ge=0, le=6)] = 0
    tiers: Annotated[list[Tier], Field(min_length=1)]

    @model_validator(mode="after")
    def _levels(self) -> ImpactMitigationScoring:
        fractions = []
        for tier in self.tiers:
            if tier.max_fraction is None or tier.min is not None:
                raise ValueError(f"level {tier.id!r}: impact_mitigation tiers take 'max_fraction', not 'min'")
            fractions.append(tier.max_fraction)
        if any(b <= a for a, b in pairwise(fractions)):
            raise ValueError(f"max_fraction must increase strictly, got {fractions}")
        if fractions[-1] != 1:
            raise ValueError(f"the last level must end at max_fraction: 1, got {fractions[-1]}")
        _unique_ids(self.tiers, "tier")
        return self


Scoring = Annotated[WeightedSectionsScoring | ImpactMitigationScoring, Field(discriminator="model")]


class Duty(Strict):
    """A duty that follows from a class or flag, with its legal basis and its date.

    ``applies_from`` is the date the duty starts to apply (None: it applies already,
    with no date to wait for); ``when`` narrows it to some answers (for example the
    provider's duties, or a public authority's deadline).
    """

    id: Annotated[str, Field(pattern=SLUG_PATTERN)]
    label: str
    references: Annotated[list[Reference], Field(min_length=1)]
    applies_from: dt.date | None = None
    when: str | None = None

    @field_validator("references")
    @classmethod
    def _references(cls, values: list[str]) -> list[str]:
        return [_check_reference(v) for v in values]


class ClassOutcome(Strict):
    id: Annotated[str, Field(pattern=SLUG_PATTERN)]
    label: str
    when: str
    references: list[Reference] = []
    description: str | None = None
    #: When the class's or flag's own rules start to apply (None: not dated).
    applies_from: dt.date | None = None
    duties: list[Duty] = []

    @field_validator("references")
    @classmethod
    def _references(cls, values: list[str]) -> list[str]:
        return [_check_reference(v) for v in values]

    @model_validator(mode="after")
    def _duty_ids(self) -> ClassOutcome:
        _unique_ids(self.duties, "duty")
        return self


class LawSource(Strict):
    """A text the content relies on. ``primary``: the legal text itself; ``secondary``: a report of it."""

    title: str
    url: str | None = None
    kind: Literal["primary", "secondary"] = "primary"
    note: str | None = None


class LawAsAt(Strict):
    """The state of the law the questionnaire reflects: the date and the texts read."""

    date: dt.date
    sources: Annotated[list[LawSource], Field(min_length=1)]


class Classification(Strict):
    """Classes tried in order; the first whose condition holds is the result."""

    id: Annotated[str, Field(pattern=SLUG_PATTERN)]
    title: str
    classes: Annotated[list[ClassOutcome], Field(min_length=1)]
    #: Extra duties flagged next to the class (for example GPAI model duties).
    flags: list[ClassOutcome] = []


class Signoff(Strict):
    roles: list[Annotated[str, Field(pattern=SLUG_PATTERN)]] = []


class DefaultGate(Strict):
    """The gate ``riskcheck check`` applies when the project states no tier of its own.

    Blocking findings and fairness breaches fail the gate whatever the policy; this adds
    the tier. A project's ``[tool.riskcheck]`` or the command line overrides it.
    """

    fail_on: Annotated[str, Field(pattern=SLUG_PATTERN)]


def option_text(value: Any) -> Any:
    """A YAML 1.1 ``yes``/``no`` or number read as the option value text it stands for."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _option_texts(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        return mapping
    return {option_text(k): v if v is None else option_text(v) for k, v in mapping.items()}


class SplitCase(Strict):
    """One way to fill a question split off an earlier one: the first case that holds applies."""

    #: An expression over the earlier version's answers (the same language as rules).
    when: Annotated[str, Field(min_length=1)]
    value: Any


class Migration(Strict):
    """How answers given to an earlier version move to this one (see :mod:`riskcheck.lifecycle.migrate`).

    ``renamed``: old question id -> new id. ``options``: question id (as it is named in
    this version) -> old option value -> new value; several old values may merge into one.
    ``split``: old question id -> new question id -> cases that fill it. ``removed`` and
    ``changed_meaning``: question id -> the reason; their answers are archived, never dropped.
    """

    from_version: Annotated[str, Field(alias="from", pattern=SEMVER_PATTERN)]
    #: The version these answers move to: this questionnaire's own version unless given.
    to: Annotated[str, Field(pattern=SEMVER_PATTERN)] | None = None
    renamed: dict[Annotated[str, Field(pattern=ID_PATTERN)], Annotated[str, Field(pattern=ID_PATTERN)]] = {}
    #: ``null`` as the new value: the option has no counterpart, and answers holding it are archived.
    options: dict[Annotated[str, Field(pattern=ID_PATTERN)], dict[str, str | None]] = {}
    split: dict[
        Annotated[str, Field(pattern=ID_PATTERN)],
        dict[Annotated[str, Field(pattern=ID_PATTERN)], Annotated[list[SplitCase], Field(min_length=1)]],
    ] = {}
    removed: dict[Annotated[str, Field(pattern=ID_PATTERN)], Annotated[str, Field(min_length=1)]] = {}
    changed_meaning: dict[Annotated[str, Field(pattern=ID_PATTERN)], Annotated[str, Field(min_length=1)]] = {}

    @field_validator("from_version", "to", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("options", mode="before")
    @classmethod
    def _option_texts(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {qid: _option_texts(mapping) for qid, mapping in value.items()}


class Questionnaire(Strict):
    id: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
    version: Annotated[str, Field(pattern=SEMVER_PATTERN)]
    title: str
    description: str | None = None
    frameworks: list[Framework] = []
    sections: Annotated[list[Section], Field(min_length=1)]
    rules: list[Rule] = []
    scoring: Scoring
    classification: Classification | None = None
    signoff: Signoff = Signoff()
    #: CI's default policy, not content a signer approves: kept out of the questionnaire hash.
    gate: DefaultGate | None = Field(None, exclude=True)
    #: The law as it stood when the content was last checked, with the sources read.
    law_as_at: LawAsAt | None = None
    #: How answers to earlier versions move to this one. Not content a signer approves:
    #: declaring a migration later leaves approvals of this version current.
    migrations: list[Migration] = Field([], exclude=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    @model_validator(mode="after")
    def _gate_tier(self) -> Questionnaire:
        tiers = [tier.id for tier in self.scoring.tiers]
        if self.gate is not None and self.gate.fail_on not in tiers:
            raise ValueError(f"gate.fail_on: {self.gate.fail_on!r} is not a tier (tiers: {', '.join(tiers)})")
        return self


def _unique_options(options: list[Option]) -> None:
    seen: set[str] = set()
    for option in options:
        if option.value in seen:
            raise ValueError(f"option {option.value!r} appears twice")
        seen.add(option.value)


def _unique_ids(items: list[Any], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"{what} id {item.id!r} appears twice")
        seen.add(item.id)
