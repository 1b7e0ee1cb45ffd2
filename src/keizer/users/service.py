"""Services of the users feature: logins, API tokens, browser sessions, login rate limits.

Keyword-only functions taking a SQLAlchemy session; they never commit (the caller's unit of
work does). Passwords are hashed with argon2; tokens and session ids are random
(``secrets.token_urlsafe``) and stored only as their SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from keizer.errors import NotFoundError, ValidationError
from keizer.users.models import ApiToken, BrowserSessionRow, LoginAttempt, User, UserTeam
from keizer.users.schemas import (
    BrowserSession,
    DemoLogin,
    NewToken,
    Role,
    TokenRead,
    UserCreate,
    UserRead,
)

TOKEN_PREFIX = "kz_"
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_CLIENT = 20
ATTEMPTS_KEPT = timedelta(days=1)

_hasher = PasswordHasher()
_generation = 0  # bumped whenever a token or user loses access (see generation())


@functools.cache
def _dummy_hash() -> str:
    """Verified against for unknown usernames, so that a wrong name costs as long as a wrong
    password. Made on first use: hashing costs about 0.2 s, which every CLI command paid."""
    return _hasher.hash(secrets.token_urlsafe(16))


def generation() -> int:
    """A number that changes whenever, in this process, a token is revoked or a user disabled
    or given a new password: caches of who a token belongs to compare it to stay exact."""
    return _generation


def _access_changed() -> None:
    global _generation
    _generation += 1


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _normal(username: str) -> str:
    return username.strip().lower()


# -- users ----------------------------------------------------------------------------------
def create(*, session: Session, user_in: UserCreate) -> UserRead:
    """Add a login; the username is case-insensitive and must be new."""
    username = _normal(user_in.username)
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise ValidationError(f"a user {username!r} already exists; pick another username")
    if user_in.role == "team-lead" and not user_in.team_ids:
        raise ValidationError("a team lead needs at least one team (give --team)")
    _check_teams(session, user_in.team_ids)
    user = User(
        username=username,
        display_name=user_in.display_name or username,
        password_hash=_hasher.hash(user_in.password),
        role=user_in.role,
        language=user_in.language,
        disabled=False,
    )
    session.add(user)
    session.flush()
    for team_id in sorted(set(user_in.team_ids)):
        session.add(UserTeam(user_id=user.id, team_id=team_id))
    session.flush()
    return _read(session, user)


def _check_teams(session: Session, team_ids: list[int]) -> None:
    """Every team id must name an org unit of kind team (read by id only: no reach into the
    org feature's models)."""
    if not team_ids:
        return
    query = text("SELECT id FROM org_unit WHERE kind = 'team' AND id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    found = {int(i) for i in session.execute(query, {"ids": list(team_ids)}).scalars()}
    missing = sorted(set(team_ids) - found)
    if missing:
        raise NotFoundError(
            f"no team with org unit id {', '.join(map(str, missing))}; "
            "list the teams with GET /api/v1/org-units"
        )


def _read(session: Session, user: User) -> UserRead:
    teams = session.scalars(
        select(UserTeam.team_id).where(UserTeam.user_id == user.id).order_by(UserTeam.team_id)
    ).all()
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=_role(user.role),
        team_ids=[int(t) for t in teams],
        language=user.language,
        disabled=bool(user.disabled),
    )


def _role(value: str) -> Role:
    return cast(Role, value)


def get(*, session: Session, user_id: int) -> UserRead | None:
    """One user by id, or ``None``."""
    user = session.get(User, user_id)
    return None if user is None else _read(session, user)


def get_by_username(*, session: Session, username: str) -> UserRead | None:
    """One user by username (case-insensitive), or ``None``."""
    user = _by_username(session, username)
    return None if user is None else _read(session, user)


def _by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == _normal(username))).first()


def get_all(*, session: Session) -> list[UserRead]:
    """All users, ordered by username."""
    return [_read(session, u) for u in session.scalars(select(User).order_by(User.username))]


def disable(*, session: Session, username: str) -> UserRead:
    """Stop a user from logging in; their sessions end and their tokens stop working."""
    user = _by_username(session, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}; see 'keizer user list'")
    user.disabled = True
    _access_changed()
    now = _now()
    for row in session.scalars(
        select(BrowserSessionRow).where(
            BrowserSessionRow.user_id == user.id, BrowserSessionRow.ended_at.is_(None)
        )
    ):
        row.ended_at = now
    session.flush()
    return _read(session, user)


def authenticate(*, session: Session, username: str, password: str) -> UserRead | None:
    """The user when ``password`` is theirs; ``None`` for an unknown or disabled user or a
    wrong password (an unknown user costs one hash verification too)."""
    user = _by_username(session, username)
    if user is None:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password) or user.disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.flush()
    return _read(session, user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(*, session: Session, username: str, password: str) -> UserRead:
    """Give a user a new password; their open browser sessions end."""
    if len(password) < 8:
        raise ValidationError("a password needs at least 8 characters")
    user = _by_username(session, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}; see 'keizer user list'")
    user.password_hash = _hasher.hash(password)
    _access_changed()
    session.execute(
        update(BrowserSessionRow)
        .where(BrowserSessionRow.user_id == user.id, BrowserSessionRow.ended_at.is_(None))
        .values(ended_at=_now())
    )
    session.flush()
    return _read(session, user)


# -- demo logins ----------------------------------------------------------------------------
# Public, documented passwords (docs/users.md): for the demo organisation only.
DEMO_LOGINS: tuple[tuple[str, Role, str], ...] = (
    ("admin", "admin", "Demo admin"),
    ("board", "board", "Demo board member"),
    ("cx", "cx-manager", "Demo CX manager"),
    ("ex", "ex-manager", "Demo EX manager (HR)"),
    ("lead", "team-lead", "Demo team lead"),
    ("analyst", "analyst", "Demo analyst"),
)


def demo_password(username: str) -> str:
    """The demo password of a demo login: ``<username>-keizer``, e.g. ``lead-keizer``."""
    return f"{username}-keizer"


def create_demo(*, session: Session) -> list[DemoLogin]:
    """One login per role, for trying keizer on the demo organisation. The team lead leads
    the first team with the most employees. Logins that exist already are left alone."""
    team = session.execute(
        text(
            "SELECT u.id FROM org_unit u LEFT JOIN employee e ON e.team_id = u.id "
            "WHERE u.kind = 'team' GROUP BY u.id ORDER BY count(e.id) DESC, u.id LIMIT 1"
        )
    ).scalar()
    logins = []
    for username, role, display_name in DEMO_LOGINS:
        existing = get_by_username(session=session, username=username)
        if existing is not None:
            logins.append(DemoLogin(existing, demo_password(username), created=False))
            continue
        if role == "team-lead" and team is None:
            continue
        teams = [int(team)] if role == "team-lead" and team is not None else []
        user_in = UserCreate(
            username=username, password=demo_password(username), role=role,
            display_name=display_name, team_ids=teams,
        )  # fmt: skip
        logins.append(DemoLogin(create(session=session, user_in=user_in), user_in.password, True))
    return logins


# -- browser sessions -----------------------------------------------------------------------
def _csrf_for(session_id: str) -> str:
    return _sha256(f"csrf:{session_id}")


def start_session(
    *, session: Session, user_id: int, lifetime: timedelta = SESSION_LIFETIME
) -> BrowserSession:
    """A new browser session with a fresh random id (a new id at every login prevents
    session fixation); only the id's hash is stored."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    row = BrowserSessionRow(
        id_hash=_sha256(session_id), user_id=user_id, created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()
    return BrowserSession(
        session_id=session_id, csrf_token=_csrf_for(session_id), user_id=user_id,
        created_at=now, expires_at=now + lifetime,
    )  # fmt: skip


def session_user(*, session: Session, session_id: str) -> tuple[UserRead, BrowserSession] | None:
    """The user of a live browser session; ``None`` when it expired, ended, or the user is
    disabled."""
    if not session_id:
        return None
    row = session.get(BrowserSessionRow, _sha256(session_id))
    if row is None or row.ended_at is not None or _aware(row.expires_at) <= _now():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    browser = BrowserSession(
        session_id=session_id, csrf_token=_csrf_for(session_id), user_id=row.user_id,
        created_at=_aware(row.created_at), expires_at=_aware(row.expires_at),
    )  # fmt: skip
    return _read(session, user), browser


def check_csrf(browser: BrowserSession, token: str | None) -> bool:
    """Whether a form's CSRF token belongs to this browser session (constant time)."""
    return token is not None and hmac.compare_digest(browser.csrf_token, token)


def end_session(*, session: Session, session_id: str) -> None:
    """Log a browser out (unknown or already ended ids are fine)."""
    row = session.get(BrowserSessionRow, _sha256(session_id))
    if row is not None and row.ended_at is None:
        row.ended_at = _now()
        session.flush()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# -- API tokens -----------------------------------------------------------------------------
def create_token(*, session: Session, username: str, name: str) -> NewToken:
    """A new API token for a user; the returned ``token`` is not stored and shown once."""
    user = _by_username(session, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}; see 'keizer user list'")
    if user.disabled:
        raise ValidationError(f"user {user.username!r} is disabled; tokens cannot be created")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("give the token a name of 1 to 100 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name, prefix=token[:10], token_hash=_sha256(token),
        created_at=_now(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return NewToken(**TokenRead.model_validate(row).model_dump(), token=token)


def get_tokens(*, session: Session, username: str) -> list[TokenRead]:
    """A user's tokens (revoked ones too), oldest first; never the secrets."""
    user = _by_username(session, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}; see 'keizer user list'")
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return [TokenRead.model_validate(r) for r in rows]


def revoke_token(*, session: Session, token_id: int) -> None:
    """Stop a token from working, at once and for good."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"no API token with id {token_id}; see 'keizer user token list'")
    _access_changed()
    if row.revoked_at is None:
        row.revoked_at = _now()
        session.flush()


def token_user(*, session: Session, token: str, touch: bool = True) -> UserRead | None:
    """The user behind an API token; ``None`` for an unknown or revoked token or a disabled
    user. ``touch`` records when the token was last used (at most once a minute)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _sha256(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    now = _now()
    stale = row.last_used_at is None or now - _aware(row.last_used_at) > timedelta(minutes=1)
    if touch and stale:
        row.last_used_at = now
        session.flush()
    return _read(session, user)


# -- login rate limiting --------------------------------------------------------------------
def record_login_attempt(*, session: Session, username: str, client: str, succeeded: bool) -> None:
    """Remember a login attempt (hashed), and forget attempts older than a day."""
    now = _now()
    attempt = LoginAttempt(
        username_hash=_sha256(_normal(username)), client_hash=_sha256(client),
        succeeded=succeeded, attempted_at=now,
    )  # fmt: skip
    session.add(attempt)
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - ATTEMPTS_KEPT))
    session.flush()


def too_many_attempts(
    *,
    session: Session,
    username: str,
    client: str,
    window: timedelta = LOGIN_WINDOW,
    per_username: int = MAX_FAILURES_PER_USERNAME,
    per_client: int = MAX_FAILURES_PER_CLIENT,
) -> bool:
    """Whether to refuse a login now: ``per_username`` failures for this username or
    ``per_client`` failures from this address within ``window``."""
    since = _now() - window
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.attempted_at >= since, LoginAttempt.succeeded.is_(False))
    )
    by_name = session.execute(
        failures.where(LoginAttempt.username_hash == _sha256(_normal(username)))
    ).scalar_one()
    if by_name >= per_username:
        return True
    by_client = session.execute(
        failures.where(LoginAttempt.client_hash == _sha256(client))
    ).scalar_one()
    return bool(by_client >= per_client)


__all__ = [
    "authenticate", "check_csrf", "create", "create_demo", "create_token", "demo_password",
    "disable", "end_session", "generation", "get", "get_all", "get_by_username", "get_tokens",
    "record_login_attempt", "revoke_token", "session_user", "set_password", "start_session",
    "token_user", "too_many_attempts",
]  # fmt: skip
