"""The ingest API under load: concurrent clients posting response batches to `keizer serve`.

    python benchmarks/ingest_bench.py [--seconds 60] [--clients 50] [--batch 20]
        [--interval 0.5] [--engines duckdb,postgresql]

For each engine: a fresh store with an organisation, a CX survey and an admin API token;
`keizer serve` (a real Uvicorn server in its own process, which owns the DuckDB file) on a
free loopback port; then ``--clients`` concurrent clients, each with its own connection, post
a batch of ``--batch`` new responses every ``--interval`` seconds for ``--seconds`` seconds
(a client whose answer comes late posts again at once). Every 25th batch is posted a second
time, as a client retrying after a lost answer would: it must add nothing.

Afterwards the server is stopped and the store is checked: exactly the posted responses, each
once, with their answers (0 lost, 0 duplicated). The baseline, measured in the same run on the
same engine, is the same batches written directly through the Python API (``ws.add_responses``,
one process, no HTTP), so the ratio shows what HTTP, authentication and concurrency cost.

Targets (issue #8, acceptance 5): >= 1,000 responses/s and p99 < 50 ms on both engines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import psycopg

import keizer
from keizer.config import Settings
from keizer.feedback.schemas import QuestionCreate, ResponseCreate, SurveyCreate
from keizer.org.schemas import OrgUnitCreate
from keizer.users.schemas import UserCreate

POSTGRES_ADMIN = os.environ.get(
    "KEIZER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "benchmark-secret-0123456789abcdefghij"
SURVEY = SurveyCreate(
    source_key="bench-cx", name="Benchmark CX", audience="customer", kind="transactional",
    questions=(
        QuestionCreate(code="nps", metric="nps", scale_min=0, scale_max=10),
        QuestionCreate(code="ces", metric="ces", scale_min=1, scale_max=7),
        QuestionCreate(code="comment", metric="open_comment"),
    ),
)  # fmt: skip
TEAMS = [f"team-{i:02d}" for i in range(20)]
RETRY_EVERY = 25
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Load:
    """What the clients did."""

    latencies: list[float] = field(default_factory=list)
    posted: set[str] = field(default_factory=set)
    requests: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    retry_added: int = 0
    seconds: float = 0.0


def batch_of(client: int, seq: int, size: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(client * 1_000_003 + seq)
    rows = []
    for i in range(size):
        n = (client * 7919 + seq * size + i) % 86_400
        answers: dict[str, object] = {"nps": float(rng.integers(0, 11)),
                                      "ces": float(rng.integers(1, 8))}  # fmt: skip
        if i % 5 == 0:
            answers["comment"] = "wachttijd was lang" if i % 2 else "snel geholpen"
        rows.append(
            {
                "source_key": f"b-{client:03d}-{seq:06d}-{i:03d}",
                "survey_key": SURVEY.source_key,
                "submitted_at": (T0 + timedelta(seconds=n)).isoformat(),
                "team_key": TEAMS[(client + i) % len(TEAMS)],
                "channel": ("phone", "email", "chat")[i % 3],
                "respondent_source_id": f"cust-{client}-{seq}-{i}",
                "answers": answers,
            }
        )
    return rows


async def client_loop(
    url: str, token: str, client: int, args: argparse.Namespace, load: Load, stop: float
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as c:
        next_at = time.perf_counter() + args.interval * client / args.clients  # spread starts
        seq = 0
        while True:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.perf_counter() >= stop:
                return
            rows = batch_of(client, seq, args.batch)
            repeats = 2 if seq % RETRY_EVERY == RETRY_EVERY - 1 else 1
            for attempt in range(repeats):
                started = time.perf_counter()
                try:
                    response = await c.post("/api/v1/responses", json={"responses": rows})
                except httpx.HTTPError as exc:
                    load.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                load.latencies.append(time.perf_counter() - started)
                load.requests += 1
                if response.status_code != 200:
                    load.errors.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                body = response.json()
                if attempt == 0:
                    load.posted.update(str(r["source_key"]) for r in rows)
                else:
                    load.retries += 1
                    load.retry_added += body["new"] + body["updated"]
            seq += 1
            next_at += args.interval


async def run_load(url: str, token: str, args: argparse.Namespace) -> Load:
    load = Load()
    started = time.perf_counter()
    stop = started + args.seconds
    await asyncio.gather(
        *(client_loop(url, token, i, args, load, stop) for i in range(args.clients))
    )
    load.seconds = time.perf_counter() - started
    return load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str) -> str:
    """Organisation, survey and an admin token; returns the token."""
    with keizer.open(url, settings=Settings(secret_key=SECRET)) as ws:
        units = [OrgUnitCreate(source_key="org", name="Org", kind="organisation")]
        units += [OrgUnitCreate(source_key=t, name=t, kind="team", parent_key="org") for t in TEAMS]
        ws.add_org_units(units)
        ws.add_survey(SURVEY)
        ws.add_user(UserCreate(username="ingest", password="benchmark-password", role="admin"))
        return ws.create_token("ingest", "benchmark").token


def serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KEIZER_SECRET_KEY": SECRET, "KEIZER_DATABASE_URL": url}
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "keizer", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=sink,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"keizer serve stopped: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("keizer serve did not start within 120 s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def verify(url: str, load: Load) -> dict[str, int]:
    """What the store holds of the posted responses."""
    from sqlalchemy import text

    with (
        keizer.open(url, settings=Settings(secret_key=SECRET)) as ws,
        ws.store.engine.connect() as c,
    ):
        keys = [str(k) for k in c.execute(text("SELECT source_key FROM response")).scalars()]
        answers = int(c.execute(text("SELECT count(*) FROM answer")).scalar_one())
    stored = set(keys)
    expected_answers = sum(2 + (1 if int(k.rsplit("-", 1)[1]) % 5 == 0 else 0) for k in load.posted)
    return {
        "stored": len(keys),
        "lost": len(load.posted - stored),
        "extra": len(stored - load.posted),
        "duplicated": len(keys) - len(stored),
        "answers_missing": expected_answers - answers,
    }


def baseline(url: str, args: argparse.Namespace, batches: int) -> float:
    """Responses/s of the same batches written straight through ``ws.add_responses``."""
    prepare(url)
    with keizer.open(url, settings=Settings(secret_key=SECRET)) as ws:
        started = time.perf_counter()
        written = 0
        for seq in range(batches):
            rows = [ResponseCreate.model_validate(r) for r in batch_of(999, seq, args.batch)]
            written += ws.add_responses(rows).inserted
        return written / (time.perf_counter() - started)


def store_urls(engine: str, folder: Path) -> tuple[str, str, list[str]]:
    if engine == "duckdb":
        return str(folder / "bench.duckdb"), str(folder / "baseline.duckdb"), []
    names = [f"keizer_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{names[0]}", f"{base}/{names[1]}", names


def drop(names: list[str]) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_engine(engine: str, args: argparse.Namespace, folder: Path) -> dict[str, object]:
    url, base_url, databases = store_urls(engine, folder)
    try:
        token = prepare(url)
        port = free_port()
        server = serve(url, port, folder / f"serve-{engine}.log")
        try:
            cpu_before = cpu_seconds(server.pid)
            load = asyncio.run(run_load(f"http://127.0.0.1:{port}", token, args))
            server_cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            stop(server)
        checked = verify(url, load)
        batches = max(1, min(len(load.posted) // args.batch, args.baseline_batches))
        direct = baseline(base_url, args, batches)
    finally:
        if databases:
            drop(databases)
    lat = np.array(load.latencies) * 1000
    rate = len(load.posted) / load.seconds
    return {
        "engine": engine, "seconds": load.seconds, "requests": load.requests,
        "responses": len(load.posted), "rate": rate, "direct": direct,
        "p50": float(np.percentile(lat, 50)) if lat.size else float("nan"),
        "p95": float(np.percentile(lat, 95)) if lat.size else float("nan"),
        "p99": float(np.percentile(lat, 99)) if lat.size else float("nan"),
        "max": float(lat.max()) if lat.size else float("nan"),
        "errors": len(load.errors), "first_error": load.errors[0] if load.errors else "",
        "retries": load.retries, "retry_added": load.retry_added, **checked,
        "cpu_ms": 1000 * server_cpu / max(load.requests, 1),
        "cpu_share": server_cpu / load.seconds,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--batch", type=int, default=20, help="responses per post")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between posts")
    parser.add_argument("--engines", default="duckdb,postgresql")
    parser.add_argument("--baseline-batches", type=int, default=500)
    args = parser.parse_args()
    offered = args.clients * args.batch / args.interval
    print(f"{args.clients} clients x {args.batch} responses every {args.interval:g} s "
          f"(offered {offered:,.0f} responses/s) for {args.seconds:g} s")  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        for engine in args.engines.split(","):
            results.append(run_engine(engine, args, Path(tmp)))
    print()
    print("| engine | responses/s | direct ws.add_responses/s | ratio | requests | p50 ms "
          "| p95 ms | p99 ms | max ms | errors | stored | lost | duplicated | retried batches "
          "(added) | server CPU ms/request | server CPU use |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for r in results:
        print(
            f"| {r['engine']} | {r['rate']:,.0f} | {r['direct']:,.0f} | "
            f"{r['rate'] / r['direct']:.2f} | {r['requests']:,} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['errors']} | "
            f"{r['stored']:,} | {r['lost']} | {r['duplicated'] + r['extra']} | "
            f"{r['retries']} ({r['retry_added']}) | {r['cpu_ms']:.1f} | {r['cpu_share']:.0%} |"
        )
        if r["first_error"]:
            print(f"  first error ({r['engine']}): {r['first_error']}")
        ok &= (
            r["rate"] >= 1000 and r["p99"] < 50 and r["errors"] == 0 and r["lost"] == 0
            and r["duplicated"] == 0 and r["extra"] == 0 and r["retry_added"] == 0
            and r["answers_missing"] == 0
        )  # fmt: skip
    print()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print("targets (>= 1,000 responses/s, p99 < 50 ms, 0 lost, 0 duplicated):",
          "met" if ok else "NOT met")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
