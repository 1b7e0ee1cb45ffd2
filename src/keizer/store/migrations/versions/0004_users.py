"""Users and roles, their teams, API tokens, browser sessions and login attempts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEQUENCES = ("app_user", "api_token", "login_attempt")
ROLES = ("admin", "board", "cx-manager", "ex-manager", "team-lead", "analyst")


def _id(table: str) -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger, server_default=sa.text(f"nextval('{table}_id_seq')"), nullable=False
    )


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(f"{name}_id_seq")))
    roles = ", ".join(repr(r) for r in ROLES)
    op.create_table(
        "app_user",
        _id("app_user"),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("language", sa.String(2), server_default="nl", nullable=False),
        sa.Column("disabled", sa.Boolean, server_default=sa.false(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
        sa.CheckConstraint(f"role IN ({roles})", name="role"),
        sa.CheckConstraint("language IN ('nl', 'en')", name="language"),
    )
    op.create_table(
        "app_user_team",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("team_id", sa.BigInteger, sa.ForeignKey("org_unit.id"), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "team_id"),
    )
    op.create_table(
        "api_token",
        _id("api_token"),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _created_at(),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "browser_session",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("app_user.id"), nullable=False),
        _created_at(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_table(
        "login_attempt",
        _id("login_attempt"),
        sa.Column("username_hash", sa.String(64), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for table in ("login_attempt", "browser_session", "api_token", "app_user_team", "app_user"):
        op.drop_table(table)
    for name in SEQUENCES:
        op.execute(sa.schema.DropSequence(sa.Sequence(f"{name}_id_seq")))
