"""Survey-tool exports import end to end, without a mapping, on both engines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import keizer

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = [
    ("qualtrics_export.csv", "qualtrics"),
    ("limesurvey_export.csv", "limesurvey"),
    ("formbricks_export.csv", "formbricks"),
    ("formbricks_export.xlsx", "formbricks"),
    ("surveymonkey_export.csv", "surveymonkey"),
]
PRIVATE = ("eva.jansen@example.nl", "192.0.2.10", "Jansen", "52.3676")


@pytest.mark.parametrize(("name", "tool"), EXPORTS)
def test_export_imports_without_mapping(workspace: keizer.Workspace, name: str, tool: str) -> None:
    result = workspace.import_file(FIXTURES / name, "responses")
    assert result.tool == tool
    loaded = result.result.inserted
    assert loaded + result.skipped_incomplete == result.rows_read
    assert loaded >= 8
    surveys = workspace.table("surveys").to_pandas()
    assert len(surveys) == 1
    assert surveys.source_key.iloc[0].startswith(tool)
    questions = workspace.table("questions").to_pandas()
    assert "nps" in set(questions.metric), questions[["code", "metric"]]
    nps = questions[questions.metric == "nps"].iloc[0]
    assert (nps.scale_min, nps.scale_max) == (0, 10)
    answers = workspace.table("answers").to_pandas()
    nps_values = answers[answers.question_id == nps.id].value_num.dropna()
    assert len(nps_values) == loaded
    assert nps_values.between(0, 10).all()
    texts = " ".join(answers.value_text.dropna())
    assert any(word in texts for word in ("wachttijd", "geholpen", "thank", "snel", "Snel"))
    stored = workspace.table("responses").to_pandas()
    assert pd.to_datetime(stored.submitted_at).notna().all()
    # Nothing that identifies a person travels with the export.
    with workspace.store.engine.connect() as connection:
        for table in ("response", "answer", "question", "survey"):
            rows = connection.exec_driver_sql(f"SELECT * FROM {table}").all()
            dump = " ".join(str(row) for row in rows)
            for private in PRIVATE:
                assert private not in dump, (table, private)
    again = workspace.import_file(FIXTURES / name, "responses")
    assert (again.result.inserted, again.result.updated) == (0, 0)
