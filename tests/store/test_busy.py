"""A DuckDB file held by another process gives a clear StoreBusyError, fast."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import keizer
from keizer.config import Settings

HOLDER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


@pytest.fixture
def held_store(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    yield path, holder
    holder.kill()
    holder.wait()
    holder.stdout.close()


def test_python_api_fails_fast_with_store_busy(
    held_store: tuple[Path, subprocess.Popen[str]], settings: Settings
) -> None:
    path, holder = held_store
    started = time.perf_counter()
    with pytest.raises(keizer.StoreBusyError) as caught:
        keizer.open(str(path), settings=settings)
    assert time.perf_counter() - started < 2.0
    message = str(caught.value)
    assert str(path) in message
    assert f"process {holder.pid}" in message
    assert "stop that process" in message


def test_cli_prints_one_line_and_exits_2(held_store: tuple[Path, subprocess.Popen[str]]) -> None:
    path, _ = held_store
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "keizer", "db", "info", "--database-url", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert time.perf_counter() - started < 10  # includes interpreter start-up
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "in use by process" in result.stderr


def test_the_file_is_free_again_after_close(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "k.duckdb"
    keizer.open(str(path), settings=settings).close()
    probe = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r}).close()"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert probe.returncode == 0, probe.stderr
