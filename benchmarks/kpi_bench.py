"""KPI engine speed: the team x month NPS / CSAT / CES table with intervals, four ways.

    python benchmarks/kpi_bench.py [--responses 10000000] [--pg-responses 1000000]

Builds a keizer store with N customer responses (each answering NPS, CSAT and CES, linked to
an interaction of one of 90 teams over 24 months) directly with SQL, then times in one run:
a hand-written SQL query on the store (baseline), keizer's ws.kpi, the analyst's path in pandas
(read the answers from Parquet, group, compute), and polars scan_parquet (lazy). All four end
with the same interval computation from the grouped counts. Best of three timings each.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import polars as pl
import psycopg

import keizer
from keizer.config import Settings
from keizer.metrics import statistics

SETTINGS = Settings(secret_key="benchmark-secret-0123456789abcdefghij")
PERIOD = ("2024-11-01", "2026-10-31")
POSTGRES_ADMIN = os.environ.get(
    "KEIZER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PARQUET_TABLES = ("answer", "question", "response", "interaction", "org_unit")
RAW_SQL = """
SELECT u.source_key AS team, {month} AS month, q.metric,
       count(*) AS n,
       sum(a.value_num) AS total, sum(a.value_num * a.value_num) AS sum_squares,
       sum(CASE WHEN a.value_num >= 9 THEN 1 ELSE 0 END) AS promoters,
       sum(CASE WHEN a.value_num <= 6 THEN 1 ELSE 0 END) AS detractors,
       sum(CASE WHEN a.value_num > q.scale_max - 2 THEN 1 ELSE 0 END) AS top
FROM answer a
JOIN question q ON q.id = a.question_id
JOIN response r ON r.id = a.response_id
JOIN interaction i ON i.id = r.interaction_id
JOIN org_unit u ON u.id = i.team_id
WHERE q.metric IN ('nps', 'csat', 'ces') AND a.value_num IS NOT NULL
  AND r.submitted_at >= TIMESTAMP '2024-11-01' AND r.submitted_at < TIMESTAMP '2026-11-01'
GROUP BY 1, 2, 3
"""


def populate(connection: Callable[[str], object], responses: int, engine: str) -> None:
    """Teams, a survey and ``responses`` linked interactions and answers, set-based in SQL."""
    run = connection
    series = (
        f"range({responses}) t(i)" if engine == "duckdb"
        else f"generate_series(CAST(0 AS BIGINT), {responses - 1}) AS t(i)"
    )  # fmt: skip
    run("INSERT INTO org_unit (id, source_key, kind, name) VALUES (1, 'org', 'organisation', 'O')")
    run(
        "INSERT INTO org_unit (id, source_key, kind, name, parent_id) "
        "SELECT 10 + i, 'team-' || i, 'team', 'Team ' || i, 1 FROM "
        + ("range(90) t(i)" if engine == "duckdb" else "generate_series(0, 89) AS t(i)")
    )
    run("INSERT INTO survey (id, source_key, name, audience, kind) "
        "VALUES (1, 'cx', 'CX', 'customer', 'transactional')")  # fmt: skip
    run(
        "INSERT INTO question (id, survey_id, code, metric, scale_min, scale_max) VALUES "
        "(1, 1, 'nps', 'nps', 0, 10), (2, 1, 'csat', 'csat', 1, 5), (3, 1, 'ces', 'ces', 1, 7)"
    )
    minute = "INTERVAL '1 minute'"
    run(
        f"INSERT INTO interaction (id, source_key, team_id, channel, started_at) "
        f"SELECT i + 1, 'I' || i, 10 + mod(i * 7919, 90), "
        f"CASE WHEN mod(i, 10) < 6 THEN 'phone' WHEN mod(i, 10) < 9 THEN 'email' "
        f"ELSE 'chat' END, "
        f"TIMESTAMPTZ '2024-11-01 00:00:00+00' + mod(i * 104729, 1051200) * {minute} "
        f"FROM {series}"
    )
    run(
        f"INSERT INTO response (id, source_key, survey_id, interaction_id, submitted_at) "
        f"SELECT i + 1, 'R' || i, 1, i + 1, "
        f"TIMESTAMPTZ '2024-11-01 00:30:00+00' + mod(i * 104729, 1051200) * {minute} "
        f"FROM {series}"
    )
    expressions = (
        (1, "mod(i * 31 + CAST(floor(i / 7.0) AS BIGINT), 11)"),
        (2, "1 + mod(i * 17, 5)"),
        (3, "1 + mod(i * 13 + CAST(floor(i / 3.0) AS BIGINT), 7)"),
    )
    for question, expression in expressions:
        run(
            f"INSERT INTO answer (response_id, question_id, value_num) "
            f"SELECT i + 1, {question}, CAST({expression} AS DOUBLE PRECISION) FROM {series}"
        )


def intervals(stats: pd.DataFrame) -> pd.DataFrame:
    """The same interval step for every path: from grouped counts to figures."""
    parts = []
    for metric, group in stats.groupby("metric"):
        group = group.reset_index(drop=True)
        if metric == "nps":
            est = statistics.nps_frame(
                group.promoters, group.n - group.promoters - group.detractors, group.detractors
            )
        elif metric == "csat":
            est = statistics.proportion_frame(group.top, group.n)
        else:
            est = statistics.mean_frame(group.n, group.total, group.sum_squares)
        parts.append(pd.concat([group[["team", "month", "metric"]], est.reset_index(drop=True)],
                               axis=1))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def keizer_table(ws: keizer.Workspace) -> pd.DataFrame:
    return ws.kpi(["nps", "csat", "ces"], by=["team", "month"], period=PERIOD)


def duckdb_run(responses: int, folder: Path) -> dict[str, float]:
    path = folder / "bench.duckdb"
    with keizer.open(str(path), settings=SETTINGS) as ws, ws.store.engine.begin() as c:
        populate(lambda sql: c.exec_driver_sql(sql), responses, "duckdb")
    with keizer.open(str(path), settings=SETTINGS) as ws:
        duck = ws.store._duck  # the store's own DuckDB connection
        assert duck is not None
        for table in PARQUET_TABLES:  # what an analyst exports to work in a notebook
            duck.execute(f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)")
        month = "strftime(r.submitted_at, '%Y-%m')"

        def raw() -> pd.DataFrame:
            return intervals(duck.sql(RAW_SQL.format(month=month)).df())

        timings = {
            "raw SQL (baseline)": best_of(raw),
            "keizer ws.kpi": best_of(lambda: keizer_table(ws)),
        }
        assert len(keizer_table(ws)) == len(raw())
    timings["pandas from Parquet"] = best_of(lambda: pandas_path(folder), runs=1)
    timings["polars scan_parquet"] = best_of(lambda: polars_path(folder))
    return timings


def pandas_path(folder: Path) -> pd.DataFrame:
    """Read the exported tables, join, filter, group and compute, as an analyst would."""
    answer = pd.read_parquet(folder / "answer.parquet", columns=["response_id", "question_id",
                                                                 "value_num"])  # fmt: skip
    question = pd.read_parquet(folder / "question.parquet",
                               columns=["id", "metric", "scale_max"])  # fmt: skip
    response = pd.read_parquet(folder / "response.parquet",
                               columns=["id", "interaction_id", "submitted_at"])  # fmt: skip
    interaction = pd.read_parquet(folder / "interaction.parquet", columns=["id", "team_id"])
    unit = pd.read_parquet(folder / "org_unit.parquet", columns=["id", "source_key"])
    frame = (
        answer.merge(question.rename(columns={"id": "question_id"}), on="question_id")
        .merge(response.rename(columns={"id": "response_id"}), on="response_id")
        .merge(interaction.rename(columns={"id": "interaction_id"}), on="interaction_id")
        .merge(unit.rename(columns={"id": "team_id", "source_key": "team"}), on="team_id")
    )
    frame = frame[frame.metric.isin(["nps", "csat", "ces"]) & frame.value_num.notna()
                  & (frame.submitted_at >= pd.Timestamp(PERIOD[0], tz="UTC"))
                  & (frame.submitted_at < pd.Timestamp("2026-11-01", tz="UTC"))]  # fmt: skip
    value = frame.value_num
    frame = frame.assign(
        month=frame.submitted_at.dt.strftime("%Y-%m"), promoter=value >= 9,
        detractor=value <= 6, top_box=value > frame.scale_max - 2, square=value * value,
    )  # fmt: skip
    stats = frame.groupby(["team", "month", "metric"]).agg(
        n=("value_num", "size"), total=("value_num", "sum"), sum_squares=("square", "sum"),
        promoters=("promoter", "sum"), detractors=("detractor", "sum"), top=("top_box", "sum"),
    ).reset_index()  # fmt: skip
    return intervals(stats)


def polars_path(folder: Path) -> pd.DataFrame:
    """The same with polars' lazy engine over the Parquet files."""
    answer = pl.scan_parquet(folder / "answer.parquet").select(
        "response_id", "question_id", value=pl.col("value_num")
    )
    question = pl.scan_parquet(folder / "question.parquet").select(
        question_id="id", metric="metric", scale_max="scale_max"
    )
    response = pl.scan_parquet(folder / "response.parquet").select(
        response_id="id", interaction_id="interaction_id", submitted_at="submitted_at"
    )
    interaction = pl.scan_parquet(folder / "interaction.parquet").select(
        interaction_id="id", team_id="team_id"
    )
    unit = pl.scan_parquet(folder / "org_unit.parquet").select(team_id="id", team="source_key")
    value = pl.col("value")
    stats = (
        answer.join(question, on="question_id")
        .join(response, on="response_id")
        .join(interaction, on="interaction_id")
        .join(unit, on="team_id")
        .filter(
            pl.col("metric").is_in(["nps", "csat", "ces"])
            & value.is_not_null()
            & pl.col("submitted_at").is_between(
                pl.datetime(2024, 11, 1, time_zone="UTC"),
                pl.datetime(2026, 11, 1, time_zone="UTC"),
                closed="left",
            )
        )
        .with_columns(month=pl.col("submitted_at").dt.strftime("%Y-%m"))
        .group_by("team", "month", "metric")
        .agg(
            n=pl.len().cast(pl.Int64),
            total=value.sum(),
            sum_squares=(value * value).sum(),
            promoters=(value >= 9).sum().cast(pl.Int64),
            detractors=(value <= 6).sum().cast(pl.Int64),
            top=(value > pl.col("scale_max") - 2).sum().cast(pl.Int64),
        )
        .collect()
    )
    return intervals(stats.to_pandas())


def postgres_run(responses: int) -> dict[str, float]:
    name = f"keizer_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql:", "postgresql+psycopg:")
        url = f"{base}/{name}"
        try:
            with keizer.open(url, settings=SETTINGS) as ws, ws.store.engine.begin() as c:
                populate(lambda sql: c.exec_driver_sql(sql), responses, "postgresql")
                c.exec_driver_sql("ANALYZE")
            with keizer.open(url, settings=SETTINGS) as ws:
                month = "to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM')"

                def raw() -> pd.DataFrame:
                    with ws.store.engine.connect() as connection:
                        stats = pd.read_sql_query(RAW_SQL.format(month=month), connection)
                    return intervals(stats)

                return {
                    "raw SQL (baseline)": best_of(raw),
                    "keizer ws.kpi": best_of(lambda: keizer_table(ws)),
                }
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--pg-responses", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        duck = duckdb_run(args.responses, Path(tmp))
    pg = postgres_run(args.pg_responses) if args.pg_responses else {}
    print(f"team x month NPS/CSAT/CES with intervals, {date.today()}")
    print("| engine | path | seconds | vs raw SQL |")
    print("|---|---|---:|---:|")
    runs = (("DuckDB", duck, args.responses), ("PostgreSQL", pg, args.pg_responses))
    for engine, timings, n in runs:
        if not timings:
            continue
        base = timings["raw SQL (baseline)"]
        for path, seconds in timings.items():
            print(
                f"| {engine} ({n:,} responses) | {path} | {seconds:.2f} | {seconds / base:.2f}x |"
            )
    ours = duck["keizer ws.kpi"]
    print(f"keizer vs pandas: {duck['pandas from Parquet'] / ours:.1f}x faster")
    print(f"keizer vs polars: {duck['polars scan_parquet'] / ours:.2f}x (>= 1: keizer faster)")


if __name__ == "__main__":
    main()
