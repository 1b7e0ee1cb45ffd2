"""A real HTTP server (uvicorn on a free loopback port) serving the API over a populated
store, with one user and API token per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import keizer
from keizer.feedback.schemas import ResponseCreate
from keizer.users.schemas import ROLES, UserCreate
from keizer.web.api import problem_response, router

from factories import CX_SURVEY, EX_SURVEY, T0, cx_responses, interactions, populate_org
from threaded_server import ThreadedServer

PASSWORD = "api-test-password"
# EX responses per team: team-b stays below the anonymity threshold (5).
EX_PER_TEAM = {"team-a": 8, "team-b": 3, "team-c": 6}


def api_app(ws: keizer.Workspace) -> FastAPI:
    """The API as the web app mounts it: W's app factory when it exists, else a bare app
    with the same mount and the same problem+json answer for unrouted /api paths."""
    try:
        from keizer.web.app import create_app  # type: ignore[import-not-found]
    except ImportError:
        app = FastAPI(title="keizer API (test mount)")
        app.state.workspace = ws
        app.include_router(router, prefix="/api/v1")

        @app.exception_handler(StarletteHTTPException)
        async def _problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
            return problem_response(request, exc.status_code, str(exc.detail))

        return app
    app: FastAPI = create_app(ws)
    return app


@dataclass
class Served:
    """A running server and what the tests need to talk to it."""

    ws: keizer.Workspace
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    team_ids: dict[str, int] = field(default_factory=dict)

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def ex_responses() -> list[ResponseCreate]:
    out = []
    for team, count in EX_PER_TEAM.items():
        for i in range(count):
            out.append(
                ResponseCreate(
                    source_key=f"EX-{team}-{i}",
                    survey_key=EX_SURVEY.source_key,
                    submitted_at=T0 + timedelta(days=1, minutes=i),
                    respondent_source_id=f"EMP-{team}-{i}",
                    team_key=team,
                    answers={"enps": float(i % 11), "ees": float(1 + i % 7)},
                )
            )
    return out


def populate(ws: keizer.Workspace) -> None:
    populate_org(ws)
    ws.add_interactions(interactions(60))
    ws.add_survey(CX_SURVEY)
    ws.add_survey(EX_SURVEY)
    ws.add_responses(cx_responses(60))
    ws.add_responses(ex_responses())


def team_ids(ws: keizer.Workspace) -> dict[str, int]:
    from sqlalchemy import text

    with ws.store.engine.connect() as c:
        rows = c.execute(text("SELECT source_key, id FROM org_unit")).all()
    return {str(k): int(i) for k, i in rows}


@pytest.fixture
def served(workspace: keizer.Workspace) -> Iterator[Served]:
    """The API over real HTTP, on each engine."""
    populate(workspace)
    ids = team_ids(workspace)
    result = Served(workspace, "", team_ids=ids)
    for role in ROLES:
        teams = [ids["team-a"]] if role == "team-lead" else []
        workspace.add_user(UserCreate(username=role, password=PASSWORD, role=role, team_ids=teams))
        result.tokens[role] = workspace.create_token(role, "tests").token
    with ThreadedServer(api_app(workspace)) as url:
        result.url = url
        yield result
