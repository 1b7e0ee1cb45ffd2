"""LimeSurvey response exports (CSV or Excel) with "Question code" headings.

Columns are named by field code: ``id``, ``token``, ``submitdate``, ``lastpage``,
``startlanguage``, ``seed``, ``startdate``, ``datestamp``, ``ipaddr``, ``refurl`` (the
last five only when the survey stores them), then one per question or subquestion
(``NPS``, ``Q2[SQ001]``, ``Q2[other]``), timings (``interviewtime``, ``groupTime12``,
``NPSTime``) and, when chosen, participant fields (``firstname``, ``email``,
``attribute_1``...). LimeSurvey's CSV writer quotes every cell, starts with a byte-order
mark and separates fields with the chosen separator (``;`` in older versions, ``,`` by
default now): choosing the separator is the reader's job.

A response without ``submitdate`` is incomplete. A survey that does not store dates writes
``1980-01-01 00:00:00`` as the submit date of complete responses: it stays complete but gets
no ``submitted_at``. The participant token is an access code, not a link to a respondent,
and is dropped; so are IP addresses, referrer URLs and participant fields.
"""

from __future__ import annotations

import re

import pyarrow as pa

from keizer.ingest.formats import _common as c
from keizer.ingest.formats.base import (
    FINISHED,
    LANGUAGE,
    RESPONSE_ID,
    STARTED_AT,
    SUBMITTED_AT,
    SurveyExport,
)
from keizer.ingest.raw import RawTable

TOOL = "limesurvey"
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S",)
NOT_DATESTAMPED = "1980-01-01 00:00:00"

_SIGNATURE = ("id", "submitdate", "lastpage", "startlanguage")
_DROPPED = {
    "token", "lastpage", "seed", "datestamp", "ipaddr", "refurl", "interviewtime", "tid",
    "participant_id", "firstname", "lastname", "email", "emailstatus", "language",
    "blacklisted", "sent", "remindersent", "remindercount", "completed", "usesleft",
    "validfrom", "validuntil", "mpid",
}  # fmt: skip
_DROPPED_PATTERN = re.compile(r"attribute_\d+|groupTime\d+")


def recognise(table: RawTable) -> SurveyExport | None:
    """A LimeSurvey export, or None when the headers are not LimeSurvey's."""
    codes = c.header(table)
    if not all(code in codes for code in _SIGNATURE):
        return None
    builder = c.ExportBuilder(TOOL, c.without_header_rows(table, 0))
    submitted = builder.column(codes.index("submitdate"))
    builder.canonical[RESPONSE_ID] = builder.column(codes.index("id"))
    builder.canonical[SUBMITTED_AT] = _submitted_at(submitted)
    builder.canonical[FINISHED] = _finished(submitted)
    builder.canonical[LANGUAGE] = c.language(builder.column(codes.index("startlanguage")))
    if "startdate" in codes:
        builder.canonical[STARTED_AT] = builder.column(codes.index("startdate"))

    answer_codes = {code for code in codes if _is_answer(code)}
    for index, code in enumerate(codes):
        timing = code.endswith("Time") and code.removesuffix("Time") in answer_codes
        if code in answer_codes and not timing:
            builder.answer(code, None, index)
    return builder.build(DATE_FORMATS)


def _is_answer(code: str) -> bool:
    known = {*_SIGNATURE, "startdate"}
    return bool(code) and code not in known | _DROPPED and not _DROPPED_PATTERN.fullmatch(code)


def _submitted_at(column: pa.ChunkedArray) -> pa.Array:
    values = [
        None if c.text(cell) in ("", NOT_DATESTAMPED) else cell for cell in column.to_pylist()
    ]
    return pa.array(values, pa.string())


def _finished(column: pa.ChunkedArray) -> pa.Array:
    return pa.array(
        ["true" if c.text(cell) else "false" for cell in column.to_pylist()], pa.string()
    )
