"""Malformed files: each gives a clear error naming the file (and row and column where there is
one), exits 1 without a traceback, and leaves the store exactly as it was."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

import keizer
from keizer.cli import app
from keizer.config import Settings

HEADER = "interaction_id,channel,started_at,employee_id,talk_s,topic,resolved\n"
GOOD = "I1,phone,2025-03-01 10:00,E1,60,toeslag,ja\n"
Maker = Callable[[Path], Path]


def text(name: str, content: str, encoding: str = "utf-8") -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content.encode(encoding))
        return path

    return make


def raw(name: str, content: bytes) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def bad_xlsx(folder: Path) -> Path:
    path = folder / "bad_values.xlsx"
    book = Workbook()
    book.active.append(["interaction_id", "channel", "started_at"])
    book.active.append(["X1", "pigeon", "2025-03-01 10:00"])
    book.save(path)
    return path


# (name, maker, kind, fragments the message must contain)
CASES: list[tuple[str, Maker, str, tuple[str, ...]]] = [
    ("wrong delimiter in rows", text("delim.csv", HEADER + GOOD + "I2;chat;2025-03-01;E1;1;x;ja\n"),
     "interactions", ("delim.csv", "row 3", "expected 7")),
    ("truncated last line", text("trunc.csv", HEADER + GOOD + "I2,pho"), "interactions",
     ("trunc.csv", "row 3")),
    ("too many fields", text("wide.csv", HEADER + GOOD + "I2,chat,2025-03-01,E1,1,x,ja,extra\n"),
     "interactions", ("wide.csv", "row 3", "8 fields")),
    ("binary garbage", raw("garbage.csv", os.urandom(2048) + b"\x00\x00"), "interactions",
     ("garbage.csv", "binary data")),
    ("forced wrong encoding", text("latin.csv", HEADER + "I1,phone,2025-03-01,,1,café €,ja\n",
                                   "cp1252"), "interactions", ("latin.csv", "UTF-8")),
    ("utf-16 without bom", raw("utf16.csv", (HEADER + GOOD).encode("utf-16-le")), "interactions",
     ("utf16.csv", "binary data")),
    ("empty file", raw("empty.csv", b""), "interactions", ("empty.csv", "empty")),
    ("only white space", text("blank.csv", "  \n\n   \n"), "interactions", ("blank.csv",)),
    ("header only", text("header.csv", HEADER), "interactions", ("header.csv", "no data rows")),
    ("duplicate headers", text("dup.csv", "interaction_id,channel,channel\nI1,phone,chat\n"),
     "interactions", ("dup.csv", "row 1", "appears twice")),
    ("blank header cell", text("noname.csv", "interaction_id,,started_at\nI1,phone,2025-03-01\n"),
     "interactions", ("noname.csv", "row 1", "column 2 has no name")),
    ("header of delimiters", text("commas.csv", ",,,\n1,2,3,4\n"), "interactions",
     ("commas.csv",)),
    ("missing required column", text("nochan.csv", "interaction_id,started_at\nI1,2025-03-01\n"),
     "interactions", ("nochan.csv", "'channel'")),
    ("empty required value", text("req.csv", HEADER + "I1,,2025-03-01 10:00,E1,1,x,ja\n"),
     "interactions", ("req.csv", "row 2", "'channel'")),
    ("unknown channel", text("chan.csv", HEADER + "I1,pigeon,2025-03-01 10:00,E1,1,x,ja\n"),
     "interactions", ("chan.csv", "row 2", "'channel'", "pigeon")),
    ("unreadable date", text("date.csv", HEADER + "I1,phone,2025-13-45 10:00,E1,1,x,ja\n"),
     "interactions", ("date.csv", "row 2", "'started_at'")),
    ("date in the future", text("future.csv", HEADER + "I1,phone,2099-01-01 10:00,E1,1,x,ja\n"),
     "interactions", ("future.csv", "row 2", "not in the future")),
    ("negative duration", text("neg.csv", HEADER + "I1,phone,2025-03-01 10:00,E1,-4,x,ja\n"),
     "interactions", ("neg.csv", "row 2", "'talk_s'", "from 0")),
    ("words for a number", text("words.csv", HEADER + "I1,phone,2025-03-01,E1,twee min,x,ja\n"),
     "interactions", ("words.csv", "row 2", "'talk_s'")),
    ("not a yes/no", text("bool.csv", HEADER + "I1,phone,2025-03-01,E1,1,x,misschien\n"),
     "interactions", ("bool.csv", "row 2", "'resolved'")),
    ("duplicate keys", text("dupkey.csv", HEADER + GOOD + GOOD), "interactions",
     ("dupkey.csv", "row 2", "unique")),
    ("unknown employee", text("ghost.csv", HEADER + "I1,phone,2025-03-01,GHOST,1,x,ja\n"),
     "interactions", ("ghost.csv", "row 2", "'employee_id'", "known employee")),
    ("formula injection", text("formula.csv", HEADER + "I1,phone,2025-03-01,E1,1,"
                               "=cmd|' /C calc'!A0,ja\n"),
     "interactions", ("formula.csv", "row 2", "'topic'")),
    ("10 MB single field", text("huge.csv", HEADER + "I1,phone,2025-03-01,E1,1,"
                                + "x" * 10_485_760 + ",ja\n"),
     "interactions", ("huge.csv", "row 2", "'topic'", "at most 200")),
    ("unterminated quote", text("quote.csv", HEADER + 'I1,phone,2025-03-01,E1,1,"open,ja\n'),
     "interactions", ("quote.csv",)),
    ("invalid JSON line", text("bad.jsonl", '{"interaction_id": "J1"}\n{"interaction_id": \n'),
     "interactions", ("bad.jsonl", "row 2", "invalid JSON")),
    ("JSON line not an object", text("list.jsonl", '{"interaction_id": "J1"}\n[1, 2]\n'),
     "interactions", ("list.jsonl", "row 2", "one JSON object")),
    ("corrupt parquet", raw("broken.parquet", b"PAR1" + os.urandom(500)), "interactions",
     ("broken.parquet", "Parquet")),
    ("corrupt xlsx", raw("broken.xlsx", b"PK\x03\x04" + os.urandom(500)), "interactions",
     ("broken.xlsx", "Excel")),
    ("CSV named xlsx", text("text.xlsx", HEADER + GOOD), "interactions", ("text.xlsx", "Excel")),
    ("unknown file type", raw("report.pdf", b"%PDF-1.4"), "interactions", ("report.pdf", ".pdf")),
    ("bad value in excel", bad_xlsx, "interactions", ("bad_values.xlsx", "row 2", "pigeon")),
    ("score out of range", text("nps.csv", "response_id,submitted_at,nps\nR1,2025-03-01,11\n"),
     "responses", ("nps.csv", "row 2", "'nps'", "0 to 10")),
    ("fte out of range", text("fte.csv", "employee_id,fte\nE9,3\n"), "employees",
     ("fte.csv", "row 2", "'fte'")),
    ("impossible birth year", text("born.csv", "employee_id,birth_year\nE9,1850\n"), "employees",
     ("born.csv", "row 2", "'birth_year'")),
    ("absence ends before it starts", text("abs.csv", "employee_id,start_date,end_date\n"
                                           "E1,2025-03-10,2025-03-01\n"),
     "absence", ("abs.csv", "row 2", "'end_date'")),
    ("unknown unit kind", text("units.csv", "source_key,name,kind\nx,X,planet\n"), "org-units",
     ("units.csv", "row 2", "'kind'", "planet")),
]  # fmt: skip


@pytest.fixture
def store(store_url: str, settings: Settings, tmp_path: Path) -> str:
    """A store with one team, one employee, a survey and an interaction already in it."""
    with keizer.open(store_url, settings=settings) as ws:
        units = tmp_path / "seed_units.csv"
        units.write_text("source_key,name,kind\nteam-a,Team A,team\n", encoding="utf-8")
        ws.import_file(units, "org-units")
        staff = tmp_path / "seed_staff.csv"
        staff.write_text("employee_id,team\nE1,team-a\n", encoding="utf-8")
        ws.import_file(staff, "employees")
        responses = tmp_path / "seed_responses.csv"
        responses.write_text("response_id,submitted_at,nps\nR0,2025-02-01,8\n", encoding="utf-8")
        ws.import_file(responses, "responses", survey="cx")
    return store_url


def _counts(url: str, settings: Settings) -> dict[str, int]:
    with keizer.open(url, settings=settings) as ws:
        counts = ws.counts()
    counts.pop("import_batches")  # failed runs are recorded, by design
    return counts


@pytest.mark.parametrize(("case", "make", "kind", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly(
    store: str, settings: Settings, tmp_path: Path, case: str, make: Maker, kind: str,
    fragments: tuple[str, ...], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = make(tmp_path)
    mapping_args: list[str] = []
    if case == "forced wrong encoding":
        mapping = tmp_path / "utf8.yaml"
        mapping.write_text(
            json.dumps({"encoding": "utf-8", "columns": {
                "interaction_id": "interaction_id", "channel": "channel",
                "started_at": "started_at", "topic": "topic"}}),
            encoding="utf-8",
        )  # fmt: skip
        mapping_args = ["--mapping", str(mapping)]
    survey_args = ["--survey", "cx"] if kind == "responses" else []
    before = _counts(store, settings)
    monkeypatch.setenv("KEIZER_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("COLUMNS", "300")
    result = CliRunner().invoke(
        app, ["import", kind, str(path), "-d", store, *mapping_args, *survey_args]
    )
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    for fragment in fragments:
        assert fragment in output, (fragment, output[-2000:])
    assert _counts(store, settings) == before
