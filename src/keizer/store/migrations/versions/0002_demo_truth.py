"""Demo truth tables: the generator's planted facts and the true labels of its comments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demo_comment_truth",
        sa.Column("response_id", sa.BigInteger, sa.ForeignKey("response.id"), nullable=False),
        sa.Column("question_id", sa.BigInteger, sa.ForeignKey("question.id"), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("emotion", sa.String(20)),
        sa.Column("themes", sa.String(200)),
        sa.Column("vulnerability", sa.String(20)),
        sa.Column("intent", sa.String(50)),
        sa.PrimaryKeyConstraint("response_id", "question_id"),
    )
    op.create_table(
        "demo_fact",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("demo_fact")
    op.drop_table("demo_comment_truth")
