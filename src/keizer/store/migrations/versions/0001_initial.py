"""Initial schema: organisation, people, operations, feedback, workforce, import batches.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "org_unit", "employee", "customer", "interaction", "survey", "question", "response",
    "import_batch", "hr_event", "absence_spell",
)  # fmt: skip

# Indexes on foreign keys and time columns help PostgreSQL's joins; DuckDB scans with zone
# maps instead, and its indexes would block later ALTERs, so they are PostgreSQL only.
POSTGRES_INDEXES: dict[str, list[tuple[str, ...]]] = {
    "employee": [("team_id",)],
    "interaction": [("team_id", "started_at"), ("employee_id",), ("customer_id", "started_at")],
    "question": [("survey_id",)],
    "response": [("survey_id", "submitted_at"), ("team_id",), ("interaction_id",)],
    "answer": [("question_id",)],
    "hr_event": [("employee_id",)],
    "absence_spell": [("employee_id",)],
}


def _in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    allowed = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed


def _id(table: str) -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger, server_default=sa.text(f"nextval('{table}_id_seq')"), nullable=False
    )


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _source_key() -> sa.Column[str]:
    return sa.Column("source_key", sa.String(200), nullable=False)


def upgrade() -> None:
    for name in TABLES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(f"{name}_id_seq")))

    op.create_table(
        "org_unit",
        _id("org_unit"),
        _source_key(),
        sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("org_unit.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sa.CheckConstraint(
            _in("kind", ("organisation", "location", "department", "team")), name="kind"
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_period"
        ),
    )
    op.create_table(
        "employee",
        _id("employee"),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("team_id", sa.BigInteger, sa.ForeignKey("org_unit.id")),
        sa.Column("manager_pseudonym", sa.String(64)),
        sa.Column("role", sa.String(20), server_default="agent", nullable=False),
        sa.Column("hire_date", sa.Date),
        sa.Column("leave_date", sa.Date),
        sa.Column("work_mode", sa.String(10)),
        sa.Column("fte", sa.Double),
        sa.Column("birth_year_band", sa.String(20)),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pseudonym"),
        sa.CheckConstraint(
            _in("role", ("agent", "team_lead", "manager", "board", "staff")), name="role"
        ),
        sa.CheckConstraint(
            _in("work_mode", ("office", "home", "hybrid"), nullable=True), name="work_mode"
        ),
        sa.CheckConstraint("fte IS NULL OR (fte > 0 AND fte <= 1.5)", name="fte"),
        sa.CheckConstraint(
            "leave_date IS NULL OR hire_date IS NULL OR leave_date >= hire_date",
            name="employment_period",
        ),
    )
    op.create_table(
        "customer",
        _id("customer"),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("segment", sa.String(100)),
        sa.Column("vulnerable_health", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("vulnerable_life_event", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("vulnerable_resilience", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("vulnerable_capability", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("vulnerability_source", sa.String(20)),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pseudonym"),
        sa.CheckConstraint(
            _in("vulnerability_source", ("text", "operator"), nullable=True),
            name="vulnerability_source",
        ),
    )
    op.create_table(
        "interaction",
        _id("interaction"),
        _source_key(),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey("customer.id")),
        sa.Column("employee_id", sa.BigInteger, sa.ForeignKey("employee.id")),
        sa.Column("team_id", sa.BigInteger, sa.ForeignKey("org_unit.id")),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("queue", sa.String(100)),
        sa.Column("topic", sa.String(200)),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("talk_s", sa.Double),
        sa.Column("hold_s", sa.Double),
        sa.Column("after_call_s", sa.Double),
        sa.Column("transferred", sa.Boolean),
        sa.Column("resolved", sa.Boolean),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sa.CheckConstraint(
            _in("channel", ("phone", "email", "chat", "social", "counter")), name="channel"
        ),
        sa.CheckConstraint(
            "(talk_s IS NULL OR talk_s >= 0) AND (hold_s IS NULL OR hold_s >= 0) "
            "AND (after_call_s IS NULL OR after_call_s >= 0)",
            name="durations",
        ),
    )
    op.create_table(
        "survey",
        _id("survey"),
        _source_key(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("languages", sa.String(50), server_default="nl,en", nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sa.CheckConstraint(_in("audience", ("customer", "employee")), name="audience"),
        sa.CheckConstraint(
            _in("kind", ("transactional", "pulse", "census", "onboarding", "exit")), name="kind"
        ),
    )
    metrics = (
        "nps", "csat", "ces", "enps", "ees", "ees_time", "ees_information", "ees_authority",
        "ees_competence", "engagement", "wellbeing", "stress", "manager_rating", "emotion",
        "open_goal", "open_friction", "open_comment", "other",
    )  # fmt: skip
    op.create_table(
        "question",
        _id("question"),
        sa.Column("survey_id", sa.BigInteger, sa.ForeignKey("survey.id"), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("scale_min", sa.Double),
        sa.Column("scale_max", sa.Double),
        sa.Column("position", sa.Integer, server_default="0", nullable=False),
        sa.Column("text_nl", sa.Text),
        sa.Column("text_en", sa.Text),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "code"),
        sa.CheckConstraint(_in("metric", metrics), name="metric"),
        sa.CheckConstraint(
            "scale_min IS NULL OR scale_max IS NULL OR scale_max > scale_min", name="scale"
        ),
    )
    op.create_table(
        "response",
        _id("response"),
        _source_key(),
        sa.Column("survey_id", sa.BigInteger, sa.ForeignKey("survey.id"), nullable=False),
        sa.Column("respondent_pseudonym", sa.String(64)),
        sa.Column("respondent_role", sa.String(20)),
        sa.Column("interaction_id", sa.BigInteger, sa.ForeignKey("interaction.id")),
        sa.Column("team_id", sa.BigInteger, sa.ForeignKey("org_unit.id")),
        sa.Column("channel", sa.String(20)),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(8)),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_table(
        "answer",
        sa.Column("response_id", sa.BigInteger, sa.ForeignKey("response.id"), nullable=False),
        sa.Column("question_id", sa.BigInteger, sa.ForeignKey("question.id"), nullable=False),
        sa.Column("value_num", sa.Double),
        sa.Column("value_text", sa.Text),
        sa.PrimaryKeyConstraint("response_id", "question_id"),
    )
    op.create_table(
        "hr_event",
        _id("hr_event"),
        _source_key(),
        sa.Column("employee_id", sa.BigInteger, sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("voluntary", sa.Boolean),
        sa.Column("reason", sa.String(200)),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sa.CheckConstraint(
            _in("kind", ("hire", "leave", "transfer", "promotion", "upskill")), name="kind"
        ),
    )
    op.create_table(
        "absence_spell",
        _id("absence_spell"),
        _source_key(),
        sa.Column("employee_id", sa.BigInteger, sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date),
        sa.Column("fraction", sa.Double, server_default="1", nullable=False),
        sa.Column("reason_class", sa.String(50)),
        _created_at(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        sa.CheckConstraint("fraction > 0 AND fraction <= 1", name="fraction"),
    )
    op.create_table(
        "import_batch",
        _id("import_batch"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("mapping", sa.Text),
        sa.Column("rows_read", sa.Integer, server_default="0", nullable=False),
        sa.Column("rows_inserted", sa.Integer, server_default="0", nullable=False),
        sa.Column("rows_updated", sa.Integer, server_default="0", nullable=False),
        sa.Column("rows_unchanged", sa.Integer, server_default="0", nullable=False),
        sa.Column("rows_rejected", sa.Integer, server_default="0", nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint(
            _in("status", ("running", "succeeded", "failed", "dry_run")), name="status"
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, indexes in POSTGRES_INDEXES.items():
            for columns in indexes:
                op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def downgrade() -> None:
    # Children before parents; DuckDB drops indexes with their tables.
    for name in (
        "answer", "response", "question", "survey", "interaction", "customer",
        "hr_event", "absence_spell", "employee", "org_unit", "import_batch",
    ):  # fmt: skip
        op.drop_table(name)
    for name in TABLES:
        op.execute(sa.schema.DropSequence(sa.Sequence(f"{name}_id_seq")))
