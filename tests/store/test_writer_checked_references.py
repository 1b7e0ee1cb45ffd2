"""Migration 0005: on DuckDB the tables that imports write lose their foreign keys (keizer's
writers check the references); PostgreSQL keeps them. Existing stores keep their data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pyarrow as pa
import pytest
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.exc import IntegrityError

import keizer
from keizer.comments.models import CommentAnalysis
from keizer.config import Settings
from keizer.feedback.models import Answer
from keizer.org.models import OrgUnit
from keizer.store import Base, migrate
from keizer.store.base import table_of
from keizer.store.bulk import append, upsert
from keizer.users.schemas import UserCreate
from keizer.workforce.schemas import AbsenceSpellCreate, HREventCreate

from factories import CX_SURVEY, TEAMS, cx_responses, interactions, populate_org

# The tables migration 0005 rebuilds on DuckDB without their foreign keys.
WRITER_CHECKED = {
    "org_unit", "employee", "interaction", "response", "answer", "hr_event", "absence_spell",
    "comment_analysis", "demo_comment_truth",
}  # fmt: skip


def _populate(ws: keizer.Workspace) -> None:
    """Rows in every table that 0005 touches, the users' team links included."""
    populate_org(ws)
    ws.add_interactions(interactions(40))
    ws.add_survey(CX_SURVEY)
    ws.add_responses(cx_responses(30))
    ws.add_hr_events(
        [HREventCreate(employee_source_id="EMP00001", kind="leave", event_date=date(2025, 2, 1))]
    )
    ws.add_absence_spells(
        [AbsenceSpellCreate(employee_source_id="EMP00002", start_date=date(2025, 1, 6))]
    )
    with ws.unit_of_work() as session:
        query = select(OrgUnit.id).where(OrgUnit.source_key.in_(TEAMS[:2]))
        team_ids = list(session.scalars(query))
    ws.add_user(
        UserCreate(username="lead", password="a-long-password-1", role="team-lead",
                   team_ids=team_ids)
    )  # fmt: skip
    with ws.unit_of_work() as session:
        for table in ("comment_analysis", "demo_comment_truth"):
            extra = (
                "text_md5, analyser, language, sentiment, sentiment_score"
                if table == "comment_analysis"
                else "language, sentiment"
            )
            values = (
                "'0' || a.response_id, 'lexicon', 'nl', 'negative', -0.5"
                if table == "comment_analysis"
                else "'nl', 'negative'"
            )
            session.execute(
                text(
                    f"INSERT INTO {table} (response_id, question_id, {extra}) "
                    f"SELECT a.response_id, a.question_id, {values} FROM answer a "
                    f"WHERE a.value_text IS NOT NULL"
                )
            )


def _snapshot(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    return {
        table: sorted((tuple(r) for r in connection.execute(text(f"SELECT * FROM {table}"))),
                      key=repr)
        for table in sorted(tables)
    }  # fmt: skip


def _duckdb_definitions(connection: Connection) -> dict[str, str]:
    rows = connection.execute(text("SELECT table_name, sql FROM duckdb_tables()")).all()
    return {str(name): str(sql) for name, sql in rows}


def _foreign_keys(connection: Connection, engine: str) -> set[tuple[str, str, str]]:
    """(table, column, referenced table) of every foreign key in the store."""
    if engine == "duckdb":
        query = (
            "SELECT table_name, constraint_column_names[1], referenced_table "
            "FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'"
        )
    else:
        query = (
            "SELECT tc.table_name, kcu.column_name, ccu.table_name "
            "FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu "
            "  ON kcu.constraint_name = tc.constraint_name "
            "JOIN information_schema.constraint_column_usage ccu "
            "  ON ccu.constraint_name = tc.constraint_name "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'"
        )
    return {(str(t), str(c), str(p)) for t, c, p in connection.execute(text(query))}


def _indexes(connection: Connection, engine: str) -> set[str]:
    query = (
        "SELECT index_name FROM duckdb_indexes()"
        if engine == "duckdb"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
    )
    return set(connection.execute(text(query)).scalars())


def _model_foreign_keys() -> set[tuple[str, str, str]]:
    # every model's table in the metadata, also those that keizer's import does not load
    import keizer.demo.models
    import keizer.ingest.models  # noqa: F401

    return {
        (table.name, fk.parent.name, fk.column.table.name)
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
    }


def test_a_store_at_0004_keeps_its_rows_through_upgrade_and_downgrade(
    store_url: str, settings: Settings
) -> None:
    with keizer.open(store_url, settings=settings, migrate_schema=False) as ws:
        ws.upgrade("0004")
        _populate(ws)
        with ws.store.engine.begin() as connection:  # an index of the operator's is kept
            connection.execute(text("CREATE INDEX ix_extra ON response (submitted_at)"))
        with ws.store.engine.connect() as connection:
            before = _snapshot(connection)
            definitions = _duckdb_definitions(connection) if ws.engine == "duckdb" else {}
        assert all(before[t] for t in WRITER_CHECKED | {"app_user_team"})

        ws.upgrade("0005")
        assert ws.revision() == "0005"
        with ws.store.engine.connect() as connection:
            assert _snapshot(connection) == before
            assert "ix_extra" in _indexes(connection, ws.engine)
            if ws.engine == "duckdb":  # the same definitions, less their foreign keys
                after = _duckdb_definitions(connection)
                changed = {t for t in after if after[t] != definitions[t]}
                assert changed == WRITER_CHECKED
                for table in changed:
                    assert "FOREIGN KEY" not in after[table]
                    kept = after[table].removesuffix(");")
                    assert definitions[table].startswith(kept + ", FOREIGN KEY ("), table
        # the sequences go on where they were: new rows get new ids, no key collides
        ws.add_interactions(interactions(5, offset=40))
        ws.add_responses(cx_responses(35)[30:])
        assert ws.counts()["interactions"] == 45
        assert ws.counts()["responses"] == 35

        with ws.store.engine.begin() as connection:  # back to the rows of 0004
            connection.execute(text("DELETE FROM answer WHERE response_id IN (SELECT id FROM "
                                    "response WHERE source_key >= 'RESP0000030')"))  # fmt: skip
            connection.execute(text("DELETE FROM response WHERE source_key >= 'RESP0000030'"))
            connection.execute(text("DELETE FROM interaction WHERE source_key >= 'INT0000040'"))
            connection.execute(text("DELETE FROM customer WHERE id NOT IN "
                                    "(SELECT customer_id FROM interaction)"))  # fmt: skip
        ws.downgrade("0004")
        assert ws.revision() == "0004"
        with ws.store.engine.connect() as connection:
            assert _snapshot(connection) == before
            assert "ix_extra" in _indexes(connection, ws.engine)
            if ws.engine == "duckdb":
                assert _duckdb_definitions(connection) == definitions


def test_foreign_keys_per_engine(workspace: keizer.Workspace) -> None:
    """The models declare every reference. PostgreSQL holds all of them as foreign keys;
    DuckDB only those of the tables that imports do not write (keizer's writers check the
    rest, see keizer.store.bulk)."""
    declared = _model_foreign_keys()
    with workspace.store.engine.connect() as connection:
        stored = _foreign_keys(connection, workspace.engine)
    if workspace.engine == "postgresql":
        assert stored == declared
    else:
        assert stored == {fk for fk in declared if fk[0] not in WRITER_CHECKED}
        assert {fk[0] for fk in stored} == {"question", "app_user_team", "api_token",
                                            "browser_session"}  # fmt: skip


def test_a_downgrade_names_rows_that_refer_to_nothing(tmp_path: Path, settings: Settings) -> None:
    url = str(tmp_path / "dangling.duckdb")
    with keizer.open(url, settings=settings) as ws:
        populate_org(ws)
        ws.add_interactions(interactions(3))
        with ws.store.engine.begin() as connection:
            connection.execute(text("UPDATE interaction SET employee_id = 999999"))
        before = ws.counts()
        with pytest.raises(
            keizer.StoreError, match=r"3 rows of interaction.employee_id refer to no"
        ):
            ws.downgrade("0004")
        assert ws.revision() == migrate.head_revision()  # the downgrade is one transaction
        assert ws.counts() == before


def _refused_by(ws: keizer.Workspace) -> tuple[type[BaseException], ...]:
    """keizer refuses dangling ids on DuckDB; PostgreSQL's foreign keys refuse them there."""
    if ws.engine == "duckdb":
        return (keizer.UnknownReferenceError,)
    return (IntegrityError, psycopg.errors.ForeignKeyViolation)


def test_bulk_writes_refuse_ids_that_refer_to_nothing(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    workspace.add_interactions(interactions(2))
    workspace.add_survey(CX_SURVEY)
    workspace.add_responses(cx_responses(2))
    with workspace.store.engine.connect() as connection:
        response, question = connection.execute(
            text("SELECT response_id, question_id FROM answer ORDER BY 1, 2 LIMIT 1")
        ).one()
    before = workspace.counts()
    answers = pa.table(
        {
            "response_id": pa.array([999_999], pa.int64()),
            "question_id": pa.array([question], pa.int64()),
            "value_num": pa.array([2.0]),
        }
    )
    with pytest.raises(_refused_by(workspace)) as refused, workspace.unit_of_work() as session:
        append(session.connection(), target=table_of(Answer), rows=answers)
    if workspace.engine == "duckdb":
        assert str(refused.value).startswith("unknown response ids in answer.response_id: 999999;")
    analysis = pa.table(
        {
            "response_id": pa.array([response], pa.int64()),
            "question_id": pa.array([424_242], pa.int64()),
            "text_md5": ["0"], "analyser": ["lexicon"], "language": ["nl"],
            "sentiment": ["neutral"], "sentiment_score": [0.0],
        }
    )  # fmt: skip
    with pytest.raises(_refused_by(workspace), match="424242"), workspace.unit_of_work() as s:
        upsert(
            s.connection(), target=table_of(CommentAnalysis), rows=analysis,
            conflict=["response_id", "question_id"],
        )  # fmt: skip
    assert workspace.counts() == before
