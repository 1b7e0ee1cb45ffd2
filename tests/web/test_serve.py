"""`keizer serve` in a real subprocess: it prints the URL and the demo logins, and serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

import keizer
from keizer.config import Settings
from keizer.demo import generate

from .conftest import TEST_SECRET
from factories import CX_SURVEY, cx_responses, interactions, populate_org


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_prints_url_and_demo_logins_and_serves(tmp_path: Path) -> None:
    store = tmp_path / "demo.duckdb"
    with keizer.open(str(store), settings=Settings(secret_key=TEST_SECRET)) as ws:
        generate(ws, employees=40, months=3, seed=3)
    port = _free_port()
    env = {**os.environ, "KEIZER_SECRET_KEY": TEST_SECRET, "COLUMNS": "200"}
    server = subprocess.Popen(
        [sys.executable, "-m", "keizer", "serve", "--port", str(port), "--demo-logins",
         "--database-url", str(store)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "keizer serves" in line or not line:
                break
        output = "".join(lines)
        assert f"http://localhost:{port}/" in output, output
        assert "lead-keizer" in output
        assert "board-keizer" in output
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert "csrf_token" in login.text
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def test_warm_up_caches_every_page_s_default_figures(demo_ws: keizer.Workspace) -> None:
    from keizer.web.state import WebState, _caches
    from keizer.web.warming import warm

    state = WebState(demo_ws)
    _caches[demo_ws].frames.clear()
    warm(state)
    asked = {key[1] for key in _caches[demo_ws].frames if key[0] == "kpi"}
    flat = {n for names in asked for n in ((names,) if isinstance(names, str) else names)}
    # the overview's, the employee page's, the workforce and operations pages' figures
    assert {"nps", "enps", "ees", "verzuimpercentage", "aht"} <= flat


def test_figures_are_computed_again_once_new_data_are_quiet(workspace: keizer.Workspace) -> None:
    """After new data the cache empties; once the data stay unchanged for the quiet time the
    default views are computed again without a visitor asking."""
    from keizer.web.state import WebState, _caches
    from keizer.web.warming import keep_warm

    populate_org(workspace)
    workspace.add_interactions(interactions(60))
    workspace.add_survey(CX_SURVEY)
    workspace.add_responses(cx_responses(30))
    state = WebState(workspace)
    stop = threading.Event()

    def cached_kpis() -> int:
        return sum(1 for key in list(_caches[workspace].frames) if key[0] == "kpi")

    def wait_for(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 120
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)

    warming = threading.Thread(target=keep_warm, args=(state, stop),
                               kwargs={"check_every_s": 0.05, "quiet_for_s": 0.3})  # fmt: skip
    warming.start()
    try:
        wait_for(lambda: cached_kpis() > 0)
        before = _caches[workspace].version
        time.sleep(0.2)  # the thread is between checks: write now
        with state.reading():
            workspace.add_responses(cx_responses(60))  # 30 new responses
        wait_for(lambda: _caches[workspace].version > before)
        wait_for(lambda: cached_kpis() > 0)
        overview = state.kpi(["nps", "csat", "ces"], period=_period_of(state))
        assert overview["n"].sum() > 0
    finally:
        stop.set()
        warming.join(timeout=60)
    assert not warming.is_alive()


def test_analytics_reads_from_many_threads_share_the_one_connection(
    workspace: keizer.Workspace,
) -> None:
    """Pages and the warming thread read at once: on either engine the reads must not meet
    on Ibis' one connection (on PostgreSQL two transaction blocks would interleave)."""
    from concurrent.futures import ThreadPoolExecutor

    from keizer.web.state import WebState

    populate_org(workspace)
    workspace.add_interactions(interactions(40))
    workspace.add_survey(CX_SURVEY)
    workspace.add_responses(cx_responses(40))
    state = WebState(workspace)

    def read(i: int) -> int:
        with state.reading() as ws:  # uncached: every call runs its queries
            frame = ws.kpi("nps", where={"channel": ["phone", "chat", "email"][i % 3]})
        return int(frame["n"].sum())

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(read, range(24)))
    assert sum(counts[:3]) == 40
    assert counts == counts[:3] * 8


def _period_of(state: object) -> tuple[object, object]:
    from keizer.web.dashboards import latest_data_date
    from keizer.web.filters import parse_filters
    from keizer.web.state import WebState

    assert isinstance(state, WebState)
    return parse_filters({}, latest_data_date(state)).period
