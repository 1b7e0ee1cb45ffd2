"""What a reader hands on: a table of text cells with the file row number of each data row."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pyarrow as pa


@dataclass(frozen=True)
class RawTable:
    """A file's data before mapping and validation.

    Every column is text (``pa.string()``, nulls for empty cells) so that validation can name
    the offending value exactly as the file has it. ``first_row`` is the row number (1-based,
    as a spreadsheet or text editor shows it) of the first data row: 2 for a file with one
    header row.
    """

    source: str
    data: pa.Table
    first_row: int = 2

    @property
    def columns(self) -> list[str]:
        return list(self.data.column_names)

    def row_number(self, index: int) -> int:
        """The file row number of data row ``index`` (0-based)."""
        return self.first_row + index

    def with_data(self, data: pa.Table, *, skipped_rows: int = 0) -> RawTable:
        """The same file with other data, e.g. after dropping extra header rows."""
        return replace(self, data=data, first_row=self.first_row + skipped_rows)
