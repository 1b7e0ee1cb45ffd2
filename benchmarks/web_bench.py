"""Web app speed: server time of the overview page vs the KPI engine's own time for its figures.

    python benchmarks/web_bench.py [--store demo.duckdb] [--employees 1100] [--months 24]

Uses the demo organisation (the default size unless told otherwise; an existing demo store is
reused with ``--store``). Records every ``ws.kpi`` call the overview page makes, then times in
one run (best of ``--repeat``):

- first request: ``GET /overview`` in a fresh process (a child process opens the store):
  nothing cached, neither figures nor compiled SQL nor anonymity plans;
- engine: the page's ``ws.kpi`` calls made directly (no web app, no figure cache), with the
  query expressions and their SQL cached (:mod:`keizer.metrics._built_once`,
  :class:`keizer.store.engine.CompiledSQL`) and with both emptied first;
  also the same figures asked one workforce KPI per call (the call shape before 2026-12);
- server, cold: ``GET /overview`` with the figure cache emptied first (the first request
  after a data change: these queries are built and compiled already); and with both caches
  emptied too (a new filter combination: every query is built and compiled anew);
- server, warm: ``GET /overview`` again (figures from the cache; every visitor after the
  warm-up or the first visit, until the data change).

The anonymity plans stay cached (by digests of their responses and the org tree) except in
the first request. Server time is measured in-process (Starlette's TestClient: routing,
login check, KPI reads, templates, no network). Target: < 1 s server time for the overview of the
default demo.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.metrics.workforce import WORKFORCE_KPIS
from keizer.store.engine import CompiledSQL
from keizer.web import create_app

SETTINGS = Settings(secret_key="benchmark-secret-0123456789abcdefghij")
TARGET_S = 1.0
Call = tuple[tuple[Any, ...], dict[str, Any]]


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _login(client: TestClient) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login", data={"username": "analyst", "password": "analyst-keizer",
                        "csrf_token": token.group(1)}, follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text


def _compiled_sql(ws: keizer.Workspace) -> CompiledSQL:
    compiled = ws.store.ibis.compile
    assert isinstance(compiled, CompiledSQL)
    return compiled


def _single_calls(calls: list[Call]) -> list[Call]:
    """The calls with each list of workforce KPIs split into one call per KPI."""
    single: list[Call] = []
    for args, kwargs in calls:
        names = args[0] if args else kwargs["name"]
        if not isinstance(names, str) and all(n in WORKFORCE_KPIS for n in names):
            single += [((name, *args[1:]), kwargs) for name in names]
        else:
            single.append((args, kwargs))
    return single


def measure(ws: keizer.Workspace, repeat: int) -> dict[str, float]:
    ws.add_demo_users()
    app = create_app(ws)
    state = app.state.keizer
    calls: list[Call] = []
    real = ws.kpi

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    with TestClient(app) as client:
        _login(client)
        ws.kpi = recording  # type: ignore[method-assign]
        state.invalidate()
        assert client.get("/overview").status_code == 200
        del ws.kpi
        compiled = _compiled_sql(ws)
        expressions = ws._store_tables().expressions

        def forget_queries() -> None:
            """What a new filter combination meets: no query built or compiled before."""
            compiled.clear()
            expressions.clear()

        def cold() -> None:
            state.invalidate()
            assert client.get("/overview").status_code == 200

        def cold_new_sql() -> None:
            forget_queries()
            cold()

        def warm() -> None:
            assert client.get("/overview").status_code == 200

        def engine(chosen: list[Call], *, new_sql: bool = False) -> Callable[[], None]:
            def run() -> None:
                if new_sql:
                    forget_queries()
                for args, kwargs in chosen:
                    ws.kpi(*args, **kwargs)

            return run

        single = _single_calls(calls)
        result = {
            "calls": len(calls),
            "single_calls": len(single),
            "engine": _best(repeat, engine(calls)),
            "engine_new_sql": _best(repeat, engine(calls, new_sql=True)),
            "engine_single": _best(repeat, engine(single)),
            "cold": _best(repeat, cold),
            "cold_new_sql": _best(repeat, cold_new_sql),
        }
        cold()
        result["warm"] = statistics.median([_best(1, warm) for _ in range(max(5, repeat))])
    return result


def first_request(url: str) -> float:
    """``GET /overview`` for a logged-in user, the first request in this process."""
    with keizer.open(url, settings=SETTINGS) as ws:
        ws.add_demo_users()
        with TestClient(create_app(ws)) as client:
            _login(client)
            start = time.perf_counter()
            assert client.get("/overview").status_code == 200
            return time.perf_counter() - start


def _first_request_in_child(url: str) -> float:
    """:func:`first_request` in a fresh Python process (the store must be closed here)."""
    out = subprocess.run(
        [sys.executable, __file__, "--store", url, "--first-request"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="an existing demo store (DuckDB path or URL)")
    parser.add_argument("--employees", type=int, default=1100)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--first-request", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_request:
        print(f"{first_request(args.store):.6f}")
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.store or str(Path(folder) / "demo.duckdb")
        if not args.store:
            print(f"generating the demo ({args.employees} employees, {args.months} months)")
            with keizer.open(url, settings=SETTINGS) as ws:
                generate(ws, employees=args.employees, months=args.months)
        first_s = _first_request_in_child(url)
        with keizer.open(url, settings=SETTINGS) as ws:
            result = measure(ws, args.repeat)
            engine_name = ws.engine
    engine_s = result["engine"]
    rows = [
        ("KPI engine, compiled SQL cached", engine_s),
        ("KPI engine, SQL compiled anew", result["engine_new_sql"]),
        (f"KPI engine, {result['single_calls']:.0f} calls (1 per workforce KPI)",
         result["engine_single"]),
        ("server, cold: figure cache emptied", result["cold"]),
        ("server, cold + SQL compiled anew", result["cold_new_sql"]),
        ("server, warm figure cache", result["warm"]),
        ("first request, fresh process", first_s),
    ]  # fmt: skip
    print(f"\noverview page, {engine_name}, {result['calls']:.0f} ws.kpi calls")
    print(f"{'path':<46}{'seconds':>9}{'÷ engine':>10}")
    for label, seconds in rows:
        print(f"{label:<46}{seconds:>9.3f}{seconds / engine_s:>10.2f}")
    cold_s, new_s = result["cold"], result["cold_new_sql"]

    def verdict(seconds: float) -> str:
        return "meets" if seconds < TARGET_S else "misses"

    print(f"\nthe default overview, cold: {cold_s:.2f} s, {verdict(cold_s)} the < {TARGET_S:.0f} s "
          f"target; a filter combination never asked before: {new_s:.2f} s, {verdict(new_s)} "
          f"it; warm {result['warm']:.3f} s; first request in a fresh process "
          f"{first_s:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
