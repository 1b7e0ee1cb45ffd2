"""Import speed and memory against raw engine loads, measured in the same run.

    python benchmarks/import_bench.py [--rows 10000000] [--pg-rows 1000000]

Generates a response CSV (response id, timestamp, customer id, NPS, CES, channel, language)
and prints, for each engine, the time of a raw load of the same file into a plain table
(DuckDB read_csv / PostgreSQL COPY) and of `keizer import`, the ratio, and keizer's peak RSS
(and its CPU time, all threads: steadier than the clock on a shared machine);
then the same rows written by plain SQL into keizer's own response and answer tables (no
validation, no pseudonymisation), which shows what the schema's keys cost by themselves.
Every import runs in its own process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import duckdb
import numpy as np
import psycopg

POSTGRES_ADMIN = os.environ.get(
    "KEIZER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
HEADER = "response_id,submitted_at,respondent_id,channel,language,nps,ces\n"
KEIZER_RUN = """
import json, resource, sys, time
import keizer
from keizer.config import Settings
settings = Settings(secret_key="benchmark-secret-0123456789abcdefghij")
with keizer.open(sys.argv[1], settings=settings) as ws:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = ws.import_file(sys.argv[2], "responses", survey="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "inserted": result.result.inserted, "peak": peak,
                  "cpu": cpu}))
"""

# The same rows written straight into keizer's response and answer tables with SQL (no
# validation, no pseudonymisation): what the schema's keys and indexes cost on their own.
SCHEMA_FLOOR_RUN = """
import json, resource, sys, time
from pathlib import Path
import keizer
from keizer.config import Settings
settings = Settings(secret_key="benchmark-secret-0123456789abcdefghij")
csv = Path(sys.argv[2])
seed = csv.with_name("seed.csv")
seed.write_text("response_id,submitted_at,nps,ces\\nseed,2025-01-01 00:00,0,1\\n")
columns = "response_id, submitted_at, respondent_id, channel, language, nps, ces"
with keizer.open(sys.argv[1], settings=settings) as ws:
    ws.import_file(seed, "responses", survey="bench")  # the survey and its two questions
    started = time.perf_counter()
    with ws.unit_of_work() as session:
        c = session.connection()
        q = dict(c.exec_driver_sql("SELECT code, id FROM question").all())
        if ws.engine == "duckdb":
            c.exec_driver_sql(
                f"CREATE TEMP TABLE s AS SELECT nextval('response_id_seq') AS id, * "
                f"FROM read_csv('{csv}', header=true)"
            )
        else:
            c.exec_driver_sql(
                "CREATE TEMP TABLE s (id bigint DEFAULT nextval('response_id_seq'), "
                "response_id text, submitted_at timestamp, respondent_id text, channel text, "
                "language text, nps int, ces int) ON COMMIT DROP"
            )
            raw = c.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(
                f"COPY s ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy, csv.open("rb") as handle:
                while chunk := handle.read(8 * 1024 * 1024):
                    copy.write(chunk)
        survey = c.exec_driver_sql("SELECT id FROM survey").scalar_one()
        c.exec_driver_sql(
            f"INSERT INTO response (id, source_key, survey_id, respondent_pseudonym, channel, "
            f"submitted_at, language) SELECT id, response_id, {survey}, respondent_id, channel, "
            f"submitted_at, language FROM s"
        )
        c.exec_driver_sql(
            f"INSERT INTO answer (response_id, question_id, value_num) "
            f"SELECT id, {q['nps']}, nps FROM s UNION ALL SELECT id, {q['ces']}, ces FROM s"
        )
    seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak}))
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` responses in chunks (vectorised, bounded memory)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00")
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for offset in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - offset)
            ids = np.arange(offset, offset + n)
            stamps = start + rng.integers(0, 600 * 86_400, n).astype("timedelta64[s]")
            customers = rng.integers(0, max(rows // 4, 1), n)
            channel = np.array(["phone", "email", "chat"])[rng.choice(3, n, p=[0.65, 0.29, 0.06])]
            language = np.where(rng.random(n) < 0.8, "nl", "en")
            nps = rng.integers(0, 11, n)
            ces = rng.integers(1, 8, n)
            lines = [
                f"R{i},{str(t).replace('T', ' ')},C{c},{ch},{lang},{p},{e}\n"
                for i, t, c, ch, lang, p, e in zip(
                    ids, stamps, customers, channel, language, nps, ces, strict=True
                )
            ]
            handle.write("".join(lines))


def raw_duckdb(csv: Path, folder: Path) -> float:
    connection = duckdb.connect(str(folder / f"raw-{uuid.uuid4().hex}.duckdb"))
    started = time.perf_counter()
    connection.execute(f"CREATE TABLE responses AS SELECT * FROM read_csv('{csv}', header=true)")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def raw_copy(csv: Path, url: str) -> float:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        connection.execute(
            "CREATE TABLE responses (response_id text, submitted_at timestamp, respondent_id "
            "text, channel text, language text, nps int, ces int)"
        )
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY responses FROM STDIN (FORMAT csv, HEADER true)") as copy,
            csv.open("rb") as handle,
        ):
            while chunk := handle.read(8 * 1024 * 1024):
                copy.write(chunk)
        connection.commit()
        return time.perf_counter() - started


def keizer_import(store: str, csv: Path, script: str = KEIZER_RUN) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, store, str(csv)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def postgres_database(admin: psycopg.Connection, prefix: str) -> str:
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--pg-prefix", default="keizer_bench_", help="scratch database names")
    args = parser.parse_args()
    rows: list[tuple[str, int, float, dict[str, float], dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = folder / "responses.csv"
        generate(big, args.rows)
        raw = raw_duckdb(big, folder)
        ours = keizer_import(str(folder / "keizer.duckdb"), big)
        floor = keizer_import(str(folder / "floor.duckdb"), big, SCHEMA_FLOOR_RUN)
        rows.append(("DuckDB", args.rows, raw, ours, floor))

        small = folder / "responses_pg.csv"
        generate(small, args.pg_rows)
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            names = [postgres_database(admin, args.pg_prefix) for _ in range(3)]
            base = POSTGRES_ADMIN.rsplit("/", 1)[0]
            store = base.replace("postgresql:", "postgresql+psycopg:")
            try:
                raw_pg = raw_copy(small, f"{base}/{names[0]}")
                ours_pg = keizer_import(f"{store}/{names[1]}", small)
                floor_pg = keizer_import(f"{store}/{names[2]}", small, SCHEMA_FLOOR_RUN)
            finally:
                for name in names:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        rows.append(("PostgreSQL", args.pg_rows, raw_pg, ours_pg, floor_pg))

    print(
        "| engine | rows | raw load (s) | keizer import (s) | ratio | target | keizer peak RSS "
        "| SQL into keizer's tables (s) | its ratio | its peak RSS | keizer import CPU (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for engine, n, raw_s, ours, floor in rows:
        print(
            f"| {engine} | {n:,} | {raw_s:.2f} | {ours['seconds']:.2f} | "
            f"{ours['seconds'] / raw_s:.1f}x | <= 2.0x | {ours['peak'] / 2**30:.2f} GiB | "
            f"{floor['seconds']:.2f} | {floor['seconds'] / raw_s:.1f}x | "
            f"{floor['peak'] / 2**30:.2f} GiB | {ours['cpu']:.2f} |"
        )


if __name__ == "__main__":
    main()
