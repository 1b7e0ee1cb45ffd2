"""Anonymity plans cached by the content of the data they were built from.

Building a plan costs seconds on a real organisation and applying one costs little; a plan
stays valid as long as its data are the same, so the key is a digest of them: of the plan's
responses before the walk up the org tree (team id, respondent, month, segment) and of the
org tree itself. The database computes each digest (:func:`digests`: the number of rows and
two sums of row hashes, each modulo a prime; one small aggregate, no rows leave it). A plan
is built only when none is cached under the digests of now, and filed under them only when
the digests read again after its rows were read are the same, so a plan is never filed
under data other than its own (an import, ingest or correction in place between the two
reads leaves it serving its own request only).

Plans are also kept in the store (a :class:`PlanArchive`, given by the workspace), so that a
new process (a CLI command, a restarted server) finds them instead of building them again.
The archive's key is a hash of the same key with keizer's version: a new version, which may
plan differently, builds its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Protocol

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from keizer._version import __version__
from keizer.metrics.anonymity import AnonymityPlan

log = logging.getLogger("keizer.metrics")

_PRIMES = (1_000_000_007, 998_244_353)
_SEPARATOR = "\x1f"  # ASCII unit separator: between the values of one row

Digest = tuple[int, int, int]  # rows, then the row hashes summed modulo each prime
EMPTY: Digest = (0, 0, 0)


def digests(expr: ir.Table, by: str | None = None) -> dict[Hashable, Digest]:
    """The digest of ``expr``'s rows per value of ``by`` (``None``: of all rows, under the
    key ``None``), computed in the database. Row order does not matter; an empty value
    hashes differently from every text, the empty text included."""
    return read_digests(digest_query(expr, by), by)


def digest_query(expr: ir.Table, by: str | None = None) -> ir.Table:
    """The query behind :func:`digests` (to build once and read with :func:`read_digests`)."""
    parts = [
        ibis.ifelse(expr[c].isnull(), "-", ibis.literal("+") + expr[c].cast("string"))
        for c in expr.columns
    ]
    h = ibis.literal(_SEPARATOR).join(parts).hash()
    sums = {f"s{i}": ((h % p + p) % p).sum() for i, p in enumerate(_PRIMES)}
    groups = expr.group_by(by) if by else expr
    return groups.aggregate(n=expr.count(), **sums)


def read_digests(query: ir.Table, by: str | None = None) -> dict[Hashable, Digest]:
    """Run a :func:`digest_query` (of rows grouped ``by``): the digests per group."""
    frame = query.to_pandas()
    sums = [f"s{i}" for i in range(len(_PRIMES))]
    keys = frame[by] if by else [None] * len(frame)
    return {
        key: (int(n), *(0 if pd.isna(s) else int(s) for s in sums_))  # type: ignore[misc]
        for key, n, *sums_ in zip(keys, frame["n"], *(frame[s] for s in sums), strict=True)
    }


class PlanArchive(Protocol):
    """Where plans outlive the process: bytes by key (the store's ``anonymity_plan``)."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, payload: bytes) -> None: ...


class PlanCache:
    """The ``size`` most recently used plans, by key (digests and settings), backed by an
    archive when one is given."""

    def __init__(self, size: int, kind: str) -> None:
        self._size = size
        self._kind = kind
        self._plans: OrderedDict[Hashable, AnonymityPlan] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, key: Hashable, archive: PlanArchive | None = None) -> AnonymityPlan | None:
        """The plan filed under ``key``, if any (in memory, else in ``archive``)."""
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        if archive is None:
            return None
        payload = archive.load(self._archive_key(key))
        if payload is None:
            return None
        try:
            plan = plan_from_bytes(payload)
        except (pa.ArrowException, KeyError, ValueError, TypeError):  # not a plan: build anew
            log.warning("ignored an unreadable anonymity plan in the store", exc_info=True)
            return None
        self._remember(key, plan)
        return plan

    def store(
        self,
        key: Hashable,
        plan: AnonymityPlan,
        *,
        key_after: Hashable,
        archive: PlanArchive | None = None,
    ) -> None:
        """File ``plan`` under ``key`` (its data's digests read before its rows) if
        ``key_after`` (the digests read after its rows) is the same; in ``archive`` too."""
        if key_after != key:
            return
        self._remember(key, plan)
        if archive is not None:
            archive.save(self._archive_key(key), plan_to_bytes(plan))

    def _remember(self, key: Hashable, plan: AnonymityPlan) -> None:
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self._size:
                self._plans.popitem(last=False)

    def _archive_key(self, key: Hashable) -> str:
        text = repr((self._kind, __version__, key))
        return hashlib.sha256(text.encode()).hexdigest()


def plan_to_bytes(plan: AnonymityPlan) -> bytes:
    """``plan`` as an Arrow IPC stream: its cells, the rest in the schema's metadata."""
    table = pa.Table.from_pandas(plan.cells, preserve_index=True)
    about = {
        "kind": plan.kind, "min_group_size": plan.min_group_size, "segment": plan.segment,
        "org_parent": [[level, key, parent] for (level, key), parent in plan.org_parent.items()],
    }  # fmt: skip
    metadata = {**(table.schema.metadata or {}), b"keizer": json.dumps(about).encode()}
    table = table.replace_schema_metadata(metadata)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def plan_from_bytes(payload: bytes) -> AnonymityPlan:
    """The plan :func:`plan_to_bytes` wrote."""
    table = pa.ipc.open_stream(payload).read_all()
    about = json.loads((table.schema.metadata or {})[b"keizer"])
    return AnonymityPlan(
        kind=str(about["kind"]),
        min_group_size=int(about["min_group_size"]),
        segment=about["segment"],
        cells=table.to_pandas(),
        org_parent={(level, key): parent for level, key, parent in about["org_parent"]},
    )
