"""Customers, interactions, HR events and absence spells through the services."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError as PydanticValidationError

import keizer
from keizer.operations import service as operations
from keizer.operations.schemas import CustomerCreate, InteractionCreate
from keizer.workforce import service as workforce
from keizer.workforce.schemas import AbsenceSpellCreate, HREventCreate

from factories import interactions, populate_org


def test_interactions_create_customers_and_store_utc(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    local = InteractionCreate(
        source_key="local", channel="chat", started_at="2025-06-01T10:00:00+02:00",
        customer_source_id="C1", employee_source_id="EMP00001", team_key="team-b",
    )  # fmt: skip
    workspace.add_interactions([local, *interactions(10)])
    with workspace.unit_of_work() as session:
        stored = operations.get_interaction(session=session, source_key="local")
    assert stored.started_at == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    assert workspace.counts()["customers"] == 11
    assert (
        workspace.add_customers([CustomerCreate(source_id="C1", segment="business")]).updated == 1
    )


def test_interaction_input_is_validated() -> None:
    with pytest.raises(PydanticValidationError):
        InteractionCreate(source_key="x", channel="fax", started_at="2025-01-01")
    with pytest.raises(PydanticValidationError):
        InteractionCreate(source_key="x", channel="phone", started_at="2025-01-01", talk_s=-1)
    with pytest.raises(PydanticValidationError):
        InteractionCreate(source_key="", channel="phone", started_at="2025-01-01")


def test_unknown_employee_is_refused(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    ghost = InteractionCreate(source_key="g", channel="phone", started_at="2025-01-01",
                              employee_source_id="GHOST")  # fmt: skip
    with pytest.raises(keizer.UnknownReferenceError, match="unknown employees"):
        workspace.add_interactions([ghost])
    assert workspace.counts()["interactions"] == 0


def test_hr_events_and_absence_spells_get_natural_keys(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    events = [
        HREventCreate(employee_source_id="EMP00005", kind="hire", event_date="2020-06-05"),
        HREventCreate(employee_source_id="EMP00005", kind="leave", event_date="2025-01-31",
                      voluntary=True, reason="limited growth"),
    ]  # fmt: skip
    spells = [
        AbsenceSpellCreate(employee_source_id="EMP00005", start_date="2024-02-01",
                           end_date="2024-02-03"),
        AbsenceSpellCreate(employee_source_id="EMP00005", start_date="2024-09-01",
                           fraction=0.5, reason_class="psychological"),
    ]  # fmt: skip
    assert workspace.add_hr_events(events).inserted == 2
    assert workspace.add_absence_spells(spells).inserted == 2
    assert workspace.add_hr_events(events).unchanged == 2
    assert workspace.add_absence_spells(spells).unchanged == 2
    with workspace.unit_of_work() as session:
        stored_events = workforce.list_hr_events(session=session)
        stored_spells = workforce.list_absence_spells(
            session=session, employee_id=stored_events[0].employee_id
        )
    assert [e.kind for e in stored_events] == ["hire", "leave"]
    assert stored_events[1].voluntary is True
    assert stored_spells[1].end_date is None
    assert stored_spells[1].fraction == 0.5
    pseudonym = workspace.pseudonymiser.pseudonym("employee", "EMP00005")
    assert stored_spells[0].source_key == f"{pseudonym}:2024-02-01"


def test_absence_input_is_validated() -> None:
    with pytest.raises(PydanticValidationError, match="end_date is before start_date"):
        AbsenceSpellCreate(employee_source_id="E", start_date="2024-02-02", end_date="2024-02-01")
    with pytest.raises(PydanticValidationError):
        AbsenceSpellCreate(employee_source_id="E", start_date="2024-02-02", fraction=1.5)
