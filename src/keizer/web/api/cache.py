"""A small thread-safe cache whose entries expire after a few seconds.

The API keeps what every request would otherwise read again (who a token belongs to, a
survey's questions, which teams exist) for :data:`TTL_S` seconds; a change made by another
process shows up within that time. An entry in the second half of its life is *due*: the
caller still uses it and starts one background reload (:class:`Reloader`), so that under a
steady stream of requests entries are renewed before they expire and no request waits for
the store.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
TTL_S = 2.0
MAX_ENTRIES = 50_000
RELOAD_THREADS = 2
log = logging.getLogger("keizer.web.api")


class TtlCache(Generic[K, V]):
    """``get`` answers ``None`` for a missing or expired entry."""

    def __init__(self, ttl: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        found = self.lookup(key)
        return None if found is None else found[0]

    def lookup(self, key: K) -> tuple[V, bool] | None:
        """The entry's value and whether it is due for a reload; ``None`` when missing or
        expired."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        left = entry[0] - time.monotonic()
        if left < 0:
            return None
        return entry[1], left < self.ttl / 2

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Reloader:
    """Runs store reads off the event loop, at most one per key at a time: concurrent
    callers asking for the same key share the one read (no stampede when an entry expires
    under load)."""

    def __init__(self, threads: int = RELOAD_THREADS) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="keizer-api-cache")
        self._running: dict[Hashable, Future[Any]] = {}
        self._lock = threading.RLock()  # a done callback may run at once, in this thread

    def start(self, key: Hashable, load: Callable[[], T]) -> Future[T]:
        """The running read for ``key``, or a new one running ``load``."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                running = self._pool.submit(load)
                self._running[key] = running
                running.add_done_callback(lambda done: self._forget(key, done))
        return running

    def refresh(self, key: Hashable, load: Callable[[], object]) -> None:
        """Start a background read unless one runs; its failure is only logged (the entry
        then expires and the next request reads the store itself)."""
        self.start(key, load).add_done_callback(_log_failure)

    async def wait(self, key: Hashable, load: Callable[[], T]) -> T:
        """Await the read for ``key`` (started if none runs); a caller that is cancelled
        leaves the read running for the others."""
        return await asyncio.shield(asyncio.wrap_future(self.start(key, load)))

    def _forget(self, key: Hashable, done: Future[Any]) -> None:
        with self._lock:
            if self._running.get(key) is done:
                del self._running[key]


def _log_failure(future: Future[object]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.debug("background cache reload failed", exc_info=future.exception())
