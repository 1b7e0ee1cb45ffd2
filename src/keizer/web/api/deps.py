"""What every API route depends on: the workspace, the caller (a bearer token) and the
analytics read lock.

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
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError

from keizer.users import service as users
from keizer.users.schemas import Role, UserRead
from keizer.web.api.cache import Reloader, TtlCache
from keizer.web.api.problems import forbidden, unauthorized
from keizer.workspace import Workspace

log = logging.getLogger("keizer.web.api")
bearer = HTTPBearer(auto_error=False, description="an API token: keizer user token create")
_locks: weakref.WeakKeyDictionary[Workspace, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()
_tokens: TtlCache[tuple[int, str], tuple[UserRead, int]] = TtlCache()
_reloader = Reloader()


async def get_workspace(request: Request) -> Workspace:
    """The workspace the app serves (async: FastAPI would run a plain function in a worker
    thread, a thread hop per request for nothing)."""
    workspace = getattr(request.app.state, "workspace", None)
    if not isinstance(workspace, Workspace):
        raise RuntimeError("the app has no workspace: set app.state.workspace")
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def read_lock(workspace: Workspace) -> threading.Lock:
    """One lock per workspace serialising analytics reads: Ibis runs every query on one
    connection. On DuckDB that connection is not safe to use from two threads at once; on
    PostgreSQL psycopg serialises single statements, but Ibis wraps each query in a
    transaction block, and two threads' blocks on one connection interleave
    (``OutOfOrderTransactionNesting``)."""
    with _locks_guard:
        lock = _locks.get(workspace)
        if lock is None:
            lock = _locks[workspace] = threading.Lock()
        return lock


@contextmanager
def reading(workspace: Workspace) -> Iterator[None]:
    """Hold the workspace's analytics read lock (see :func:`read_lock`)."""
    with read_lock(workspace):
        yield


async def current_user(
    workspace: WorkspaceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> UserRead:
    """The user behind ``Authorization: Bearer <token>``; 401 without a valid token.

    A valid token is remembered for two seconds and renewed in the background while in use,
    so that requests under load need no store access to authenticate (and concurrent requests
    with an unknown token share one read); revoking a token or disabling its user in this
    process forgets it at once, elsewhere within those seconds.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("send an API token as 'Authorization: Bearer <token>'")
    token = credentials.credentials
    key = (id(workspace), hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest())
    generation = users.generation()
    cached = _tokens.lookup(key)
    if cached is not None and cached[0][1] == generation:
        if cached[1]:  # renew it in the background before it expires
            _reloader.refresh((key, generation), lambda: _load_token(workspace, token, key))
        return cached[0][0]
    # a read started before a revocation has another generation: it is not shared
    user = await _reloader.wait((key, generation), lambda: _load_token(workspace, token, key))
    if user is None:
        raise unauthorized("the API token is unknown, revoked, or its user is disabled")
    return user


def _load_token(workspace: Workspace, token: str, key: tuple[int, str]) -> UserRead | None:
    """Read the token's user from the store and cache a valid one."""
    generation = users.generation()  # before reading: a revocation meanwhile wins
    user = _token_user(workspace, token)
    if user is not None:
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

    async def check(user: CurrentUser) -> UserRead:  # async: no worker thread per request
        if user.role not in roles:
            raise forbidden(f"this needs the role {' or '.join(roles)}; you are {user.role}")
        return user

    return Depends(check)
