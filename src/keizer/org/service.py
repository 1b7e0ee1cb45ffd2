"""Services of the org feature: organisation units and employees. They never commit."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from keizer.errors import NotFoundError, ValidationError
from keizer.org.models import Employee, OrgUnit
from keizer.org.schemas import EmployeeCreate, EmployeeRead, OrgUnitCreate, OrgUnitRead
from keizer.privacy import Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import Lookup, UpsertResult, records_to_rows, upsert, upsert_records

PARENT = Lookup(column="parent_id", source="parent_key", table="org_unit", what="parent units")
TEAM = Lookup(column="team_id", source="team_key", table="org_unit", what="teams")


def upsert_org_units(*, session: Session, units: Sequence[OrgUnitCreate]) -> UpsertResult:
    """Insert or update units; parents may come in the same batch, in any order."""
    result = UpsertResult()
    for level in _parents_first(units):
        records = [unit.model_dump() for unit in level]
        result += upsert_records(
            session.connection(),
            target=table_of(OrgUnit),
            records=records,
            conflict=["source_key"],
            lookups=[PARENT],
        )
    return result


def _parents_first(units: Sequence[OrgUnitCreate]) -> list[list[OrgUnitCreate]]:
    """Group units by depth within the batch, so every parent is written before its children."""
    by_key = {unit.source_key: unit for unit in units}
    depth: dict[str, int] = {}

    def depth_of(key: str, seen: tuple[str, ...] = ()) -> int:
        if key in depth:
            return depth[key]
        if key in seen:
            raise ValidationError(f"org units form a cycle: {' > '.join((*seen, key))}")
        parent = by_key[key].parent_key
        depth[key] = 0 if parent not in by_key else depth_of(parent, (*seen, key)) + 1
        return depth[key]

    levels: dict[int, list[OrgUnitCreate]] = {}
    for unit in units:
        levels.setdefault(depth_of(unit.source_key), []).append(unit)
    return [levels[d] for d in sorted(levels)]


def get_org_unit(*, session: Session, source_key: str) -> OrgUnitRead:
    """One unit by its source key."""
    unit = session.scalars(select(OrgUnit).where(OrgUnit.source_key == source_key)).first()
    if unit is None:
        raise NotFoundError(f"no org unit with key {source_key!r}")
    return OrgUnitRead.model_validate(unit)


def list_org_units(*, session: Session, kind: str | None = None) -> list[OrgUnitRead]:
    """All units (optionally of one kind), ordered by id."""
    query = select(OrgUnit).order_by(OrgUnit.id)
    if kind is not None:
        query = query.where(OrgUnit.kind == kind)
    return [OrgUnitRead.model_validate(u) for u in session.scalars(query)]


def upsert_employees(
    *, session: Session, employees: Sequence[EmployeeCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update employees, keyed by the pseudonym of their source id."""
    records = [
        {
            "pseudonym": pseudonymiser.pseudonym("employee", e.source_id),
            "team_key": e.team_key,
            "manager_pseudonym": (
                pseudonymiser.pseudonym("employee", e.manager_source_id)
                if e.manager_source_id
                else None
            ),
            "role": e.role,
            "hire_date": e.hire_date,
            "leave_date": e.leave_date,
            "work_mode": e.work_mode,
            "fte": e.fte,
            "birth_year_band": e.band(),
        }
        for e in employees
    ]
    rows = records_to_rows(table_of(Employee), records, [TEAM])
    return upsert_employee_rows(session=session, rows=rows)


def upsert_employee_rows(*, session: Session, rows: pa.Table) -> UpsertResult:
    """Insert or update employees from an Arrow table of pseudonymised employee columns
    (``pseudonym``, ``team_key``, ``manager_pseudonym``, ``role``, ...)."""
    return upsert(
        session.connection(),
        target=table_of(Employee),
        rows=rows,
        conflict=["pseudonym"],
        lookups=[TEAM] if TEAM.source in rows.column_names else [],
    )


def get_employee(*, session: Session, pseudonym: str) -> EmployeeRead:
    """One employee by pseudonym."""
    employee = session.scalars(select(Employee).where(Employee.pseudonym == pseudonym)).first()
    if employee is None:
        raise NotFoundError("no employee with that pseudonym")
    return EmployeeRead.model_validate(employee)


def list_employees(*, session: Session, team_id: int | None = None) -> list[EmployeeRead]:
    """All employees (optionally of one team), ordered by id."""
    query = select(Employee).order_by(Employee.id)
    if team_id is not None:
        query = query.where(Employee.team_id == team_id)
    return [EmployeeRead.model_validate(e) for e in session.scalars(query)]
