"""Set-based bulk upserts for both engines.

Rows arrive as an Arrow table. They are staged (DuckDB: the Arrow table is registered as a
view, zero copy; PostgreSQL: ``COPY`` into a temporary table), natural keys are resolved to
surrogate ids with joins, unknown references and duplicate keys are reported, and one
``INSERT ... SELECT ... ON CONFLICT DO UPDATE`` writes everything. :func:`append` is the fast
path for rows known to be new (a first load into an empty table): one plain ``INSERT ...
SELECT`` (or ``COPY`` on PostgreSQL), no conflict handling and no change counting. Nothing is
committed here: the caller's unit of work decides.

References are checked here, not only by the database: on DuckDB the tables that imports write
have no foreign keys (migration 0005: DuckDB's foreign keys refuse corrections and cost half of
an import), so both functions refuse rows whose lookups or id columns (the ``ForeignKey``
columns of the target's model) refer to nothing, with :class:`UnknownReferenceError`. On
PostgreSQL the lookups are checked the same way and its foreign keys check the id columns.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, Table, text

from keizer.errors import UnknownReferenceError, ValidationError
from keizer.store.arrow import arrow_schema, rows_to_arrow

COPY_CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class Lookup:
    """Resolve a natural key in the staged rows to a surrogate id of another table."""

    column: str  # the target column to fill, e.g. "team_id"
    source: str  # the staged column holding the natural key, e.g. "team_key"
    table: str  # the referenced table, e.g. "org_unit"
    what: str  # plural noun for messages, e.g. "teams"
    key: str = "source_key"  # the referenced table's natural key column


@dataclass(frozen=True)
class UpsertResult:
    """How many staged rows were new, changed, or already stored as they are."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def upsert(
    connection: Connection,
    *,
    target: Table,
    rows: pa.Table,
    conflict: Sequence[str],
    lookups: Sequence[Lookup] = (),
    changed_hint: str | None = None,
) -> UpsertResult:
    """Insert new rows and update changed ones of ``target``, matched on ``conflict`` columns.

    ``rows`` holds the target's own columns plus each lookup's ``source`` column, and
    optionally a boolean ``changed_hint`` column that counts a stored row as updated even when
    its own columns are equal (e.g. a response whose answers changed).
    """
    if rows.num_rows == 0:
        return UpsertResult()
    q = connection.dialect.identifier_preparer.quote
    staged_only = {lk.source for lk in lookups} | {changed_hint}
    own = [c for c in rows.column_names if c not in staged_only]
    unknown = [c for c in own if c not in target.c]
    if unknown:
        raise ValueError(f"columns {unknown} are not in table {target.name}")
    extra: dict[str, pa.DataType] = {lk.source: pa.string() for lk in lookups}
    if changed_hint:
        extra[changed_hint] = pa.bool_()
    rows = rows.cast(arrow_schema(target, rows.column_names, extra))
    with staged(connection, rows) as stage:
        for lookup in [*lookups, *unenforced_references(connection, target, own)]:
            _check_references(connection, stage, lookup)
        _check_unique(connection, stage, conflict)
        select_list = [f"s.{q(c)} AS {q(c)}" for c in own]
        if changed_hint:
            select_list.append(f"s.{q(changed_hint)} AS {q(changed_hint)}")
        joins = []
        for i, lk in enumerate(lookups):
            alias = f"r{i}"
            select_list.append(f"{alias}.id AS {q(lk.column)}")
            joins.append(
                f"LEFT JOIN {q(lk.table)} {alias} ON {alias}.{q(lk.key)} = s.{q(lk.source)}"
            )
        columns = [*own, *(lk.column for lk in lookups)]
        projected = f"SELECT {', '.join(select_list)} FROM {stage} s {' '.join(joins)}"
        inserted, updated = merge_select(
            connection, projected=projected, target=target.name, columns=columns,
            conflict=conflict, changed_hint=changed_hint,
        )  # fmt: skip
    return UpsertResult(inserted, updated, rows.num_rows - inserted - updated)


def merge_select(
    connection: Connection,
    *,
    projected: str,
    target: str,
    columns: Sequence[str],
    conflict: Sequence[str],
    changed_hint: str | None = None,
) -> tuple[int, int]:
    """Insert or update ``target`` from a SELECT (``projected``) yielding ``columns``;
    returns how many rows were new and how many changed (only those are written).

    ``changed_hint`` names a boolean column of ``projected`` that marks rows as changed even
    when their own columns are equal.
    """
    q = connection.dialect.identifier_preparer.quote
    updatable = [c for c in columns if c not in conflict]
    differences = [f"t.{q(c)} IS DISTINCT FROM p.{q(c)}" for c in updatable]
    if changed_hint:
        differences.append(f"p.{q(changed_hint)}")
    changed = " OR ".join(differences) or "FALSE"
    match = " AND ".join(f"t.{q(c)} = p.{q(c)}" for c in conflict)
    counts = connection.execute(
        text(
            f"SELECT count(*) FILTER (WHERE t.{q(conflict[0])} IS NULL), "
            f"count(*) FILTER (WHERE t.{q(conflict[0])} IS NOT NULL AND ({changed})) "
            f"FROM ({projected}) p LEFT JOIN {q(target)} t ON {match}"
        )
    ).one()
    if updatable:
        excluded_changed = " OR ".join(
            f"{q(target)}.{q(c)} IS DISTINCT FROM excluded.{q(c)}" for c in updatable
        )
        assignments = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in updatable)
        on_conflict = f"DO UPDATE SET {assignments} WHERE {excluded_changed}"
    else:
        on_conflict = "DO NOTHING"
    insert_list = ", ".join(q(c) for c in columns)
    connection.execute(
        text(
            f"INSERT INTO {q(target)} ({insert_list}) SELECT {insert_list} FROM ({projected}) p "
            f"ON CONFLICT ({', '.join(q(c) for c in conflict)}) {on_conflict}"
        )
    )
    return int(counts[0]), int(counts[1])


def append(
    connection: Connection,
    *,
    target: Table,
    rows: pa.Table,
    lookups: Sequence[Lookup] = (),
    vouched: Collection[str] = (),
) -> int:
    """Insert ``rows`` known to be new into ``target``; returns how many were inserted.

    The fast path of :func:`upsert` for a first load: no ``ON CONFLICT``, no change counting,
    no separate reference or duplicate queries. Nothing is merged: a key that is already
    stored, or repeated in ``rows``, fails on the table's unique constraint. Lookups resolve
    natural keys as in :func:`upsert`; rows whose key matches nothing are left out of the
    insert and then reported with :class:`UnknownReferenceError`, so the caller's unit of work
    rolls back. On DuckDB the id columns that refer to other tables are filtered and reported
    the same way, except those in ``vouched``: ids the caller has just read or written in this
    transaction (e.g. the answers of responses it appended), whose check would join the whole
    referenced table for nothing. On PostgreSQL, rows without lookups are copied straight into
    ``target``.
    """
    if rows.num_rows == 0:
        return 0
    q = connection.dialect.identifier_preparer.quote
    sources = {lk.source for lk in lookups}
    own = [c for c in rows.column_names if c not in sources]
    unknown = [c for c in own if c not in target.c]
    if unknown:
        raise ValueError(f"columns {unknown} are not in table {target.name}")
    rows = rows.cast(arrow_schema(target, rows.column_names, dict.fromkeys(sources, pa.string())))
    if connection.dialect.name == "postgresql" and not lookups:
        copy_into(connection, q(target.name), rows)
        return int(rows.num_rows)
    references = [
        lk for lk in unenforced_references(connection, target, own) if lk.column not in vouched
    ]
    # a lookup whose keys are all empty (e.g. responses without a contact) needs no join
    joined = [lk for lk in lookups if rows.column(lk.source).null_count < rows.num_rows]
    with staged(connection, rows) as stage:
        # lookups fill their column with the id they found; references only filter
        select_list = [f"s.{q(c)}" for c in own] + [
            f"r{joined.index(lk)}.id" if lk in joined else "CAST(NULL AS BIGINT)" for lk in lookups
        ]
        joins, resolved = [], []
        for i, lk in enumerate([*joined, *references]):
            alias = f"r{i}"
            joins.append(
                f"LEFT JOIN {q(lk.table)} {alias} ON {alias}.{q(lk.key)} = s.{q(lk.source)}"
            )
            resolved.append(f"(s.{q(lk.source)} IS NULL OR {alias}.{q(lk.key)} IS NOT NULL)")
        columns = ", ".join(q(c) for c in [*own, *(lk.column for lk in lookups)])
        where = f"WHERE {' AND '.join(resolved)}" if resolved else ""
        inserted = connection.execute(
            text(
                f"INSERT INTO {q(target.name)} ({columns}) "
                f"SELECT {', '.join(select_list)} FROM {stage} s {' '.join(joins)} {where}"
            )
        ).rowcount
        if inserted != rows.num_rows:
            for lookup in [*lookups, *references]:
                _check_references(connection, stage, lookup)
            raise ValidationError(  # pragma: no cover - only unknown references leave rows out
                f"{rows.num_rows - inserted} of {rows.num_rows} rows were not inserted"
            )
    return int(rows.num_rows)


def unenforced_references(
    connection: Connection, target: Table, columns: Sequence[str]
) -> list[Lookup]:
    """The id columns among ``columns`` that refer to another table (the ``ForeignKey``
    columns of ``target``'s model) and that the database does not check itself: all of them on
    DuckDB (see migration 0005), none on PostgreSQL. Each as a :class:`Lookup` of the id."""
    if connection.dialect.name != "duckdb":
        return []
    references = []
    for fk in sorted(target.foreign_keys, key=lambda fk: fk.parent.name):
        column, parent = fk.parent.name, fk.column.table.name
        if column in columns:
            what = f"{parent} ids in {target.name}.{column}"
            references.append(Lookup(column, column, parent, what, key=fk.column.name))
    return references


def stored_keys(connection: Connection, *, target: str, column: str, keys: pa.Array) -> pa.Array:
    """The distinct ``keys`` that ``target`` already holds in ``column`` (text keys).

    Lets a caller :func:`append` the rest and :func:`upsert` only these. An empty target
    answers without staging anything.
    """
    q = connection.dialect.identifier_preparer.quote
    empty = pa.array([], pa.string())
    # all(), not first(): DuckDB refuses new work while a result is not fetched to the end
    if len(keys) == 0 or not connection.execute(text(f"SELECT 1 FROM {q(target)} LIMIT 1")).all():
        return empty
    with staged(connection, pa.table({"key": pc.unique(keys).cast(pa.string())})) as stage:
        query = f"SELECT s.key FROM {stage} s JOIN {q(target)} t ON t.{q(column)} = s.key"
        if connection.dialect.name == "duckdb":
            raw = connection.connection.driver_connection
            assert raw is not None
            found = raw.sql(query).to_arrow_table().column(0).combine_chunks()
            return found.cast(pa.string())
        return pa.array(connection.execute(text(query)).scalars().all(), pa.string())


def reserve_ids(connection: Connection, sequence: str, count: int) -> pa.Array:
    """``count`` new values of ``sequence`` (int64): ids for rows about to be appended, so
    that rows referring to them (e.g. answers of new responses) need no join to find them."""
    if count == 0:
        return pa.array([], pa.int64())
    if connection.dialect.name == "duckdb":
        raw = connection.connection.driver_connection
        assert raw is not None
        query = f"SELECT nextval('{sequence}') FROM range({int(count)})"
        return raw.sql(query).to_arrow_table().column(0).combine_chunks().cast(pa.int64())
    query = f"SELECT nextval('{sequence}') FROM generate_series(1, {int(count)})"
    return pa.array(connection.execute(text(query)).scalars().all(), pa.int64())


@contextmanager
def staged(connection: Connection, rows: pa.Table) -> Iterator[str]:
    """Make ``rows`` queryable by name inside the connection's transaction."""
    name = f"keizer_stage_{uuid.uuid4().hex[:12]}"
    raw = connection.connection.driver_connection
    if connection.dialect.name == "duckdb":
        assert raw is not None
        raw.register(name, rows)
        try:
            yield name
        finally:
            # After a failed statement DuckDB aborts the transaction and unregister raises too;
            # the failure that matters is the one already propagating.
            with contextlib.suppress(duckdb.Error):
                raw.unregister(name)
        return
    columns = ", ".join(f'"{field.name}" {_postgres_type(field.type)}' for field in rows.schema)
    connection.execute(text(f"CREATE TEMPORARY TABLE {name} ({columns}) ON COMMIT DROP"))
    copy_into(connection, name, rows)
    # No DROP after a failure: PostgreSQL refuses every statement in an aborted transaction
    # (which would hide the real error), and the rollback removes the table anyway.
    yield name
    connection.execute(text(f"DROP TABLE IF EXISTS {name}"))


def copy_into(connection: Connection, table_name: str, rows: pa.Table) -> None:
    """``COPY`` an Arrow table into a PostgreSQL table in CSV chunks (psycopg 3)."""
    raw = connection.connection.driver_connection
    assert raw is not None
    columns = ", ".join(f'"{c}"' for c in rows.column_names)
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN (FORMAT csv)") as copy,
    ):
        for batch in rows.to_batches(max_chunksize=COPY_CHUNK_ROWS):
            buffer = io.BytesIO()
            pa_csv.write_csv(pa.Table.from_batches([batch]), buffer, options)
            copy.write(buffer.getvalue())


def _postgres_type(dtype: pa.DataType) -> str:
    if pa.types.is_boolean(dtype):
        return "BOOLEAN"
    if pa.types.is_integer(dtype):
        return "BIGINT"
    if pa.types.is_floating(dtype):
        return "DOUBLE PRECISION"
    if pa.types.is_date(dtype):
        return "DATE"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMPTZ" if dtype.tz else "TIMESTAMP"
    return "TEXT"


def _check_references(connection: Connection, stage: str, lookup: Lookup) -> None:
    q = connection.dialect.identifier_preparer.quote
    missing_sql = (
        f"SELECT DISTINCT s.{q(lookup.source)} FROM {stage} s "
        f"LEFT JOIN {q(lookup.table)} r ON r.{q(lookup.key)} = s.{q(lookup.source)} "
        f"WHERE s.{q(lookup.source)} IS NOT NULL AND r.{q(lookup.key)} IS NULL"
    )
    missing = [str(r[0]) for r in connection.execute(text(f"{missing_sql} LIMIT 10"))]
    if missing:
        total = connection.execute(text(f"SELECT count(*) FROM ({missing_sql}) m")).scalar_one()
        raise UnknownReferenceError(lookup.what, missing, int(total))


def _check_unique(connection: Connection, stage: str, keys: Sequence[str]) -> None:
    q = connection.dialect.identifier_preparer.quote
    cols = ", ".join(f"s.{q(k)}" for k in keys)
    duplicate = connection.execute(
        text(f"SELECT {cols}, count(*) FROM {stage} s GROUP BY {cols} HAVING count(*) > 1 LIMIT 5")
    ).all()
    if duplicate:
        shown = ", ".join("/".join(str(v) for v in row[:-1]) for row in duplicate)
        raise ValidationError(f"duplicate keys ({', '.join(keys)}) in one batch: {shown}")


def upsert_records(
    connection: Connection,
    *,
    target: Table,
    records: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    lookups: Sequence[Lookup] = (),
    changed_hint: str | None = None,
) -> UpsertResult:
    """:func:`upsert` for dictionaries: typed by the target's columns (lookup keys as text)."""
    if not records:
        return UpsertResult()
    rows = records_to_rows(target, records, lookups, changed_hint)
    return upsert(
        connection, target=target, rows=rows, conflict=conflict, lookups=lookups,
        changed_hint=changed_hint,
    )  # fmt: skip


def records_to_rows(
    target: Table,
    records: Sequence[Mapping[str, Any]],
    lookups: Sequence[Lookup] = (),
    changed_hint: str | None = None,
) -> pa.Table:
    """An Arrow table of ``records`` typed like ``target``'s columns (lookup keys as text)."""
    extra: dict[str, pa.DataType] = {lk.source: pa.string() for lk in lookups}
    if changed_hint:
        extra[changed_hint] = pa.bool_()
    columns = list(records[0]) if records else []
    return rows_to_arrow(records, arrow_schema(target, columns, extra))
