"""``keizer demo`` as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def keizer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keizer", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def test_demo_fills_a_store_and_refuses_other_settings(tmp_path: Path) -> None:
    store = str(tmp_path / "demo.duckdb")
    small = ("--employees", "40", "--months", "3", "--scale", "0.2", "--dutch-share", "0.5")
    first = keizer("demo", *small, "-d", store)
    assert first.returncode == 0, first.stderr
    assert "demo organisation ready" in first.stdout
    assert any(line.split()[0] == "responses" for line in first.stdout.splitlines() if line)

    again = keizer("demo", *small, "--database-url", store)
    assert again.returncode == 0, again.stderr

    other = keizer("demo", *small, "--seed", "7", "-d", store)
    assert other.returncode == 2
    assert "error: the store holds demo data made with other settings" in other.stderr

    bad = keizer("demo", "--employees", "5", "-d", str(tmp_path / "x.duckdb"))
    assert bad.returncode == 1
    assert "--employees must be between" in bad.stderr
