"""``keizer.store.bulk.append``: the fast path for rows known to be new, on both engines."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import keizer
from keizer.operations.models import Customer, Interaction
from keizer.operations.service import TEAM
from keizer.store.base import table_of
from keizer.store.bulk import append

from factories import TEAMS, populate_org

STARTED = pa.array([1_700_000_000_000_000, 1_700_000_060_000_000], pa.timestamp("us", tz="UTC"))


def contacts(keys: list[str], teams: list[str | None]) -> pa.Table:
    return pa.table(
        {
            "source_key": pa.array(keys),
            "channel": pa.array(["phone"] * len(keys)),
            "started_at": STARTED[: len(keys)],
            "talk_s": pa.array([120.5, None][: len(keys)], pa.float64()),
            "team_key": pa.array(teams, pa.string()),
        }
    )


def test_append_inserts_and_resolves_lookups(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    with workspace.unit_of_work() as session:
        connection = session.connection()
        customers = pa.table({"pseudonym": pa.array(["c1", "c2"]), "segment": ["private", None]})
        assert append(connection, target=table_of(Customer), rows=customers) == 2
        rows = contacts(["k1", "k2"], [TEAMS[0], None])
        inserted = append(connection, target=table_of(Interaction), rows=rows, lookups=[TEAM])
        assert inserted == 2
    with workspace.store.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT i.source_key, u.source_key, i.talk_s FROM interaction i "
                 "LEFT JOIN org_unit u ON u.id = i.team_id ORDER BY i.source_key")
        ).all()  # fmt: skip
        segments = connection.execute(
            text("SELECT pseudonym, segment FROM customer ORDER BY pseudonym")
        ).all()
    assert [tuple(r) for r in stored] == [("k1", TEAMS[0], 120.5), ("k2", None, None)]
    assert [tuple(r) for r in segments] == [("c1", "private"), ("c2", None)]


def test_an_unknown_reference_is_reported_and_rolled_back(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    before = workspace.counts()
    rows = contacts(["k1", "k2"], [TEAMS[0], "no-such-team"])
    with (
        pytest.raises(keizer.UnknownReferenceError, match="no-such-team"),
        workspace.unit_of_work() as session,
    ):
        append(session.connection(), target=table_of(Interaction), rows=rows, lookups=[TEAM])
    assert workspace.counts() == before


@pytest.mark.parametrize("keys", [["k1", "k1"], ["k0", "k2"]], ids=["in the batch", "stored"])
def test_a_key_is_never_merged(workspace: keizer.Workspace, keys: list[str]) -> None:
    populate_org(workspace)
    with workspace.unit_of_work() as session:
        append(
            session.connection(), target=table_of(Interaction),
            rows=contacts(["k0"], [TEAMS[0]]), lookups=[TEAM],
        )  # fmt: skip
    before = workspace.counts()
    rows = contacts(keys, [TEAMS[0], TEAMS[1]])
    with pytest.raises(IntegrityError), workspace.unit_of_work() as session:
        append(session.connection(), target=table_of(Interaction), rows=rows, lookups=[TEAM])
    assert workspace.counts() == before


def test_vouched_ids_are_not_looked_up(workspace: keizer.Workspace) -> None:
    """The caller vouches for ids it has just written (e.g. answers of responses it appended):
    DuckDB, which has no foreign keys on these tables, then skips the look-up; PostgreSQL's
    foreign keys still check them."""
    populate_org(workspace)
    rows = contacts(["k1"], [TEAMS[0]]).append_column("customer_id", pa.array([999_999]))
    refused = IntegrityError if workspace.engine == "postgresql" else keizer.UnknownReferenceError
    with pytest.raises(refused), workspace.unit_of_work() as session:
        append(session.connection(), target=table_of(Interaction), rows=rows, lookups=[TEAM])
    if workspace.engine == "postgresql":
        with pytest.raises(IntegrityError), workspace.unit_of_work() as session:
            append(session.connection(), target=table_of(Interaction), rows=rows,
                   lookups=[TEAM], vouched=["customer_id"])  # fmt: skip
        return
    with workspace.unit_of_work() as session:
        inserted = append(
            session.connection(), target=table_of(Interaction), rows=rows, lookups=[TEAM],
            vouched=["customer_id"],
        )  # fmt: skip
    assert inserted == 1
