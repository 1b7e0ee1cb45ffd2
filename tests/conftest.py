"""Shared fixtures: every store test runs on a DuckDB file and on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import keizer
from keizer.config import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "KEIZER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_SECRET = "test-secret-0123456789-abcdefghijklmnop"
ENGINES = ["duckdb", "postgresql"]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's KEIZER_* variables or a .env file."""
    for name in list(os.environ):
        if name.startswith("KEIZER_") and name != "KEIZER_TEST_POSTGRES":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[psycopg.Connection]:
    """An autocommit connection to the PostgreSQL server; the suite fails if it is down."""
    try:
        connection = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is required for the store tests and is not reachable: {exc}")
    yield connection
    connection.close()


@pytest.fixture
def postgres_url(postgres_admin: psycopg.Connection) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped after the test."""
    name = f"keizer_test_{uuid.uuid4().hex[:16]}"
    postgres_admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    postgres_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=ENGINES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store, once per engine."""
    if request.param == "duckdb":
        return str(tmp_path / "keizer.duckdb")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings() -> Settings:
    return Settings(secret_key=TEST_SECRET)


@pytest.fixture
def workspace(store_url: str, settings: Settings) -> Iterator[keizer.Workspace]:
    """An open, migrated workspace on each engine."""
    with keizer.open(store_url, settings=settings) as ws:
        yield ws
