"""Services of the workforce feature: HR events and absence spells. They never commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from keizer.privacy import Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import Lookup, UpsertResult, records_to_rows, upsert
from keizer.workforce.models import AbsenceSpell, HREvent
from keizer.workforce.schemas import (
    AbsenceSpellCreate,
    AbsenceSpellRead,
    HREventCreate,
    HREventRead,
)

EMPLOYEE = Lookup(
    column="employee_id", source="employee_pseudonym", table="employee", key="pseudonym",
    what="employees",
)  # fmt: skip


def hr_event_key(employee_pseudonym: str, kind: str, event_date: object) -> str:
    """The natural key of an HR event without a source key of its own."""
    return f"{employee_pseudonym}:{kind}:{event_date}"


def absence_key(employee_pseudonym: str, start_date: object) -> str:
    """The natural key of an absence spell without a source key of its own."""
    return f"{employee_pseudonym}:{start_date}"


def upsert_hr_events(
    *, session: Session, events: Sequence[HREventCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update HR events; the employees must exist."""
    rows = _employee_rows(
        table_of(HREvent), events, pseudonymiser, lambda e, p: hr_event_key(p, e.kind, e.event_date)
    )
    return upsert_hr_event_rows(session=session, rows=rows)


def upsert_absence_spells(
    *, session: Session, spells: Sequence[AbsenceSpellCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update absence spells; the employees must exist."""
    rows = _employee_rows(
        table_of(AbsenceSpell), spells, pseudonymiser, lambda s, p: absence_key(p, s.start_date)
    )
    return upsert_absence_rows(session=session, rows=rows)


def upsert_hr_event_rows(*, session: Session, rows: pa.Table) -> UpsertResult:
    """Insert or update HR events from an Arrow table with ``employee_pseudonym``."""
    return upsert(
        session.connection(), target=table_of(HREvent), rows=rows, conflict=["source_key"],
        lookups=[EMPLOYEE],
    )  # fmt: skip


def upsert_absence_rows(*, session: Session, rows: pa.Table) -> UpsertResult:
    """Insert or update absence spells from an Arrow table with ``employee_pseudonym``."""
    return upsert(
        session.connection(), target=table_of(AbsenceSpell), rows=rows, conflict=["source_key"],
        lookups=[EMPLOYEE],
    )  # fmt: skip


def _employee_rows(
    target: Table,
    items: Sequence[HREventCreate] | Sequence[AbsenceSpellCreate],
    pseudonymiser: Pseudonymiser,
    default_key: Callable[[Any, str], str],
) -> pa.Table:
    records = []
    for item in items:
        pseudonym = pseudonymiser.pseudonym("employee", item.employee_source_id)
        record = item.model_dump(exclude={"employee_source_id"})
        record["source_key"] = item.source_key or default_key(item, pseudonym)
        record["employee_pseudonym"] = pseudonym
        records.append(record)
    return records_to_rows(target, records, [EMPLOYEE])


def list_hr_events(*, session: Session, employee_id: int | None = None) -> list[HREventRead]:
    """HR events (optionally of one employee) in date order."""
    query = select(HREvent).order_by(HREvent.event_date, HREvent.id)
    if employee_id is not None:
        query = query.where(HREvent.employee_id == employee_id)
    return [HREventRead.model_validate(e) for e in session.scalars(query)]


def list_absence_spells(
    *, session: Session, employee_id: int | None = None
) -> list[AbsenceSpellRead]:
    """Absence spells (optionally of one employee) in start order."""
    query = select(AbsenceSpell).order_by(AbsenceSpell.start_date, AbsenceSpell.id)
    if employee_id is not None:
        query = query.where(AbsenceSpell.employee_id == employee_id)
    return [AbsenceSpellRead.model_validate(s) for s in session.scalars(query)]
