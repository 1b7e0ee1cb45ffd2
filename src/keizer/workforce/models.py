"""Tables of the workforce: HR events (hires, leavers, ...) and absence spells."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column, id_column, one_of

HR_EVENT_KINDS = ("hire", "leave", "transfer", "promotion", "upskill")


class HREvent(Base):
    """Something that happened to an employee's employment on a date."""

    __tablename__ = "hr_event"
    __table_args__ = (CheckConstraint(one_of("kind", HR_EVENT_KINDS), name="kind"),)

    id: Mapped[int] = id_column("hr_event")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    kind: Mapped[str] = mapped_column(String(20))
    event_date: Mapped[date] = mapped_column(Date)
    voluntary: Mapped[bool | None] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class AbsenceSpell(Base):
    """A sickness absence spell; an open ``end_date`` means it is ongoing.

    ``fraction`` is the share of the working time missed (1 = fully absent, 0.5 = half
    recovered), as the Dutch verzuim conventions count partial recovery.
    """

    __tablename__ = "absence_spell"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        CheckConstraint("fraction > 0 AND fraction <= 1", name="fraction"),
    )

    id: Mapped[int] = id_column("absence_spell")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    fraction: Mapped[float] = mapped_column(Double, server_default="1")
    reason_class: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = created_at_column()
