"""What goes in and out of the users feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from keizer.store.types import InputModel

Role = Literal["admin", "board", "cx-manager", "ex-manager", "team-lead", "analyst"]
ROLES: tuple[Role, ...] = get_args(Role)
#: Roles that see organisation-wide aggregates only: nothing filtered to, or broken down by,
#: a single team (the dashboards break such tables down by department instead).
ORGANISATION_WIDE: frozenset[Role] = frozenset({"board"})


def finest_unit(role: Role) -> Literal["team", "department"]:
    """The finest org level the role's figures may be broken down to."""
    return "department" if role in ORGANISATION_WIDE else "team"


UserLanguage = Literal["nl", "en"]
Username = str
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"
MIN_PASSWORD_LENGTH = 8


class UserCreate(InputModel):
    """A new login. ``team_ids`` (org unit ids) scope a team lead to their own teams."""

    username: Username = Field(min_length=1, max_length=100, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024, repr=False)
    role: Role
    display_name: str | None = Field(default=None, max_length=200)
    team_ids: list[int] = Field(default_factory=list)
    language: UserLanguage = "nl"


class UserRead(BaseModel):
    """A user as the rest of keizer sees them: never the password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    team_ids: list[int]
    language: str
    disabled: bool


class TokenRead(BaseModel):
    """An API token without its secret: ``prefix`` identifies it in lists."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(TokenRead):
    """A freshly created token; ``token`` is shown this once and never stored."""

    token: str = Field(repr=False)


@dataclass(frozen=True)
class BrowserSession:
    """A logged-in browser. ``session_id`` goes in the cookie, ``csrf_token`` in every form.

    Only a hash of the session id is stored; the CSRF token is derived from the session id,
    so it cannot be computed from what is in the database either.
    """

    session_id: str = field(repr=False)
    csrf_token: str = field(repr=False)
    user_id: int
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class DemoLogin:
    """A demo login and its (documented, public) password."""

    user: UserRead
    password: str
    created: bool
