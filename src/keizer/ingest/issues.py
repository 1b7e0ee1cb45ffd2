"""Problems found in an input file, and the error report users get."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from keizer.errors import ValidationError

MAX_VALUE_SHOWN = 60


class FileError(ValidationError):
    """A file that cannot be read at all (wrong type, encoding, layout)."""

    def __init__(self, source: str, problem: str, *, row: int | None = None) -> None:
        where = f"{source}, row {row}" if row is not None else source
        super().__init__(f"{where}: {problem}")
        self.source = source
        self.row = row


@dataclass(frozen=True)
class Issue:
    """One invalid value: where it is, what it is, and what was expected."""

    source: str
    row: int
    column: str
    value: str | None
    expected: str

    def shown_value(self) -> str:
        if self.value is None:
            return "(empty)"
        text = self.value.replace("\n", " ")
        return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"


class ImportValidationError(ValidationError):
    """Rows of a file are invalid; nothing was loaded."""

    def __init__(self, source: str, issues: Sequence[Issue], rows_with_issues: int) -> None:
        first = issues[0]
        super().__init__(
            f"{source}: {rows_with_issues:,} invalid row(s), nothing was loaded; first: row "
            f"{first.row}, column {first.column!r}, value {first.shown_value()!r}: expected "
            f"{first.expected}"
        )
        self.source = source
        self.issues = list(issues)
        self.rows_with_issues = rows_with_issues


def write_report(path: Path, issues: Sequence[Issue]) -> None:
    """Write the issues as CSV (file, row, column, value, expected), safe to open in Excel."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "value", "expected"])
        for issue in issues:
            writer.writerow(
                [issue.source, issue.row, issue.column, _excel_safe(issue.value), issue.expected]
            )


def _excel_safe(value: str | None) -> str:
    """Neutralise cells a spreadsheet would run as a formula (CSV injection)."""
    if value is None:
        return ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
