"""The ingest API under load: concurrent clients posting response batches to `keizer serve`.

    python benchmarks/ingest_bench.py [--seconds 60] [--clients 50] [--batch 20]
        [--interval 0.85] [--capacity-seconds 20] [--capacity-interval 0.25]
        [--engines duckdb,postgresql]

For each engine: a fresh store with an organisation, a CX survey and an admin API token;
`keizer serve` (a real Uvicorn server in its own process, which owns the DuckDB file) on a
free loopback port, left to finish its start-up work (the dashboards' warm-up) first; then
``--clients`` concurrent clients, each with its own keep-alive HTTP/1.1 connection, post a
batch of ``--batch`` new responses every ``--interval`` seconds for ``--seconds`` seconds (a
client whose answer comes late posts again at once). Every 25th batch of a client is posted
a second time, as a client retrying after a lost answer would: it must add nothing (each
client at its own turn; until 2026-12-07 all clients retried in the same second). The default
interval offers 50 x 20 / 0.85 = 1,176 responses/s, just above the target, for the latency
figures. A second, shorter phase offers far more (``--capacity-interval``, 4,000
responses/s by default) to measure what the server sustains at saturation.

The clients are a minimal HTTP/1.1 client on asyncio streams (request line, headers,
``Content-Length`` body; the answer's status, headers and body are read in full and the
JSON parsed): the benchmark shares the machine's cores with the server, so its own CPU per
request is kept small.

Afterwards the server is stopped and the store is checked: exactly the posted responses, each
once, with their answers (0 lost, 0 duplicated). The baseline, measured in the same run on the
same engine, is the same batches written directly through the Python API (``ws.add_responses``,
one process, no HTTP), so the ratio shows what HTTP, authentication and concurrency cost.

Targets (issue #8, acceptance 5): >= 1,000 responses/s and p99 < 50 ms on both engines
(both checked on the latency phase; the capacity phase is reported, not judged).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
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
from typing import Any

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
    client_cpu: float = 0.0  # CPU seconds the benchmark process used meanwhile


class Http:
    """One keep-alive HTTP/1.1 connection posting JSON (reconnects after an error)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.headers = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        ).encode("ascii")
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """The answer's status and body."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(
                b"POST " + path.encode("ascii") + b" HTTP/1.1\r\n" + self.headers
                + b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body
            )  # fmt: skip
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionError("the server closed the connection")
            status = int(status_line.split()[1])
            length, chunked, close = 0, False, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            if chunked:
                parts = []
                while size := int((await reader.readline()).split(b";")[0], 16):
                    parts.append(await reader.readexactly(size + 2))
                await reader.readline()
                content = b"".join(p[:-2] for p in parts)
            else:
                content = await reader.readexactly(length)
        except BaseException:
            await self.close()
            raise
        if close:
            await self.close()
        return status, content

    async def close(self) -> None:
        if self.streams is not None:
            writer = self.streams[1]
            self.streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def is_retried(client: int, seq: int) -> bool:
    """Every ``RETRY_EVERY``-th batch of a client is posted twice; each client at its own
    turn, as answers get lost one client at a time (not all clients in the same second)."""
    return (seq + client) % RETRY_EVERY == RETRY_EVERY - 1


def batch_of(client: int, seq: int, size: int, phase: str = "b") -> list[dict[str, object]]:
    rng = random.Random(client * 1_000_003 + seq)
    rows: list[dict[str, object]] = []
    for i in range(size):
        n = (client * 7919 + seq * size + i) % 86_400
        answers: dict[str, object] = {"nps": float(rng.randint(0, 10)),
                                      "ces": float(rng.randint(1, 7))}  # fmt: skip
        if i % 5 == 0:
            answers["comment"] = "wachttijd was lang" if i % 2 else "snel geholpen"
        rows.append(
            {
                "source_key": f"{phase}-{client:03d}-{seq:06d}-{i:03d}",
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
    port: int, token: str, client: int, args: Phase, load: Load, stop: float
) -> None:
    http = Http("127.0.0.1", port, token)
    next_at = time.perf_counter() + args.interval * client / args.clients  # spread starts
    seq = 0
    try:
        while True:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.perf_counter() >= stop:
                return
            rows = batch_of(client, seq, args.batch, args.phase)
            body = json.dumps({"responses": rows}).encode()
            repeats = 2 if is_retried(client, seq) else 1
            for attempt in range(repeats):
                started = time.perf_counter()
                try:
                    status, content = await http.post("/api/v1/responses", body)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    load.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                load.latencies.append(time.perf_counter() - started)
                load.requests += 1
                if status != 200:
                    load.errors.append(f"{status}: {content[:200]!r}")
                    continue
                answer = json.loads(content)
                if answer["received"] != len(rows):
                    load.errors.append(f"received {answer['received']} of {len(rows)}")
                if attempt == 0:
                    load.posted.update(str(r["source_key"]) for r in rows)
                else:
                    load.retries += 1
                    load.retry_added += answer["new"] + answer["updated"]
            seq += 1
            next_at += args.interval
    finally:
        await http.close()


@dataclass
class Phase:
    """One load phase: who posts what, how often, for how long."""

    phase: str
    seconds: float
    clients: int
    batch: int
    interval: float

    @property
    def offered(self) -> float:
        return self.clients * self.batch / self.interval


async def run_load(port: int, token: str, args: Phase) -> Load:
    load = Load()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    stop = started + args.seconds
    await asyncio.gather(
        *(client_loop(port, token, i, args, load, stop) for i in range(args.clients))
    )
    load.seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    load.client_cpu = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
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


def settle(server: subprocess.Popen[bytes], limit_s: float = 120.0) -> None:
    """Wait until the server has finished its start-up work (it computes the dashboards'
    default views in the background): two half-seconds in a row under 10 % of a core."""
    quiet = 0
    deadline = time.monotonic() + limit_s
    while quiet < 2 and time.monotonic() < deadline:
        before = cpu_seconds(server.pid)
        time.sleep(0.5)
        quiet = quiet + 1 if cpu_seconds(server.pid) - before < 0.05 else 0


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


def verify(url: str, posted: set[str]) -> dict[str, int]:
    """What the store holds of the posted responses."""
    from sqlalchemy import text

    with (
        keizer.open(url, settings=Settings(secret_key=SECRET)) as ws,
        ws.store.engine.connect() as c,
    ):
        keys = [str(k) for k in c.execute(text("SELECT source_key FROM response")).scalars()]
        answers = int(c.execute(text("SELECT count(*) FROM answer")).scalar_one())
    stored = set(keys)
    expected_answers = sum(2 + (1 if int(k.rsplit("-", 1)[1]) % 5 == 0 else 0) for k in posted)
    return {
        "stored": len(keys),
        "lost": len(posted - stored),
        "extra": len(stored - posted),
        "duplicated": len(keys) - len(stored),
        "answers_missing": expected_answers - answers,
    }


def baseline(url: str, args: Phase, batches: int) -> float:
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
    names = [f"ingest_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{names[0]}", f"{base}/{names[1]}", names


def drop(names: list[str]) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def figures(load: Load, server_cpu: float) -> dict[str, float]:
    """Throughput, latency percentiles and CPU per request of one phase."""
    lat = np.array(load.latencies) * 1000
    nan = float("nan")
    return {
        "rate": len(load.posted) / load.seconds, "requests": load.requests,
        "p50": float(np.percentile(lat, 50)) if lat.size else nan,
        "p95": float(np.percentile(lat, 95)) if lat.size else nan,
        "p99": float(np.percentile(lat, 99)) if lat.size else nan,
        "max": float(lat.max()) if lat.size else nan,
        "errors": len(load.errors), "retries": load.retries, "retry_added": load.retry_added,
        "cpu_ms": 1000 * server_cpu / max(load.requests, 1),
        "cpu_share": server_cpu / load.seconds,
        "client_ms": 1000 * load.client_cpu / max(load.requests, 1),
    }  # fmt: skip


def run_engine(
    engine: str, phases: list[Phase], args: argparse.Namespace, folder: Path
) -> dict[str, Any]:
    url, base_url, databases = store_urls(engine, folder)
    results: dict[str, Any] = {"engine": engine}
    posted: set[str] = set()
    errors: list[str] = []
    try:
        token = prepare(url)
        port = free_port()
        server = serve(url, port, folder / f"serve-{engine}.log")
        try:
            settle(server)
            for phase in phases:
                cpu_before = cpu_seconds(server.pid)
                load = asyncio.run(run_load(port, token, phase))
                results[phase.phase] = figures(load, cpu_seconds(server.pid) - cpu_before)
                posted |= load.posted
                errors += load.errors
        finally:
            stop(server)
        results.update(verify(url, posted))
        batches = max(1, min(len(posted) // phases[0].batch, args.baseline_batches))
        results["direct"] = baseline(base_url, phases[0], batches)
    finally:
        if databases:
            drop(databases)
    results["first_error"] = errors[0] if errors else ""
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--batch", type=int, default=20, help="responses per post")
    parser.add_argument("--interval", type=float, default=0.85, help="seconds between posts")
    parser.add_argument("--capacity-seconds", type=float, default=20.0, help="0: no capacity phase")
    parser.add_argument("--capacity-interval", type=float, default=0.25)
    parser.add_argument("--engines", default="duckdb,postgresql")
    parser.add_argument("--baseline-batches", type=int, default=500)
    args = parser.parse_args()
    phases = [Phase("latency", args.seconds, args.clients, args.batch, args.interval)]
    if args.capacity_seconds > 0:
        phases.append(
            Phase(
                "capacity", args.capacity_seconds, args.clients, args.batch, args.capacity_interval
            )
        )
    for p in phases:
        print(f"{p.phase}: {p.clients} clients x {p.batch} responses every {p.interval:g} s "
              f"(offered {p.offered:,.0f} responses/s, {p.offered / p.batch:,.0f} requests/s) "
              f"for {p.seconds:g} s")  # fmt: skip
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    results = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        for engine in args.engines.split(","):
            results.append(run_engine(engine, phases, args, Path(tmp)))
    print()
    print("| engine | phase | offered/s | responses/s | requests | p50 ms | p95 ms | p99 ms "
          "| max ms | errors | retried batches (added) | server CPU ms/request | server CPU use "
          "| client CPU ms/request |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for p in phases:
            f = r[p.phase]
            print(
                f"| {r['engine']} | {p.phase} | {p.offered:,.0f} | {f['rate']:,.0f} | "
                f"{f['requests']:,} | {f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} | "
                f"{f['max']:.1f} | {f['errors']} | {f['retries']} ({f['retry_added']}) | "
                f"{f['cpu_ms']:.2f} | {f['cpu_share']:.0%} | {f['client_ms']:.2f} |"
            )
    print()
    print("| engine | stored | lost | duplicated | answers missing | direct ws.add_responses/s |")
    print("|---|---|---|---|---|---|")
    ok = True
    for r in results:
        print(f"| {r['engine']} | {r['stored']:,} | {r['lost']} | {r['duplicated'] + r['extra']} "
              f"| {r['answers_missing']} | {r['direct']:,.0f} |")  # fmt: skip
        if r["first_error"]:
            print(f"  first error ({r['engine']}): {r['first_error']}")
        latency = r["latency"]
        ok &= (
            latency["rate"] >= 1000 and latency["p99"] < 50
            and all(r[p.phase]["errors"] == 0 and r[p.phase]["retry_added"] == 0 for p in phases)
            and r["lost"] == 0 and r["duplicated"] == 0 and r["extra"] == 0
            and r["answers_missing"] == 0
        )  # fmt: skip
    print()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print("targets (latency phase: >= 1,000 responses/s, p99 < 50 ms; 0 lost, 0 duplicated):",
          "met" if ok else "NOT met")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
