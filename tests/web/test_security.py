"""Security of the dashboards: CSRF, session fixation, cookies, rate limit, no password in logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import keizer
from keizer.config import Settings
from keizer.users.schemas import UserCreate
from keizer.web import create_app
from keizer.web.auth import SESSION_COOKIE

from .conftest import ROLE_LOGINS, TEST_SECRET, csrf_of, login, login_as

PASSWORD = "correct-horse-battery"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[keizer.Workspace, TestClient]]:
    """An empty store with one analyst: failed logins here lock out nobody else."""
    with keizer.open(
        str(tmp_path / "fresh.duckdb"), settings=Settings(secret_key=TEST_SECRET)
    ) as ws:
        ws.add_user(UserCreate(username="ana", password=PASSWORD, role="analyst"))
        with TestClient(create_app(ws), raise_server_exceptions=False) as client:
            yield ws, client


def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    username, password = ROLE_LOGINS["admin"]
    response = client.post("/login", data={"username": username, "password": password},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_login_with_a_wrong_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    username, password = ROLE_LOGINS["admin"]
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": "forged"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 403


def test_forms_of_a_logged_in_user_need_the_sessions_token(client: TestClient) -> None:
    login_as(client, "admin")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/language", data={"lang": "en"}, follow_redirects=False).status_code == 403
    # the anonymous token of the login page is not the session's token
    anonymous = client.cookies.get("keizer_csrf")
    response = client.post("/logout", data={"csrf_token": anonymous}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/overview", follow_redirects=False).status_code == 200  # still logged in
    token = csrf_of(client.get("/overview").text)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )


def test_logout_ends_the_session(client: TestClient) -> None:
    login_as(client, "analyst")
    session_id = client.cookies.get(SESSION_COOKIE)
    token = csrf_of(client.get("/overview").text)
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, session_id)  # replaying the old cookie
    assert client.get("/overview", follow_redirects=False).status_code == 303


def test_session_fixation_is_prevented(demo_ws: keizer.Workspace) -> None:
    """An attacker's (valid) session id planted in the victim's browser is replaced at login
    and stops working."""
    app = create_app(demo_ws)
    with TestClient(app) as attacker, TestClient(app) as victim:
        login_as(attacker, "board")
        planted = attacker.cookies.get(SESSION_COOKIE)
        assert planted
        victim.cookies.set(SESSION_COOKIE, planted)
        response = login(victim, *ROLE_LOGINS["admin"])
        assert response.status_code == 303
        fresh = response.cookies.get(SESSION_COOKIE)
        assert fresh
        assert fresh != planted
        assert attacker.get("/overview", follow_redirects=False).status_code == 303


def test_session_cookie_flags(client: TestClient) -> None:
    response = login(client, *ROLE_LOGINS["analyst"])
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # plain http on loopback


def test_session_cookie_is_secure_over_https(demo_ws: keizer.Workspace) -> None:
    with TestClient(create_app(demo_ws), base_url="https://testserver") as client:
        response = login(client, *ROLE_LOGINS["analyst"])
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_cookies_are_secure_when_configured(demo_ws: keizer.Workspace) -> None:
    """Behind a TLS proxy that does not forward the scheme: Secure although the request
    arrived over http (so a plain-http browser cannot even log in)."""
    with TestClient(create_app(demo_ws, secure_cookies=True)) as client:
        page = client.get("/login")
    cookie = next(h for h in page.headers.get_list("set-cookie") if h.startswith("keizer_csrf"))
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_passwords_are_never_logged_or_echoed(
    fresh: tuple[keizer.Workspace, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    _ws, client = fresh
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-password-4711"
    failed = login(client, "ana", wrong)
    assert failed.status_code == 401
    assert wrong not in failed.text
    assert login(client, "ana", PASSWORD).status_code == 303
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert "logged in" in logged  # the log was captured
    assert wrong not in logged
    assert PASSWORD not in logged


def test_login_rate_limit(fresh: tuple[keizer.Workspace, TestClient]) -> None:
    _ws, client = fresh
    for _ in range(5):
        assert login(client, "ana", "not-the-password").status_code == 401
    refused = login(client, "ana", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert SESSION_COOKIE not in refused.cookies
    assert "15" in refused.text  # "wait 15 minutes"


def test_wrong_password_shows_a_message(fresh: tuple[keizer.Workspace, TestClient]) -> None:
    _ws, client = fresh
    response = login(client, "ana", "nope-nope-nope")
    assert response.status_code == 401
    assert "Onjuiste gebruikersnaam of wachtwoord" in response.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = login(client, *ROLE_LOGINS["analyst"], next=target)
    assert response.headers["location"] == "/"


def test_disabled_user_is_logged_out(fresh: tuple[keizer.Workspace, TestClient]) -> None:
    ws, client = fresh
    assert login(client, "ana", PASSWORD).status_code == 303
    assert client.get("/team", follow_redirects=False).status_code == 200
    ws.disable_user("ana")
    assert client.get("/team", follow_redirects=False).status_code == 303


def test_pages_send_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_empty_store_says_there_is_no_data_yet(
    fresh: tuple[keizer.Workspace, TestClient],
) -> None:
    _ws, client = fresh
    assert login(client, "ana", PASSWORD).status_code == 303
    for page in ("/overview", "/customer", "/employee", "/workforce", "/operations"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Nog geen gegevens" in response.text
