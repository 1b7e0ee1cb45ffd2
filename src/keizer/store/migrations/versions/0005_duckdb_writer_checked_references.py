"""DuckDB: the tables that imports write carry no foreign keys; keizer's writers check them.

DuckDB turns an update of an indexed column (a foreign key column is indexed) into a delete
and an insert, and refuses it while other rows reference the row: a corrected response that
has answers, an interaction that responses follow, a renamed team with employees, an employee
with HR events could not be updated. Its foreign keys also took half of an import's time and a
third of its memory. So on DuckDB the references of these tables are checked by keizer's
writers (the import's validation, the services' lookups, ``keizer.store.bulk``), as DuckDB's
documentation advises for bulk loads. PostgreSQL keeps its foreign keys: this revision does
nothing there.

DuckDB cannot drop a foreign key in place, nor drop a table that others reference, and keeps
a renamed table's foreign keys under its old name, so each table is rebuilt from its own stored
definition without its ``FOREIGN KEY`` clauses, children first: its rows are copied aside, it
is dropped, created anew and its rows copied back. Primary keys, unique and check constraints,
NOT NULLs, defaults and sequences stay as they were. Tables that keep foreign keys to a rebuilt
table (the users' ``app_user_team``) are set aside and recreated unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from alembic import op
from sqlalchemy import Connection, text

from keizer.errors import StoreError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The foreign keys removed on DuckDB, per table, in the order 0001-0003 declared them; the
# tables are listed children first (the order of the upgrade; the downgrade runs it backwards).
FOREIGN_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "answer": (("response_id", "response"), ("question_id", "question")),
    "comment_analysis": (("response_id", "response"), ("question_id", "question")),
    "demo_comment_truth": (("response_id", "response"), ("question_id", "question")),
    "response": (("survey_id", "survey"), ("interaction_id", "interaction"),
                 ("team_id", "org_unit")),
    "interaction": (("customer_id", "customer"), ("employee_id", "employee"),
                    ("team_id", "org_unit")),
    "hr_event": (("employee_id", "employee"),),
    "absence_spell": (("employee_id", "employee"),),
    "employee": (("team_id", "org_unit"),),
    "org_unit": (("parent_id", "org_unit"),),
}  # fmt: skip
FOREIGN_KEY_CLAUSE = re.compile(r", FOREIGN KEY \([^)]*\) REFERENCES [^(]+\([^)]*\)")
OLD = "_keizer_0005_old"
SET_ASIDE = "_keizer_0005_set_aside_"


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "duckdb":
        return
    definitions = {
        name: FOREIGN_KEY_CLAUSE.sub("", sql) for name, sql in _definitions(connection).items()
    }
    _rebuild(connection, definitions, order=list(FOREIGN_KEYS))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "duckdb":
        return
    _refuse_dangling_references(connection)
    definitions = {}
    for name, sql in _definitions(connection).items():
        clauses = "".join(
            f", FOREIGN KEY ({column}) REFERENCES {parent}(id)"
            for column, parent in FOREIGN_KEYS[name]
        )
        definitions[name] = re.sub(r"\);\s*$", f"{clauses});", sql.strip())
    _rebuild(connection, definitions, order=list(reversed(FOREIGN_KEYS)))


def _definitions(connection: Connection) -> dict[str, str]:
    """The stored ``CREATE TABLE`` statements of the tables this revision rebuilds."""
    rows = connection.execute(
        text("SELECT table_name, sql FROM duckdb_tables() WHERE schema_name = 'main'")
    ).all()
    stored = {str(name): str(sql) for name, sql in rows}
    return {name: stored[name] for name in FOREIGN_KEYS}


def _rebuild(connection: Connection, definitions: Mapping[str, str], order: Sequence[str]) -> None:
    """Recreate the tables of ``definitions`` in ``order`` with their new definitions and their
    rows. Other tables that reference one of them are set aside first and restored last."""
    dependents = _dependents(connection, set(definitions))
    kept = _stored_sql(connection, "duckdb_tables", dependents)
    indexes = _stored_sql(connection, "duckdb_indexes", [*dependents, *definitions])
    for index in indexes:  # keizer creates none on DuckDB; any other is recreated at the end
        connection.execute(text(f"DROP INDEX {index}"))
    for name in dependents:
        connection.execute(text(f"CREATE TEMPORARY TABLE {SET_ASIDE}{name} AS FROM {name}"))
        connection.execute(text(f"DROP TABLE {name}"))
    for name in order:
        # A copy, not a rename: DuckDB keeps a renamed table's foreign keys under the old name
        # and then refuses to drop it.
        columns = ", ".join(_columns(connection, name))
        connection.execute(text(f"CREATE TABLE {OLD} AS FROM {name}"))
        connection.execute(text(f"DROP TABLE {name}"))
        connection.execute(text(definitions[name]))
        if f"REFERENCES {name}(" in definitions[name]:
            _copy_parents_first(connection, name, columns)
        else:
            connection.execute(text(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {OLD}"))
        _same_count(connection, name, OLD)
        connection.execute(text(f"DROP TABLE {OLD}"))
    for name in dependents:
        connection.execute(text(kept[name]))
        connection.execute(text(f"INSERT INTO {name} FROM {SET_ASIDE}{name}"))
        _same_count(connection, name, f"{SET_ASIDE}{name}")
        connection.execute(text(f"DROP TABLE {SET_ASIDE}{name}"))
    for sql in indexes.values():
        connection.execute(text(sql))


def _same_count(connection: Connection, table: str, source: str) -> None:
    counts = connection.execute(
        text(f"SELECT (SELECT count(*) FROM {table}), (SELECT count(*) FROM {source})")
    ).one()
    if counts[0] != counts[1]:
        raise StoreError(
            f"{table}: only {counts[0]} of {counts[1]} rows could be copied (a cycle of parent "
            "units?); the schema was left as it was"
        )


def _dependents(connection: Connection, tables: set[str]) -> list[str]:
    """Tables outside ``tables`` with a foreign key to one of them."""
    rows = connection.execute(
        text(
            "SELECT DISTINCT table_name, referenced_table FROM duckdb_constraints() "
            "WHERE constraint_type = 'FOREIGN KEY' AND schema_name = 'main'"
        )
    ).all()
    found = {str(child) for child, parent in rows if parent in tables and child not in tables}
    referenced = {str(parent) for child, parent in rows if child in found}
    if found & referenced:  # pragma: no cover - no such table in keizer's schema
        raise RuntimeError(f"cannot set aside tables that reference each other: {found}")
    return sorted(found)


def _stored_sql(connection: Connection, catalog: str, tables: Sequence[str]) -> dict[str, str]:
    """The stored SQL of the tables (``duckdb_tables``) or indexes (``duckdb_indexes``) of
    ``tables``, by name."""
    if not tables:
        return {}
    name = "table_name" if catalog == "duckdb_tables" else "index_name"
    rows = connection.execute(
        text(
            f"SELECT {name}, sql FROM {catalog}() WHERE schema_name = 'main' "
            f"AND table_name IN ({', '.join(repr(t) for t in tables)}) AND sql IS NOT NULL"
        )
    ).all()
    return {str(key): str(sql) for key, sql in rows}


def _columns(connection: Connection, table: str) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name = :table ORDER BY column_index"
        ),
        {"table": table},
    ).scalars()
    return [f'"{column}"' for column in rows]


def _copy_parents_first(connection: Connection, table: str, columns: str) -> None:
    """Copy a self-referencing table (``org_unit``) one level at a time: DuckDB checks a
    row's reference before the other rows of the same statement are in."""
    while True:
        copied = connection.execute(
            text(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {OLD} o "
                f"WHERE o.id NOT IN (SELECT id FROM {table}) AND (o.parent_id IS NULL "
                f"OR o.parent_id IN (SELECT id FROM {table}))"
            )
        ).rowcount
        if not copied:
            return


def _refuse_dangling_references(connection: Connection) -> None:
    """Say which rows refer to nothing, before DuckDB's foreign keys would refuse them."""
    problems = []
    for table, references in FOREIGN_KEYS.items():
        for column, parent in references:
            count = connection.execute(
                text(
                    f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {parent} p WHERE p.id = t.{column})"
                )
            ).scalar_one()
            if count:
                problems.append(f"{count} rows of {table}.{column} refer to no {parent}")
    if problems:
        raise StoreError(
            "cannot restore the foreign keys: " + "; ".join(problems) + "; fix or delete "
            "those rows first (the schema was left as it was)"
        )
