"""Org units and employees through the services, on both engines."""

from __future__ import annotations

import pytest
from pydantic import ValidationError as PydanticValidationError

import keizer
from keizer.org import service as org
from keizer.org.schemas import EmployeeCreate, OrgUnitCreate

from factories import TEAMS, employees, org_units


def test_hierarchy_loads_in_any_order_and_links_parents(workspace: keizer.Workspace) -> None:
    result = workspace.add_org_units(org_units())  # children come before their parents
    assert result.inserted == 6
    with workspace.unit_of_work() as session:
        units = {u.source_key: u for u in org.list_org_units(session=session)}
        teams = org.list_org_units(session=session, kind="team")
    assert units["org"].parent_id is None
    assert units["loc-1"].parent_id == units["org"].id
    assert units["dep-1"].parent_id == units["loc-1"].id
    assert {t.source_key for t in teams} == set(TEAMS)
    assert all(t.parent_id == units["dep-1"].id for t in teams)


def test_reloading_is_idempotent_and_corrections_update(workspace: keizer.Workspace) -> None:
    workspace.add_org_units(org_units())
    again = workspace.add_org_units(org_units())
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)
    renamed = [u.model_copy(update={"name": "Renamed"}) if u.source_key == "team-a" else u
               for u in org_units()]  # fmt: skip
    result = workspace.add_org_units(renamed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 5)
    with workspace.unit_of_work() as session:
        assert org.get_org_unit(session=session, source_key="team-a").name == "Renamed"
    assert workspace.counts()["org_units"] == 6


def test_cycles_and_unknown_parents_are_refused(workspace: keizer.Workspace) -> None:
    cycle = [
        OrgUnitCreate(source_key="a", name="A", kind="team", parent_key="b"),
        OrgUnitCreate(source_key="b", name="B", kind="department", parent_key="a"),
    ]
    with pytest.raises(keizer.ValidationError, match="cycle"):
        workspace.add_org_units(cycle)
    orphan = [OrgUnitCreate(source_key="t", name="T", kind="team", parent_key="nowhere")]
    with pytest.raises(keizer.UnknownReferenceError, match="parent units: nowhere"):
        workspace.add_org_units(orphan)
    assert workspace.counts()["org_units"] == 0


def test_employees_are_pseudonymised_and_keep_only_a_birth_year_band(
    workspace: keizer.Workspace,
) -> None:
    workspace.add_org_units(org_units())
    assert workspace.add_employees(employees(12)).inserted == 12
    pseudonym = workspace.pseudonymiser.pseudonym("employee", "EMP00004")
    with workspace.unit_of_work() as session:
        found = org.get_employee(session=session, pseudonym=pseudonym)
        team_b = org.get_org_unit(session=session, source_key="team-b")
        in_team_b = org.list_employees(session=session, team_id=team_b.id)
    assert found.birth_year_band == "1970-1974"  # born 1974
    assert found.team_id == team_b.id
    assert found.work_mode == "home"  # 4 % 3 == 1
    assert len(in_team_b) == 4


def test_employee_input_is_validated() -> None:
    with pytest.raises(PydanticValidationError, match="leave_date is before hire_date"):
        EmployeeCreate(source_id="E", hire_date="2024-01-02", leave_date="2024-01-01")
    with pytest.raises(PydanticValidationError, match="not a date"):
        EmployeeCreate(source_id="E", birth_year_band="01/02/1980")
    with pytest.raises(PydanticValidationError):
        EmployeeCreate(source_id="E", work_mode="beach")
    with pytest.raises(PydanticValidationError):
        EmployeeCreate(source_id="E", fte=0)


def test_unknown_teams_are_named_in_the_error(workspace: keizer.Workspace) -> None:
    workspace.add_org_units(org_units())
    with pytest.raises(keizer.UnknownReferenceError, match="unknown teams: team-x"):
        workspace.add_employees([EmployeeCreate(source_id="E1", team_key="team-x")])


def test_not_found_is_a_keizer_error(workspace: keizer.Workspace) -> None:
    with workspace.unit_of_work() as session, pytest.raises(keizer.NotFoundError):
        org.get_org_unit(session=session, source_key="missing")
