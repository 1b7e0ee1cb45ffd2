"""``generate``: build the demo organisation and load it in one transaction.

The store must be empty, or hold demo data made with the same parameters (then nothing
changes: every row is keyed by ``source_key`` or pseudonym). Anything else is refused, so the
demo never mixes with real data or with a demo of another seed or size. An interrupted run
(Ctrl-C, an error) leaves the store as it was.
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
from keizer.demo.operations import build_contacts, customer_pool
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
    run = _Run(spec, progress)
    with workspace.unit_of_work() as session:
        connection = session.connection()
        run.again = _check_store(connection, spec)
        run.load(session, connection, workspace.pseudonymiser)
    return DemoSummary(spec, run.rows, time.perf_counter() - run.started, run.step_seconds)


class _Run:
    """One generation: steps with progress and timings, rows added up per table."""

    def __init__(self, spec: DemoSpec, progress: Progress | None) -> None:
        self.spec = spec
        self.progress = progress
        self.total = 4 + spec.months
        self.done = 0
        self.started = time.perf_counter()
        self.rows: dict[str, UpsertResult] = {}
        self.again = False  # the store already holds this demo
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

    def load(self, session: Session, connection: Connection, pseudonymiser: Pseudonymiser) -> None:
        spec = self.spec
        with self.step("organisation and people"):
            org = build_organisation(spec)
            people = build_people(spec, org)
            climate = build_climate(spec, org, people)
            self.add("org_units", load.load_units(session, org.units))
            questions = load.load_surveys(session, (CX_SURVEY, EX_SURVEY))
            self.add("surveys", UpsertResult(unchanged=2) if self.again else UpsertResult(2))
            employees = np.array(
                pseudonymiser.pseudonyms("employee", people.source_id.tolist()), dtype=object
            )
            self.add("employees", load.load_people(connection, people, employees))
        with self.step("workforce (hires, leavers, absence)"):
            self.add("hr_events", load.load_hr_events(connection, people, employees))
            spells = build_absence(spec, people, climate)
            self.add("absence_spells", load.load_absence(connection, people, spells, employees))
        with self.step("employee pulses"):
            pulses = build_ex_responses(spec, org, people, climate)
            self._add_responses(
                load.load_responses(connection, pulses, employees[pulses.respondent], questions)
            )
        customers = load.CustomerPseudonyms(pseudonymiser, customer_pool(spec, people))
        for month in range(spec.months):
            with self.step(f"contacts and customer surveys {spec.calendar.label(month)}"):
                contacts = build_contacts(spec, org, people, climate, month, customers.pool)
                stored_customers, stored = load.load_contacts(
                    connection, contacts, employees, org.team_keys, customers
                )
                self.add("customers", stored_customers)
                self.add("interactions", stored)
                cx = build_cx_responses(spec, climate, contacts)
                self._add_responses(
                    load.load_responses(connection, cx, customers(cx.respondent), questions)
                )
        with self.step("demo facts"):
            self.add("demo_fact", load.load_facts(connection, _facts(spec, org, people)))

    def _add_responses(self, results: tuple[UpsertResult, UpsertResult, UpsertResult]) -> None:
        self.add("responses", results[0])
        self.add("answers", results[1])
        self.add("demo_comment_truth", results[2])


def _check_store(connection: Connection, spec: DemoSpec) -> bool:
    """Refuse stores with other data, or with a demo made with other parameters; True when
    the store already holds this very demo."""
    stored = load.read_fact(connection, "spec")
    if stored is not None:
        if stored != spec.fingerprint():
            raise DemoStoreError(
                f"the store holds demo data made with other settings ({_describe(stored)}); "
                "use a new store, or empty this one with 'keizer db downgrade base --yes' "
                "followed by 'keizer init'"
            )
        return True
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
    return False


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
