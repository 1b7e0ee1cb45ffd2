"""Other survey tools' exports are recognised by their headers and normalised."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow as pa
import pytest

from keizer.ingest import formats
from keizer.ingest.formats import _common, formbricks, limesurvey, qualtrics, surveymonkey
from keizer.ingest.formats.base import CANONICAL_COLUMNS, SurveyExport
from keizer.ingest.raw import RawTable

FIXTURES = Path(__file__).parent / "fixtures"
MODULES = {m.TOOL: m for m in (qualtrics, surveymonkey, limesurvey, formbricks)}
EXPECTED_TOOL = {
    "qualtrics_export.csv": "qualtrics",
    "limesurvey_export.csv": "limesurvey",
    "formbricks_export.csv": "formbricks",
    "formbricks_export.xlsx": "formbricks",
    "surveymonkey_export.csv": "surveymonkey",
}


# A minimal reader of the shape the real one produces: first row as header, text cells,
# empty cells as nulls, first_row=2.


def raw_table(rows: list[list[str | None]], source: str = "test.csv") -> RawTable:
    header, *body = rows
    width = len(header)
    cells = [[*r, *([None] * (width - len(r)))] for r in body]
    arrays = [pa.array([r[i] or None for r in cells], pa.string()) for i in range(width)]
    names = [name or "" for name in header]
    return RawTable(source=source, data=pa.Table.from_arrays(arrays, names=names))


def read(name: str) -> RawTable:
    path = FIXTURES / name
    if path.suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            rows = [
                [None if v is None else str(v) for v in values]
                for values in workbook.active.iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
        return raw_table(rows, name)
    with path.open(encoding="utf-8-sig", newline="") as file:
        first_line = file.readline()
        file.seek(0)
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        return raw_table([list(r) for r in csv.reader(file, delimiter=delimiter)], name)


def recognised(name: str) -> SurveyExport:
    export = formats.recognise(read(name))
    assert export is not None
    return export


def records(export: SurveyExport) -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = export.table.data.to_pylist()
    return rows


def record(export: SurveyExport, index: int) -> dict[str, str | None]:
    return records(export)[index]


def by_response_id(export: SurveyExport, response_id: str) -> dict[str, str | None]:
    rows = [r for r in records(export) if r["response_id"] == response_id]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(("name", "tool"), EXPECTED_TOOL.items())
def test_each_fixture_is_recognised_as_its_tool_and_no_other(name: str, tool: str) -> None:
    table = read(name)
    for other, module in MODULES.items():
        assert (module.recognise(table) is not None) == (other == tool), other
    assert recognised(name).tool == tool
    assert set(formats.TOOLS) == set(MODULES)


@pytest.mark.parametrize(
    "rows",
    [
        [["response_id", "submitted_at", "nps", "comment"], ["r1", "2024-01-01", "9", "Fijn"]],
        [["ID", "Date", "Score", "Status", "Finished", "Comment"], ["1", "x", "9", "0", "1", ""]],
        [["Response ID", "Timestamp", "Finished"], ["abc", "2024-01-01 10:00:00", "Yes"]],
        [["id", "submitdate", "answer"], ["1", "2024-01-01 10:00:00", "5"]],
    ],
)
def test_plain_csv_is_no_tool_export(rows: list[list[str | None]]) -> None:
    assert formats.recognise(raw_table(rows)) is None


def test_qualtrics_export() -> None:
    export = recognised("qualtrics_export.csv")
    assert export.table.first_row == 4  # three header rows
    assert export.table.row_number(0) == 4
    assert export.table.data.num_rows == 10
    assert export.date_format == "%Y-%m-%d %H:%M:%S"
    assert [(q.code, q.text) for q in export.questions] == [
        (
            "Q1",
            "How likely is it that you would recommend Keizer Energie to a friend or colleague?",
        ),
        ("Q2", "Keizer Energie made it easy for me to handle my issue."),
        ("Q3_1", "How satisfied are you with the following? - The waiting time"),
        ("Q3_2", "How satisfied are you with the following? - The knowledge of the agent"),
        ("Q4", "What is the main reason for your score?"),
    ]
    assert export.table.columns == [
        "response_id", "submitted_at", "started_at", "language", "respondent_id", "finished",
        "Q1", "Q2", "Q3_1", "Q3_2", "Q4",
    ]  # fmt: skip
    assert record(export, 0) == {
        "response_id": "R_1a2B3c4D5e6F7g8",
        "submitted_at": "2024-03-04 09:12:45",
        "started_at": "2024-03-04 09:10:02",
        "language": "nl",
        "respondent_id": "CUST-10023",
        "finished": "true",
        "Q1": "9",
        "Q2": "6",
        "Q3_1": "4",
        "Q3_2": "5",
        "Q4": "Snel geholpen, de medewerker wist precies wat er moest gebeuren.",
    }
    partial = by_response_id(export, "R_3c4D5e6F7g8H9i0")
    assert (partial["finished"], partial["Q1"], partial["Q4"]) == ("false", "3", None)
    anonymous = by_response_id(export, "R_5e6F7g8H9i0J1k2")
    assert (anonymous["respondent_id"], anonymous["language"]) == (None, "en")
    quoted = by_response_id(export, "R_4d5E6f7G8h9I0j1")["Q4"]
    assert quoted is not None
    assert 'zei "we bellen u terug", maar' in quoted
    assert "\nPas de derde keer" in quoted


def test_qualtrics_drops_embedded_data_and_text_iq_columns() -> None:
    columns = recognised("qualtrics_export.csv").table.columns
    assert "agent_id" not in columns
    assert "Q4 - Topics" not in columns


def test_qualtrics_export_whose_extra_header_rows_were_removed() -> None:
    with (FIXTURES / "qualtrics_export.csv").open(encoding="utf-8-sig", newline="") as file:
        rows: list[list[str | None]] = [list(r) for r in csv.reader(file)]
    export = formats.recognise(raw_table([rows[0], *rows[3:]]))
    assert export is not None
    assert export.tool == "qualtrics"
    assert export.table.first_row == 2
    assert export.table.data.num_rows == 10
    assert [q.code for q in export.questions] == ["Q1", "Q2", "Q3_1", "Q3_2", "Q4", "agent_id"]
    assert all(q.text is None for q in export.questions)


def test_qualtrics_legacy_export() -> None:
    """The pre-2018 layout: V1..V10 with their names in the second header row."""
    ids = ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "Q1", "Q2"]
    names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress"]
    names += ["IPAddress", "Status", "StartDate", "EndDate", "Finished"]
    rows: list[list[str | None]] = [
        [*ids, "LocationLatitude", "LocationLongitude", "LocationAccuracy", ""],
        [*names, "How likely...?", "Why?", "LocationLatitude", "LocationLongitude", "", ""],
        [
            *("R_abc", "Default Response Set", "Doe, Jan", "K-1", "jan@example.nl", "192.0.2.1"),
            *("0", "2017-07-18 08:28:09", "2017-07-18 08:28:48", "1", "8", "Prima"),
            *("52.1", "5.1", "-1"),
        ],
    ]
    export = formats.recognise(raw_table(rows))
    assert export is not None
    assert export.tool == "qualtrics"
    assert export.table.first_row == 3
    questions = [(q.code, q.text) for q in export.questions]
    assert questions == [("Q1", "How likely...?"), ("Q2", "Why?")]
    assert record(export, 0) == {
        "response_id": "R_abc",
        "submitted_at": "2017-07-18 08:28:48",
        "started_at": "2017-07-18 08:28:09",
        "respondent_id": "K-1",
        "finished": "true",
        "Q1": "8",
        "Q2": "Prima",
    }


def test_qualtrics_dates_reformatted_by_a_spreadsheet_have_no_fixed_format() -> None:
    rows: list[list[str | None]] = [
        ["StartDate", "EndDate", "Finished", "ResponseId", "Q1"],
        ["Start Date", "End Date", "Finished", "Response ID", "NPS"],
        ["9/11/2022 17:54", "9/11/2022 18:44", "1", "R_x1", "9"],
    ]
    export = formats.recognise(raw_table(rows))
    assert export is not None
    assert export.date_format is None


def test_limesurvey_export() -> None:
    export = recognised("limesurvey_export.csv")
    assert export.table.first_row == 2
    assert export.table.data.num_rows == 10  # the trailing blank line is not a response
    assert export.date_format == "%Y-%m-%d %H:%M:%S"
    assert [(q.code, q.text) for q in export.questions] == [
        ("NPS", None),
        ("CES", None),
        ("CSAT[SQ001]", None),
        ("CSAT[SQ002]", None),
        ("Toelichting", None),
    ]
    assert record(export, 1) == {
        "response_id": "2",
        "submitted_at": "2024-02-12 10:02:51",
        "started_at": "2024-02-12 10:00:40",
        "language": "en",
        "finished": "true",
        "NPS": "10",
        "CES": "7",
        "CSAT[SQ001]": "5",
        "CSAT[SQ002]": "5",
        "Toelichting": "Very helpful, problem solved in one call.",
    }
    incomplete = by_response_id(export, "4")
    assert (incomplete["finished"], incomplete["submitted_at"], incomplete["NPS"]) == (
        "false",
        None,
        "5",
    )
    text = by_response_id(export, "3")["Toelichting"]
    assert text == (
        'Prima geholpen, maar "binnen 24 uur" werd 3 dagen;\nvolgende keer graag eerlijker.'
    )


def test_limesurvey_without_datestamps_keeps_responses_complete_without_a_date() -> None:
    rows: list[list[str | None]] = [
        ["id", "submitdate", "lastpage", "startlanguage", "seed", "NPS"],
        ["1", "1980-01-01 00:00:00", "2", "nl", "123", "9"],
        ["2", None, "1", "nl", "456", "4"],
    ]
    export = formats.recognise(raw_table(rows))
    assert export is not None
    data = export.table.data
    assert data.column("submitted_at").to_pylist() == [None, None]
    assert data.column("finished").to_pylist() == ["true", "false"]
    assert export.date_format is None


@pytest.mark.parametrize("name", ["formbricks_export.csv", "formbricks_export.xlsx"])
def test_formbricks_export(name: str) -> None:
    export = recognised(name)
    assert export.table.first_row == 2
    assert export.table.data.num_rows == 10
    assert export.date_format == "%Y-%m-%d %H:%M:%S"
    assert [(q.code, q.text) for q in export.questions] == [
        (
            "how_likely_are_you_to_recommend",
            "How likely are you to recommend Keizer Energie to a friend or colleague?",
        ),
        ("how_easy_was_it_to_get_your", "How easy was it to get your question answered?"),
        (
            "how_satisfied_are_you_with_our_waiting_time",
            "How satisfied are you with our service? - Waiting time",
        ),
        (
            "how_satisfied_are_you_with_our_friendliness",
            "How satisfied are you with our service? - Friendliness",
        ),
        ("what_did_you_contact_us_about", "What did you contact us about?"),
        ("is_there_anything_else_you_would", "Is there anything else you would like to tell us?"),
    ]
    assert record(export, 0) == {
        "response_id": "qd3n8wk2xv0c7rb5mt1yz4pe",
        "submitted_at": "2024-04-02 08:31:17",
        "respondent_id": "cust-30011",
        "finished": "true",
        "how_likely_are_you_to_recommend": "9",
        "how_easy_was_it_to_get_your": "6",
        "how_satisfied_are_you_with_our_waiting_time": "4",
        "how_satisfied_are_you_with_our_friendliness": "5",
        "what_did_you_contact_us_about": "Billing",
        "is_there_anything_else_you_would": "Snel en duidelijk, dank je wel!",
    }
    assert record(export, 1)["respondent_id"] is None
    assert record(export, 2)["finished"] == "false"
    assert "ticket_id" not in export.table.columns  # hidden fields are not carried


def test_formbricks_csv_and_xlsx_give_the_same_export() -> None:
    csv_export = recognised("formbricks_export.csv")
    xlsx_export = recognised("formbricks_export.xlsx")
    assert csv_export.questions == xlsx_export.questions
    assert csv_export.table.data.to_pylist() == xlsx_export.table.data.to_pylist()


def test_surveymonkey_export() -> None:
    export = recognised("surveymonkey_export.csv")
    assert export.table.first_row == 3  # two header rows
    assert export.table.data.num_rows == 10
    assert export.date_format == "%m/%d/%Y %I:%M:%S %p"
    question = "Hoe beoordeelt u de medewerker?"
    assert [(q.code, q.text) for q in export.questions] == [
        (
            "hoe_waarschijnlijk_is_het_dat_u",
            "Hoe waarschijnlijk is het dat u Keizer Energie aanbeveelt aan vrienden of collega's?",
        ),
        ("hoe_tevreden_bent_u_over_de", "Hoe tevreden bent u over de afhandeling van uw vraag?"),
        ("hoe_beoordeelt_u_de_medewerker_vriendelijkheid", f"{question} - Vriendelijkheid"),
        ("hoe_beoordeelt_u_de_medewerker_deskundigheid", f"{question} - Deskundigheid"),
        ("heeft_de_medewerker_uw_vraag_in", "Heeft de medewerker uw vraag in één keer opgelost?"),
        ("wat_kunnen_we_verbeteren", "Wat kunnen we verbeteren?"),
    ]
    assert "finished" not in export.table.columns  # SurveyMonkey does not mark partials
    assert record(export, 0) == {
        "response_id": "114987650011",
        "submitted_at": "03/11/2024 09:04:58 AM",
        "started_at": "03/11/2024 09:02:17 AM",
        "respondent_id": "CUST-20011",
        "hoe_waarschijnlijk_is_het_dat_u": "9",
        "hoe_tevreden_bent_u_over_de": "Zeer tevreden",
        "hoe_beoordeelt_u_de_medewerker_vriendelijkheid": "Uitstekend",
        "hoe_beoordeelt_u_de_medewerker_deskundigheid": "Goed",
        "heeft_de_medewerker_uw_vraag_in": "Ja",
        "wat_kunnen_we_verbeteren": "Niets, ga zo door.",
    }
    partial = by_response_id(export, "114987650233")
    assert (partial["hoe_waarschijnlijk_is_het_dat_u"], partial["wat_kunnen_we_verbeteren"]) == (
        "4",
        None,
    )


IP_ADDRESS = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
PRIVATE_COLUMN = re.compile(r"ip|e-?mail|name|latitude|longitude|location|url|country", re.I)


@pytest.mark.parametrize("name", EXPECTED_TOOL)
def test_no_ip_addresses_names_emails_or_locations_are_carried(name: str) -> None:
    export = recognised(name)
    private = [c for c in export.table.columns if PRIVATE_COLUMN.search(c)]
    assert private == []
    cells = [v for r in export.table.data.to_pylist() for v in r.values() if v is not None]
    assert not [v for v in cells if "@" in v or IP_ADDRESS.search(v)]
    surnames = {"Jansen", "Dekker", "Kowalski", "El Amrani"}
    assert not [v for v in cells if any(s in v for s in surnames)]


@pytest.mark.parametrize("name", EXPECTED_TOOL)
def test_exports_have_canonical_columns_first_and_unique_codes(name: str) -> None:
    export = recognised(name)
    columns = export.table.columns
    canonical = [c for c in columns if c in CANONICAL_COLUMNS]
    assert columns[: len(canonical)] == canonical
    assert {"response_id", "submitted_at"} <= set(canonical)
    assert columns[len(canonical) :] == [q.code for q in export.questions]
    assert len(set(columns)) == len(columns)
    assert export.table.source == name


def test_slugs_are_ascii_identifiers_cut_at_a_word() -> None:
    assert _common.slug("How likely are you to recommend us to a friend?") == (
        "how_likely_are_you_to_recommend"
    )
    assert _common.slug("Heeft de medewerker het in één keer opgelost?") == (
        "heeft_de_medewerker_het_in_een"
    )
    assert _common.slug("10 redenen") == "q_10_redenen"
    assert _common.slug("😀") == "q"
    assert _common.slug("Supercalifragilisticexpialidocious-and-more-words") == (
        "supercalifragilisticexpialidocio"
    )
    taken = {"nps"}
    assert [_common.unique(code, taken) for code in ("nps", "nps", "ces")] == [
        "nps_2",
        "nps_3",
        "ces",
    ]


def test_a_question_coded_like_a_canonical_column_is_renamed() -> None:
    rows: list[list[str | None]] = [
        ["id", "submitdate", "lastpage", "startlanguage", "language", "finished"],
        ["1", "2024-01-01 10:00:00", "1", "nl", "Nederlands", "ja"],
    ]
    export = formats.recognise(raw_table(rows))
    assert export is not None
    assert [q.code for q in export.questions] == ["finished_2"]  # "language" is a token field
    assert record(export, 0)["finished"] == "true"


@pytest.mark.parametrize("name", EXPECTED_TOOL)
def test_an_export_without_responses_is_still_recognised(name: str) -> None:
    table = read(name)
    header_only = table.with_data(table.data.slice(0, 0))
    export = formats.recognise(header_only)
    assert export is not None
    assert export.tool == EXPECTED_TOOL[name]
    assert export.table.data.num_rows == 0
    assert export.date_format is None
