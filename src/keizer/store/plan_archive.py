"""Anonymity plans kept in the store, so that a new process finds them.

Building the anonymity plans of a real organisation takes seconds; every CLI command and every
restarted server would pay it again. The metrics layer files each plan it builds here under
a key made from the digests of the data it was built from (``keizer.metrics._plan_cache``),
so a stored plan can never serve other data. Only the latest :data:`KEEP` plans are kept.
Failing to read or write this cache never fails a figure: the plan is then built anew.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, LargeBinary, String, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column

log = logging.getLogger("keizer.store")
KEEP = 200


class StoredPlan(Base):
    """One anonymity plan (an Arrow IPC stream), by the hash of its data's digests."""

    __tablename__ = "anonymity_plan"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_at_column()


class StoredPlans:
    """The ``anonymity_plan`` table as a :class:`keizer.metrics._plan_cache.PlanArchive`."""

    def __init__(self, engine: Engine, keep: int = KEEP) -> None:
        self._engine = engine
        self._keep = keep

    def load(self, key: str) -> bytes | None:
        try:
            with self._engine.connect() as connection:
                row = connection.execute(
                    text("SELECT payload FROM anonymity_plan WHERE key = :key"), {"key": key}
                ).first()
        except SQLAlchemyError:  # e.g. a store of an older schema, being upgraded
            log.debug("could not read a stored anonymity plan", exc_info=True)
            return None
        return None if row is None else bytes(row[0])

    def save(self, key: str, payload: bytes) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO anonymity_plan (key, payload) VALUES (:key, :payload) "
                        "ON CONFLICT (key) DO NOTHING"
                    ),
                    {"key": key, "payload": payload},
                )
                connection.execute(
                    text(
                        "DELETE FROM anonymity_plan WHERE key NOT IN (SELECT key FROM "
                        "anonymity_plan ORDER BY created_at DESC, key LIMIT :keep)"
                    ),
                    {"keep": self._keep},
                )
        except SQLAlchemyError:  # another process filed it, or the store is busy: no matter
            log.debug("could not store an anonymity plan", exc_info=True)
