"""Tables of the comments feature: what text analytics found in each open answer, and
sentiment models trained on an organisation's own labelled comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Double, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column, id_column


class CommentAnalysis(Base):
    """The analysis of one open answer (response x question).

    ``text_md5`` is the MD5 of the analysed text, so a corrected answer is analysed again;
    ``analyser`` names what produced the sentiment (the lexicon, or a trained model).
    """

    __tablename__ = "comment_analysis"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    text_md5: Mapped[str] = mapped_column(String(32))
    analyser: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Double)
    emotions: Mapped[str | None] = mapped_column(String(200))
    themes: Mapped[str | None] = mapped_column(String(500))
    vulnerability: Mapped[str | None] = mapped_column(String(200))
    vulnerability_confidence: Mapped[float | None] = mapped_column(Double)
    redacted_text: Mapped[str | None] = mapped_column(Text)
    analysed_at: Mapped[datetime] = created_at_column()


class TextModel(Base):
    """A sentiment model trained with ``keizer text train`` (NumPy ``.npz`` bytes, no pickle)."""

    __tablename__ = "text_model"

    id: Mapped[int] = id_column("text_model")
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    training_rows: Mapped[int] = mapped_column(Integer)
    cv_macro_f1: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
