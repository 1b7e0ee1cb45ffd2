"""Logins for the dashboards: session cookie, CSRF tokens, rate limit, roles.

- The cookie holds a random session id (the store keeps only its hash; see
  :mod:`keizer.users.service`): HttpOnly, SameSite=Lax, and Secure when the request came over
  HTTPS (behind a proxy: Uvicorn's ``--proxy-headers``) or ``secure_cookies`` is set.
- Every login starts a new session with a new id and ends the one the browser had, so a
  session id planted before the login is worth nothing afterwards (session fixation).
- Every form carries a CSRF token: the session's token when logged in; before the login a
  random token kept in a cookie (double submit). A missing or wrong token is refused (403).
- Failed logins are recorded per username and client; too many in the window refuse further
  attempts (429) with a message. Passwords are never logged or echoed.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from keizer.users import service as users
from keizer.users.schemas import BrowserSession, UserRead
from keizer.web.state import WebState

SESSION_COOKIE = "keizer_session"
ANONYMOUS_CSRF_COOKIE = "keizer_csrf"
CSRF_FIELD = "csrf_token"
log = logging.getLogger("keizer.web")


class LoginRequired(Exception):
    """The request needs a logged-in user (HTML: redirect to the login page)."""


class Forbidden(Exception):
    """The user may not see this (403)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CsrfFailed(Exception):
    """A form arrived without its CSRF token, or with a wrong one (403)."""


@dataclass(frozen=True)
class Viewer:
    """The logged-in user and their browser session."""

    user: UserRead
    browser: BrowserSession


def web_state(request: Request) -> WebState:
    state = request.app.state.keizer
    assert isinstance(state, WebState)
    return state


def viewer(request: Request) -> Viewer | None:
    """The user of the request's session cookie, if it is a live session."""
    if hasattr(request.state, "viewer"):
        found: Viewer | None = request.state.viewer
        return found
    session_id = request.cookies.get(SESSION_COOKIE)
    result = None
    if session_id:
        with web_state(request).unit_of_work() as session:
            pair = users.session_user(session=session, session_id=session_id)
        if pair is not None:
            result = Viewer(*pair)
    request.state.viewer = result
    return result


def require_viewer(request: Request) -> Viewer:
    found = viewer(request)
    if found is None:
        raise LoginRequired()
    return found


CurrentViewer = Annotated[Viewer, Depends(require_viewer)]


def csrf_token(request: Request) -> str:
    """The token to put in the page's forms."""
    found = viewer(request)
    if found is not None:
        return found.browser.csrf_token
    token = request.cookies.get(ANONYMOUS_CSRF_COOKIE) or getattr(
        request.state, "new_csrf_cookie", None
    )
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token  # set on the response by the middleware
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a form whose CSRF token is missing or does not match (403)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    found = viewer(request)
    if found is not None:
        expected: str | None = found.browser.csrf_token
    else:
        expected = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def is_secure(request: Request) -> bool:
    return web_state(request).secure_cookies or request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, browser: BrowserSession) -> None:
    response.set_cookie(
        SESSION_COOKIE, browser.session_id, max_age=int(users.SESSION_LIFETIME.total_seconds()),
        path="/", httponly=True, samesite="lax", secure=is_secure(request),
    )  # fmt: skip


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_secure(request)
    )


def client_of(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def log_in(request: Request, username: str, password: str) -> tuple[Viewer | None, bool]:
    """(the new viewer, refused for too many attempts). Ends the browser's old session."""
    state = web_state(request)
    client = client_of(request)
    with state.unit_of_work() as session:
        if users.too_many_attempts(session=session, username=username, client=client):
            log.warning("login refused: too many failed attempts from %s", client)
            return None, True
        user = users.authenticate(session=session, username=username, password=password)
        users.record_login_attempt(
            session=session, username=username, client=client, succeeded=user is not None
        )
        if user is None:
            log.info("failed login from %s", client)
            return None, False
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            users.end_session(session=session, session_id=old)
        browser = users.start_session(session=session, user_id=user.id)
    log.info("user %s logged in", user.username)
    return Viewer(user, browser), False


def log_out(request: Request) -> None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        with web_state(request).unit_of_work() as session:
            users.end_session(session=session, session_id=session_id)
