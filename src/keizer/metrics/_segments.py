"""Segment columns for workforce and operations KPIs, as Ibis expressions.

Dates are turned into whole day numbers (days since 1970-01-01) in the database, so that
clipping spells and employment to periods is integer arithmetic that compiles the same on
DuckDB and PostgreSQL. Time segments (month, quarter, year) come from a small table of
period buckets that the rows are joined to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir

from keizer.errors import ValidationError
from keizer.metrics.contract import GENERATION_BANDS, TENURE_BANDS


class OrgTables(Protocol):
    """The store tables every workforce or operations KPI needs (Ibis tables)."""

    @property
    def employee(self) -> ir.Table: ...
    @property
    def org_unit(self) -> ir.Table: ...


class WorkforceTables(OrgTables, Protocol):
    @property
    def hr_event(self) -> ir.Table: ...
    @property
    def absence_spell(self) -> ir.Table: ...
    @property
    def response(self) -> ir.Table: ...
    @property
    def survey(self) -> ir.Table: ...


class OperationsTables(OrgTables, Protocol):
    @property
    def interaction(self) -> ir.Table: ...
    @property
    def response(self) -> ir.Table: ...


ORG_SEGMENTS = ("team", "department", "location", "organisation")
EMPLOYEE_SEGMENTS = ("work_mode", "role", "tenure_band", "generation_band")
TIME_SEGMENTS = ("month", "quarter", "year")
EPOCH = date(1970, 1, 1)
#: Day numbers standing in for "since ever" and "still open".
NEVER_BEFORE = -1_000_000
NEVER_AFTER = 1_000_000

P_START, P_END = "_p_start", "_p_end"  # first and last day (inclusive) of a period bucket


def day_number(value: date) -> int:
    """Days since 1970-01-01."""
    return (value - EPOCH).days


def day_of(column: ir.DateValue) -> ir.IntegerValue:
    """A DATE column as a day number (NULL stays NULL)."""
    return column.delta(ibis.date(EPOCH.year, EPOCH.month, EPOCH.day), unit="day")


def check_request(
    kpi: str,
    by: Sequence[str],
    where: Mapping[str, object] | None,
    allowed: Iterable[str],
    start: date,
    end: date,
) -> None:
    """Refuse segments a KPI cannot be cut by, duplicate segments and empty periods."""
    allowed = tuple(allowed)
    asked = list(by) + list(where or {})
    wrong = [name for name in asked if name not in allowed]
    if wrong:
        raise ValidationError(
            f"{kpi} cannot be segmented by {', '.join(map(repr, wrong))}; "
            f"allowed: {', '.join(allowed)}"
        )
    if len(set(by)) != len(by):
        raise ValidationError(f"segments in 'by' must be distinct, got {list(by)}")
    if sum(name in TIME_SEGMENTS for name in by) > 1:
        raise ValidationError("use at most one of month, quarter, year in 'by'")
    if any(name in TIME_SEGMENTS for name in where or {}):
        raise ValidationError("filter on time with the period, not with 'where'")
    if end < start:
        raise ValidationError(f"the period ends ({end}) before it starts ({start})")


@dataclass(frozen=True)
class Bucket:
    label: str | None
    first: date
    last: date  # inclusive


def buckets(start: date, end: date, by: Sequence[str]) -> list[Bucket]:
    """The period cut into the time segment asked for in ``by`` (or one bucket), clipped."""
    kind = next((name for name in by if name in TIME_SEGMENTS), None)
    if kind is None:
        return [Bucket(None, start, end)]
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    result = []
    month0 = (start.month - 1) // months * months + 1
    first = date(start.year, month0, 1)
    while first <= end:
        index = first.year * 12 + first.month - 1 + months
        following = date(index // 12, index % 12 + 1, 1)
        if kind == "month":
            label = f"{first:%Y-%m}"
        elif kind == "quarter":
            label = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        else:
            label = f"{first.year}"
        result.append(Bucket(label, max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return result


def period_table(start: date, end: date, by: Sequence[str]) -> ir.Table:
    """One row per bucket: day-number bounds and, with a time segment, its label column."""
    chosen = buckets(start, end, by)
    data: dict[str, list[Any]] = {
        P_START: [day_number(b.first) for b in chosen],
        P_END: [day_number(b.last) for b in chosen],
    }
    kind = next((name for name in by if name in TIME_SEGMENTS), None)
    if kind is not None:
        data[kind] = [b.label for b in chosen]
    schema = {P_START: "int64", P_END: "int64", **({kind: "string"} if kind else {})}
    return ibis.memtable(data, schema=schema)


def org_levels(org_units: ir.Table) -> ir.Table:
    """``unit_id`` with the source keys of its team, department, location and organisation.

    Walks up to three parents; a level is the first unit on the way up with that kind
    (a unit above the team level has no team).
    """
    table = org_units.view().select(
        unit_id="id", parent_0="parent_id", kind_0="kind", key_0="source_key"
    )
    for level in (1, 2, 3):
        parent = org_units.view().select(
            **{f"id_{level}": "id", f"parent_{level}": "parent_id", f"kind_{level}": "kind",
               f"key_{level}": "source_key"}
        )  # fmt: skip
        table = table.left_join(parent, table[f"parent_{level - 1}"] == parent[f"id_{level}"])
        table = table.view()
    columns = {}
    for kind in ORG_SEGMENTS:
        columns[kind] = ibis.cases(
            *((table[f"kind_{i}"] == kind, table[f"key_{i}"]) for i in range(4)),
            else_=ibis.null("string"),
        )
    return table.select("unit_id", **columns)


def generation_band(band: ir.StringValue) -> ir.StringValue:
    """The generation of a birth-year band such as "1985-1989" (by its first year)."""
    year = band.substr(0, 4).cast("int32")
    cases = []
    for low, high, label in GENERATION_BANDS:
        condition = ibis.literal(True)
        if low is not None:
            condition = condition & (year >= low)
        if high is not None:
            condition = condition & (year < high)
        cases.append((condition, ibis.literal(label)))
    return ibis.cases(*cases, else_=ibis.null("string")).name("generation_band")


def tenure_band(days: ir.IntegerValue) -> ir.StringValue:
    """The tenure band of a number of days employed (NULL when unknown)."""
    cases = []
    for low, high, label in TENURE_BANDS:
        condition = days >= low
        if high is not None:
            condition = condition & (days < high)
        cases.append((condition, ibis.literal(label)))
    return ibis.cases(*cases, else_=ibis.null("string"))


def employees(tables: OrgTables) -> ir.Table:
    """Employees with day-number employment bounds, part-time factor and segment columns.

    ``hire_n``: first day employed (open = since ever); ``leave_n``: first day no longer
    employed (open = still employed). ``fte`` defaults to 1.
    """
    emp = tables.employee
    levels = org_levels(tables.org_unit)
    emp = emp.left_join(levels, emp.team_id == levels.unit_id)
    band = emp.birth_year_band
    return emp.select(
        employee_id=emp.id,
        pseudonym=emp.pseudonym,
        hire_n=day_of(emp.hire_date).fill_null(NEVER_BEFORE),
        leave_n=day_of(emp.leave_date).fill_null(NEVER_AFTER),
        known_hire=emp.hire_date.notnull(),
        fte=emp.fte.fill_null(1.0),
        work_mode=emp.work_mode,
        role=emp.role,
        generation_band=ibis.ifelse(
            band.re_search(r"^[0-9]{4}"), generation_band(band), ibis.null("string")
        ),
        **{kind: levels[kind] for kind in ORG_SEGMENTS},
    ).view()  # a fresh relation: later joins must not extend this join chain


def with_tenure(rows: ir.Table, reference_day: ir.IntegerValue) -> ir.Table:
    """Add ``tenure_band`` at ``reference_day`` (rows from :func:`employees`)."""
    days = reference_day - rows.hire_n
    return rows.mutate(
        tenure_band=ibis.ifelse(rows.known_hire, tenure_band(days), ibis.null("string"))
    )


def apply_where(rows: ir.Table, where: Mapping[str, object] | None) -> ir.Table:
    """Keep rows whose segment columns equal the value (or one of the values) given."""
    for name, wanted in (where or {}).items():
        if wanted is None:
            rows = rows.filter(rows[name].isnull())
        elif isinstance(wanted, str) or not isinstance(wanted, Iterable):
            rows = rows.filter(rows[name] == wanted)
        else:
            rows = rows.filter(rows[name].isin(list(wanted)))
    return rows
