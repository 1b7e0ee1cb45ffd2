"""Helpers shared by the survey-tool recognisers: header cells, slugs, flags, dates, output."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from keizer.ingest.formats.base import (
    CANONICAL_COLUMNS,
    STARTED_AT,
    SUBMITTED_AT,
    QuestionInfo,
    SurveyExport,
)
from keizer.ingest.raw import RawTable

# Blank header cells as readers name them: "" or pandas' "Unnamed: 7".
_AUTO_NAME = re.compile(r"Unnamed: \d+")
SLUG_LENGTH = 32


def header(table: RawTable) -> list[str]:
    """The header cells, stripped of a byte-order mark and spaces; blank cells as ""."""
    cells = [name.replace("\ufeff", "").strip() for name in table.columns]
    return ["" if _AUTO_NAME.fullmatch(cell) else cell for cell in cells]


def row(table: RawTable, index: int) -> list[str | None]:
    """Data row ``index`` as a list (empty when the table is shorter)."""
    if index >= table.data.num_rows:
        return []
    return row_of(table.data, index)


def text(cell: str | None) -> str:
    """A cell as stripped text, "" for a null."""
    return (cell or "").strip()


def without_header_rows(table: RawTable, count: int) -> RawTable:
    """Drop ``count`` extra header rows, and trailing blank rows, keeping file row numbers."""
    data = table.data.slice(count)
    end = data.num_rows
    while end > 0 and all(text(cell) == "" for cell in row_of(data, end - 1)):
        end -= 1
    return table.with_data(data.slice(0, end), skipped_rows=count)


def row_of(data: pa.Table, index: int) -> list[str | None]:
    """Row ``index`` of ``data`` as a list."""
    return [column[index].as_py() for column in data.columns]


def slug(value: str, max_length: int = SLUG_LENGTH) -> str:
    """A lower-case ASCII identifier from question text, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    result = ""
    for word in words:
        candidate = f"{result}_{word}" if result else word
        if len(candidate) > max_length:
            break
        result = candidate
    if not result and words:
        result = words[0][:max_length]
    if not result or result[0].isdigit():
        result = f"q_{result}".rstrip("_")
    return result


def unique(code: str, taken: set[str]) -> str:
    """``code``, or ``code_2``, ``code_3``... when taken; the result is added to ``taken``."""
    candidate, number = code, 1
    while candidate in taken:
        number += 1
        candidate = f"{code}_{number}"
    taken.add(candidate)
    return candidate


def flags(column: pa.ChunkedArray, true: Iterable[str], false: Iterable[str]) -> pa.Array:
    """Yes/no cells as "true"/"false"; nulls stay null, unknown values are kept for validation."""
    true_set = {value.lower() for value in true}
    false_set = {value.lower() for value in false}
    values: list[str | None] = []
    for cell in column.to_pylist():
        key = text(cell).lower()
        if not key:
            values.append(None)
        elif key in true_set:
            values.append("true")
        elif key in false_set:
            values.append("false")
        else:
            values.append(cell)
    return pa.array(values, pa.string())


def language(column: pa.ChunkedArray) -> pa.Array:
    """Language codes as lower-case BCP 47 style: "NL" -> "nl", "EN_GB" -> "en-gb"."""
    values = [text(cell).lower().replace("_", "-") or None for cell in column.to_pylist()]
    return pa.array(values, pa.string())


def fixed_date_format(
    columns: Iterable[pa.Array | pa.ChunkedArray], formats: Sequence[str]
) -> str | None:
    """The first strptime format that reads every non-empty cell of ``columns``, if any."""
    cells = [text(cell) for column in columns for cell in column.to_pylist()]
    cells = [cell for cell in cells if cell]
    if not cells:
        return None
    for candidate in formats:
        try:
            for cell in cells:
                datetime.strptime(cell, candidate)
        except ValueError:
            continue
        return candidate
    return None


@dataclass
class ExportBuilder:
    """Collects canonical and answer columns for one recognised export."""

    tool: str
    table: RawTable
    canonical: dict[str, pa.Array | pa.ChunkedArray] = field(default_factory=dict)
    answers: list[tuple[str, pa.Array | pa.ChunkedArray]] = field(default_factory=list)
    questions: list[QuestionInfo] = field(default_factory=list)
    taken: set[str] = field(default_factory=lambda: set(CANONICAL_COLUMNS))

    def column(self, index: int) -> pa.ChunkedArray:
        """Source column ``index`` (position in the header)."""
        return self.table.data.column(index)

    def answer(self, code: str, question_text: str | None, index: int) -> None:
        """Add source column ``index`` as the answer to question ``code`` (made unique)."""
        name = unique(code, self.taken)
        self.answers.append((name, self.column(index)))
        self.questions.append(QuestionInfo(code=name, text=question_text or None))

    def build(self, date_formats: Sequence[str] = ()) -> SurveyExport:
        """The SurveyExport, with ``date_format`` set when one candidate reads every date."""
        columns: Mapping[str, pa.Array | pa.ChunkedArray] = {
            name: self.canonical[name] for name in CANONICAL_COLUMNS if name in self.canonical
        }
        names = [*columns, *(name for name, _ in self.answers)]
        arrays = [*columns.values(), *(array for _, array in self.answers)]
        data = pa.Table.from_arrays(
            [pa.chunked_array(a) if isinstance(a, pa.Array) else a for a in arrays], names=names
        )
        dates = [columns[name] for name in (SUBMITTED_AT, STARTED_AT) if name in columns]
        return SurveyExport(
            tool=self.tool,
            table=self.table.with_data(data),
            questions=tuple(self.questions),
            date_format=fixed_date_format(dates, date_formats),
        )
