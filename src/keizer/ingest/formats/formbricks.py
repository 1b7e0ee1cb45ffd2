"""Formbricks response downloads (CSV and XLSX share one layout).

Formbricks writes ``No.``, ``Response ID``, ``Timestamp``, ``Finished`` (Yes/No),
``Quotas`` (on plans with quotas), ``Survey ID``, ``Formbricks ID (internal)``, ``User ID``,
``Notes``, ``Tags``, then the response meta (``source``, ``url``, ``userAgent - os``,
``country``...), one column per question headed ``"<n>. <headline>"`` (matrix rows as
``"<n>. <headline> - <row>"``, choice questions with an extra ``"... - Option ID"``),
variables, hidden fields, contact attributes and ``Verified Email``.

Only the numbered question columns are kept as answers (``Option ID`` columns are dropped:
the choice label is in the answer column); codes are slugs of the headline. ``Timestamp``
is when the response was created, the only date Formbricks exports; ``User ID`` (the
identifier the organisation's app sets on the contact) becomes ``respondent_id``. Meta,
notes, tags, variables, hidden fields and contact attributes are dropped: they may hold
locations, URLs with personal data or e-mail addresses.
"""

from __future__ import annotations

import re
from collections import Counter

from keizer.ingest.formats import _common as c
from keizer.ingest.formats.base import (
    FINISHED,
    RESPONDENT_ID,
    RESPONSE_ID,
    SUBMITTED_AT,
    SurveyExport,
)
from keizer.ingest.raw import RawTable

TOOL = "formbricks"
# Current exports, exports that name the zone ("... UTC"), and 2023 exports (toDateString).
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S %Z", "%a %b %d %Y")

_QUESTION = re.compile(r"(\d+)\. (.+)", re.DOTALL)
_OPTION_ID = " - Option ID"


def recognise(table: RawTable) -> SurveyExport | None:
    """A Formbricks export, or None when the headers are not Formbricks'."""
    names = c.header(table)
    has = set(names)
    if not {"Response ID", "Finished", "Survey ID"} <= has:
        return None
    if not has & {"Formbricks ID (internal)", "User ID"} or not has & {"Timestamp", "Date"}:
        return None

    builder = c.ExportBuilder(TOOL, c.without_header_rows(table, 0))
    builder.canonical[RESPONSE_ID] = builder.column(names.index("Response ID"))
    date_name = "Timestamp" if "Timestamp" in has else "Date"
    builder.canonical[SUBMITTED_AT] = builder.column(names.index(date_name))
    builder.canonical[FINISHED] = c.flags(
        builder.column(names.index("Finished")), true=("yes", "true"), false=("no", "false")
    )
    if "User ID" in has:
        builder.canonical[RESPONDENT_ID] = builder.column(names.index("User ID"))

    questions = {
        index: match
        for index, name in enumerate(names)
        if (match := _QUESTION.fullmatch(name)) and not name.endswith(_OPTION_ID)
    }
    numbers = Counter(match.group(1) for match in questions.values())
    for index, match in questions.items():
        headline = match.group(2).strip()
        builder.answer(_code(headline, matrix=numbers[match.group(1)] > 1), headline, index)
    return builder.build(DATE_FORMATS)


def _code(headline: str, *, matrix: bool) -> str:
    """The headline's slug; a matrix row as ``<question>_<row>`` so rows stay apart."""
    question, separator, row = headline.rpartition(" - ")
    if matrix and separator:
        return f"{c.slug(question)}_{c.slug(row, c.SLUG_LENGTH // 2)}"
    return c.slug(headline)
