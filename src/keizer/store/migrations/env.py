"""Alembic environment: runs on the connection keizer hands over (both engines)."""

from __future__ import annotations

from alembic import context

import keizer.store.migrate  # noqa: F401  (registers Alembic's DuckDB implementation)


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "keizer migrations run through keizer.store.migrate, not the alembic CLI"
        )
    # Migrations are hand-written (autogenerate does not work against DuckDB): no metadata.
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
