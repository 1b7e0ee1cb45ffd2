"""Pseudonymisation: stable, keyed, namespaced, and the raw ids are stored nowhere."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from sqlalchemy import text

import keizer
from keizer.config import Settings
from keizer.feedback.schemas import ResponseCreate
from keizer.operations.schemas import InteractionCreate
from keizer.org.schemas import EmployeeCreate
from keizer.privacy import Pseudonymiser
from keizer.workforce.schemas import AbsenceSpellCreate, HREventCreate
from keizer.workspace import TABLES

from factories import CX_SURVEY, TEAMS, org_units

RAW_EMPLOYEE = "EMPLOYEE-RAW-ID-7731902"
RAW_MANAGER = "MANAGER-RAW-ID-5518830"
RAW_CUSTOMER = "CUSTOMER-RAW-ID-4402917"


def test_same_id_and_secret_give_the_same_pseudonym() -> None:
    a, b = Pseudonymiser("secret-one"), Pseudonymiser("secret-one")
    assert a.pseudonym("employee", "E1") == b.pseudonym("employee", "E1")
    assert a.pseudonym("employee", " E1 ") == a.pseudonym("employee", "E1")
    assert a.pseudonym("employee", "E1") != a.pseudonym("employee", "E2")
    assert a.pseudonym("employee", "E1") != Pseudonymiser("secret-two").pseudonym("employee", "E1")
    assert a.pseudonym("employee", "E1") != a.pseudonym("customer", "E1")
    assert len(a.pseudonym("customer", "x")) == 32
    assert a.pseudonyms("customer", ["x", None, "x"]) == [a.pseudonym("customer", "x"), None,
                                                          a.pseudonym("customer", "x")]  # fmt: skip


@pytest.mark.parametrize(
    "secret", ["short", "k" * 64, "a much longer secret " * 8, "ünïcode-sleutel"]
)
def test_pseudonym_is_hmac_sha256_of_kind_and_id(secret: str) -> None:
    expected = hmac.new(secret.encode(), b"employee\x1fE 42", hashlib.sha256).hexdigest()
    assert Pseudonymiser(secret).pseudonym("employee", " E 42 ") == expected[:32]


def _write_people(ws: keizer.Workspace) -> None:
    ws.add_org_units(org_units())
    ws.add_employees(
        [
            EmployeeCreate(source_id=RAW_MANAGER, team_key=TEAMS[0], role="team_lead"),
            EmployeeCreate(source_id=RAW_EMPLOYEE, team_key=TEAMS[0],
                           manager_source_id=RAW_MANAGER),
        ]
    )  # fmt: skip
    ws.add_interactions(
        [
            InteractionCreate(
                source_key="I1", channel="phone", started_at="2025-01-02T10:00:00+01:00",
                customer_source_id=RAW_CUSTOMER, employee_source_id=RAW_EMPLOYEE,
            )
        ]
    )  # fmt: skip
    ws.add_survey(CX_SURVEY)
    ws.add_responses(
        [
            ResponseCreate(source_key="R1", survey_key=CX_SURVEY.source_key,
                           submitted_at="2025-01-02T11:00:00Z", interaction_key="I1",
                           respondent_source_id=RAW_CUSTOMER, answers={"nps": 9})
        ]
    )  # fmt: skip
    ws.add_hr_events(
        [HREventCreate(employee_source_id=RAW_EMPLOYEE, kind="hire", event_date="2024-01-01")]
    )
    ws.add_absence_spells(
        [AbsenceSpellCreate(employee_source_id=RAW_EMPLOYEE, start_date="2025-02-01")]
    )


def test_people_join_across_files_by_pseudonym(workspace: keizer.Workspace) -> None:
    _write_people(workspace)
    employees = workspace.table("employees").to_pandas()
    expected = workspace.pseudonymiser.pseudonym("employee", RAW_EMPLOYEE)
    agent = employees[employees.pseudonym == expected]
    assert len(agent) == 1
    assert agent.manager_pseudonym.iloc[0] == workspace.pseudonymiser.pseudonym(
        "employee", RAW_MANAGER
    )
    interaction = workspace.table("interactions").to_pandas().iloc[0]
    assert interaction.employee_id == agent.id.iloc[0]
    response = workspace.table("responses").to_pandas().iloc[0]
    assert response.respondent_pseudonym == workspace.pseudonymiser.pseudonym(
        "customer", RAW_CUSTOMER
    )
    spells = workspace.table("absence_spells").to_pandas()
    assert spells.employee_id.tolist() == [agent.id.iloc[0]]


def test_raw_ids_never_reach_the_duckdb_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "private.duckdb"
    with keizer.open(str(path), settings=settings) as ws:
        _write_people(ws)
        assert ws.counts()["employees"] == 2
    files = [p for p in tmp_path.iterdir() if p.name.startswith("private.duckdb")]
    assert files
    content = b"".join(p.read_bytes() for p in files)
    assert CX_SURVEY.name.encode() in content
    for raw in (RAW_EMPLOYEE, RAW_MANAGER, RAW_CUSTOMER):
        assert raw.encode() not in content
        assert raw.encode("utf-16-le") not in content


def test_raw_ids_never_reach_postgresql(postgres_url: str, settings: Settings) -> None:
    with keizer.open(postgres_url, settings=settings) as ws:
        _write_people(ws)
        with ws.store.engine.connect() as connection:
            for table in TABLES.values():
                dump = " ".join(
                    str(row) for row in connection.execute(text(f"SELECT t::text FROM {table} t"))
                )
                for raw in (RAW_EMPLOYEE, RAW_MANAGER, RAW_CUSTOMER):
                    assert raw not in dump, table
