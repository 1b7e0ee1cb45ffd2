"""Web app speed: server time of the overview page vs the KPI engine's own time for its figures.

    python benchmarks/web_bench.py [--store demo.duckdb] [--employees 1100] [--months 24]

Uses the demo organisation (the default size unless told otherwise; an existing demo store is
reused with ``--store``). Records every ``ws.kpi`` call the overview page makes, then times in
one run (best of ``--repeat``):

- engine: those same ``ws.kpi`` calls made directly (no web app, no cache);
- server, cold: ``GET /overview`` for a logged-in user with the figure cache emptied first
  (the first visitor when ``keizer serve`` has not yet finished its warm-up);
- server, warm: ``GET /overview`` again (figures from the cache; every visitor after the
  warm-up or the first visit, until the data change).

Server time is measured in-process (Starlette's TestClient: routing, login check, KPI reads,
templates, no network). Target: < 1 s server time for the overview of the default demo.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.web import create_app

SETTINGS = Settings(secret_key="benchmark-secret-0123456789abcdefghij")
TARGET_S = 1.0


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


def measure(ws: keizer.Workspace, repeat: int) -> dict[str, float]:
    ws.add_demo_users()
    app = create_app(ws)
    state = app.state.keizer
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    real = ws.kpi

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    with TestClient(app) as client:
        _login(client)
        ws.kpi = recording  # type: ignore[method-assign]
        state.invalidate()
        assert client.get("/overview").status_code == 200
        del ws.kpi  # type: ignore[method-assign]

        def cold() -> None:
            state.invalidate()
            assert client.get("/overview").status_code == 200

        def warm() -> None:
            assert client.get("/overview").status_code == 200

        def engine() -> None:
            for args, kwargs in calls:
                ws.kpi(*args, **kwargs)

        engine_s = _best(repeat, engine)
        cold_s = _best(repeat, cold)
        warm_runs = [_best(1, warm) for _ in range(max(5, repeat))]
    return {"calls": len(calls), "engine": engine_s, "cold": cold_s,
            "warm": statistics.median(warm_runs)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="an existing demo store (DuckDB path or URL)")
    parser.add_argument("--employees", type=int, default=1100)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.store or str(Path(folder) / "demo.duckdb")
        with keizer.open(url, settings=SETTINGS) as ws:
            if not args.store:
                print(f"generating the demo ({args.employees} employees, {args.months} months)")
                generate(ws, employees=args.employees, months=args.months)
            result = measure(ws, args.repeat)
            engine_name = ws.engine
    engine_s, cold_s, warm_s = result["engine"], result["cold"], result["warm"]
    print(f"\noverview page, {engine_name}, {result['calls']:.0f} ws.kpi calls")
    print(f"{'path':<28}{'seconds':>10}{'÷ engine':>10}")
    print(f"{'KPI engine (same figures)':<28}{engine_s:>10.3f}{1:>10.2f}")
    print(f"{'server, cold cache':<28}{cold_s:>10.3f}{cold_s / engine_s:>10.2f}")
    print(f"{'server, warm cache':<28}{warm_s:>10.3f}{warm_s / engine_s:>10.3f}")
    verdict = "meets" if warm_s < TARGET_S else "misses"
    print(f"\nwarm server time {warm_s:.3f} s {verdict} the < {TARGET_S:.0f} s target; "
          f"cold {cold_s:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
