"""Tables of users: logins with a role, their teams, API tokens, browser sessions and
login attempts. Secrets are stored only as hashes (argon2 for passwords, SHA-256 for
random tokens and session ids)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from keizer.store.base import Base, created_at_column, id_column, one_of

ROLES = ("admin", "board", "cx-manager", "ex-manager", "team-lead", "analyst")
LANGUAGES = ("nl", "en")


class User(Base):
    """A person who logs in to keizer; ``role`` decides what they see."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
    )

    id: Mapped[int] = id_column("app_user")
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), server_default="nl")
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = created_at_column()


class UserTeam(Base):
    """A team (org unit) whose figures a user is scoped to (team leads)."""

    __tablename__ = "app_user_team"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)


class ApiToken(Base):
    """A named API token of a user; only the SHA-256 of the token is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = id_column("api_token")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BrowserSessionRow(Base):
    """A logged-in browser, keyed by the SHA-256 of its session id."""

    __tablename__ = "browser_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """One login attempt, for rate limiting; username and address are kept as hashes."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = id_column("login_attempt")
    username_hash: Mapped[str] = mapped_column(String(64))
    client_hash: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = ["ApiToken", "BrowserSessionRow", "LoginAttempt", "User", "UserTeam"]
