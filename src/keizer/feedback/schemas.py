"""What goes in and out of the feedback feature."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from keizer.store.types import InputModel, SourceId, SourceKey, UTCDateTime

Audience = Literal["customer", "employee"]
SurveyKind = Literal["transactional", "pulse", "census", "onboarding", "exit"]
Metric = Literal[
    "nps", "csat", "ces", "enps", "ees", "ees_time", "ees_information", "ees_authority",
    "ees_competence", "engagement", "wellbeing", "stress", "manager_rating", "emotion",
    "open_goal", "open_friction", "open_comment", "other",
]  # fmt: skip
Language = Literal["nl", "en"]
Role = Literal["agent", "team_lead", "manager", "board", "staff"]
Channel = Literal["phone", "email", "chat", "social", "counter"]


class QuestionCreate(InputModel):
    """A question; ``code`` is unique within its survey and names it in responses."""

    code: str = Field(min_length=1, max_length=100)
    metric: Metric
    scale_min: float | None = None
    scale_max: float | None = None
    text_nl: str | None = None
    text_en: str | None = None

    @model_validator(mode="after")
    def _scale(self) -> QuestionCreate:
        if (self.scale_min is None) != (self.scale_max is None):
            raise ValueError("give both scale_min and scale_max, or neither")
        if self.scale_min is not None and self.scale_max is not None \
                and self.scale_max <= self.scale_min:  # fmt: skip
            raise ValueError("scale_max must be above scale_min")
        return self


class SurveyCreate(InputModel):
    """A survey with its questions in order."""

    source_key: SourceKey
    name: str = Field(min_length=1, max_length=300)
    audience: Audience
    kind: SurveyKind
    languages: tuple[Language, ...] = ("nl", "en")
    questions: tuple[QuestionCreate, ...] = ()

    @model_validator(mode="after")
    def _unique_codes(self) -> SurveyCreate:
        codes = [q.code for q in self.questions]
        if len(codes) != len(set(codes)):
            raise ValueError("question codes must be unique within a survey")
        return self


class QuestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    metric: Metric
    scale_min: float | None
    scale_max: float | None
    position: int
    text_nl: str | None
    text_en: str | None


class SurveyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str
    name: str
    audience: Audience
    kind: SurveyKind
    languages: str
    questions: list[QuestionRead] = []


class ResponseCreate(InputModel):
    """A completed survey. ``answers`` maps question codes to a number or a text.

    CX responses name the interaction they follow; EX responses the respondent's team at the
    time. ``respondent_source_id`` is pseudonymised as a customer or an employee, following
    the survey's audience.
    """

    source_key: SourceKey
    survey_key: SourceKey
    submitted_at: UTCDateTime
    respondent_source_id: SourceId | None = None
    respondent_role: Role | None = None
    interaction_key: SourceKey | None = None
    team_key: SourceKey | None = None
    channel: Channel | None = None
    language: Language | None = None
    answers: dict[str, float | str | None] = Field(default_factory=dict)


class ResponseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str
    survey_id: int
    respondent_pseudonym: str | None
    respondent_role: Role | None
    interaction_id: int | None
    team_id: int | None
    channel: Channel | None
    submitted_at: datetime
    language: Language | None
