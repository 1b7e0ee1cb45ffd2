"""Ibis expressions built once per set of inputs, then reused.

Building the expression of a KPI query costs Python time (a page's queries: about 0.2 s)
even when the SQL it compiles to is cached; a query built again from the same inputs is
the same expression. :func:`built_once` keeps the expressions a builder returned, by its
inputs, in a memo that belongs to the store tables the builder is given first (a workspace's
tables live until its schema changes; expressions are kept for those tables only): the
other inputs are keyed by content (plain values, lists, mappings and sets), expressions by
their operation. Only expressions are kept, never data: every query still runs on the
current rows. The same expression object also finds its compiled SQL at once
(:class:`keizer.store.engine.CompiledSQL`) and its in-memory tables (period buckets) stay
registered with the backend.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime
from typing import ParamSpec, TypeVar

import ibis.expr.types as ir

ENTRIES = 2048
P = ParamSpec("P")
T = TypeVar("T")
_PLAIN = (str, int, float, bool, date, datetime, type(None))


class _Identity:
    """Stands for an object by its identity (and keeps it alive while the key exists)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.value is self.value


def input_key(value: object) -> Hashable:
    """``value`` as part of a key: plain values as they are, sequences, mappings and sets by
    their content, expressions by their operation, anything else by identity."""
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)  # 1, 1.0 and True stay apart
    if isinstance(value, list | tuple):
        return ("seq", *(input_key(v) for v in value))
    if isinstance(value, Mapping):
        return ("map", *sorted(((str(k), input_key(v)) for k, v in value.items()), key=repr))
    if isinstance(value, set | frozenset):
        return ("set", frozenset(input_key(v) for v in value))
    if isinstance(value, ir.Expr):
        return ("expr", value.op())
    return ("id", _Identity(value))


class ExpressionMemo:
    """The ``ENTRIES`` most recently used expressions, by builder and inputs."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return found

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every expression (benchmarks: the cost of building them anew)."""
        with self._lock:
            self._entries.clear()


def built_once(build: Callable[P, T]) -> Callable[P, T]:
    """``build`` (a pure function of its arguments returning Ibis expressions, whose first
    argument is the store tables), remembering what it returned for each set of arguments in
    the tables' ``expressions`` memo (without one, it builds every time)."""
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def reused(*args: P.args, **kwargs: P.kwargs) -> T:
        memo = getattr(args[0], "expressions", None) if args else None
        if not isinstance(memo, ExpressionMemo):
            return build(*args, **kwargs)
        key = (name, input_key(args[1:]), input_key(kwargs))
        found = memo.get(key)
        if found is None:
            found = build(*args, **kwargs)
            memo.put(key, found)
        return found  # type: ignore[return-value]

    return reused
