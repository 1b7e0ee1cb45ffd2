"""Opening a store: one database per deployment, on DuckDB (embedded) or PostgreSQL (server).

Inside one process SQLAlchemy (writes) and Ibis (reads) share one DuckDB database instance:
DuckDB lets only one process hold a file, and two instances in one process conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb
from duckdb_engine import ConnectionWrapper
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from keizer.errors import StoreBusyError, StoreError, StoreUnavailableError, StoreURLError
from keizer.store.url import StoreURL, parse_store_url

if TYPE_CHECKING:
    from ibis.backends.sql import SQLBackend

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
CONNECT_TIMEOUT_S = 5


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

    if url.kind == "duckdb":
        assert duck is not None
        backend: SQLBackend = ibis.duckdb.from_connection(duck)
        return backend
    u = url.url
    return ibis.postgres.connect(
        host=u.host or "localhost",
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        database=u.database,
    )
