"""Demo truth: what the generator planted, kept apart from the product's tables.

The product's analytics never read these tables (a test checks that no module outside
``keizer.demo`` names them); tests and benchmarks score analytics against them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base


class DemoCommentTruth(Base):
    """The true labels of one generated open answer."""

    __tablename__ = "demo_comment_truth"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    #: negative, neutral or positive
    sentiment: Mapped[str] = mapped_column(String(10))
    #: one of keizer.text's emotions, or none
    emotion: Mapped[str | None] = mapped_column(String(20))
    #: comma-separated theme codes (cx.*, ex.*), sorted; none when the comment has no theme
    themes: Mapped[str | None] = mapped_column(String(200))
    #: health, life_events, resilience or capability, when the comment discloses it
    vulnerability: Mapped[str | None] = mapped_column(String(20))
    #: the contact's topic, for answers to "what did you want to achieve?"
    intent: Mapped[str | None] = mapped_column(String(50))


class DemoFact(Base):
    """One fact about the generated organisation, as JSON (seed, effect sizes, intervention)."""

    __tablename__ = "demo_fact"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


DEMO_TABLES = ("demo_comment_truth", "demo_fact")
