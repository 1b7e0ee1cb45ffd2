"""SurveyMonkey "All responses data" exports (CSV or XLSX, expanded columns).

Two header rows. The first: ``Respondent ID``, ``Collector ID``, ``Start Date``,
``End Date``, ``IP Address``, ``Email Address``, ``First Name``, ``Last Name``,
``Custom Data 1`` (the metadata columns chosen for the export), then the question texts,
where a question answered in several columns leaves the following cells blank. The second
row is blank under the metadata and names each answer column: ``Response``,
``Open-Ended Response``, a matrix row, a choice or a contact-information field.

A single-column question is coded by the slug of its text; each column of a multi-column
question by ``<question slug>_<column slug>``. ``Custom Data 1`` (data the organisation
attached to the contact, such as a customer number) becomes ``respondent_id``. IP and
e-mail addresses, names, custom variables (columns with a blank second row) and the name,
address, e-mail and phone fields of contact-information questions are dropped. The CSV
export does not mark partial responses, so there is no ``finished`` column.
"""

from __future__ import annotations

from keizer.ingest.formats import _common as c
from keizer.ingest.formats.base import (
    RESPONDENT_ID,
    RESPONSE_ID,
    STARTED_AT,
    SUBMITTED_AT,
    SurveyExport,
)
from keizer.ingest.raw import RawTable

TOOL = "surveymonkey"
DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S")

_SIGNATURE = ("Respondent ID", "Collector ID", "Start Date", "End Date")
_METADATA = {*_SIGNATURE, "IP Address", "Email Address", "First Name", "Last Name"}
_SINGLE = {"", "response", "open-ended response"}
# Fields of SurveyMonkey's contact-information question that identify a person.
_CONTACT_FIELDS = {
    "name", "first name", "last name", "company", "address", "address 2", "city/town",
    "state/province", "zip/postal code", "country", "email", "email address", "phone number",
}  # fmt: skip


def recognise(table: RawTable) -> SurveyExport | None:
    """A SurveyMonkey export, or None when the headers are not SurveyMonkey's."""
    names = c.header(table)
    if not all(name in names for name in _SIGNATURE):
        return None
    first = c.row(table, 0)
    has_labels = bool(first) and not c.text(first[names.index("Respondent ID")])
    labels = [c.text(cell) for cell in first] if has_labels else [""] * len(names)

    builder = c.ExportBuilder(TOOL, c.without_header_rows(table, 1 if has_labels else 0))
    builder.canonical[RESPONSE_ID] = builder.column(names.index("Respondent ID"))
    builder.canonical[STARTED_AT] = builder.column(names.index("Start Date"))
    builder.canonical[SUBMITTED_AT] = builder.column(names.index("End Date"))
    custom = [i for i, name in enumerate(names) if name.startswith("Custom Data")]
    if custom:
        builder.canonical[RESPONDENT_ID] = builder.column(custom[0])

    for question, indexes in _questions(names, labels, has_labels):
        single = len(indexes) == 1 and labels[indexes[0]].lower() in _SINGLE
        for index in indexes:
            label = labels[index]
            if single:
                builder.answer(c.slug(question), question, index)
            elif label.lower() not in _CONTACT_FIELDS:
                code = f"{c.slug(question)}_{c.slug(label, c.SLUG_LENGTH // 2)}"
                builder.answer(code, f"{question} - {label}", index)
    return builder.build(DATE_FORMATS)


def _questions(
    names: list[str], labels: list[str], has_labels: bool
) -> list[tuple[str, list[int]]]:
    """Each question's text and its answer columns, in file order."""
    questions: list[tuple[str, list[int]]] = []
    for index, name in enumerate(names):
        if name in _METADATA or name.startswith("Custom Data"):
            continue
        if name and has_labels and not labels[index]:
            continue  # a custom variable: its second header row is blank
        if name:
            questions.append((name, [index]))
        elif questions:
            questions[-1][1].append(index)
    return questions
