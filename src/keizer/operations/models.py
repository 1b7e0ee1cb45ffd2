"""Tables of operations: customers (pseudonymised) and the interactions agents handle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Double, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column, id_column, one_of

CHANNELS = ("phone", "email", "chat", "social", "counter")
VULNERABILITY_SOURCES = ("text", "operator")


class Customer(Base):
    """A customer, known only by pseudonym, with vulnerability flags (FCA's four drivers)."""

    __tablename__ = "customer"
    __table_args__ = (
        CheckConstraint(
            one_of("vulnerability_source", VULNERABILITY_SOURCES, nullable=True),
            name="vulnerability_source",
        ),
    )

    id: Mapped[int] = id_column("customer")
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    segment: Mapped[str | None] = mapped_column(String(100))
    vulnerable_health: Mapped[bool] = mapped_column(Boolean, server_default=false())
    vulnerable_life_event: Mapped[bool] = mapped_column(Boolean, server_default=false())
    vulnerable_resilience: Mapped[bool] = mapped_column(Boolean, server_default=false())
    vulnerable_capability: Mapped[bool] = mapped_column(Boolean, server_default=false())
    vulnerability_source: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = created_at_column()


class Interaction(Base):
    """One contact: a call, e-mail, chat, social message or counter visit."""

    __tablename__ = "interaction"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(
            "(talk_s IS NULL OR talk_s >= 0) AND (hold_s IS NULL OR hold_s >= 0) "
            "AND (after_call_s IS NULL OR after_call_s >= 0)",
            name="durations",
        ),
    )

    id: Mapped[int] = id_column("interaction")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    channel: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    talk_s: Mapped[float | None] = mapped_column(Double)
    hold_s: Mapped[float | None] = mapped_column(Double)
    after_call_s: Mapped[float | None] = mapped_column(Double)
    transferred: Mapped[bool | None] = mapped_column(Boolean)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = created_at_column()
