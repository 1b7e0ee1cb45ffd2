"""``keizer user`` and ``keizer user token`` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keizer
from keizer.users import service as users

from factories import populate_org, run_cli

PASSWORD = "s3cret-Password-for-cli"


def _keizer(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keizer", *args], input=stdin, capture_output=True, text=True,
        timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def test_user_lifecycle_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "k.duckdb")
    with keizer.open(db) as ws:
        populate_org(ws)
    runs = []
    add = _keizer("user", "add", "Lead1", "--role", "team-lead", "--team", "team-b",
                  "--display-name", "Lea de Lead", "--language", "en", "--password-stdin",
                  "-d", db, stdin=PASSWORD + "\n")  # fmt: skip
    runs.append(add)
    assert add.returncode == 0, add.stderr
    assert "added lead1 (team-lead, teams team-b)" in add.stdout

    listed = _keizer("user", "list", "--format", "json", "-d", db)
    runs.append(listed)
    [user] = json.loads(listed.stdout)
    assert user["username"] == "lead1"
    assert user["role"] == "team-lead"
    assert user["display_name"] == "Lea de Lead"
    assert user["language"] == "en"
    assert len(user["team_ids"]) == 1

    created = _keizer("user", "token", "create", "lead1", "--name", "laptop", "-d", db)
    runs.append(created)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("kz_")
    with keizer.open(db) as ws, ws.unit_of_work() as session:
        assert users.token_user(session=session, token=token) is not None
        assert users.authenticate(session=session, username="lead1", password=PASSWORD)

    tokens = _keizer("user", "token", "list", "lead1", "-d", db)
    runs.append(tokens)
    assert "laptop" in tokens.stdout
    assert "active" in tokens.stdout
    assert token not in tokens.stdout
    revoke = _keizer("user", "token", "revoke", "1", "-d", db)
    runs.append(revoke)
    assert revoke.returncode == 0, revoke.stderr
    assert "revoked" in _keizer("user", "token", "list", "lead1", "-d", db).stdout
    with keizer.open(db) as ws, ws.unit_of_work() as session:
        assert users.token_user(session=session, token=token) is None

    new_password = "another-Passw0rd"
    changed = _keizer("user", "password", "lead1", "--password-stdin", "-d", db,
                      stdin=new_password + "\n")  # fmt: skip
    runs.append(changed)
    assert changed.returncode == 0, changed.stderr
    disabled = _keizer("user", "disable", "lead1", "-d", db)
    runs.append(disabled)
    assert "disabled lead1" in disabled.stdout
    with keizer.open(db) as ws, ws.unit_of_work() as session:
        assert users.authenticate(session=session, username="lead1", password=new_password) is None
    for run in runs:
        assert PASSWORD not in run.stdout + run.stderr
        assert new_password not in run.stdout + run.stderr


def test_user_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "k.duckdb")
    with keizer.open(db):
        pass
    short = _keizer("user", "add", "x", "--role", "analyst", "--password-stdin", "-d", db,
                    stdin="short\n")  # fmt: skip
    assert short.returncode == 1
    assert "at least 8 characters" in short.stderr
    assert "Traceback" not in short.stderr
    unknown_team = _keizer("user", "add", "y", "--role", "team-lead", "--team", "nope",
                           "--password-stdin", "-d", db, stdin=PASSWORD + "\n")  # fmt: skip
    assert unknown_team.returncode == 1
    assert "no org unit with key 'nope'" in unknown_team.stderr
    no_lead_team = _keizer("user", "add", "z", "--role", "team-lead", "--password-stdin",
                           "-d", db, stdin=PASSWORD + "\n")  # fmt: skip
    assert "needs at least one team" in no_lead_team.stderr
    missing = run_cli("user", "disable", "ghost", "-d", db)
    assert missing.returncode == 1
    assert "no user 'ghost'" in missing.stderr
    for run in (unknown_team, no_lead_team):
        assert PASSWORD not in run.stdout + run.stderr


def test_add_demo_prints_one_login_per_role(tmp_path: Path) -> None:
    db = str(tmp_path / "k.duckdb")
    with keizer.open(db) as ws:
        populate_org(ws)
    demo = run_cli("user", "add-demo", "-d", db)
    assert demo.returncode == 0, demo.stderr
    for username in ("admin", "board", "cx", "ex", "lead", "analyst"):
        assert f"{username}-keizer" in demo.stdout
    with keizer.open(db) as ws:
        assert len(ws.users()) == 6
