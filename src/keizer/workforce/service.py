"""Services of the workforce feature: HR events and absence spells. They never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from keizer.privacy import Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import Lookup, UpsertResult, upsert_records
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


def upsert_hr_events(
    *, session: Session, events: Sequence[HREventCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update HR events; the employees must exist."""
    records = []
    for event in events:
        pseudonym = pseudonymiser.pseudonym("employee", event.employee_source_id)
        record = event.model_dump(exclude={"employee_source_id"})
        record["source_key"] = event.source_key or f"{pseudonym}:{event.kind}:{event.event_date}"
        record["employee_pseudonym"] = pseudonym
        records.append(record)
    return upsert_records(
        session.connection(),
        target=table_of(HREvent),
        records=records,
        conflict=["source_key"],
        lookups=[EMPLOYEE],
    )


def upsert_absence_spells(
    *, session: Session, spells: Sequence[AbsenceSpellCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update absence spells; the employees must exist."""
    records = []
    for spell in spells:
        pseudonym = pseudonymiser.pseudonym("employee", spell.employee_source_id)
        record = spell.model_dump(exclude={"employee_source_id"})
        record["source_key"] = spell.source_key or f"{pseudonym}:{spell.start_date}"
        record["employee_pseudonym"] = pseudonym
        records.append(record)
    return upsert_records(
        session.connection(),
        target=table_of(AbsenceSpell),
        records=records,
        conflict=["source_key"],
        lookups=[EMPLOYEE],
    )


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
