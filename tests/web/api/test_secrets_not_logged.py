"""Passwords, API tokens and session ids never reach a log or the console."""

from __future__ import annotations

import logging

import httpx
import pytest

import keizer
from keizer.users import service as users
from keizer.users.schemas import UserCreate

from .conftest import ThreadedServer, api_app, populate

PASSWORD = "Zeer-Geheim-wachtwoord-42"


def test_login_token_and_api_flow_logs_no_secret(
    workspace: keizer.Workspace,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    populate(workspace)
    user_in = UserCreate(username="secretive", password=PASSWORD, role="admin")
    workspace.add_user(user_in)
    with workspace.unit_of_work() as session:
        assert users.authenticate(session=session, username="secretive", password=PASSWORD)
        assert not users.authenticate(session=session, username="secretive", password="x" * 9)
        user = users.authenticate(session=session, username="secretive", password=PASSWORD)
        assert user is not None
        browser = users.start_session(session=session, user_id=user.id)
    token = workspace.create_token("secretive", "flow")
    secrets = [PASSWORD, token.token, browser.session_id, browser.csrf_token]
    shown = [repr(user_in), str(user_in), repr(token), repr(browser), str(browser)]

    with ThreadedServer(api_app(workspace), log_everything=True) as url:
        headers = {"Authorization": f"Bearer {token.token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            assert client.get("/api/v1/me").status_code == 200
            assert client.get("/api/v1/kpi/nps", params={"by": "channel"}).status_code == 200
            bad = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.token}x"})
            assert bad.status_code == 401
            assert client.post("/api/v1/responses", json={"responses": []}).status_code == 422
            workspace.revoke_token(token.id)
            assert client.get("/api/v1/me").status_code == 401
    captured = capsys.readouterr()
    assert any("GET /api/v1/me" in r.getMessage() for r in caplog.records)  # logging was on
    everything = "\n".join([caplog.text, captured.out, captured.err, *shown])
    for secret in secrets:
        assert secret not in everything
