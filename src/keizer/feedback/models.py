"""Tables of feedback: surveys and their questions, responses and answers (CX and EX)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column, id_column, one_of

AUDIENCES = ("customer", "employee")
SURVEY_KINDS = ("transactional", "pulse", "census", "onboarding", "exit")
METRICS = (
    "nps", "csat", "ces", "enps", "ees", "ees_time", "ees_information", "ees_authority",
    "ees_competence", "engagement", "wellbeing", "stress", "manager_rating", "emotion",
    "open_goal", "open_friction", "open_comment", "other",
)  # fmt: skip


class Survey(Base):
    """A questionnaire for customers (CX) or employees (EX)."""

    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint(one_of("audience", AUDIENCES), name="audience"),
        CheckConstraint(one_of("kind", SURVEY_KINDS), name="kind"),
    )

    id: Mapped[int] = id_column("survey")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    languages: Mapped[str] = mapped_column(String(50), server_default="nl,en")
    created_at: Mapped[datetime] = created_at_column()


class Question(Base):
    """A question of a survey; ``metric`` says which KPI its answers feed."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("survey_id", "code"),
        CheckConstraint(one_of("metric", METRICS), name="metric"),
        CheckConstraint(
            "scale_min IS NULL OR scale_max IS NULL OR scale_max > scale_min", name="scale"
        ),
    )

    id: Mapped[int] = id_column("question")
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    code: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(40))
    scale_min: Mapped[float | None] = mapped_column(Double)
    scale_max: Mapped[float | None] = mapped_column(Double)
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    text_nl: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)


class Response(Base):
    """One person's completed survey; CX responses link to an interaction, EX to a team."""

    __tablename__ = "response"

    id: Mapped[int] = id_column("response")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    respondent_pseudonym: Mapped[str | None] = mapped_column(String(64))
    respondent_role: Mapped[str | None] = mapped_column(String(20))
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    channel: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = created_at_column()


class Answer(Base):
    """The answer to one question within one response: a number, a text, or both."""

    __tablename__ = "answer"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    value_num: Mapped[float | None] = mapped_column(Double)
    value_text: Mapped[str | None] = mapped_column(Text)
