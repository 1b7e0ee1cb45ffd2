"""The parsers' short-cuts (a column without commas, a column all in the common date-time
format) give the same values and the same invalid cells as the general paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from keizer.ingest import parse

COMMON = ["2025-03-02 09:00:00", "2025-03-03 10:30:15", None, "2025-03-04 23:59:59"]
ZONE = "Europe/Amsterdam"


def test_numbers_without_a_comma_read_as_with_one_elsewhere_in_the_column() -> None:
    plain = pa.array(["7", "8.5", None, "x", "11", "-1"], pa.string())
    mixed = pa.array(["7", "8.5", None, "x", "11", "-1", "7,5", "1.234,5"], pa.string())
    short, short_bad = parse.number(plain, decimal="auto", integer=False, minimum=0, maximum=10)
    full, full_bad = parse.number(mixed, decimal="auto", integer=False, minimum=0, maximum=10)
    assert short.to_pylist() == full.to_pylist()[:6] == [7.0, 8.5, None, None, 11.0, -1.0]
    assert short_bad.tolist() == full_bad.tolist()[:6] == [False, False, False, True, True, True]
    assert full.to_pylist()[6:] == [7.5, 1234.5]
    assert full_bad.tolist()[6:] == [False, True]  # 1234.5 is above the maximum


def test_date_times_all_in_the_common_format_read_as_in_a_mixed_column() -> None:
    limit = datetime(2026, 1, 1, tzinfo=UTC)
    common = pa.array(COMMON, pa.string())
    mixed = pa.array([*COMMON, "2025-03-04T12:00:00+02:00", "03-03-2025 08:15", "nope"])
    short, short_bad = parse.datetimes(common, None, timezone=ZONE, not_after=limit)
    full, full_bad = parse.datetimes(mixed, None, timezone=ZONE, not_after=limit)
    assert short.to_pylist() == full.to_pylist()[:4]
    assert short.to_pylist()[0] == datetime(2025, 3, 2, 8, 0, tzinfo=UTC)
    assert short_bad.tolist() == full_bad.tolist()[:4] == [False] * 4
    assert full.to_pylist()[4:6] == [
        datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
        datetime(2025, 3, 3, 7, 15, tzinfo=UTC),
    ]
    assert full_bad.tolist()[4:] == [False, False, True]


def test_date_times_of_an_empty_or_blank_column() -> None:
    for values in (pa.array([], pa.string()), pa.array([None, None], pa.string())):
        parsed, bad = parse.datetimes(values, None, timezone=ZONE, not_after=None)
        assert parsed.null_count == len(values)
        assert not bad.any()
        assert parsed.type == pa.timestamp("us", tz="UTC")
