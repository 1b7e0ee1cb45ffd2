"""The API's short-lived caches: entries expire, due entries are renewed once, concurrent
readers of a missing entry share one store read."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from keizer.web.api.cache import Reloader, TtlCache


def test_entries_expire_and_are_due_in_the_second_half_of_their_life() -> None:
    cache: TtlCache[str, int] = TtlCache(ttl=2.0)
    cache.put("a", 1)
    assert cache.lookup("a") == (1, False)
    time.sleep(1.2)
    assert cache.lookup("a") == (1, True)
    time.sleep(1.0)
    assert cache.lookup("a") is None
    assert cache.get("a") is None


def test_concurrent_waiters_share_one_read() -> None:
    reloader = Reloader()
    release = threading.Event()
    calls = []

    def load() -> str:
        calls.append(1)
        release.wait(10)
        return "value"

    async def main() -> list[str]:
        waiters = [asyncio.ensure_future(reloader.wait("k", load)) for _ in range(20)]
        await asyncio.sleep(0.05)
        release.set()
        return list(await asyncio.gather(*waiters))

    assert asyncio.run(main()) == ["value"] * 20
    assert len(calls) == 1
    # once done, the next read runs again
    assert asyncio.run(reloader.wait("k", lambda: "fresh")) == "fresh"


def test_a_cancelled_waiter_leaves_the_read_to_the_others() -> None:
    reloader = Reloader()
    release = threading.Event()

    def load() -> int:
        release.wait(10)
        return 7

    async def main() -> int:
        first = asyncio.ensure_future(reloader.wait("k", load))
        second = asyncio.ensure_future(reloader.wait("k", load))
        await asyncio.sleep(0.05)
        first.cancel()
        release.set()
        return await second

    assert asyncio.run(main()) == 7


def test_a_failed_read_reaches_every_waiter_and_a_refresh_only_logs() -> None:
    reloader = Reloader()

    def fail() -> None:
        raise RuntimeError("store down")

    with pytest.raises(RuntimeError, match="store down"):
        asyncio.run(reloader.wait("k", fail))
    reloader.refresh("k", fail)  # must not raise
    done = threading.Event()
    reloader.refresh("other", done.set)
    assert done.wait(10)
