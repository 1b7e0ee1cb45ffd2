"""Readers: CSV (any delimiter, UTF-8 with or without BOM, cp1252), Excel, JSON lines, Parquet.

Every reader returns a :class:`RawTable` of text cells, so that validation sees values exactly
as the file holds them and can name them in its messages.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from keizer.ingest.issues import FileError
from keizer.ingest.raw import RawTable

FileFormat = Literal["csv", "xlsx", "jsonl", "parquet"]
EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet",
    ".pq": "parquet",
}  # fmt: skip
DELIMITERS = ",;\t|"
SNIFF_BYTES = 256 * 1024
UNNAMED = "Unnamed: "


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; ``None`` means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def read_file(path: Path, options: ReadOptions | None = None) -> RawTable:
    """Read ``path`` into a table of text cells, or raise :class:`FileError` saying why not."""
    options = options or ReadOptions()
    if not path.exists():
        raise FileError(path.name, "the file does not exist")
    if path.is_dir():
        raise FileError(path.name, "is a folder, not a file")
    if path.stat().st_size == 0:
        raise FileError(path.name, "the file is empty")
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise FileError(
            path.name,
            f"unknown file type {path.suffix or '(none)'}; expected one of "
            f"{', '.join(sorted(EXTENSIONS))}",
        )
    if kind == "csv":
        table = _read_csv(path, options)
    elif kind == "xlsx":
        table = _read_xlsx(path, options)
    elif kind == "jsonl":
        table = _read_jsonl(path)
    else:
        table = _read_parquet(path)
    if table.data.num_rows == 0:
        raise FileError(path.name, "the file has a header but no data rows")
    return table


def _text_table(source: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> pa.Table:
    """Columns of text from a header and rows; empty cells become null."""
    names = _check_header(source, header)
    columns: list[list[str | None]] = [[] for _ in names]
    for row in rows:
        for i in range(len(names)):
            value = row[i] if i < len(row) else None
            columns[i].append(_cell_text(value))
    return pa.table(
        {name: pa.array(col, pa.string()) for name, col in zip(names, columns, strict=True)}
    )


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)
    return text if text.strip() else None


def _check_header(source: str, header: Sequence[Any]) -> list[str]:
    """Column names; a blank header cell is named ``Unnamed: i`` (0-based, as pandas does):
    survey tools leave them blank over multi-column questions, elsewhere they are refused
    later (:func:`refuse_unnamed`)."""
    names = [str(h).strip() if h is not None else "" for h in header]
    if not any(names):
        raise FileError(source, "the first row is empty; expected column names")
    names = [name or f"{UNNAMED}{i}" for i, name in enumerate(names)]
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name.casefold() in seen:
            raise FileError(
                source,
                f"column name {name!r} appears twice (columns {seen[name.casefold()]} and {i})",
                row=1,
            )
        seen[name.casefold()] = i
    return names


# -- CSV --------------------------------------------------------------------------------------
def _read_csv(path: Path, options: ReadOptions) -> RawTable:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if b"\x00" in head:
        raise FileError(path.name, "contains binary data (NUL bytes); expected a text file")
    encoding = options.encoding or _detect_encoding(path, head)
    text_head = head.decode(encoding, errors="replace").lstrip("\ufeff")
    delimiter = options.delimiter or _sniff_delimiter(path.name, text_head)
    if encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
        source: Any = path
    else:  # Arrow reads UTF-8 only: transcode
        source = io.BytesIO(path.read_bytes().decode(encoding).encode("utf-8"))
    header = next(csv.reader([text_head.splitlines()[0] if text_head else ""], delimiter=delimiter))
    names = _check_header(path.name, header)
    bad_rows: list[str] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        bad_rows.append(f"{row.actual_columns} fields, expected {row.expected_columns}")
        return "error" if len(bad_rows) >= 20 else "skip"

    try:
        data = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1, block_size=16 * 1024 * 1024, encoding="utf8"
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as exc:
        raise FileError(path.name, _arrow_csv_message(str(exc), encoding)) from None
    if bad_rows:
        located = _misshapen_rows(path, encoding, delimiter, len(names)) or bad_rows[:5]
        raise FileError(
            path.name,
            f"rows do not match the header's {len(names)} columns (delimiter "
            f"{delimiter!r}): " + "; ".join(located),
        )
    return RawTable(path.name, data, first_row=2)


def _misshapen_rows(path: Path, encoding: str, delimiter: str, expected: int) -> list[str]:
    """Row numbers of records with the wrong number of fields (only on the error path:
    Arrow's fast reader does not number rows when values may hold line breaks)."""
    found: list[str] = []
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        for number, record in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
            if record and len(record) != expected:
                found.append(f"row {number} has {len(record)} fields, expected {expected}")
                if len(found) == 5:
                    break
    return found


def _arrow_csv_message(message: str, encoding: str) -> str:
    first = message.strip().splitlines()[0]
    if "UTF8" in first or "UTF-8" in first:
        return f"is not valid {encoding} text; save it as UTF-8 or give --encoding cp1252"
    if "straddling" in first or "Maximum" in first or "block" in first:
        return f"a value is too large to read ({first})"
    return f"cannot be read as CSV: {first}"


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        with path.open("rb") as handle:
            decoder = codecs.getincrementaldecoder("utf-8")()
            while chunk := handle.read(8 * 1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"  # what Excel on a Dutch Windows machine writes


def _sniff_delimiter(source: str, text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise FileError(source, "the file holds no text")
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# -- Excel ------------------------------------------------------------------------------------
def _read_xlsx(path: Path, options: ReadOptions) -> RawTable:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError(path.name, f"is not a readable Excel .xlsx file ({exc})") from None
    try:
        if options.sheet and options.sheet not in workbook.sheetnames:
            raise FileError(
                path.name,
                f"has no sheet {options.sheet!r}; sheets: {', '.join(workbook.sheetnames)}",
            )
        sheet = workbook[options.sheet] if options.sheet else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileError(path.name, "the sheet is empty")
        return RawTable(path.name, _text_table(path.name, header, rows), first_row=2)
    finally:
        workbook.close()


# -- JSON lines -------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> RawTable:
    records: list[dict[str, Any]] = []
    names: dict[str, None] = {}
    with path.open("r", encoding="utf-8-sig", errors="strict") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FileError(path.name, f"invalid JSON ({exc.msg})", row=number) from None
                if not isinstance(record, dict):
                    raise FileError(path.name, "expected one JSON object per line", row=number)
                records.append(record)
                names.update(dict.fromkeys(record))
        except UnicodeDecodeError:
            raise FileError(path.name, "is not valid UTF-8 text") from None
    if not records:
        raise FileError(path.name, "holds no JSON objects")
    header = list(names)
    rows = ([_json_cell(r.get(n)) for n in header] for r in records)
    return RawTable(path.name, _text_table(path.name, header, rows), first_row=1)


def _json_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# -- Parquet ----------------------------------------------------------------------------------
def _read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileError(path.name, f"is not a readable Parquet file ({exc})") from None
    _check_header(path.name, table.column_names)
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            columns[name] = column.cast(pa.string())
        elif pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            columns[name] = pa.array([_cell_text(v) for v in column.to_pylist()], pa.string())
        else:
            columns[name] = column.cast(pa.string())
    return RawTable(path.name, pa.table(columns), first_row=1)


def refuse_unnamed(table: RawTable) -> None:
    """Refuse columns without a name in the header row (outside recognised survey exports)."""
    for i, name in enumerate(table.columns, start=1):
        if name.startswith(UNNAMED):
            raise FileError(table.source, f"column {i} has no name in the header row", row=1)
