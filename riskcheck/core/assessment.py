"""The assessment file: one per AI system, kept next to its code."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from riskcheck.core.questionnaire import SEMVER_PATTERN, SLUG_PATTERN
from riskcheck.fairness.spec import FairnessSpec

#: ``rai-prelaunch@1.0.0``: one version of one questionnaire.
VERSION_REF_PATTERN = SLUG_PATTERN.removesuffix("$") + "@" + SEMVER_PATTERN.removeprefix("^")

_REF = re.compile(r"^(?P<id>[a-z0-9][a-z0-9_.-]*?)@(?P<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$")


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True, allow_inf_nan=False
    )


class SystemInfo(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    owner: Annotated[str, Field(min_length=1)]
    version: str
    purpose: Annotated[str, Field(min_length=1)]
    description: str | None = None
    #: The date of the assessment; reports print it, so they do not depend on "today".
    assessed_on: dt.date | None = None
    confidentiality: str = "Confidential - internal use only"

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


class QuestionnaireRef(Strict):
    """A bundled questionnaire (``id`` and ``version``) or a file (``path``)."""

    id: Annotated[str, Field(pattern=SLUG_PATTERN)] | None = None
    version: Annotated[str, Field(pattern=SEMVER_PATTERN)] | None = None
    path: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _REF.match(value.strip())
            if not match:
                raise ValueError(
                    f"expected 'id@version' (e.g. rai-prelaunch@1.0.0) or a mapping with 'path', got {value!r}"
                )
            return {"id": match["id"], "version": match["version"]}
        return value

    @model_validator(mode="after")
    def _one_of(self) -> QuestionnaireRef:
        if self.path is None and (self.id is None or self.version is None):
            raise ValueError("give either 'path', or both 'id' and 'version'")
        if self.path is not None and self.id is not None:
            raise ValueError("give either 'path' or 'id', not both")
        return self

    def __str__(self) -> str:
        return self.path if self.path is not None else f"{self.id}@{self.version}"


class AnswerEntry(Strict):
    """The long form of an answer, with a comment and evidence links."""

    value: Any = None
    comment: str | None = None
    evidence: list[Annotated[str, Field(min_length=1, max_length=2000)]] = []


class SignoffRecord(Strict):
    name: Annotated[str, Field(min_length=1)]
    role: Annotated[str, Field(pattern=SLUG_PATTERN)]
    decision: Literal["approve", "reject"]
    comment: str | None = None
    timestamp: dt.datetime
    #: The questionnaire version the record was made under (``id@version``), so that a
    #: record made stale by ``riskcheck migrate`` can say so. Records made before it have none.
    questionnaire: Annotated[str, Field(pattern=VERSION_REF_PATTERN)] | None = None
    content_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    #: A short hash of each part the content hash covers, so that a stale record can
    #: name what changed (see :mod:`riskcheck.core.content`). Records made before it have none.
    covers: dict[Annotated[str, Field(min_length=1)], Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]] | None = None


class ArchivedAnswer(Strict):
    """An answer a questionnaire migration could not place, kept so that nothing is lost."""

    #: The question's id in the version it answered.
    question: Annotated[str, Field(min_length=1)]
    #: That version (``id@version``, or the version of a questionnaire given by path).
    version: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    value: Any = None
    comment: str | None = None
    evidence: list[Annotated[str, Field(min_length=1, max_length=2000)]] = []


class MigrationRecord(Strict):
    """One run of ``riskcheck migrate``, logged in the file so that a sign-off it made
    stale can say so (see :func:`riskcheck.core.engine._signoffs`)."""

    model_config = ConfigDict(populate_by_name=True)

    #: The version the answers were moved from, and to (``id@version``).
    source: Annotated[str, Field(alias="from", pattern=VERSION_REF_PATTERN)]
    target: Annotated[str, Field(alias="to", pattern=VERSION_REF_PATTERN)]
    #: When the migrated file was written.
    timestamp: AwareDatetime


class AssessmentFile(Strict):
    system: SystemInfo
    questionnaire: QuestionnaireRef
    answers: dict[str, Any] = {}
    fairness: FairnessSpec | None = None
    signoffs: list[SignoffRecord] = []
    #: Answers to earlier questionnaire versions that ``riskcheck migrate`` could not place.
    archived_answers: list[ArchivedAnswer] = []
    #: The runs of ``riskcheck migrate`` that moved the answers, oldest first. Like the
    #: sign-off records, a log of what was done to the file: the content hash leaves it out.
    migrated: list[MigrationRecord] = []

    @field_validator("answers", mode="before")
    @classmethod
    def _answers_mapping(cls, value: Any) -> Any:
        return {} if value is None else value


def split_answer(raw: Any) -> AnswerEntry:
    """An answer is either the value itself or ``{value, comment, evidence}``."""
    if isinstance(raw, dict):
        return AnswerEntry.model_validate(raw)
    return AnswerEntry(value=raw)
