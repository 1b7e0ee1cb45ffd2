"""Corrections of stored rows that other rows refer to update in place, on both engines.

On DuckDB these used to fail: its foreign keys made an update of an indexed column a delete and
an insert, refused while other rows referred to the row (see migration 0005).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import keizer
from keizer.feedback import service as feedback
from keizer.ingest.issues import ImportValidationError
from keizer.ingest.service import ImportResult
from keizer.workspace import TableName

UNITS = (
    "source_key,name,kind,parent_key\norg,Agency,organisation,\ndep-1,Service,department,org\n"
    "dep-2,Sales,department,org\nteam-a,Team A,team,dep-1\nteam-b,Team B,team,dep-1\n"
)
STAFF = "employee_id,team,fte\nE1,team-a,1\nE2,team-b,0.8\n"
CALLS = (
    "interaction_id,channel,started_at,customer_id,employee_id,team,talk_s\n"
    "I1,phone,2025-03-01 09:00,K1,E1,team-a,120\nI2,chat,2025-03-01 09:30,K2,E2,team-b,60\n"
)
RESPONSES = (
    "response_id,submitted_at,interaction_id,team,channel,nps,ces,comment\n"
    "S1,2025-03-02 09:00,I1,team-a,phone,9,6,fijn\nS2,2025-03-02 10:00,I2,team-b,chat,3,2,traag\n"
)
HR = "employee_id,kind,event_date\nE1,hire,2024-01-01\nE2,hire,2024-02-01\n"
ABSENCE = "employee_id,start_date,end_date\nE2,2025-01-06,\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def linked(workspace: keizer.Workspace, tmp_path: Path) -> keizer.Workspace:
    """Units, employees with HR events and absence, interactions and responses with answers:
    every row below is referred to by others."""
    for kind, text in [("org-units", UNITS), ("employees", STAFF), ("hr-events", HR),
                       ("absence", ABSENCE), ("interactions", CALLS)]:  # fmt: skip
        workspace.import_file(write(tmp_path, f"{kind}.csv", text), kind)
    workspace.import_file(write(tmp_path, "responses.csv", RESPONSES), "responses", survey="cx")
    return workspace


def changes(imported: ImportResult) -> tuple[int, int, int]:
    r = imported.result
    return r.inserted, r.updated, r.unchanged


def by_key(ws: keizer.Workspace, table: TableName) -> pd.DataFrame:
    return ws.table(table).to_pandas().set_index("source_key")


def test_a_corrected_response_with_answers_updates_in_place(
    linked: keizer.Workspace, tmp_path: Path
) -> None:
    before = by_key(linked, "responses")
    # S1 now follows I2, has another channel, team and answers; S2 is as it was
    corrected = RESPONSES.replace("S1,2025-03-02 09:00,I1,team-a,phone,9,6,fijn",
                                  "S1,2025-03-02 09:00,I2,team-b,chat,10,7,heel fijn")  # fmt: skip
    result = linked.import_file(write(tmp_path, "fixed.csv", corrected), "responses", survey="cx")
    assert changes(result) == (0, 1, 1)
    after = by_key(linked, "responses")
    interactions = by_key(linked, "interactions").id
    teams = by_key(linked, "org_units").id
    assert after.loc["S1", "id"] == before.loc["S1", "id"]
    assert after.loc["S1", "interaction_id"] == interactions["I2"]
    assert after.loc["S1", "team_id"] == teams["team-b"]
    assert after.loc["S1", "channel"] == "chat"
    with linked.unit_of_work() as session:
        answers = feedback.answers_of(session=session, source_key="S1")
    assert answers == {"nps": 10.0, "ces": 7.0, "comment": "heel fijn"}
    assert linked.counts()["answers"] == 6


def test_a_corrected_interaction_that_responses_follow_updates_in_place(
    linked: keizer.Workspace, tmp_path: Path
) -> None:
    before = by_key(linked, "interactions")
    corrected = CALLS.replace("I1,phone,2025-03-01 09:00,K1,E1,team-a,120",
                              "I1,email,2025-03-01 09:00,K3,E2,team-b,95")  # fmt: skip
    result = linked.import_file(write(tmp_path, "fixed.csv", corrected), "interactions")
    assert changes(result) == (0, 1, 1)
    after = by_key(linked, "interactions")
    assert after.loc["I1", "id"] == before.loc["I1", "id"]
    assert (after.loc["I1", "channel"], after.loc["I1", "talk_s"]) == ("email", 95.0)
    assert after.loc["I1", "team_id"] == by_key(linked, "org_units").id["team-b"]
    assert after.loc["I1", "employee_id"] == after.loc["I2", "employee_id"]
    assert by_key(linked, "responses").loc["S1", "interaction_id"] == before.loc["I1", "id"]


def test_a_renamed_and_moved_team_with_employees_updates_in_place(
    linked: keizer.Workspace, tmp_path: Path
) -> None:
    corrected = UNITS.replace("team-a,Team A,team,dep-1", "team-a,Team Alpha,team,dep-2")
    result = linked.import_file(write(tmp_path, "fixed.csv", corrected), "org-units")
    assert changes(result) == (0, 1, 4)
    units = by_key(linked, "org_units")
    assert units.loc["team-a", "name"] == "Team Alpha"
    assert units.loc["team-a", "parent_id"] == units.loc["dep-2", "id"]


def test_a_corrected_employee_with_events_and_contacts_updates_in_place(
    linked: keizer.Workspace, tmp_path: Path
) -> None:
    corrected = STAFF.replace("E2,team-b,0.8", "E2,team-a,0.6")
    result = linked.import_file(write(tmp_path, "fixed.csv", corrected), "employees")
    assert changes(result) == (0, 1, 1)
    employees = linked.table("employees").to_pandas()
    moved = employees[employees.fte == 0.6]
    assert len(moved) == 1
    assert moved.team_id.iloc[0] == by_key(linked, "org_units").id["team-a"]
    assert linked.counts()["employees"] == 2


def test_unknown_references_in_a_file_are_named_by_row_and_column(
    linked: keizer.Workspace, tmp_path: Path
) -> None:
    before = linked.counts()
    text = RESPONSES + "S3,2025-03-02 11:00,I9,team-z,phone,5,4,\n"
    with pytest.raises(ImportValidationError) as raised:
        linked.import_file(write(tmp_path, "ghosts.csv", text), "responses", survey="cx")
    found = {(i.row, i.column, i.value, i.expected.split(" (")[0]) for i in raised.value.issues}
    assert found == {(4, "interaction_id", "I9", "a known interaction"),
                     (4, "team", "team-z", "a known team")}  # fmt: skip
    assert {i.source for i in raised.value.issues} == {"ghosts.csv"}
    assert linked.counts() == {**before, "import_batches": before["import_batches"] + 1}
