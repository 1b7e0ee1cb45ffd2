"""Tables of the organisation: units in a hierarchy, and (pseudonymised) employees."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column, id_column, one_of

ORG_UNIT_KINDS = ("organisation", "location", "department", "team")
WORK_MODES = ("office", "home", "hybrid")
ROLES = ("agent", "team_lead", "manager", "board", "staff")


class OrgUnit(Base):
    """A unit of the organisation; ``kind`` runs organisation > location > department > team."""

    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint(one_of("kind", ORG_UNIT_KINDS), name="kind"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_period"
        ),
    )

    id: Mapped[int] = id_column("org_unit")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()


class Employee(Base):
    """An employee, known only by pseudonym; the source system's id is never stored."""

    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint(one_of("work_mode", WORK_MODES, nullable=True), name="work_mode"),
        CheckConstraint("fte IS NULL OR (fte > 0 AND fte <= 1.5)", name="fte"),
        CheckConstraint(
            "leave_date IS NULL OR hire_date IS NULL OR leave_date >= hire_date",
            name="employment_period",
        ),
    )

    id: Mapped[int] = id_column("employee")
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    manager_pseudonym: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20), server_default="agent")
    hire_date: Mapped[date | None] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    work_mode: Mapped[str | None] = mapped_column(String(10))
    fte: Mapped[float | None] = mapped_column(Double)
    birth_year_band: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = created_at_column()
