"""Importing files into the store, on both engines: every reader, mapping, policy, idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

import keizer
from keizer.config import Settings
from keizer.ingest.issues import ImportValidationError
from keizer.ingest.mapping import Mapping

UNITS = "source_key;name;kind;parent_key\norg;Agency;organisation;\nloc-1;Utrecht;locatie;org\n" \
    "team-a;Team A;team;loc-1\nteam-b;Team B;team;loc-1\n"  # fmt: skip
STAFF = (
    "Personeelsnummer;Team;Rol;Datum in dienst;Werkplek;FTE;Geboortejaar\n"
    "E1;team-a;medewerker;01-02-2020;Thuis;0,8;1985\n"
    "E2;team-a;teamleider;2019-05-01;kantoor;1;1979\n"
    "E3;team-b;medewerker;15-08-2023;hybride;0,5;1999\n"
)


def as_dates(values: pd.Series) -> list[date | None]:
    """Dates as Python dates (Ibis hands DATE columns to pandas as timestamps)."""
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def org(workspace: keizer.Workspace, tmp_path: Path) -> keizer.Workspace:
    workspace.import_file(write(tmp_path / "units.csv", UNITS), "org-units")
    workspace.import_file(write(tmp_path / "staff.csv", STAFF), "employees")
    return workspace


def test_dutch_csv_with_semicolons_decimal_commas_and_dutch_words(
    org: keizer.Workspace,
) -> None:
    employees = org.table("employees").order_by("hire_date").to_pandas()
    assert employees.role.tolist() == ["team_lead", "agent", "agent"]
    assert employees.work_mode.tolist() == ["office", "home", "hybrid"]
    assert employees.fte.tolist() == [1.0, 0.8, 0.5]
    assert employees.birth_year_band.tolist() == ["1975-1979", "1985-1989", "1995-1999"]
    assert as_dates(employees.hire_date) == [date(2019, 5, 1), date(2020, 2, 1), date(2023, 8, 15)]
    assert "E1" not in set(employees.pseudonym)
    units = org.table("org_units").to_pandas().set_index("source_key")
    assert units.loc["team-a", "parent_id"] == units.loc["loc-1", "id"]
    assert units.loc["loc-1", "kind"] == "location"


def test_reimport_changes_nothing_and_corrections_update(
    org: keizer.Workspace, tmp_path: Path
) -> None:
    again = org.import_file(write(tmp_path / "staff.csv", STAFF), "employees")
    assert (again.result.inserted, again.result.updated, again.result.unchanged) == (0, 0, 3)
    corrected = STAFF.replace("E3;team-b;medewerker", "E3;team-a;medewerker")
    fixed = org.import_file(write(tmp_path / "staff2.csv", corrected), "employees")
    assert (fixed.result.inserted, fixed.result.updated, fixed.result.unchanged) == (0, 1, 2)
    assert org.counts()["employees"] == 3
    batches = org.table("import_batches").order_by("id").to_pandas()
    assert batches.status.tolist() == ["succeeded"] * 4
    assert batches.rows_unchanged.tolist()[-2:] == [3, 2]
    assert len(batches.sha256.iloc[-1]) == 64


def test_interactions_utf8_bom_comma_csv_with_zones_and_local_times(
    org: keizer.Workspace, tmp_path: Path
) -> None:
    text = (
        "\ufeffcontact_id,kanaal,starttijd,klant_id,agent_id,gesprekstijd,doorverbonden\n"
        'C1,telefoon,2025-03-01 10:00,K1,E1,"120,5",nee\n'
        "C2,chat,2025-03-01T11:00:00+02:00,K2,E2,300,ja\n"
        "C3,e-mail,2025-07-01 10:00,K1,,,\n"
    )
    result = org.import_file(write(tmp_path / "calls.csv", text), "interactions")
    assert result.result.inserted == 3
    rows = org.table("interactions").order_by("source_key").to_pandas()
    started = [t.to_pydatetime().astimezone(UTC) for t in pd.to_datetime(rows.started_at)]
    assert started == [
        datetime(2025, 3, 1, 9, 0, tzinfo=UTC),  # Amsterdam winter time
        datetime(2025, 3, 1, 9, 0, tzinfo=UTC),  # explicit +02:00
        datetime(2025, 7, 1, 8, 0, tzinfo=UTC),  # Amsterdam summer time
    ]
    assert rows.channel.tolist() == ["phone", "chat", "email"]
    assert rows.talk_s.tolist()[:2] == [120.5, 300.0]
    assert rows.transferred.tolist()[:2] == [False, True]
    assert org.counts()["customers"] == 2


def test_cp1252_file_is_read(org: keizer.Workspace, tmp_path: Path) -> None:
    text = "contact_id;kanaal;starttijd;onderwerp\nC9;telefoon;01-03-2025 10:00;Toeslag € café\n"
    org.import_file(write(tmp_path / "cp.csv", text, encoding="cp1252"), "interactions")
    assert org.table("interactions").to_pandas().topic.tolist() == ["Toeslag € café"]


def test_excel_jsonl_and_parquet(org: keizer.Workspace, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["interaction_id", "channel", "started_at", "talk_s", "resolved"])
    sheet.append(["X1", "phone", datetime(2025, 4, 1, 9, 30), 61, True])
    sheet.append(["X2", "Chat", "2025-04-01 10:30", 7.5, None])
    book.save(tmp_path / "calls.xlsx")
    assert org.import_file(tmp_path / "calls.xlsx", "interactions").result.inserted == 2

    lines = [
        '{"interaction_id": "J1", "channel": "email", "started_at": "2025-04-02T08:00:00Z",'
        ' "resolved": false}',
        '{"interaction_id": "J2", "channel": "phone", "started_at": "2025-04-02T09:00:00Z",'
        ' "talk_s": 42}',
    ]
    write(tmp_path / "calls.jsonl", "\n".join(lines) + "\n")
    assert org.import_file(tmp_path / "calls.jsonl", "interactions").result.inserted == 2

    table = pa.table(
        {
            "interaction_id": ["P1", "P2"],
            "channel": ["chat", "phone"],
            "started_at": pa.array(
                [datetime(2025, 4, 3, 8, tzinfo=UTC), datetime(2025, 4, 3, 9, tzinfo=UTC)],
                pa.timestamp("us", tz="UTC"),
            ),
            "talk_s": [10.0, None],
        }
    )
    pq.write_table(table, tmp_path / "calls.parquet")
    assert org.import_file(tmp_path / "calls.parquet", "interactions").result.inserted == 2
    rows = org.table("interactions").order_by("source_key").to_pandas().set_index("source_key")
    assert rows.loc["X1", "talk_s"] == 61
    assert rows.loc["X2", "channel"] == "chat"
    assert bool(rows.loc["J1", "resolved"]) is False
    assert pd.Timestamp(rows.loc["P1", "started_at"]) == pd.Timestamp("2025-04-03T08:00Z")


def test_invalid_rows_load_nothing_and_are_reported(org: keizer.Workspace, tmp_path: Path) -> None:
    text = (
        "interaction_id,channel,started_at,employee_id,talk_s\n"
        "A1,phone,2025-03-01 10:00,E1,10\n"
        "A2,fax,2025-03-01 10:00,E1,10\n"
        "A3,chat,2099-01-01 10:00,E404,-3\n"
    )
    before = org.counts()
    report = tmp_path / "report.csv"
    with pytest.raises(ImportValidationError) as caught:
        org.import_file(write(tmp_path / "bad.csv", text), "interactions", report=report)
    found = {(i.row, i.column) for i in caught.value.issues}
    assert found == {(3, "channel"), (4, "started_at"), (4, "employee_id"), (4, "talk_s")}
    assert caught.value.rows_with_issues == 2
    assert "bad.csv: 2 invalid row(s), nothing was loaded" in str(caught.value)
    assert org.counts()["interactions"] == before["interactions"]
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "file,row,column,value,expected"
    assert lines[1].startswith("bad.csv,3,channel,fax,")
    failed = org.table("import_batches").order_by("id").to_pandas().iloc[-1]
    assert failed.status == "failed"

    partial = org.import_file(
        tmp_path / "bad.csv", "interactions", skip_invalid=True, report=report
    )
    assert (partial.result.inserted, partial.rejected) == (1, 2)
    assert org.counts()["interactions"] == before["interactions"] + 1


def test_dry_run_counts_but_loads_nothing(org: keizer.Workspace, tmp_path: Path) -> None:
    text = "interaction_id,channel,started_at\nD1,phone,2025-03-01 10:00\n"
    result = org.import_file(write(tmp_path / "d.csv", text), "interactions", dry_run=True)
    assert result.dry_run
    assert result.result.inserted == 1
    assert org.counts()["interactions"] == 0
    assert org.table("import_batches").order_by("id").to_pandas().status.iloc[-1] == "dry_run"


def test_unknown_references_can_be_created(org: keizer.Workspace, tmp_path: Path) -> None:
    text = "interaction_id,channel,started_at,employee_id,team\nN1,phone,2025-03-01,E77,team-z\n"
    path = write(tmp_path / "n.csv", text)
    with pytest.raises(ImportValidationError, match="a known team"):
        org.import_file(path, "interactions")
    mapping = Mapping(
        columns={"interaction_id": "interaction_id", "channel": "channel",
                 "started_at": "started_at", "employee_id": "employee_id", "team": "team"},
        unknown_references="create",
    )  # fmt: skip
    assert org.import_file(path, "interactions", mapping=mapping).result.inserted == 1
    assert "team-z" in set(org.table("org_units").to_pandas().source_key)
    assert org.counts()["employees"] == 4


def test_mapping_file_with_value_maps_and_formats(org: keizer.Workspace, tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "m.yaml",
        "kind: hr-events\ncolumns:\n  employee_id: Wie\n  kind: Mutatie\n  event_date: Per\n"
        "  voluntary: Eigen verzoek\n  reason: Reden\n"
        "values:\n  kind: {UIT: leave, IN: hire}\ndate_format: '%d%m%Y'\n",
    )
    data = write(
        tmp_path / "hr.csv",
        "Wie;Mutatie;Per;Eigen verzoek;Reden\nE1;UIT;31012025;ja;doorgroei\nE3;IN;15082023;;\n",
    )
    result = org.import_file(data, "hr-events", mapping=mapping)
    assert result.result.inserted == 2
    events = org.table("hr_events").order_by("event_date").to_pandas()
    assert events.kind.tolist() == ["hire", "leave"]
    assert as_dates(events.event_date) == [date(2023, 8, 15), date(2025, 1, 31)]
    assert bool(events.voluntary.iloc[1]) is True
    assert org.import_file(data, "hr-events", mapping=mapping).result.unchanged == 2


def test_absence_spells(org: keizer.Workspace, tmp_path: Path) -> None:
    text = (
        "medewerker_id;ziekmelding;hersteldatum;percentage_ziek\n"
        "E1;03-02-2025;05-02-2025;1\nE2;10-03-2025;;0,5\nE3;10-03-2025;01-03-2025;1\n"
    )
    with pytest.raises(ImportValidationError, match="row 4, column 'hersteldatum'"):
        org.import_file(write(tmp_path / "a.csv", text), "absence")
    ok = text.rsplit("\n", 2)[0] + "\n"
    assert org.import_file(write(tmp_path / "a2.csv", ok), "absence").result.inserted == 2
    spells = org.table("absence_spells").order_by("start_date").to_pandas()
    assert spells.fraction.tolist() == [1.0, 0.5]
    assert pd.isna(spells.end_date.iloc[1])


def test_responses_create_the_survey_and_store_answers(
    org: keizer.Workspace, tmp_path: Path
) -> None:
    text = (
        "response_id,submitted_at,respondent_id,nps,ces,what_could_be_better\n"
        "R1,2025-03-02 09:00,K1,9,6,\n"
        'R2,2025-03-02 10:00,K2,3,2,"Lange wachttijd, twee keer doorverbonden"\n'
    )
    result = org.import_file(write(tmp_path / "r.csv", text), "responses", survey="cx-march")
    assert result.result.inserted == 2
    questions = org.table("questions").order_by("position").to_pandas()
    assert questions.code.tolist() == ["nps", "ces", "what_could_be_better"]
    assert questions.metric.tolist() == ["nps", "ces", "open_friction"]
    assert (questions.scale_min.iloc[0], questions.scale_max.iloc[0]) == (0, 10)
    answers = org.table("answers").to_pandas()
    assert sorted(answers.value_num.dropna().tolist()) == [2, 3, 6, 9]
    assert answers.value_text.dropna().tolist() == ["Lange wachttijd, twee keer doorverbonden"]
    bad = text.replace("R2,2025-03-02 10:00,K2,3", "R2,2025-03-02 10:00,K2,12")
    with pytest.raises(ImportValidationError, match="a number from 0 to 10"):
        org.import_file(write(tmp_path / "r2.csv", bad), "responses", survey="cx-march")


def test_missing_required_column_names_what_is_there(
    workspace: keizer.Workspace, tmp_path: Path
) -> None:
    path = write(tmp_path / "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(keizer.ValidationError, match="no column for the required field") as e:
        workspace.import_file(path, "interactions")
    assert "columns found: foo, bar" in str(e.value)


def test_a_store_failure_while_loading_is_a_clear_error_and_loads_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    """DuckDB out of memory halfway through (its limit set low on purpose): one line naming
    the file and the cause, a failed batch on record, nothing loaded."""
    rows = "".join(
        f"R{i},2025-03-01 10:00,K{i % 997},{i % 11},{1 + i % 7}\n" for i in range(60_000)
    )
    path = write(tmp_path / "big.csv", "response_id,submitted_at,respondent_id,nps,ces\n" + rows)
    with keizer.open(str(tmp_path / "store.duckdb"), settings=settings) as ws:
        with ws.store.engine.connect() as connection:
            connection.exec_driver_sql("SET memory_limit = '8MB'")
        before = ws.counts()
        with pytest.raises(keizer.StoreError) as error:
            ws.import_file(path, "responses", survey="cx")
        message = str(error.value)
        assert message.startswith("big.csv: the store failed while loading, nothing was loaded")
        assert "Out of Memory Error" in message
        assert "free memory, or import the file in parts" in message
        assert "\n" not in message
        after = ws.counts()
        assert after.pop("import_batches") == before.pop("import_batches") + 1
        assert after == before
        assert ws.table("import_batches").to_pandas().status.tolist()[-1] == "failed"
