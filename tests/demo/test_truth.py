"""The demo truth: its own tables, migrated on both engines, never read by the product."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect

import keizer
import keizer.demo.models  # registers the truth tables
from keizer.config import Settings
from keizer.demo.models import DEMO_TABLES
from keizer.workspace import TABLES

from factories import assert_tables_match_models

SQL = Callable[[str], dict[str, np.ndarray]]
SRC = Path(keizer.__file__).resolve().parent


def _tables(ws: keizer.Workspace) -> set[str]:
    with ws.store.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) & set(DEMO_TABLES)


def test_truth_tables_migrate_up_and_down(store_url: str, settings: Settings) -> None:
    with keizer.open(store_url, settings=settings, migrate_schema=False) as ws:
        ws.upgrade("0001")
        assert _tables(ws) == set()
        ws.upgrade()
        assert _tables(ws) == set(DEMO_TABLES)
        ws.downgrade("0001")
        assert _tables(ws) == set()
        assert ws.revision() == "0001"
        ws.upgrade()
        assert _tables(ws) == set(DEMO_TABLES)


def test_truth_tables_match_their_models(workspace: keizer.Workspace) -> None:
    assert_tables_match_models(workspace, DEMO_TABLES)


def test_no_product_code_reads_the_truth() -> None:
    pattern = re.compile("|".join(DEMO_TABLES) + r"|keizer\.demo|DemoCommentTruth|DemoFact")
    allowed = {SRC / "demo", SRC / "store" / "migrations"}
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if not any(path.is_relative_to(a) for a in allowed)
        and path.name != "cli.py"  # the CLI runs the generator; it reads no truth
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    cli = (SRC / "cli.py").read_text(encoding="utf-8")
    assert not re.search("|".join(DEMO_TABLES) + "|demo.models", cli)
    assert not set(DEMO_TABLES) & set(TABLES.values())


def test_every_open_answer_has_its_truth(sql: SQL) -> None:
    got = sql("""SELECT count(*) AS answers, count(t.response_id) AS labelled
                 FROM answer a JOIN question q ON q.id = a.question_id
                 LEFT JOIN demo_comment_truth t
                   ON t.response_id = a.response_id AND t.question_id = a.question_id
                 WHERE q.metric IN ('open_goal', 'open_friction', 'open_comment')""")
    assert got["answers"][0] == got["labelled"][0] > 1000


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("sentiment", {"negative", "neutral", "positive"}),
        ("emotion", {"anger", "frustration", "worry", "sadness", "joy", "gratitude", "confusion"}),
        ("vulnerability", {"health", "life_events", "resilience", "capability"}),
        ("language", {"nl", "en"}),
    ],
)
def test_truth_labels_use_the_text_vocabularies(sql: SQL, column: str, values: set[str]) -> None:
    found = sql(f"SELECT DISTINCT {column} AS v FROM demo_comment_truth WHERE {column} IS NOT NULL")
    assert set(found["v"]) == values


def test_comments_mix_languages_themes_and_vulnerability(sql: SQL) -> None:
    got = sql("""SELECT avg(CAST(t.language = 'nl' AS INT)) AS dutch,
                   avg(CAST(t.vulnerability IS NOT NULL AS INT)) AS vulnerable,
                   count(DISTINCT a.value_text) AS distinct_texts, count(*) AS n
                 FROM demo_comment_truth t JOIN answer a USING (response_id, question_id)""")
    assert got["dutch"][0] == pytest.approx(0.8, abs=0.02)
    assert 0.02 < got["vulnerable"][0] < 0.08
    assert got["distinct_texts"][0] > 500
    themes = sql("SELECT DISTINCT unnest(string_split(themes, ',')) AS theme "
                 "FROM demo_comment_truth")  # fmt: skip
    assert sum(t.startswith("cx.") for t in themes["theme"]) == 8
    assert sum(t.startswith("ex.") for t in themes["theme"]) == 8
    friction = sql("""SELECT t.sentiment, avg(c.value_num) AS ces FROM demo_comment_truth t
                      JOIN question q ON q.id = t.question_id AND q.code = 'friction'
                      JOIN answer c ON c.response_id = t.response_id
                      JOIN question qc ON qc.id = c.question_id AND qc.code = 'ces'
                      GROUP BY 1""")
    ces = dict(zip(friction["sentiment"], friction["ces"], strict=True))
    assert ces["negative"] < ces["neutral"] < ces["positive"]
