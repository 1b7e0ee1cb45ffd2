"""What every API route depends on: the workspace, the caller (a bearer token) and a read
lock for DuckDB.

The app factory puts the open :class:`keizer.workspace.Workspace` on ``app.state.workspace``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError

from keizer.users import service as users
from keizer.users.schemas import Role, UserRead
from keizer.web.api.cache import TtlCache
from keizer.web.api.problems import forbidden, unauthorized
from keizer.workspace import Workspace

log = logging.getLogger("keizer.web.api")
bearer = HTTPBearer(auto_error=False, description="an API token: keizer user token create")
_locks: weakref.WeakKeyDictionary[Workspace, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()
_tokens: TtlCache[tuple[int, str], tuple[UserRead, int]] = TtlCache()


def get_workspace(request: Request) -> Workspace:
    """The workspace the app serves."""
    workspace = getattr(request.app.state, "workspace", None)
    if not isinstance(workspace, Workspace):
        raise RuntimeError("the app has no workspace: set app.state.workspace")
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def read_lock(workspace: Workspace) -> threading.Lock:
    """One lock per workspace serialising analytics reads on DuckDB: Ibis shares the one
    DuckDB connection, which is not safe to use from two threads at once."""
    with _locks_guard:
        lock = _locks.get(workspace)
        if lock is None:
            lock = _locks[workspace] = threading.Lock()
        return lock


@contextmanager
def reading(workspace: Workspace) -> Iterator[None]:
    """Hold the DuckDB read lock (PostgreSQL needs none)."""
    if workspace.engine != "duckdb":
        yield
        return
    with read_lock(workspace):
        yield


async def current_user(
    workspace: WorkspaceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> UserRead:
    """The user behind ``Authorization: Bearer <token>``; 401 without a valid token.

    A valid token is remembered for two seconds (requests come in bursts), so most requests
    need no store access to authenticate; revoking a token or disabling its user in this
    process forgets it at once, elsewhere within those seconds.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("send an API token as 'Authorization: Bearer <token>'")
    token = credentials.credentials
    key = (id(workspace), hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest())
    cached = _tokens.get(key)
    if cached is not None and cached[1] == users.generation():
        return cached[0]
    generation = users.generation()
    user = await run_in_threadpool(_token_user, workspace, token)
    if user is None:
        raise unauthorized("the API token is unknown, revoked, or its user is disabled")
    _tokens.put(key, (user, generation))
    return user


def _token_user(workspace: Workspace, token: str) -> UserRead | None:
    try:
        with workspace.unit_of_work() as session:
            return users.token_user(session=session, token=token, touch=True)
    except DBAPIError:  # two requests recording the token's last use at once (DuckDB)
        log.debug("token last use not recorded (concurrent update)")
        with workspace.unit_of_work() as session:
            return users.token_user(session=session, token=token, touch=False)


CurrentUser = Annotated[UserRead, Depends(current_user)]


def require(*roles: Role) -> object:
    """A dependency refusing users without one of ``roles`` (403)."""

    def check(user: CurrentUser) -> UserRead:
        if user.role not in roles:
            raise forbidden(f"this needs the role {' or '.join(roles)}; you are {user.role}")
        return user

    return Depends(check)
