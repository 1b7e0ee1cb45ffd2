"""A small thread-safe cache whose entries expire after a few seconds.

The API keeps what every request would otherwise read again (who a token belongs to, a
survey's questions, which teams exist) for :data:`TTL_S` seconds; a change made by another
process shows up within that time.
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
TTL_S = 2.0
MAX_ENTRIES = 50_000


class TtlCache(Generic[K, V]):
    """``get`` answers ``None`` for a missing or expired entry."""

    def __init__(self, ttl: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
