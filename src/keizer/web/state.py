"""What the web app holds for its lifetime: the workspace, one lock, and a result cache.

**Concurrency.** FastAPI runs sync endpoints in a thread pool, but the store is shared. Ibis
runs its queries on one connection, which two threads must not use at once (DuckDB's is not
thread-safe; on PostgreSQL two threads' transaction blocks would interleave): every analytics
read of the pages and of the JSON API holds the same per-workspace lock
(:func:`keizer.web.api.deps.read_lock`). SQLAlchemy sessions (logins, sessions, the ingest
API) need no lock: the store gives each pooled SQLAlchemy connection its own DuckDB cursor,
which DuckDB allows one per thread, and PostgreSQL connections come from a pool. Repeated
figures come from the cache, so the lock costs little.

**Cache.** KPI frames are cached per call (name, by, where, period, compare) together with a
fingerprint of the data (row counts and newest ids of the fact tables, newest import batch):
an import, a demo run or an API ingest changes the fingerprint and empties the cache. The
fingerprint is read at most once per :data:`FINGERPRINT_TTL_S` seconds, so changes made by
another process show up within that time.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar, cast

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from keizer.web.api.deps import reading
from keizer.workspace import Workspace

FINGERPRINT_TTL_S = 2.0
CACHE_ENTRIES = 512
_FINGERPRINT_PARTS = (
    ("count(*)", "response"), ("max(id)", "response"), ("count(*)", "answer"),
    ("count(*)", "interaction"), ("count(*)", "hr_event"), ("count(*)", "absence_spell"),
    ("count(*)", "employee"), ("count(*)", "org_unit"), ("max(id)", "import_batch"),
    ("count(*)", "comment_analysis"),
)  # fmt: skip
# One small SELECT per table, not scalar subqueries of one SELECT: DuckDB answers each count
# from its statistics, but not as subqueries (21 ms instead of 1 ms on the demo).
_FINGERPRINT_SQL = text(
    " UNION ALL ".join(
        f"SELECT {i} AS part, CAST({figure} AS BIGINT) AS value FROM {table}"
        for i, (figure, table) in enumerate(_FINGERPRINT_PARTS)
    )
)
Period = tuple[date, date]
T = TypeVar("T")


@dataclass
class _Cache:
    """Cached frames of one workspace, shared by every app serving it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    frames: OrderedDict[tuple[object, ...], pd.DataFrame] = field(default_factory=OrderedDict)
    values: OrderedDict[tuple[object, ...], object] = field(default_factory=OrderedDict)
    fingerprint: tuple[object, ...] | None = None
    checked_at: float = 0.0
    version: int = 0  # counts the times the data changed (and the cache was emptied)

    def forget(self) -> None:
        """Empty the cache: the data changed."""
        with self.lock:
            self.frames.clear()
            self.values.clear()
            self.fingerprint = None
            self.checked_at = 0.0
            self.version += 1


_caches: weakref.WeakKeyDictionary[Workspace, _Cache] = weakref.WeakKeyDictionary()
_caches_guard = threading.Lock()


def data_changed(workspace: Workspace) -> None:
    """Empty the caches of every app serving ``workspace``: its data changed in this process
    in a way the fingerprint (row counts, newest ids) may not show, such as a correction."""
    with _caches_guard:
        cache = _caches.get(workspace)
    if cache is not None:
        cache.forget()


class WebState:
    """The workspace behind one web app, with the workspace's result cache."""

    def __init__(self, workspace: Workspace, *, secure_cookies: bool = False) -> None:
        self.ws = workspace
        self.settings = workspace.settings
        self.secure_cookies = secure_cookies
        with _caches_guard:
            self._shared = _caches.setdefault(workspace, _Cache())

    # -- store access ----------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Workspace]:
        """The workspace for analytics reads (holds the analytics read lock)."""
        with reading(self.ws):
            yield self.ws

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction (see :meth:`keizer.Workspace.unit_of_work`)."""
        with self.ws.unit_of_work() as session:
            yield session

    # -- cached reads ----------------------------------------------------------------------
    def kpi(
        self,
        name: str | Sequence[str],
        *,
        by: Sequence[str] = (),
        where: Mapping[str, object] | None = None,
        period: Period | None = None,
        compare: Literal["previous_period"] | None = None,
    ) -> pd.DataFrame:
        """``ws.kpi`` with the same arguments, cached until the data changes (a copy)."""
        names = name if isinstance(name, str) else tuple(name)
        filters = tuple(sorted((k, _hashable(v)) for k, v in (where or {}).items()))
        key = ("kpi", names, tuple(by), filters, period, compare)

        def build(ws: Workspace) -> pd.DataFrame:
            return ws.kpi(name, by=by, where=where, period=period, compare=compare)

        return self.cached_frame(key, build)

    def cached_frame(
        self, key: tuple[object, ...], build: Callable[[Workspace], pd.DataFrame]
    ) -> pd.DataFrame:
        """Any frame computed by ``build(ws)`` (under the read lock), cached like :meth:`kpi`.

        Two threads asking for the same missing figure may both compute it; the result is
        the same."""
        self._check_fingerprint()
        with self._shared.lock:
            hit = self._shared.frames.get(key)
            if hit is not None:
                self._shared.frames.move_to_end(key)
                return hit.copy()
        with self.reading() as ws:
            frame = build(ws)
        with self._shared.lock:
            self._remember(key, frame)
        return frame.copy()

    def cached(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """Any value made by ``build()`` (which may read cached frames itself), kept until the
        data change. The value is shared: callers must not change it."""
        self._check_fingerprint()
        with self._shared.lock:
            hit = self._shared.values.get(key)
        if hit is not None:
            return cast(T, hit)
        value = build()
        with self._shared.lock:
            self._shared.values[key] = value
            while len(self._shared.values) > CACHE_ENTRIES:
                self._shared.values.popitem(last=False)
        return value

    def invalidate(self) -> None:
        """Forget every cached figure (after a write made through this process)."""
        self._shared.forget()

    def data_version(self) -> int:
        """A number that changes whenever the data change (checked as for cached reads)."""
        self._check_fingerprint()
        with self._shared.lock:
            return self._shared.version

    def _remember(self, key: tuple[object, ...], frame: pd.DataFrame) -> None:
        self._shared.frames[key] = frame
        while len(self._shared.frames) > CACHE_ENTRIES:
            self._shared.frames.popitem(last=False)

    def _check_fingerprint(self) -> None:
        now = time.monotonic()
        with self._shared.lock:
            if (
                self._shared.fingerprint is not None
                and now - self._shared.checked_at < FINGERPRINT_TTL_S
            ):
                return
        with self.ws.store.engine.connect() as connection:
            current = tuple(value for _, value in sorted(connection.execute(_FINGERPRINT_SQL)))
        with self._shared.lock:
            if current != self._shared.fingerprint:
                self._shared.frames.clear()
                self._shared.values.clear()
                if self._shared.fingerprint is not None:
                    self._shared.version += 1
                self._shared.fingerprint = current
            self._shared.checked_at = now


def _hashable(value: object) -> object:
    if isinstance(value, list | tuple | set):
        return tuple(sorted(str(v) for v in value))
    return value
