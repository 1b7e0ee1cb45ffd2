"""Small, valid inputs for the services, and a CLI runner, shared by the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import keizer
from keizer.feedback.schemas import QuestionCreate, ResponseCreate, SurveyCreate
from keizer.operations.schemas import InteractionCreate
from keizer.org.schemas import EmployeeCreate, OrgUnitCreate

TEAMS = ("team-a", "team-b", "team-c")
CX_SURVEY = SurveyCreate(
    source_key="cx-after-contact",
    name="After your contact",
    audience="customer",
    kind="transactional",
    questions=(
        QuestionCreate(code="nps", metric="nps", scale_min=0, scale_max=10,
                       text_nl="Hoe waarschijnlijk...", text_en="How likely..."),
        QuestionCreate(code="ces", metric="ces", scale_min=1, scale_max=7),
        QuestionCreate(code="friction", metric="open_friction"),
    ),
)  # fmt: skip
EX_SURVEY = SurveyCreate(
    source_key="ex-pulse",
    name="Monthly pulse",
    audience="employee",
    kind="pulse",
    questions=(
        QuestionCreate(code="enps", metric="enps", scale_min=0, scale_max=10),
        QuestionCreate(code="ees", metric="ees", scale_min=1, scale_max=7),
    ),
)
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def org_units() -> list[OrgUnitCreate]:
    """An organisation with one location, one department and three teams (children first)."""
    units = [
        OrgUnitCreate(source_key=key, name=key.title(), kind="team", parent_key="dep-1")
        for key in TEAMS
    ]
    units += [
        OrgUnitCreate(source_key="dep-1", name="Service", kind="department", parent_key="loc-1"),
        OrgUnitCreate(source_key="loc-1", name="Utrecht", kind="location", parent_key="org"),
        OrgUnitCreate(source_key="org", name="Agency", kind="organisation"),
    ]
    return units


def employees(n: int = 30) -> list[EmployeeCreate]:
    return [
        EmployeeCreate(
            source_id=f"EMP{i:05d}",
            team_key=TEAMS[i % len(TEAMS)],
            role="team_lead" if i < len(TEAMS) else "agent",
            hire_date=date(2020, 1, 1) + timedelta(days=37 * i),
            work_mode=("office", "home", "hybrid")[i % 3],
            fte=0.8,
            birth_year=1970 + i,
        )
        for i in range(n)
    ]


def interactions(n: int, *, employees_n: int = 30, offset: int = 0) -> list[InteractionCreate]:
    channels = ("phone", "email", "chat")
    return [
        InteractionCreate(
            source_key=f"INT{i:07d}",
            channel=channels[i % 3],
            started_at=T0 + timedelta(minutes=i),
            customer_source_id=f"CUST{i % 5000:05d}",
            employee_source_id=f"EMP{i % employees_n:05d}",
            team_key=TEAMS[(i % employees_n) % len(TEAMS)],
            talk_s=float(60 + i % 600),
            hold_s=float(i % 30),
            after_call_s=float(i % 90),
            transferred=i % 7 == 0,
            resolved=i % 5 != 0,
            topic=f"topic-{i % 12}",
        )
        for i in range(offset, offset + n)
    ]


def cx_responses(n: int) -> list[ResponseCreate]:
    """Responses to CX_SURVEY, one per interaction INT0000000.. (which must exist)."""
    return [
        ResponseCreate(
            source_key=f"RESP{i:07d}",
            survey_key=CX_SURVEY.source_key,
            submitted_at=T0 + timedelta(minutes=i, seconds=30),
            respondent_source_id=f"CUST{i % 5000:05d}",
            interaction_key=f"INT{i:07d}",
            channel=("phone", "email", "chat")[i % 3],
            language="nl" if i % 5 else "en",
            answers={"nps": float(i % 11), "ces": float(1 + i % 7),
                     **({"friction": f"wachttijd {i}"} if i % 4 == 0 else {})},
        )
        for i in range(n)
    ]  # fmt: skip


OPEN_PULSE = SurveyCreate(
    source_key="pulse-open",
    name="Pulse with a comment",
    audience="employee",
    kind="pulse",
    questions=(
        QuestionCreate(code="enps", metric="enps", scale_min=0, scale_max=10),
        QuestionCreate(code="comment", metric="open_comment"),
    ),
)
#: commenting employees per team in March 2025: team-c alone is too small for comments (10),
#: and so team-b may not be shown either (the department minus team-a and team-b is team-c)
COMMENTERS = {"team-a": 12, "team-b": 12, "team-c": 4}


def add_employee_comments(ws: keizer.Workspace) -> None:
    """OPEN_PULSE answered with a comment by COMMENTERS in March 2025, analysed."""
    ws.add_survey(OPEN_PULSE)
    ws.add_responses([
        ResponseCreate(
            source_key=f"{team}-{i}", survey_key=OPEN_PULSE.source_key,
            submitted_at=T0 + timedelta(days=i), respondent_source_id=f"{team}-P{i}",
            team_key=team,
            answers={"enps": 7, "comment": f"Te weinig tijd voor klanten ({team} {i})."},
        )
        for team, count in COMMENTERS.items()
        for i in range(count)
    ])  # fmt: skip
    ws.enrich_comments()


def populate_org(ws: keizer.Workspace, employees_n: int = 30) -> None:
    ws.add_org_units(org_units())
    ws.add_employees(employees(employees_n))


def assert_tables_match_models(ws: keizer.Workspace, names: Iterable[str]) -> None:
    """The migrated tables have exactly the models' columns, with the same nullability.

    information_schema, not SQLAlchemy's inspector: duckdb-engine's column reflection queries
    pg_catalog tables DuckDB does not have.
    """
    from sqlalchemy import text

    from keizer.store import Base

    query = text(
        "SELECT column_name, is_nullable FROM information_schema.columns "
        "WHERE table_name = :name AND table_schema IN ('main', 'public')"
    )
    with ws.store.engine.connect() as connection:
        for name in names:
            model = Base.metadata.tables[name]
            stored = dict(connection.execute(query, {"name": name}).all())
            assert set(stored) == set(model.c.keys()), name
            for column in model.c:
                assert (stored[column.name] == "YES") == column.nullable, (name, column.name)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``keizer ARGS`` in a real subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "keizer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
