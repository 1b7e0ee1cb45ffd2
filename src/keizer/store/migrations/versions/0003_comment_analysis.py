"""Text analytics results per open answer, and trained sentiment models.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_analysis",
        sa.Column("response_id", sa.BigInteger, sa.ForeignKey("response.id"), nullable=False),
        sa.Column("question_id", sa.BigInteger, sa.ForeignKey("question.id"), nullable=False),
        sa.Column("text_md5", sa.String(32), nullable=False),
        sa.Column("analyser", sa.String(80), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("sentiment_score", sa.Double, nullable=False),
        sa.Column("emotions", sa.String(200)),
        sa.Column("themes", sa.String(500)),
        sa.Column("vulnerability", sa.String(200)),
        sa.Column("vulnerability_confidence", sa.Double),
        sa.Column("redacted_text", sa.Text),
        sa.Column(
            "analysed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id"),
    )
    op.execute(sa.schema.CreateSequence(sa.Sequence("text_model_id_seq")))
    op.create_table(
        "text_model",
        sa.Column(
            "id",
            sa.BigInteger,
            server_default=sa.text("nextval('text_model_id_seq')"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("training_rows", sa.Integer, nullable=False),
        sa.Column("cv_macro_f1", sa.Double),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("text_model")
    op.execute(sa.schema.DropSequence(sa.Sequence("text_model_id_seq")))
    op.drop_table("comment_analysis")
