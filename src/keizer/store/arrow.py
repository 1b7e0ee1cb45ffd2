"""Arrow schemas derived from table definitions, so staged rows have the stored types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import Table, types


def arrow_type(sql_type: types.TypeEngine[Any]) -> pa.DataType:
    """The Arrow type that holds values of a SQLAlchemy column type without loss."""
    if isinstance(sql_type, types.Boolean):
        return pa.bool_()
    if isinstance(sql_type, types.Integer):
        return pa.int64()
    if isinstance(sql_type, types.Float | types.Numeric):
        return pa.float64()
    if isinstance(sql_type, types.DateTime):
        return pa.timestamp("us", tz="UTC") if sql_type.timezone else pa.timestamp("us")
    if isinstance(sql_type, types.Date):
        return pa.date32()
    return pa.string()


def arrow_schema(
    target: Table, columns: Sequence[str], extra: Mapping[str, pa.DataType] | None = None
) -> pa.Schema:
    """Schema for ``columns`` of ``target`` plus ``extra`` staged-only columns."""
    extra = extra or {}
    fields = [
        pa.field(c, extra[c] if c in extra else arrow_type(target.c[c].type)) for c in columns
    ]
    return pa.schema(fields)


def rows_to_arrow(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Build an Arrow table of ``schema`` from dictionaries (missing keys become null)."""
    return pa.Table.from_pylist(list(rows), schema=schema)
