"""Services of the operations feature: customers and interactions. They never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from keizer.errors import NotFoundError
from keizer.operations.models import Customer, Interaction
from keizer.operations.schemas import CustomerCreate, InteractionCreate, InteractionRead
from keizer.privacy import Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import Lookup, UpsertResult, upsert_records

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
    ensure_customers(session=session, pseudonyms=customers)
    records = []
    for interaction, customer, employee in zip(interactions, customers, employees, strict=True):
        record = interaction.model_dump(exclude={"customer_source_id", "employee_source_id"})
        record["customer_pseudonym"] = customer
        record["employee_pseudonym"] = employee
        records.append(record)
    return upsert_records(
        session.connection(),
        target=table_of(Interaction),
        records=records,
        conflict=["source_key"],
        lookups=[CUSTOMER, EMPLOYEE, TEAM],
    )


def get_interaction(*, session: Session, source_key: str) -> InteractionRead:
    """One interaction by its source key."""
    found = session.scalars(select(Interaction).where(Interaction.source_key == source_key)).first()
    if found is None:
        raise NotFoundError(f"no interaction with key {source_key!r}")
    return InteractionRead.model_validate(found)
