"""Fixtures of the web app's tests: one small demo organisation per engine and test session,
with the demo logins (one per role), a TestClient per test, and a live server for the browser.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.users.service import DEMO_LOGINS, demo_password
from keizer.web import create_app

from threaded_server import ThreadedServer

TEST_SECRET = "web-test-secret-0123456789-abcdefghijklmn"

DEMO = {"employees": 120, "months": 6, "seed": 7}
# Screenshots of every page the browser tests open (git-ignored; CI keeps the folder).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ROLE_LOGINS = {role: (username, demo_password(username)) for username, role, _ in DEMO_LOGINS}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _demo_workspace(url: str) -> keizer.Workspace:
    ws = keizer.open(url, settings=Settings(secret_key=TEST_SECRET))
    generate(ws, **DEMO)
    ws.enrich_comments(use_model=False)
    ws.add_demo_users()
    return ws


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[keizer.Workspace]:
    """The demo organisation in a DuckDB file, open for the whole test session."""
    ws = _demo_workspace(str(tmp_path_factory.mktemp("web") / "demo.duckdb"))
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def demo_ws_postgres(postgres_admin: psycopg.Connection) -> Iterator[keizer.Workspace]:
    """The same demo organisation in a fresh PostgreSQL database."""
    name = f"keizer_web_{uuid.uuid4().hex[:12]}"
    postgres_admin.execute(f'CREATE DATABASE "{name}"')
    ws = _demo_workspace(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    yield ws
    ws.close()
    postgres_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def client(demo_ws: keizer.Workspace) -> Iterator[TestClient]:
    """A fresh browser (no cookies) on the demo organisation."""
    with TestClient(create_app(demo_ws), raise_server_exceptions=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(client: TestClient, username: str, password: str, next: str = "/") -> httpx.Response:
    """Log in through the login form (with its CSRF token); the response is not followed."""
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )


def login_as(client: TestClient, role: str) -> None:
    response = login(client, *ROLE_LOGINS[role])
    assert response.status_code == 303, response.text


def set_language(client: TestClient, language: str) -> None:
    """Switch the language with the page's language form (as a user does)."""
    page = client.get("/login")  # the login page, or the start page when logged in
    response = client.post(
        "/language", data={"lang": language, "next": "/", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text


@dataclass
class LiveServer:
    url: str
    ws: keizer.Workspace


@pytest.fixture(scope="session")
def live_server(demo_ws: keizer.Workspace) -> Iterator[LiveServer]:
    with ThreadedServer(create_app(demo_ws), lifespan="off") as url:
        yield LiveServer(url, demo_ws)


@pytest.fixture(scope="session")
def live_server_postgres(demo_ws_postgres: keizer.Workspace) -> Iterator[LiveServer]:
    with ThreadedServer(create_app(demo_ws_postgres), lifespan="off") as url:
        yield LiveServer(url, demo_ws_postgres)
