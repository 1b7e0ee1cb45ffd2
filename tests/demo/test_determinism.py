"""Same seed, same data, on both engines; re-runs change nothing; a run is all or nothing."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

import keizer
from keizer.config import Settings
from keizer.demo import DemoStoreError, generate
from keizer.demo.models import DEMO_TABLES
from keizer.workspace import TABLES

from factories import populate_org

TINY = {"employees": 40, "months": 4, "scale": 0.3}
#: Surrogate ids differ between runs and engines: compare the natural keys they point to.
NATURAL_KEY = {
    "parent_id": ("org_unit", "source_key"), "team_id": ("org_unit", "source_key"),
    "employee_id": ("employee", "pseudonym"), "customer_id": ("customer", "pseudonym"),
    "interaction_id": ("interaction", "source_key"), "survey_id": ("survey", "source_key"),
    "question_id": ("question", "code"), "response_id": ("response", "source_key"),
}  # fmt: skip


def _value(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def fingerprint(ws: keizer.Workspace) -> dict[str, str]:
    """A hash of every table's content (without ids and creation times)."""
    hashes = {}
    tables = [t for t in TABLES.values() if t != "import_batch"] + list(DEMO_TABLES)
    with ws.store.engine.connect() as connection:
        for table in tables:
            columns = connection.execute(
                text("SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                     "AND table_schema IN ('main', 'public') ORDER BY column_name"),
                {"t": table},
            ).scalars().all()  # fmt: skip
            select, joins = [], []
            for i, column in enumerate(c for c in columns if c not in ("id", "created_at")):
                if column in NATURAL_KEY:
                    ref, key = NATURAL_KEY[column]
                    joins.append(f"LEFT JOIN {ref} j{i} ON j{i}.id = t.{column}")
                    select.append(f"j{i}.{key}")
                else:
                    select.append(f"t.{column}")
            rows = connection.execute(
                text(f"SELECT {', '.join(select)} FROM {table} t {' '.join(joins)}")
            ).all()
            lines = sorted("|".join(_value(v) for v in row) for row in rows)
            hashes[table] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return hashes


def test_same_seed_same_data_on_duckdb_and_postgresql(
    tmp_path: Path, postgres_url: str, settings: Settings
) -> None:
    stores = [str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb"), postgres_url]
    prints = []
    for url in stores:
        with keizer.open(url, settings=settings) as ws:
            generate(ws, **TINY)  # type: ignore[arg-type]
            prints.append(fingerprint(ws))
    written = {"org_unit", "employee", "customer", "interaction", "survey", "question",
               "response", "answer", "hr_event", "absence_spell", *DEMO_TABLES}  # fmt: skip
    assert written <= set(prints[0])
    assert prints[0] == prints[1]
    assert prints[0] == prints[2]
    with keizer.open(str(tmp_path / "c.duckdb"), settings=settings) as ws:
        generate(ws, **TINY, seed=43)  # type: ignore[arg-type]
        other = fingerprint(ws)
    assert other["response"] != prints[0]["response"]
    assert other["interaction"] != prints[0]["interaction"]


def test_a_rerun_changes_nothing_and_other_settings_are_refused(
    workspace: keizer.Workspace,
) -> None:
    first = generate(workspace, **TINY)  # type: ignore[arg-type]
    counts = workspace.counts()
    assert first.rows["responses"].inserted == counts["responses"] > 0
    again = generate(workspace, **TINY)  # type: ignore[arg-type]
    assert all(r.inserted == 0 and r.updated == 0 for r in again.rows.values()), again.rows
    assert workspace.counts() == counts
    with pytest.raises(DemoStoreError, match="other settings"):
        generate(workspace, **TINY, seed=1)  # type: ignore[arg-type]
    assert workspace.counts() == counts


def test_a_store_with_other_data_is_refused(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    with pytest.raises(DemoStoreError, match="already holds data"):
        generate(workspace, **TINY)  # type: ignore[arg-type]


def test_an_interrupted_run_leaves_nothing(workspace: keizer.Workspace) -> None:
    def interrupt(step: str, done: int, total: int) -> None:
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(workspace, **TINY, progress=interrupt)  # type: ignore[arg-type]
    assert set(workspace.counts().values()) == {0}
    with workspace.store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM demo_fact")).scalar_one() == 0


def test_person_ids_are_pseudonymised(workspace: keizer.Workspace) -> None:
    generate(workspace, **TINY)  # type: ignore[arg-type]
    expected = workspace.pseudonymiser.pseudonym("employee", "DEMO-E000001")
    with workspace.store.engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM employee WHERE pseudonym = :p"), {"p": expected}
        ).scalar_one()
        raw = connection.execute(
            text("SELECT count(*) FROM employee WHERE pseudonym LIKE 'DEMO%' OR "
                 "manager_pseudonym LIKE 'DEMO%'")
        ).scalar_one()  # fmt: skip
        customers = connection.execute(
            text("SELECT count(*) FROM response WHERE respondent_pseudonym LIKE 'DEMO%'")
        ).scalar_one()
    assert (found, raw, customers) == (1, 0, 0)


@pytest.fixture
def month_by_month(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the tiny demo a large run: one transaction per month."""
    module = sys.modules["keizer.demo.generate"]
    monkeypatch.setattr(module, "ONE_TRANSACTION_MAX_CONTACTS", 0)
    monkeypatch.setattr(module, "COMMIT_ROWS", 1)


def test_a_month_by_month_run_resumes_after_an_interruption(
    workspace: keizer.Workspace, tmp_path: Path, settings: Settings, month_by_month: None
) -> None:
    with keizer.open(str(tmp_path / "reference.duckdb"), settings=settings) as ws:
        generate(ws, **TINY)  # type: ignore[arg-type]
        expected = fingerprint(ws)

    def interrupt(step: str, done: int, total: int) -> None:
        if step.endswith("2026-09"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(workspace, **TINY, progress=interrupt)  # type: ignore[arg-type]
    with workspace.store.engine.connect() as connection:
        marker = connection.execute(
            text("SELECT value FROM demo_fact WHERE key = 'in_progress'")
        ).scalar_one()
        months = connection.execute(
            text("SELECT count(DISTINCT substr(source_key, 10, 6)) FROM interaction")
        ).scalar_one()
    assert json.loads(marker)["months_done"] == 2 == months
    with pytest.raises(DemoStoreError, match="unfinished demo made with other settings"):
        generate(workspace, **TINY, seed=1)  # type: ignore[arg-type]

    resumed = generate(workspace, **TINY)  # type: ignore[arg-type]
    assert resumed.rows["interactions"].inserted > 0
    assert fingerprint(workspace) == expected
    again = generate(workspace, **TINY)  # type: ignore[arg-type]
    assert all(r.inserted == 0 and r.updated == 0 for r in again.rows.values()), again.rows
    assert fingerprint(workspace) == expected
