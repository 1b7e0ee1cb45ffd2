"""Keeping the dashboards' default views computed, so that visitors get cached figures.

``keizer serve`` computes the default view of every page at start, and again once new data
(an import, the ingest API, a correction) have been quiet for a while: during a stream of
writes the figures would be stale again at once, so re-computing waits for a pause.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from keizer.web.dashboards import BUILDERS, Context, latest_data_date, org_index
from keizer.web.filters import parse_filters
from keizer.web.state import WebState

log = logging.getLogger("keizer.web")
PAGES = ("overview", "employee", "customer", "workforce", "operations")
CHECK_EVERY_S = 10.0
QUIET_FOR_S = 30.0


def warm(state: WebState) -> None:
    """Compute the default view of each page once, so that its figures (and the anonymity
    plans behind the employee figures) are cached before the first visitor asks."""
    for page in PAGES:
        try:
            filters = parse_filters({}, latest_data_date(state))
            BUILDERS[page](Context(state, filters, org_index(state), lambda s: s))
        except Exception:  # a failed warm-up only means a slower first page
            log.exception("could not pre-compute the %s page", page)


def keep_warm(
    state: WebState,
    stop: threading.Event,
    *,
    check_every_s: float = CHECK_EVERY_S,
    quiet_for_s: float = QUIET_FOR_S,
    freeze: bool = False,
) -> None:
    """Warm now, then again whenever the data changed and stayed unchanged for
    ``quiet_for_s``; checks every ``check_every_s`` until ``stop`` is set or the store
    closes. With ``freeze`` (a server process) the objects alive after the first warm-up
    (libraries, caches: hundreds of thousands) are moved out of the garbage collector's
    reach, so that its full collections stop pausing requests for 100-300 ms."""
    warm(state)
    if freeze:
        gc.freeze()
    seen = state.data_version()
    changed_at: float | None = None
    while not stop.wait(check_every_s):
        try:
            version = state.data_version()
        except Exception:  # the store was closed: the server is stopping
            log.debug("stopped keeping the dashboards warm", exc_info=True)
            return
        now = time.monotonic()
        if version != seen:
            seen, changed_at = version, now
        elif changed_at is not None and now - changed_at >= quiet_for_s:
            changed_at = None
            warm(state)
