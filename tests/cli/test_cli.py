"""The command line, run as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from keizer import __version__
from keizer.store.migrate import head_revision

from factories import run_cli as keizer


def test_version() -> None:
    result = keizer("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"keizer {__version__}"


@pytest.mark.parametrize(
    "command", [[], ["init"], ["db"], ["db", "upgrade"], ["db", "downgrade"], ["db", "info"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    result = keizer(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    assert len(result.stdout.splitlines()) > 4


def test_init_then_info_on_a_fresh_store(store_url: str) -> None:
    init = keizer("init", "--database-url", store_url)
    assert init.returncode == 0, init.stderr
    assert "store ready" in init.stdout
    assert "KEIZER_SECRET_KEY is not set" in init.stderr

    info = keizer("db", "info", "--database-url", store_url)
    assert info.returncode == 0, info.stderr
    engine = "duckdb" if "://" not in store_url else "postgresql"
    assert f"engine:    {engine}" in info.stdout
    assert f"revision:  {head_revision()} (up to date)" in info.stdout
    for table in ("interactions", "responses", "employees", "absence_spells"):
        assert any(line.split() == [table, "0"] for line in info.stdout.splitlines()), table

    as_json = json.loads(keizer("db", "info", "-d", store_url, "--format", "json").stdout)
    assert as_json["engine"] == engine
    assert as_json["up_to_date"] is True
    assert set(as_json["counts"].values()) == {0}


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    env = {"KEIZER_DATABASE_URL": str(tmp_path / "env.duckdb")}
    assert keizer("init", env=env).returncode == 0
    assert (tmp_path / "env.duckdb").exists()
    assert "env.duckdb" in keizer("db", "info", env=env).stdout


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@host/db", "engine 'mysql' is not supported"),
        ("not a url", "is not a database URL"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/nothing", "cannot connect to PostgreSQL"),
        ("postgresql+asyncpg://postgres@127.0.0.1/x", "driver 'postgresql+asyncpg'"),
        ("/no/such/folder/k.duckdb", "no store at /no/such/folder/k.duckdb"),
    ],
)
def test_bad_url_gives_one_line_and_exit_2(url: str, message: str) -> None:
    result = keizer("db", "info", "--database-url", url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("error: ")


def test_info_does_not_create_a_store(tmp_path: Path) -> None:
    result = keizer("db", "info", "-d", str(tmp_path / "missing.duckdb"))
    assert result.returncode == 2
    assert not (tmp_path / "missing.duckdb").exists()


def test_downgrade_and_upgrade(tmp_path: Path) -> None:
    url = str(tmp_path / "k.duckdb")
    assert keizer("init", "-d", url).returncode == 0
    down = keizer("db", "downgrade", "base", "-d", url, "--yes")
    assert down.returncode == 0, down.stderr
    assert "schema revision now none" in down.stdout
    assert "revision:  none" in keizer("db", "info", "-d", url).stdout
    up = keizer("db", "upgrade", "-d", url)
    assert up.returncode == 0
    assert f"none -> {head_revision()}" in up.stdout


def test_production_mode_refuses_the_default_secret(tmp_path: Path) -> None:
    result = keizer("init", "-d", str(tmp_path / "k.duckdb"), env={"KEIZER_MODE": "production"})
    assert result.returncode == 2
    assert "KEIZER_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_line_starts_without_the_analysis_stack() -> None:
    """Every command pays for what ``keizer.cli`` imports: the statistics, linkage and text
    libraries load only in the commands that use them (``keizer --help`` took 4.8 s)."""
    probe = (
        "import sys, keizer.cli; "
        "print(sorted(m for m in ('scipy', 'statsmodels', 'ibis', 'keizer.linkage', "
        "'keizer.metrics', 'keizer.text') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
