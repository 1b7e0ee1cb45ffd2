"""Benchmark of the demo generator: rows/s and peak memory up to 10 M responses.

Each size runs in a fresh process (so its peak RSS is its own) into a temporary DuckDB file.
The baseline, measured in the same process, streams an equal number of rows of a similar
Arrow shape (an id, a text key, two numbers, a timestamp) straight into a DuckDB table: the
ceiling for any loader on this machine. Usage::

    python benchmarks/demo_bench.py                      # up to 10 M responses
    python benchmarks/demo_bench.py --max-responses 1e6  # quicker
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

import keizer
from keizer.config import Settings
from keizer.demo import generate

RESPONSES_AT_SCALE_1 = 206_000  # 1,100 agents, 24 months (measured at scale 45: 9.28 M)
TARGETS = (250_000, 1_000_000, 3_000_000, 10_000_000)
BATCH_ROWS = 1_000_000


def child(
    scale: float, employees: int, months: int, folder: Path, memory_limit: str
) -> dict[str, float]:
    settings = Settings(secret_key="benchmark-secret-0123456789-abcdefghijkl")
    with keizer.open(str(folder / "demo.duckdb"), settings=settings) as ws:
        with ws.store.engine.connect() as connection:
            connection.exec_driver_sql(f"SET memory_limit = '{memory_limit}'")
        summary = generate(ws, employees=employees, months=months, scale=scale)
    rows = sum(r.total for r in summary.rows.values())
    baseline = _baseline(folder / "baseline.duckdb", rows)
    return {
        "scale": scale,
        "responses": summary.responses,
        "rows": rows,
        "seconds": summary.seconds,
        "generate_s": summary.seconds,
        "baseline_s": baseline,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _baseline(path: Path, rows: int) -> float:
    """Seconds to stream ``rows`` Arrow rows into a DuckDB table."""
    rng = np.random.default_rng(0)
    schema = pa.schema(
        [("id", pa.int64()), ("key", pa.string()), ("value", pa.float64()),
         ("score", pa.float64()), ("at", pa.timestamp("us", tz="UTC"))]
    )  # fmt: skip

    def batches():  # type: ignore[no-untyped-def]
        for start in range(0, rows, BATCH_ROWS):
            n = min(BATCH_ROWS, rows - start)
            ids = np.arange(start, start + n)
            yield pa.record_batch(
                [pa.array(ids), pa.array(np.char.add("k:", ids.astype(str))),
                 pa.array(rng.random(n)), pa.array(rng.integers(0, 11, n).astype(float)),
                 pa.array(1_700_000_000_000_000 + ids, pa.timestamp("us", tz="UTC"))],
                schema=schema,
            )  # fmt: skip

    started = time.perf_counter()
    connection = duckdb.connect(str(path))
    reader = pa.RecordBatchReader.from_batches(schema, batches())
    connection.register("staged", reader)
    connection.execute("CREATE TABLE t AS SELECT * FROM staged")
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-responses", type=float, default=10_000_000)
    parser.add_argument("--employees", type=int, default=1100)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument(
        "--duckdb-memory-limit", default="2GB", help="DuckDB's buffer pool (default 80 %% of RAM)"
    )
    parser.add_argument("--child-scale", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_scale is not None:
        with tempfile.TemporaryDirectory() as folder:
            result = child(
                args.child_scale, args.employees, args.months, Path(folder),
                args.duckdb_memory_limit,
            )  # fmt: skip
        print(json.dumps(result))
        return
    per_scale = RESPONSES_AT_SCALE_1 * args.employees / 1100 * args.months / 24
    scales = [round(t / per_scale, 2) for t in TARGETS if t <= args.max_responses]
    print(
        f"DuckDB memory_limit {args.duckdb_memory_limit}; {args.employees} agents, "
        f"{args.months} months",
        flush=True,
    )
    print(f"{'scale':>6} {'responses':>11} {'rows':>12} {'s':>7} {'rows/s':>10} "
          f"{'baseline rows/s':>16} {'ratio':>6} {'peak RSS MiB':>13}")  # fmt: skip
    for scale in scales:
        run = subprocess.run(
            [sys.executable, __file__, "--child-scale", str(scale),
             "--employees", str(args.employees), "--months", str(args.months),
             "--duckdb-memory-limit", args.duckdb_memory_limit],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        r = json.loads(run.stdout.strip().splitlines()[-1])
        rate, base = r["rows"] / r["seconds"], r["rows"] / r["baseline_s"]
        print(f"{r['scale']:>6g} {r['responses']:>11,} {r['rows']:>12,} {r['seconds']:>7.1f} "
              f"{rate:>10,.0f} {base:>16,.0f} {rate / base:>6.3f} {r['peak_rss_mib']:>13,.0f}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
