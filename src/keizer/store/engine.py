"""Opening a store: one database per deployment, on DuckDB (embedded) or PostgreSQL (server).

Inside one process SQLAlchemy (writes) and Ibis (reads) share one DuckDB database instance:
DuckDB lets only one process hold a file, and two instances in one process conflict.

The Ibis backend remembers the SQL it compiled (:class:`CompiledSQL`): compiling an
expression costs tens of milliseconds, running the KPI queries on the demo data about as much.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb
from duckdb_engine import ConnectionWrapper
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from keizer.errors import StoreBusyError, StoreError, StoreUnavailableError, StoreURLError
from keizer.store.url import StoreURL, parse_store_url

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends.sql import SQLBackend

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
CONNECT_TIMEOUT_S = 5
COMPILED_SQL_ENTRIES = 1024
SHAPES_ENTRIES = 200_000


class Store:
    """An open store: a SQLAlchemy engine for writes and an Ibis backend for analytics."""

    def __init__(self, url: StoreURL, engine: Engine, duck: duckdb.DuckDBPyConnection | None):
        self.url = url
        self.engine = engine
        self._duck = duck
        self._ibis: SQLBackend | None = None

    @property
    def kind(self) -> str:
        """``duckdb`` or ``postgresql``."""
        return self.url.kind

    @property
    def ibis(self) -> SQLBackend:
        """The Ibis backend over the same database (created on first use)."""
        if self._ibis is None:
            self._ibis = _connect_ibis(self.url, self._duck)
        return self._ibis

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back on any exception or Ctrl-C."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def one_thread_per_statement(self) -> Iterator[None]:
        """On DuckDB, run every statement on one thread inside the block (the setting is the
        database's: it holds for all connections) and restore the thread count after it;
        nothing on PostgreSQL.

        For a stream of small writes (the ingest API): DuckDB spreads even a 20-row insert
        over its threads, and on a few cores those wake-ups compete with the server's own
        threads; with one thread the ingest benchmark's p99 fell from 60-80 ms to about
        40 ms. Reads made meanwhile run on one thread too."""
        if self._duck is None:
            yield
            return
        cursor = self._duck.cursor()  # its own connection: the base one belongs to Ibis' reads
        row = cursor.execute("SELECT current_setting('threads')").fetchone()
        before = int(row[0]) if row else 1
        cursor.execute("SET threads = 1")
        try:
            yield
        finally:
            with contextlib.suppress(duckdb.Error):  # the store was closed meanwhile
                cursor.execute(f"SET threads = {before}")
                cursor.close()

    def close(self) -> None:
        """Release every connection; a DuckDB file is unlocked afterwards."""
        if self._ibis is not None and self.kind == "postgresql":
            self._ibis.disconnect()
        self._ibis = None
        self.engine.dispose()
        if self._duck is not None:
            self._duck.close()
            self._duck = None


def open_store(raw_url: str) -> Store:
    """Open the store at ``raw_url`` (a DuckDB path/URL or a PostgreSQL URL)."""
    url = parse_store_url(raw_url)
    if url.kind == "duckdb":
        return _open_duckdb(url)
    return _open_postgresql(url)


def _open_duckdb(url: StoreURL) -> Store:
    path = url.path
    if path is not None and not path.parent.exists():
        raise StoreURLError(f"folder {path.parent} does not exist (for the store {path})")
    target = str(path) if path is not None else ":memory:"
    try:
        duck = duckdb.connect(target)
    except duckdb.IOException as exc:
        raise _duckdb_open_error(target, exc) from None
    except duckdb.Error as exc:
        raise StoreError(f"cannot open the DuckDB file {target}: {exc}") from None

    # Global, so every cursor (SQLAlchemy's and Ibis') reads and writes timestamps in UTC.
    duck.execute("SET GLOBAL TimeZone = 'UTC'")

    def creator() -> ConnectionWrapper:
        return ConnectionWrapper(duck.cursor())

    engine = create_engine("duckdb://", creator=creator)
    return Store(url, engine, duck)


def _duckdb_open_error(target: str, exc: duckdb.Error) -> StoreError:
    message = str(exc)
    holder = _LOCK_HOLDER.search(message)
    if "Could not set lock" in message:
        who = f"process {holder['pid']} ({holder['program']})" if holder else "another process"
        return StoreBusyError(
            f"the store {target} is in use by {who}. DuckDB lets one process open a file: "
            "stop that process (for example a running 'keizer serve'), or send the data "
            "through that server's API"
        )
    return StoreError(f"cannot open the DuckDB file {target}: {message}")


def _open_postgresql(url: StoreURL) -> Store:
    engine = create_engine(
        url.url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": "-c timezone=UTC"},
    )
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreUnavailableError(
            f"cannot connect to PostgreSQL at {url.display()}: {reason}"
        ) from None
    return Store(url, engine, None)


def _connect_ibis(url: StoreURL, duck: duckdb.DuckDBPyConnection | None) -> SQLBackend:
    import ibis  # imported lazily: it is heavy, and writes-only commands do not need it

    backend: SQLBackend
    if url.kind == "duckdb":
        assert duck is not None
        backend = ibis.duckdb.from_connection(duck)
    else:
        u = url.url
        backend = ibis.postgres.connect(
            host=u.host or "localhost",
            port=u.port or 5432,
            user=u.username,
            password=u.password,
            database=u.database,
        )
    backend.compile = CompiledSQL(backend.compile)
    return backend


class CompiledSQL:
    """``backend.compile`` that remembers the SQL text of each query shape it compiled.

    Only SQL text is kept, never results: every query still runs on the current data. The key
    is a canonical form of the expression (:class:`Shapes`): its operation tree with the
    identifiers that ``Table.view()`` and joins draw afresh for each new expression numbered
    in order of appearance, and in-memory tables (period buckets) standing for their schema
    and content. The same query built twice so finds the SQL of the first; the in-memory table
    names of the new expression replace the old ones in the SQL text (the backend registers
    them before compiling). Queries with scalar parameters are compiled every time.

    An expression asked for again (the same operation: KPI queries are built once per set of
    inputs, :mod:`keizer.metrics._built_once`) finds its SQL by that operation alone, without
    walking its tree.
    """

    def __init__(self, compile: Callable[..., str], entries: int = COMPILED_SQL_ENTRIES) -> None:
        self._compile = compile
        self._entries = entries
        self._sql: OrderedDict[Hashable, tuple[str, tuple[str, ...]]] = OrderedDict()
        self._by_op: OrderedDict[Hashable, str] = OrderedDict()
        self._shapes = Shapes()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(
        self,
        expr: ir.Expr,
        /,
        *,
        limit: int | str | None = None,
        params: Mapping[Any, Any] | None = None,
        **options: Any,
    ) -> str:
        if params:
            return self._compile(expr, limit=limit, params=params, **options)
        try:
            same = (expr.op(), limit, tuple(sorted(options.items())))
            hash(same)
        except TypeError:
            return self._compile(expr, limit=limit, **options)
        with self._lock:
            known = self._by_op.get(same)
            if known is not None:
                self._by_op.move_to_end(same)
                self.hits += 1
                return known
        sql = self._of_shape(expr, limit, options)
        with self._lock:
            self._by_op[same] = sql
            while len(self._by_op) > self._entries:
                self._by_op.popitem(last=False)
        return sql

    def _of_shape(self, expr: ir.Expr, limit: int | str | None, options: dict[str, Any]) -> str:
        """The SQL of ``expr``, found by its query shape or compiled."""
        with self._lock:
            if len(self._shapes) > SHAPES_ENTRIES:  # keys hold shape numbers: start afresh
                self._shapes = Shapes()
                self._sql.clear()
            try:
                shape, memtables = self._shapes.of(expr.op())
                key = (shape, limit, tuple(sorted(options.items())))
            except TypeError:  # an argument that cannot be a key: compile as usual
                return self._compile(expr, limit=limit, **options)
            hit = self._sql.get(key)
            if hit is not None:
                self._sql.move_to_end(key)
                self.hits += 1
        if hit is not None:
            sql, names = hit
            for old, new in zip(names, memtables, strict=True):
                sql = sql.replace(old, new)
            return sql
        sql = self._compile(expr, limit=limit, **options)
        with self._lock:
            self.misses += 1
            self._sql[key] = (sql, memtables)
            while len(self._sql) > self._entries:
                self._sql.popitem(last=False)
        return sql

    def clear(self) -> None:
        """Forget every compiled query (benchmarks: the cost of compiling anew)."""
        with self._lock:
            self._sql.clear()
            self._by_op.clear()
            self._shapes = Shapes()


class Shapes:
    """Numbers for Ibis operation trees, equal for equal queries (see :class:`CompiledSQL`).

    Each node is numbered by its type, its arguments and the numbers of its children, so
    equal subtrees share one number and comparing two trees costs one dictionary look-up."""

    def __init__(self) -> None:
        self._numbers: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self._numbers)

    def of(self, root: Any) -> tuple[int, tuple[str, ...]]:
        """The number of ``root``'s tree, and its in-memory table names in order."""
        import ibis.expr.operations as ops
        import pandas as pd

        seen: dict[int, int] = {}
        references: dict[object, int] = {}
        memtables: list[str] = []

        def node(op: ops.Node) -> int:
            known = seen.get(id(op))
            if known is not None:
                return known
            form: Hashable
            if isinstance(op, ops.Reference):
                parent = node(op.parent)
                form = (type(op), parent, references.setdefault(op.identifier, len(references)))
            elif isinstance(op, ops.InMemoryTable):
                frame = op.data.to_frame()
                content = tuple(pd.util.hash_pandas_object(frame, index=False).tolist())
                form = (type(op), op.schema, tuple(frame.columns), content)
                memtables.append(op.name)
            else:
                form = (type(op), *(value(arg) for arg in op.__args__))
            number = self._numbers.setdefault(form, len(self._numbers))
            seen[id(op)] = number
            return number

        def value(arg: object) -> Hashable:
            if isinstance(arg, ops.Node):
                return ("node", node(arg))
            if isinstance(arg, tuple):
                return tuple(value(item) for item in arg)
            if isinstance(arg, Mapping):
                return tuple((k, value(v)) for k, v in arg.items())
            return (type(arg), arg)  # the type too: 1, 1.0 and True are equal in Python

        return node(root), tuple(memtables)
