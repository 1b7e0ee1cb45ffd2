"""Schema migrations (Alembic, hand-written, identical on DuckDB and PostgreSQL)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from keizer.store.engine import Store


class AlembicDuckDBImpl(DefaultImpl):
    """Teach Alembic the DuckDB dialect (registered by subclassing); DuckDB has
    transactional DDL, so a failed migration leaves nothing behind."""

    __dialect__ = "duckdb"
    transactional_ddl = True


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("keizer.store") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this version of keizer knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def is_known(revision: str) -> bool:
    """Whether this version of keizer has a migration called ``revision``."""
    script = ScriptDirectory.from_config(_config())
    return revision in {r.revision for r in script.walk_revisions()}


def current_revision(store: Store) -> str | None:
    """The store's schema revision, or ``None`` when it was never migrated."""
    with store.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


def upgrade(store: Store, revision: str = "head") -> None:
    """Migrate the store's schema up to ``revision`` in one transaction."""
    with store.engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(store: Store, revision: str = "base") -> None:
    """Migrate the store's schema down to ``revision`` (``base`` drops every keizer table)."""
    with store.engine.begin() as connection:
        command.downgrade(_config(connection), revision)
