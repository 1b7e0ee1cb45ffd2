"""The declarative base every feature's tables hang off, and column helpers for both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import BigInteger, DateTime, MetaData, Sequence, Table, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: all keizer tables share this metadata.

    A model's ``ForeignKey`` columns declare its references. PostgreSQL holds them all as
    foreign keys; on DuckDB the tables that imports write have none (migration 0005) and
    :mod:`keizer.store.bulk` checks these columns instead.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def id_column(table_name: str) -> Mapped[int]:
    """A surrogate key fed by a sequence; DuckDB has no SERIAL, both engines have sequences."""
    sequence = Sequence(f"{table_name}_id_seq")
    return mapped_column(
        BigInteger, sequence, server_default=sequence.next_value(), primary_key=True
    )


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def created_at_column() -> Mapped[datetime]:
    """When the row was first written, in UTC."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class."""
    return cast(Table, model.__table__)


def one_of(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    """SQL for a CHECK constraint limiting ``column`` to ``values``."""
    allowed = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed
