"""Migrations run unchanged on both engines and match the table definitions."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

import keizer
from keizer.config import Settings
from keizer.store import migrate
from keizer.workspace import TABLES

from factories import assert_tables_match_models

KEIZER_TABLES = set(TABLES.values())


def _tables(ws: keizer.Workspace) -> set[str]:
    with ws.store.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) & KEIZER_TABLES


def test_upgrade_downgrade_upgrade(store_url: str, settings: Settings) -> None:
    with keizer.open(store_url, settings=settings, migrate_schema=False) as ws:
        assert ws.revision() is None
        assert _tables(ws) == set()

        ws.upgrade()
        assert ws.revision() == migrate.head_revision()
        assert _tables(ws) == KEIZER_TABLES

        ws.downgrade("base")
        assert ws.revision() is None
        assert _tables(ws) == set()

        ws.upgrade()
        assert ws.revision() == migrate.head_revision()
        assert ws.counts() == dict.fromkeys(TABLES, 0)


def test_migrated_schema_matches_the_models(workspace: keizer.Workspace) -> None:
    """Hand-written migrations and the table definitions must not drift apart."""
    import keizer.ingest.models  # noqa: F401  (registers import_batch in the metadata)

    assert_tables_match_models(workspace, KEIZER_TABLES)


def test_open_refuses_a_schema_from_a_newer_keizer(store_url: str, settings: Settings) -> None:
    with keizer.open(store_url, settings=settings) as ws, ws.store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(keizer.SchemaOutOfDateError, match="newer"):
        keizer.open(store_url, settings=settings)


def test_the_plan_table_comes_and_goes_with_its_migration(
    store_url: str, settings: Settings
) -> None:
    """0006 adds ``anonymity_plan`` (keizer.store.plan_archive), matching its model."""
    with keizer.open(store_url, settings=settings) as ws:
        assert_tables_match_models(ws, {"anonymity_plan"})
        ws.downgrade("0005")
        with ws.store.engine.connect() as connection:
            assert "anonymity_plan" not in inspect(connection).get_table_names()
        ws.upgrade()
        assert_tables_match_models(ws, {"anonymity_plan"})
