"""Services of the operations feature: customers and interactions. They never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from keizer.errors import NotFoundError
from keizer.operations.models import Customer, Interaction
from keizer.operations.schemas import CustomerCreate, InteractionCreate, InteractionRead
from keizer.privacy import Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import Lookup, UpsertResult, records_to_rows, upsert, upsert_records

CUSTOMER = Lookup(
    column="customer_id", source="customer_pseudonym", table="customer", key="pseudonym",
    what="customers",
)  # fmt: skip
EMPLOYEE = Lookup(
    column="employee_id", source="employee_pseudonym", table="employee", key="pseudonym",
    what="employees",
)  # fmt: skip
TEAM = Lookup(column="team_id", source="team_key", table="org_unit", what="teams")


def upsert_customers(
    *, session: Session, customers: Sequence[CustomerCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update customers, keyed by the pseudonym of their source id."""
    records = [
        {"pseudonym": pseudonymiser.pseudonym("customer", c.source_id), "segment": c.segment}
        for c in customers
    ]
    return upsert_records(
        session.connection(), target=table_of(Customer), records=records, conflict=["pseudonym"]
    )


def ensure_customers(*, session: Session, pseudonyms: Iterable[str | None]) -> None:
    """Make sure a customer row exists for every pseudonym (customers are often implicit)."""
    distinct = sorted({p for p in pseudonyms if p is not None})
    upsert_records(
        session.connection(),
        target=table_of(Customer),
        records=[{"pseudonym": p} for p in distinct],
        conflict=["pseudonym"],
    )


def upsert_interaction_rows(*, session: Session, rows: pa.Table) -> UpsertResult:
    """Insert or update interactions from an Arrow table whose persons are already
    pseudonymised: the interaction columns plus ``customer_pseudonym``,
    ``employee_pseudonym`` and ``team_key``."""
    if "customer_pseudonym" in rows.column_names:
        customers = pc.unique(rows["customer_pseudonym"]).to_pylist()
        ensure_customers(session=session, pseudonyms=customers)
    lookups = [lk for lk in (CUSTOMER, EMPLOYEE, TEAM) if lk.source in rows.column_names]
    return upsert(
        session.connection(),
        target=table_of(Interaction),
        rows=rows,
        conflict=["source_key"],
        lookups=lookups,
    )


def upsert_interactions(
    *,
    session: Session,
    interactions: Sequence[InteractionCreate],
    pseudonymiser: Pseudonymiser,
) -> UpsertResult:
    """Insert or update interactions by ``source_key``; unknown customers are created,
    unknown employees and teams are refused."""
    customers = pseudonymiser.pseudonyms("customer", (i.customer_source_id for i in interactions))
    employees = pseudonymiser.pseudonyms("employee", (i.employee_source_id for i in interactions))
    records = []
    for interaction, customer, employee in zip(interactions, customers, employees, strict=True):
        record = interaction.model_dump(exclude={"customer_source_id", "employee_source_id"})
        record["customer_pseudonym"] = customer
        record["employee_pseudonym"] = employee
        records.append(record)
    rows = records_to_rows(table_of(Interaction), records, [CUSTOMER, EMPLOYEE, TEAM])
    return upsert_interaction_rows(session=session, rows=rows)


def get_interaction(*, session: Session, source_key: str) -> InteractionRead:
    """One interaction by its source key."""
    found = session.scalars(select(Interaction).where(Interaction.source_key == source_key)).first()
    if found is None:
        raise NotFoundError(f"no interaction with key {source_key!r}")
    return InteractionRead.model_validate(found)
