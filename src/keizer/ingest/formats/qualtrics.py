"""Qualtrics response exports (CSV/TSV/XLSX "data table" and the legacy exporter).

The current export has three header rows: column IDs (``StartDate``, ``ResponseId``, ``Q1``,
``Q2_1``...), question texts (translated into the account's language), and import IDs
(``{"ImportId":"QID1"}``). The legacy exporter wrote two rows: IDs and texts, the oldest
with ``V1``..``V10`` for the metadata columns and their names in the second row. An export
whose extra header rows were already removed is recognised too.

Answers are the columns whose import ID names a question (``QID...``), or, without import
IDs, every column that is not Qualtrics metadata. Embedded data, Text iQ enrichments
(``Q4 - Topics``), display orders (``Q5_DO``) and the ``Q_`` system fields are dropped, as
are IP addresses, recipient names and e-mail addresses and locations.
``ExternalReference`` (the external data reference set on the contact or in the link)
becomes ``respondent_id``. The ``timeZone`` of the import-ID row is not carried (yet).
"""

from __future__ import annotations

import re

from keizer.ingest.formats import _common as c
from keizer.ingest.formats.base import (
    FINISHED,
    LANGUAGE,
    RESPONDENT_ID,
    RESPONSE_ID,
    STARTED_AT,
    SUBMITTED_AT,
    SurveyExport,
)
from keizer.ingest.raw import RawTable

TOOL = "qualtrics"
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ")

# Column IDs (lower case) that become canonical columns; EndDate is the moment of submission
# (for a partial response: the last interaction), RecordedDate only when it was stored.
_CANONICAL = {
    "responseid": RESPONSE_ID,
    "enddate": SUBMITTED_AT,
    "startdate": STARTED_AT,
    "userlanguage": LANGUAGE,
    "externalreference": RESPONDENT_ID,
    "externaldatareference": RESPONDENT_ID,
    "finished": FINISHED,
}
# Metadata that is never carried into keizer (privacy by design, or of no use).
_DROPPED = {
    "recordeddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "recipientlastname", "recipientfirstname", "recipientemail", "name", "emailaddress",
    "locationlatitude", "locationlongitude", "locationaccuracy", "distributionchannel",
    "responseset",
}  # fmt: skip
_SIGNATURE = {"startdate", "enddate", "recordeddate", "finished", "progress", "status"}
_IMPORT_ID = re.compile(r'\{\s*"ImportId"\s*:\s*"([^"]*)"')
_QUESTION_IMPORT_ID = re.compile(r"(\d+_)?QID\d+")
_LEGACY_ID = re.compile(r"V\d+")
_RESPONSE_ID = re.compile(r"R_\w+")
_TEXT_IQ = re.compile(
    r".+ - (Parent Topics|Topics|Sentiment|Sentiment Polarity|Sentiment Score"
    r"|Topic Sentiment Label|Topic Sentiment Score|Actionability|Effort|Emotion"
    r"|Emotion Intensity)"
)


def recognise(table: RawTable) -> SurveyExport | None:
    """A Qualtrics export, or None when the headers are not Qualtrics'."""
    ids = c.header(table)
    first = c.row(table, 0)
    legacy_v = bool(ids) and ids[0] == "V1" and c.text(first[0] if first else None) == "ResponseID"
    if legacy_v:  # metadata names stand in the second header row
        ids = [
            c.text(first[i]) if _LEGACY_ID.fullmatch(name) else name for i, name in enumerate(ids)
        ]
    lowered = [name.lower() for name in ids]
    if "responseid" not in lowered or len(_SIGNATURE.intersection(lowered)) < 2:
        return None

    import_ids = _import_ids(c.row(table, 1))
    response_id = first[lowered.index("responseid")] if first else None
    if import_ids:
        skipped = 2
    elif legacy_v or (first and not _RESPONSE_ID.fullmatch(c.text(response_id))):
        skipped = 1
    else:
        skipped = 0
    texts = [c.text(cell) for cell in first] if skipped else [""] * len(ids)

    builder = c.ExportBuilder(TOOL, c.without_header_rows(table, skipped))
    for index, (name, low) in enumerate(zip(ids, lowered, strict=True)):
        if low in _CANONICAL:
            _canonical(builder, _CANONICAL[low], index)
        elif _is_answer(name, low, import_ids[index] if import_ids else None):
            builder.answer(name, texts[index], index)
    return builder.build(DATE_FORMATS)


def _import_ids(cells: list[str | None]) -> list[str | None] | None:
    """The import ID of each column, or None when the row is not the import-ID row."""
    found = [_IMPORT_ID.match(c.text(cell)) for cell in cells]
    if sum(match is not None for match in found) * 2 <= len(cells):
        return None
    return [match.group(1) if match else None for match in found]


def _is_answer(name: str, low: str, import_id: str | None) -> bool:
    if not name or low in _DROPPED or _TEXT_IQ.fullmatch(name) or name.endswith("_DO"):
        return False  # _DO: the display order of a question's choices, not an answer
    if import_id is not None:
        return bool(_QUESTION_IMPORT_ID.match(import_id))
    return not (name.startswith("Q_") or _LEGACY_ID.fullmatch(name))


def _canonical(builder: c.ExportBuilder, name: str, index: int) -> None:
    if name in builder.canonical:
        return
    column = builder.column(index)
    if name == FINISHED:
        builder.canonical[name] = c.flags(column, true=("1", "true"), false=("0", "false"))
    elif name == LANGUAGE:
        builder.canonical[name] = c.language(column)
    else:
        builder.canonical[name] = column
