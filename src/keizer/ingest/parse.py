"""Vectorised parsing of text columns into typed Arrow arrays.

Each parser returns the typed values and a mask of the cells that held something but could
not be read (so the caller can name row, column and value). Empty cells are null, not invalid.
"""

from __future__ import annotations

from collections.abc import Mapping as TypingMapping
from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Mask = np.ndarray

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
)  # fmt: skip
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
INTEGER = r"^[+-]?\d+(\.0*)?$"
DECIMAL_COMMA = r"^[+-]?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\d+,\d+$"
# Cells a spreadsheet would execute: =SUM(..), +cmd|..., -2+3 stays a number, @SUM(...), DDE.
FORMULA = r"^\s*(=|[+\-@]\s*[A-Za-z_][\w.]*\s*[(|!]|[+\-]\s*\d[\d.]*\s*[+\-*/^]\s*[\d(])|\|\s*'"
TRUE = ("true", "t", "yes", "y", "1", "ja", "j", "waar", "x", "wel")
FALSE = ("false", "f", "no", "n", "0", "nee", "onwaar", "niet", "geen")


def _mask(array: pa.Array) -> Mask:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def present(values: pa.Array) -> Mask:
    """Cells that hold something."""
    return _mask(pc.is_valid(values))


def clean(values: pa.Array) -> pa.Array:
    """Trim white space; cells left empty become null."""
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def translate(values: pa.Array, table: TypingMapping[str, object]) -> pa.Array:
    """Replace whole cell values found in ``table`` (a user's value map)."""
    if not table:
        return values
    keys = pa.array(list(table), pa.string())
    targets = pa.array([str(v) for v in table.values()], pa.string())
    index = pc.index_in(values, value_set=keys)
    return pc.coalesce(pc.take(targets, index), values)


def text(values: pa.Array, max_length: int) -> tuple[pa.Array, Mask]:
    """Text up to ``max_length`` characters that is not a spreadsheet formula."""
    too_long = pc.greater(pc.utf8_length(values), max_length)
    formula = pc.match_substring_regex(values, FORMULA)
    return values, _mask(pc.or_(too_long, formula))


def is_formula(values: pa.Array) -> Mask:
    return _mask(pc.match_substring_regex(values, FORMULA))


def number(
    values: pa.Array, *, decimal: str, integer: bool, minimum: float | None,
    maximum: float | None,
) -> tuple[pa.Array, Mask]:  # fmt: skip
    """Numbers; a decimal comma (7,5 or 1.234,5) is read when ``decimal`` is ',' or 'auto'."""
    # a decimal comma needs a comma: a quick scan spares the column a regex and two rewrites
    if decimal in (",", "auto") and pc.any(pc.match_substring(values, ",")).as_py():
        comma = pc.match_substring_regex(values, DECIMAL_COMMA)
        dotted = pc.replace_substring(pc.replace_substring(values, ".", ""), ",", ".")
        values = pc.if_else(comma, dotted, values)
    readable = pc.match_substring_regex(values, INTEGER if integer else NUMBER)
    parsed = pc.cast(pc.if_else(readable, values, pa.scalar(None, pa.string())), pa.float64())
    bad = pc.and_(pc.is_valid(values), pc.invert(readable))
    if minimum is not None:
        bad = pc.or_(bad, pc.fill_null(pc.less(parsed, minimum), False))
    if maximum is not None:
        bad = pc.or_(bad, pc.fill_null(pc.greater(parsed, maximum), False))
    return parsed, _mask(bad)


def boolean(values: pa.Array) -> tuple[pa.Array, Mask]:
    lowered = pc.utf8_lower(values)
    is_true = pc.is_in(lowered, value_set=pa.array(TRUE))
    is_false = pc.is_in(lowered, value_set=pa.array(FALSE))
    parsed = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
    bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
    return parsed, _mask(bad)


def choice(values: pa.Array, choices: TypingMapping[str, str]) -> tuple[pa.Array, Mask]:
    """One of the accepted spellings (case-insensitive), stored as its canonical value."""
    keys = pa.array(list(choices), pa.string())
    targets = pa.array(list(choices.values()), pa.string())
    index = pc.index_in(pc.utf8_lower(values), value_set=keys)
    parsed = pc.take(targets, index)
    return parsed, _mask(pc.and_(pc.is_valid(values), pc.is_null(parsed)))


def _strptime_any(values: pa.Array, formats: Sequence[str]) -> pa.Array:
    result = pa.nulls(len(values), pa.timestamp("us"))
    if values.null_count == len(values):
        return result
    for fmt in formats:
        parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
        result = pc.coalesce(result, parsed)
    return result


def dates(values: pa.Array, fmt: str | None, *, not_after: date | None) -> tuple[pa.Array, Mask]:
    """Dates in one of the usual formats (or ``fmt``); a time of midnight is allowed."""
    date_part = pc.utf8_slice_codeunits(values, 0, 10)
    midnight = pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}[ T]00:00(:00(\.0+)?)?$")
    values = pc.if_else(midnight, date_part, values)
    parsed = _strptime_any(values, [fmt] if fmt else DATE_FORMATS).cast(pa.date32())
    bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
    if not_after is not None:
        bad = pc.or_(bad, pc.fill_null(pc.greater(parsed, pa.scalar(not_after)), False))
    return parsed, _mask(bad)


ISO_PARTS = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<hm>\d{2}:\d{2})(?::(?P<sec>\d{2}))?"
    r"(?:\.(?P<frac>\d{1,9}))?\s?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def _iso(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """ISO 8601 date-times: (UTC timestamps of those with a zone, naive ones without)."""
    parts = pc.extract_regex(values, ISO_PARTS)
    field = {name: pc.struct_field(parts, name) for name in ("date", "hm", "sec", "frac", "zone")}
    seconds = pc.if_else(pc.equal(field["sec"], ""), "00", field["sec"])
    stamp = pc.binary_join_element_wise(
        pc.binary_join_element_wise(field["date"], field["hm"], "T"), seconds, ":"
    )
    digits = pc.utf8_slice_codeunits(pc.utf8_rpad(field["frac"], 6, "0"), 0, 6)
    micros = pc.cast(pc.cast(digits, pa.int64()), pa.duration("us"))
    has_zone = pc.not_equal(field["zone"], "")
    zoned = pc.strptime(
        pc.if_else(has_zone, pc.binary_join_element_wise(stamp, field["zone"], ""), None),
        format="%Y-%m-%dT%H:%M:%S%z", unit="us", error_is_null=True,
    )  # fmt: skip
    naive = pc.strptime(
        pc.if_else(has_zone, None, stamp), format="%Y-%m-%dT%H:%M:%S", unit="us",
        error_is_null=True,
    )  # fmt: skip
    return pc.add(zoned, micros), pc.add(naive, micros)


def datetimes(
    values: pa.Array, fmt: str | None, *, timezone: str, not_after: datetime | None
) -> tuple[pa.Array, Mask]:
    """Timestamps in UTC. With a zone (Z, +01:00) it is honoured; without, ``timezone``."""
    utc = pa.timestamp("us", tz="UTC")
    rest, fast = values, None
    if fmt is None:  # the common case first, cheaply: the other paths give it the same value
        fast = pc.strptime(values, format=DATETIME_FORMATS[0], unit="us", error_is_null=True)
        rest = pc.if_else(pc.is_valid(fast), pa.scalar(None, pa.string()), values)
    if rest.null_count == len(rest):  # all read by the common format (or empty)
        with_zone, naive = pa.nulls(len(rest), utc), pa.nulls(len(rest), pa.timestamp("us"))
    else:
        with_zone, naive = _iso(rest)
    others = pc.if_else(pc.or_(pc.is_valid(with_zone), pc.is_valid(naive)), None, rest)
    formats = [fmt] if fmt else [*DATETIME_FORMATS, *DATE_FORMATS]
    naive = pc.coalesce(naive, _strptime_any(others, formats))
    if fast is not None:
        naive = pc.coalesce(fast, naive)
    local = pc.assume_timezone(naive, timezone, ambiguous="earliest", nonexistent="latest")
    parsed = pc.coalesce(with_zone.cast(utc), local.cast(utc))
    bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
    if not_after is not None:
        limit = pa.scalar(not_after.astimezone(UTC), utc)
        bad = pc.or_(bad, pc.fill_null(pc.greater(parsed, limit), False))
    return parsed, _mask(bad)
