"""``generate``: build the demo organisation and load it.

The store must be empty, or hold demo data made with the same parameters (then nothing
changes: every row is keyed by ``source_key`` or pseudonym). Anything else is refused, so the
demo never mixes with real data or with a demo of another seed or size.

A first run into an empty store appends (plain inserts); a re-run upserts and counts what
changed. Up to :data:`ONE_TRANSACTION_MAX_CONTACTS` stored contacts the run is one transaction:
interrupted (Ctrl-C, an error), it leaves the store as it was. Larger runs commit month by
month, so memory stays bounded: a ``demo_fact`` row ``in_progress`` is written first and
removed last, and the next run with the same parameters resumes after the last committed
month (with other parameters it is refused).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from keizer.demo import load
from keizer.demo.absence import build_absence
from keizer.demo.climate import build_climate
from keizer.demo.cx import build_cx_responses
from keizer.demo.effects import DEFAULT_EFFECTS, Effects
from keizer.demo.ex import build_ex_responses
from keizer.demo.operations import build_contacts, customer_pool, expected_contacts
from keizer.demo.organisation import Organisation, build_organisation
from keizer.demo.people import People, build_people
from keizer.demo.spec import DEFAULT_END_MONTH, DemoSpec
from keizer.demo.surveys import CX_SURVEY, EX_SURVEY
from keizer.errors import StoreError
from keizer.privacy import Pseudonymiser
from keizer.store.bulk import UpsertResult

GENERATOR_VERSION = 1
#: Product tables that must be empty before a first demo run.
PRODUCT_TABLES = (
    "org_unit", "employee", "customer", "interaction", "survey", "response", "hr_event",
    "absence_spell",
)  # fmt: skip
#: Larger runs (about 650,000 responses; scale 3 at the default size) commit month by month.
ONE_TRANSACTION_MAX_CONTACTS = 1_500_000
#: Such runs commit after the month that brings the rows written since the last commit to this.
COMMIT_ROWS = 6_000_000
#: The ``demo_fact`` key marking a month-by-month run that has not finished.
IN_PROGRESS = "in_progress"
#: Called as ``progress(step description, steps done, steps in all)``.
Progress = Callable[[str, int, int], None]


class DemoTarget(Protocol):
    """What the generator needs of a workspace (a :class:`keizer.Workspace` has it)."""

    pseudonymiser: Pseudonymiser

    def unit_of_work(self) -> AbstractContextManager[Session]: ...


class DemoStoreError(StoreError):
    """The store holds data the demo must not mix with."""


@dataclass(frozen=True)
class DemoSummary:
    """What a run wrote: rows per table (public names plus the truth tables) and timings."""

    spec: DemoSpec
    rows: dict[str, UpsertResult]
    seconds: float
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def responses(self) -> int:
        return self.rows["responses"].total


def generate(
    workspace: DemoTarget,
    *,
    employees: int = 1100,
    months: int = 24,
    seed: int = 42,
    scale: float = 1.0,
    dutch_share: float = 0.8,
    effects: Effects = DEFAULT_EFFECTS,
    end_month: date = DEFAULT_END_MONTH,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the demo organisation into ``workspace`` (see docs/demo.md)."""
    spec = DemoSpec(
        employees=employees, months=months, seed=seed, scale=scale, dutch_share=dutch_share,
        end_month=end_month, effects=effects,
    )  # fmt: skip
    run = _Run(spec, progress, workspace.pseudonymiser)
    with workspace.unit_of_work() as session:
        start = _check_store(session.connection(), spec)
        run.prepare(session, start)
        if not run.by_month:
            for month in range(spec.months):
                run.load_month(session.connection(), month)
            run.finish(session.connection())
        elif start.resume_from is None and run.fresh:
            _mark_in_progress(session.connection(), spec, 0)
    if not run.by_month:
        return run.summary()  # after the commit, which is part of the time
    month = start.resume_from or 0
    while month < spec.months:
        with workspace.unit_of_work() as session:
            written = 0
            while month < spec.months and written < COMMIT_ROWS:
                written += run.load_month(session.connection(), month)
                month += 1
            if run.fresh:
                _mark_in_progress(session.connection(), spec, month)
    with workspace.unit_of_work() as session:
        run.finish(session.connection())
    return run.summary()


@dataclass(frozen=True)
class _Start:
    """What the store holds: nothing (a first run), this demo (a re-run), or this demo
    unfinished (resume after ``resume_from`` committed months)."""

    again: bool = False
    resume_from: int | None = None


class _Run:
    """One generation: steps with progress and timings, rows added up per table."""

    def __init__(
        self, spec: DemoSpec, progress: Progress | None, pseudonymiser: Pseudonymiser
    ) -> None:
        self.spec = spec
        self.progress = progress
        self.pseudonymiser = pseudonymiser
        self.total = 4 + spec.months
        self.done = 0
        self.started = time.perf_counter()
        self.rows: dict[str, UpsertResult] = {}
        self.fresh = True  # the store lacks the rows still to write: append
        self.by_month = False  # commit month by month
        self.step_seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name, self.done, self.total)
        started = time.perf_counter()
        yield
        key = name.split(" ")[0]
        self.step_seconds[key] = self.step_seconds.get(key, 0.0) + time.perf_counter() - started
        self.done += 1
        if self.progress is not None:
            self.progress(name, self.done, self.total)

    def add(self, table: str, result: UpsertResult) -> None:
        self.rows[table] = self.rows.get(table, UpsertResult()) + result

    def summary(self) -> DemoSummary:
        return DemoSummary(
            self.spec, self.rows, time.perf_counter() - self.started, self.step_seconds
        )

    def prepare(self, session: Session, start: _Start) -> None:
        """Build the organisation; load it, the workforce and the pulses unless resuming."""
        spec = self.spec
        self.fresh = not start.again
        write = load.Writer(session.connection(), fresh=self.fresh)
        with self.step("organisation and people"):
            self.org = build_organisation(spec)
            self.people = build_people(spec, self.org)
            self.climate = build_climate(spec, self.org, self.people)
            self.by_month = (
                start.resume_from is not None
                or expected_contacts(spec, self.people) > ONE_TRANSACTION_MAX_CONTACTS
            )
            self.employees = np.array(
                self.pseudonymiser.pseudonyms("employee", self.people.source_id.tolist()),
                dtype=object,
            )
            self.questions = load.load_surveys(session, (CX_SURVEY, EX_SURVEY))
            if start.resume_from is None:
                self.add("org_units", load.load_units(session, self.org.units))
                self.add("surveys", UpsertResult(unchanged=2) if start.again else UpsertResult(2))
                self.add("employees", load.load_people(write, self.people, self.employees))
        self.customers = load.CustomerPseudonyms(
            self.pseudonymiser, customer_pool(spec, self.people)
        )
        if start.resume_from is not None:
            self._resume(start.resume_from)
            return
        with self.step("workforce (hires, leavers, absence)"):
            self.add("hr_events", load.load_hr_events(write, self.people, self.employees))
            spells = build_absence(spec, self.people, self.climate)
            self.add(
                "absence_spells", load.load_absence(write, self.people, spells, self.employees)
            )
        with self.step("employee pulses"):
            pulses = build_ex_responses(spec, self.org, self.people, self.climate)
            respondents = self.employees[pulses.respondent]
            self._add_responses(load.load_responses(write, pulses, respondents, self.questions))

    def _resume(self, months_done: int) -> None:
        """Skip the parts an interrupted run committed; mark the customers it stored."""
        with self.step(f"resuming after {months_done} months"):
            for month in range(months_done):
                contacts = build_contacts(
                    self.spec, self.org, self.people, self.climate, month, self.customers.pool
                )
                self.customers.stored[contacts.customer] = True
        self.done += 1 + months_done

    def load_month(self, connection: Connection, month: int) -> int:
        """Write one month of contacts and customer responses; returns the rows written."""
        spec = self.spec
        before = sum(r.total for r in self.rows.values())
        write = load.Writer(connection, fresh=self.fresh)
        with self.step(f"contacts and customer surveys {spec.calendar.label(month)}"):
            contacts = build_contacts(
                spec, self.org, self.people, self.climate, month, self.customers.pool
            )
            stored_customers, stored = load.load_contacts(
                write, contacts, self.employees, self.org.team_keys, self.customers
            )
            self.add("customers", stored_customers)
            self.add("interactions", stored)
            cx = build_cx_responses(spec, self.climate, contacts)
            respondents = self.customers(cx.respondent)
            self._add_responses(load.load_responses(write, cx, respondents, self.questions))
        return sum(r.total for r in self.rows.values()) - before

    def finish(self, connection: Connection) -> None:
        with self.step("demo facts"):
            facts = _facts(self.spec, self.org, self.people)
            self.add("demo_fact", load.load_facts(connection, facts))
            load.delete_fact(connection, IN_PROGRESS)

    def _add_responses(self, results: tuple[UpsertResult, UpsertResult, UpsertResult]) -> None:
        self.add("responses", results[0])
        self.add("answers", results[1])
        self.add("demo_comment_truth", results[2])


def _mark_in_progress(connection: Connection, spec: DemoSpec, months_done: int) -> None:
    value = {"spec": spec.fingerprint(), "months_done": months_done}
    load.load_facts(connection, {IN_PROGRESS: value})


def _check_store(connection: Connection, spec: DemoSpec) -> _Start:
    """Refuse stores with other data, or with a demo made with other parameters; say whether
    the store holds this very demo, finished or not."""
    unfinished = load.read_fact(connection, IN_PROGRESS)
    if isinstance(unfinished, dict):
        if unfinished.get("spec") != spec.fingerprint():
            raise DemoStoreError(
                "the store holds an unfinished demo made with other settings "
                f"({_describe(unfinished.get('spec'))}); run 'keizer demo' with those settings "
                "to finish it, or use a new store"
            )
        return _Start(resume_from=int(unfinished["months_done"]))
    stored = load.read_fact(connection, "spec")
    if stored is not None:
        if stored != spec.fingerprint():
            raise DemoStoreError(
                f"the store holds demo data made with other settings ({_describe(stored)}); "
                "use a new store, or empty this one with 'keizer db downgrade base --yes' "
                "followed by 'keizer init'"
            )
        return _Start(again=True)
    used = [
        table for table in PRODUCT_TABLES
        if connection.execute(text(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) t"))
        .scalar_one()
    ]  # fmt: skip
    if used:
        raise DemoStoreError(
            f"the store already holds data ({', '.join(used)}); the demo only fills an empty "
            "store: give another --database-url (for example demo.duckdb)"
        )
    return _Start()


def _describe(fingerprint: object) -> str:
    if not isinstance(fingerprint, dict):
        return "unknown"
    names = ("employees", "months", "seed", "scale")
    return ", ".join(f"{name} {fingerprint.get(name)}" for name in names)


def _facts(spec: DemoSpec, org: Organisation, people: People) -> dict[str, object]:
    return {
        "spec": spec.fingerprint(),
        "generator_version": GENERATOR_VERSION,
        "effects": spec.effects.as_dict(),
        "sample_rate": spec.sample_rate,
        "intervention": {
            "month": spec.calendar.label(org.intervention_month),
            "teams": sorted(str(k) for k in org.team_keys[org.intervention]),
            "driver": "ees_information",
            "size": spec.effects.intervention_information,
        },
        "lead_quality": {
            str(k): round(float(q), 6) for k, q in zip(org.team_keys, org.lead_quality, strict=True)
        },
        "people": {"persons": len(people), "agents_at_start": int(org.team_size.sum())},
    }
