"""Migration 0004 (users) runs up and down on both engines and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect

import keizer
from keizer.config import Settings
from keizer.workspace import TABLES

from factories import assert_tables_match_models

USER_TABLES = {"app_user", "app_user_team", "api_token", "browser_session", "login_attempt"}


def _tables(ws: keizer.Workspace) -> set[str]:
    with ws.store.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_users_migration_up_and_down(store_url: str, settings: Settings) -> None:
    with keizer.open(store_url, settings=settings, migrate_schema=False) as ws:
        ws.upgrade("0003")
        assert not USER_TABLES & _tables(ws)
        ws.upgrade("0004")
        assert ws.revision() == "0004"
        assert _tables(ws) >= USER_TABLES
        ws.downgrade("0003")
        assert ws.revision() == "0003"
        assert not USER_TABLES & _tables(ws)
        assert {"org_unit", "response", "comment_analysis"} <= _tables(ws)
        ws.upgrade()
        assert _tables(ws) >= USER_TABLES


def test_user_tables_match_the_models(workspace: keizer.Workspace) -> None:
    import keizer.users.models  # noqa: F401  (registers the tables in the metadata)

    assert_tables_match_models(workspace, USER_TABLES)


def test_user_tables_are_not_public_tables() -> None:
    """``ws.table()`` and ``keizer db info`` expose analytics tables only, never password or
    token hashes."""
    assert not USER_TABLES & set(TABLES.values())
