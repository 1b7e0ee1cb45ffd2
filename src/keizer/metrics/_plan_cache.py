"""Anonymity plans cached by the content of the responses they were built from.

Building a plan costs seconds on a real organisation and applying one costs little; a plan
stays valid as long as the responses behind it are the same, so the key is a hash of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd

from keizer.metrics.anonymity import AnonymityPlan


class PlanCache:
    """The ``size`` most recently used plans, keyed by their responses and settings."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._plans: OrderedDict[Hashable, AnonymityPlan] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, frame: pd.DataFrame, settings: Hashable, build: Callable[[], AnonymityPlan]
    ) -> AnonymityPlan:
        """The plan for the responses in ``frame`` under ``settings``; ``build()`` makes it
        when it is not cached (two threads may both build it: the result is the same)."""
        digest = int(pd.util.hash_pandas_object(frame, index=False).sum())
        key = (digest, len(frame), settings)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        plan = build()
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self._size:
                self._plans.popitem(last=False)
        return plan
