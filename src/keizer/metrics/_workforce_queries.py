"""Ibis expressions for workforce KPIs: headcount, hires, leavers and sickness absence.

Every query function returns an aggregate expression (built once per set of inputs, see
:mod:`keizer.metrics._built_once`) whose result is a small frame: one row per group (the
``by`` columns) with sufficient statistics (person-days, counts, sums). Conventions,
following the Dutch verzuim standard (Projectgroep Uniformering Verzuimgrootheden 1996, as
used by Vernet):

- employment runs from ``hire_date`` up to the day before ``leave_date`` (the first day no
  longer employed); unknown dates mean "since ever" / "still employed". Without a
  ``leave_date``, the date of the employee's latest leave event after the hire counts;
- a spell runs from ``start_date`` to ``end_date`` inclusive (open: still ongoing) and is
  clipped to the employment and the period; ``fraction`` is the share of the working time
  missed (partial recovery);
- spells of one employee that follow on without a day between (partial recovery recorded as
  a new spell) form one case: one sickness report, one duration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import ibis
import ibis.expr.types as ir

from keizer.metrics._built_once import built_once
from keizer.metrics._segments import (
    NEVER_AFTER,
    P_END,
    P_START,
    WorkforceTables,
    apply_where,
    day_of,
    employees,
    period_table,
    with_tenure,
)

Where = Mapping[str, object] | None


def _aggregate(rows: ir.Table, by: Sequence[str], **metrics: ir.Value) -> ir.Table:
    """``rows`` aggregated per group."""
    return rows.group_by(list(by)).aggregate(**metrics) if by else rows.aggregate(**metrics)


def _count(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).sum()


@built_once
def staff_table(tables: WorkforceTables) -> ir.Table:
    """Employees (see ``_segments.employees``) with the voluntary flag and reason of their
    latest leave event; its date stands in for a missing ``leave_date``."""
    emp = employees(tables)
    leave = _last_leave_event(tables.hr_event)
    rows = emp.left_join(leave, emp.employee_id == leave.event_employee_id)
    from_event = ibis.ifelse(rows.event_day > rows.hire_n, rows.event_day, NEVER_AFTER)
    leave_n = ibis.ifelse(
        rows.leave_n < NEVER_AFTER, rows.leave_n, from_event.fill_null(NEVER_AFTER)
    )
    return rows.mutate(leave_n=leave_n).drop("event_employee_id", "event_day").view()


def exposure(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """One row per employee and period bucket they were employed in, with segment columns.

    ``first``/``last``: first and last day employed inside the bucket; ``days`` between them.
    Tenure is taken on ``last`` (the bucket's end, or the last day employed).
    """
    emp = staff_table(tables)
    periods = period_table(start, end, by)
    rows = emp.cross_join(periods)
    rows = rows.mutate(
        first=ibis.greatest(rows.hire_n, rows[P_START]),
        last=ibis.least(rows.leave_n - 1, rows[P_END]),
    )
    rows = rows.mutate(days=rows["last"] - rows["first"] + 1).filter(lambda t: t.days > 0)
    return apply_where(with_tenure(rows, rows["last"]), where)


def events(
    tables: WorkforceTables,
    day: str,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """Employees whose ``day`` column (``hire_n`` or ``leave_n``) falls in a period bucket."""
    emp = staff_table(tables)
    if day == "hire_n":
        emp = emp.filter(emp.known_hire)
    periods = period_table(start, end, by)
    rows = emp.join(periods, [emp[day] >= periods[P_START], emp[day] <= periods[P_END]])
    reference = ibis.least(rows.leave_n - 1, rows[P_END])
    return apply_where(with_tenure(rows, reference), where)


@built_once
def population(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """Person-days, part-time-weighted days, employees and headcount at the bucket's end."""
    rows = exposure(tables, by=by, start=start, end=end, where=where)
    return _aggregate(
        rows,
        by,
        person_days=rows.days.sum(),
        fte_days=(rows.days * rows.fte).sum(),
        employees=rows.count(),
        headcount_end=_count(rows["last"] == rows[P_END]),
        bucket_days=(rows[P_END] - rows[P_START] + 1).max(),
    )


@built_once
def participation(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """Per group: employees who answered an employee survey on a day they were employed in
    the bucket (linked by their pseudonym: anonymous answers cannot be counted)."""
    rows = exposure(tables, by=by, start=start, end=end, where=where)
    surveys = tables.survey.filter(tables.survey.audience == "employee").select(sid="id")
    answered = tables.response.join(surveys, tables.response.survey_id == surveys.sid)
    answered = answered.select(
        who=answered.respondent_pseudonym, day=day_of(answered.submitted_at.date())
    ).filter(lambda t: t.who.notnull())
    rows = rows.semi_join(
        answered,
        [rows.pseudonym == answered.who, answered.day >= rows["first"],
         answered.day <= rows["last"]],
    )  # fmt: skip
    return _aggregate(rows, by, respondents=rows.count())


def _last_leave_event(hr_event: ir.Table) -> ir.Table:
    """Per employee, the voluntary flag and reason of their latest leave event."""
    leave = hr_event.filter(hr_event.kind == "leave")
    order = ibis.window(
        group_by=leave.employee_id, order_by=[ibis.desc(leave.event_date), ibis.desc(leave.id)]
    )
    leave = leave.mutate(rank=ibis.row_number().over(order))
    leave = leave.filter(leave["rank"] == 0)
    return leave.select(
        event_employee_id="employee_id",
        event_day=day_of(leave.event_date),
        voluntary="voluntary",
        leave_reason="reason",
    )


@built_once
def leavers(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
    extra: Sequence[str] = (),
) -> ir.Table:
    """Leavers (``leave_date`` in the bucket) and voluntary leavers, per group (+ ``extra``).

    Voluntariness and reason come from the employee's latest ``hr_event`` of kind leave; a
    leaver without one counts as a leaver of unknown reason, not as voluntary.
    """
    rows = events(tables, "leave_n", by=by, start=start, end=end, where=where)
    return _aggregate(
        rows,
        [*by, *extra],
        leavers=rows.count(),
        voluntary_leavers=_count(rows.voluntary.fill_null(False)),
    )


@built_once
def hires(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """Hires (``hire_date`` in the bucket) per group."""
    rows = events(tables, "hire_n", by=by, start=start, end=end, where=where)
    return _aggregate(rows, by, hires=rows.count())


def _spells(absence_spell: ir.Table) -> ir.Table:
    return absence_spell.select(
        spell_employee_id="employee_id",
        spell_first=day_of(absence_spell.start_date),
        spell_last=day_of(absence_spell.end_date).fill_null(NEVER_AFTER),
        fraction="fraction",
    )


def cases(absence_spell: ir.Table) -> ir.Table:
    """Spells chained into cases: a spell starting at most one day after the previous one
    ended continues that case. Columns ``case_employee_id, case_first, case_last`` (open
    cases have ``case_last = NEVER_AFTER``)."""
    spells = _spells(absence_spell)
    before = ibis.window(
        group_by=spells.spell_employee_id,
        order_by=[spells.spell_first, spells.spell_last],
        rows=(None, -1),
    )
    spells = spells.mutate(previous_last=spells.spell_last.max().over(before))
    new = spells.previous_last.isnull() | (spells.spell_first > spells.previous_last + 1)
    spells = spells.mutate(new_case=ibis.ifelse(new, 1, 0))
    upto = ibis.window(
        group_by=spells.spell_employee_id,
        order_by=[spells.spell_first, spells.spell_last],
        rows=(None, 0),
    )
    spells = spells.mutate(case_no=spells.new_case.sum().over(upto))
    return spells.group_by(case_employee_id="spell_employee_id", case_no="case_no").aggregate(
        case_first=spells.spell_first.min(), case_last=spells.spell_last.max()
    )


@built_once
def sickness(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """Per group: sick days weighted by fraction and part-time factor, and employees with at
    least one sick day (spells clipped to the bucket and the employment)."""
    rows = exposure(tables, by=by, start=start, end=end, where=where)
    spells = _spells(tables.absence_spell)
    rows = rows.join(spells, rows.employee_id == spells.spell_employee_id)
    first = ibis.greatest(rows.spell_first, rows["first"])
    last = ibis.least(rows.spell_last, rows["last"])
    rows = rows.mutate(sick_days=last - first + 1).filter(lambda t: t.sick_days > 0)
    return _aggregate(
        rows,
        by,
        sick_fte_days=(rows.sick_days * rows.fraction * rows.fte).sum(),
        sick_days=rows.sick_days.sum(),
        sick_employees=rows.employee_id.nunique(),
    )


@built_once
def reports(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """New sickness reports: cases whose first day falls in the bucket and the employment."""
    rows = exposure(tables, by=by, start=start, end=end, where=where)
    found = cases(tables.absence_spell)
    rows = rows.join(
        found,
        [
            rows.employee_id == found.case_employee_id,
            found.case_first >= rows["first"],
            found.case_first <= rows["last"],
        ],
    )
    return _aggregate(rows, by, reports=rows.count())


@built_once
def durations(
    tables: WorkforceTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Where,
) -> ir.Table:
    """Cases ended in the bucket (recovery day = last sick day + 1 in it): count, sum and
    sum of squares of their length in calendar days (first sick day to recovery)."""
    found = cases(tables.absence_spell)
    found = found.filter(found.case_last < NEVER_AFTER)
    found = found.mutate(
        recovery=found.case_last + 1, length=found.case_last - found.case_first + 1
    )
    emp = staff_table(tables)
    periods = period_table(start, end, by)
    rows = found.join(emp, found.case_employee_id == emp.employee_id)
    rows = rows.join(periods, [rows.recovery >= periods[P_START], rows.recovery <= periods[P_END]])
    rows = apply_where(with_tenure(rows, ibis.least(rows.leave_n - 1, rows[P_END])), where)
    length = rows.length.cast("float64")
    return _aggregate(
        rows,
        by,
        ended=rows.count(),
        length_total=length.sum(),
        length_squares=(length * length).sum(),
    )
