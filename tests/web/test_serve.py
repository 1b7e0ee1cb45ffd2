"""`keizer serve` in a real subprocess: it prints the URL and the demo logins, and serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

import keizer
from keizer.config import Settings
from keizer.demo import generate

from .conftest import TEST_SECRET


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
    from keizer.web.app import _warm
    from keizer.web.state import WebState, _caches

    state = WebState(demo_ws)
    _caches[demo_ws].frames.clear()
    _warm(state)
    asked = {key[1] for key in _caches[demo_ws].frames if key[0] == "kpi"}
    flat = {n for names in asked for n in ((names,) if isinstance(names, str) else names)}
    # the overview's, the employee page's, the workforce and operations pages' figures
    assert {"nps", "enps", "ees", "verzuimpercentage", "aht"} <= flat
