"""Ibis expressions that build the linkage panel from the store's tables.

Customer answers and contacts are aggregated in the database (answer counts per team, month,
outcome and value; contact counts and sums per team and month). Employee answers come back
one row per answer with the respondent's pseudonym: the person-level models (absence,
equipment, perception gaps) need them, and they never leave the analysis (only aggregates
and coefficients are reported). The same expressions run on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from keizer.linkage.panel import CX_OUTCOMES, EX_MEASURES, Panel
from keizer.metrics.survey_queries import StoreTables

#: The question code of "I have proper equipment to work from home" (metric ``other``).
EQUIPMENT_CODE = "home_equipment"


def build_panel(tables: StoreTables, period: tuple[date, date] | None = None) -> Panel:
    """Fetch every part of the panel (see :class:`Panel`) for ``period`` (inclusive)."""
    teams = _teams(tables).to_pandas()
    return Panel(
        teams=teams.sort_values("team").reset_index(drop=True),
        ex_answers=_sorted(_ex_answers(tables, period).to_pandas()),
        cx_answers=_sorted(_cx_answers(tables, period).to_pandas()),
        contacts=_sorted(_contacts(tables, period).to_pandas()),
        people=_sorted(_people(tables).to_pandas()),
        spells=_sorted(_spells(tables, period).to_pandas()),
        period=period,
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a fixed order, whatever order the engine returned them in."""
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _within(column: ir.TimestampValue, period: tuple[date, date] | None) -> ir.BooleanValue:
    if period is None:
        return ibis.literal(True)
    start, end = period
    return (column >= ibis.literal(start).cast("timestamp")) & (
        column < ibis.literal(end + timedelta(days=1)).cast("timestamp")
    )


def _teams(t: StoreTables) -> ir.Table:
    """Teams with their department and location keys and names."""
    unit = t.org_unit
    team = unit.filter(unit.kind == "team").select(
        team_unit="id", team="source_key", team_name="name", parent="parent_id"
    )
    dept = unit.view().select(
        dept_unit="id", department="source_key", department_name="name", dept_parent="parent_id"
    )
    loc = unit.view().select(loc_unit="id", location="source_key", location_name="name")
    rows = team.left_join(dept, team.parent == dept.dept_unit)
    rows = rows.left_join(loc, rows.dept_parent == loc.loc_unit)
    return rows.select(
        "team", "team_name", "department", "department_name", "location", "location_name"
    )


def _team_keys(t: StoreTables) -> ir.Table:
    unit = t.org_unit
    return unit.filter(unit.kind == "team").select(unit_id="id", team="source_key")


def _ex_answers(t: StoreTables, period: tuple[date, date] | None) -> ir.Table:
    """Employee answers: respondent pseudonym, role, team (null above team level), month,
    measure and value."""
    q = t.question
    wanted = q.metric.isin(list(EX_MEASURES)) | (q.code == EQUIPMENT_CODE)
    q = q.filter(wanted).select(
        question_id="id", q_survey="survey_id",
        measure=ibis.ifelse(q.code == EQUIPMENT_CODE, EQUIPMENT_CODE, q.metric),
    )  # fmt: skip
    s = t.survey.filter(t.survey.audience == "employee").select(survey_id="id")
    r = t.response.filter(_within(t.response.submitted_at, period)).select(
        response_id="id", r_survey="survey_id", respondent="respondent_pseudonym",
        role="respondent_role", unit_id="team_id", submitted_at="submitted_at",
    )  # fmt: skip
    a = t.answer.filter(t.answer.value_num.notnull()).select(
        "response_id", "question_id", value="value_num"
    )
    rows = a.join(q, "question_id").join(r, "response_id")
    rows = rows.join(s, rows.q_survey == s.survey_id)
    rows = rows.left_join(_team_keys(t), "unit_id")
    return rows.select(
        "respondent", "role", "team", "measure", "value",
        month=rows.submitted_at.strftime("%Y-%m"),
    )  # fmt: skip


def _cx_answers(t: StoreTables, period: tuple[date, date] | None) -> ir.Table:
    """Customer answers counted per team, contact month, outcome and value."""
    q = t.question.filter(t.question.metric.isin(list(CX_OUTCOMES))).select(
        question_id="id", outcome="metric"
    )
    i = t.interaction.filter(_within(t.interaction.started_at, period)).select(
        interaction_id="id", unit_id="team_id", started_at="started_at"
    )
    r = t.response.filter(t.response.interaction_id.notnull()).select(
        response_id="id", interaction_id="interaction_id"
    )
    a = t.answer.filter(t.answer.value_num.notnull()).select(
        "response_id", "question_id", value="value_num"
    )
    rows = a.join(q, "question_id").join(r, "response_id").join(i, "interaction_id")
    rows = rows.join(_team_keys(t), "unit_id")
    rows = rows.mutate(month=rows.started_at.strftime("%Y-%m"))
    return rows.group_by(["team", "month", "outcome", "value"]).aggregate(answers=rows.count())


def _contacts(t: StoreTables, period: tuple[date, date] | None) -> ir.Table:
    """Contacts per team and month: counts, resolved, transferred, handle time, channels."""
    i = t.interaction.filter(_within(t.interaction.started_at, period))
    rows = i.join(_team_keys(t), i.team_id == _team_keys(t).unit_id)
    handle = rows.talk_s.fill_null(0) + rows.hold_s.fill_null(0) + rows.after_call_s.fill_null(0)
    timed = rows.talk_s.notnull()

    def count(condition: ir.BooleanValue) -> ir.IntegerValue:
        return ibis.ifelse(condition, 1, 0).sum()

    rows = rows.mutate(month=rows.started_at.strftime("%Y-%m"))
    return rows.group_by(["team", "month"]).aggregate(
        contacts=rows.count(),
        resolved=count(rows.resolved.fill_null(False)),
        resolution_known=count(rows.resolved.notnull()),
        transferred=count(rows.transferred.fill_null(False)),
        handle_s=ibis.ifelse(timed, handle, 0.0).sum(),
        timed=count(timed),
        phone=count(rows.channel == "phone"),
        email=count(rows.channel == "email"),
        chat=count(rows.channel == "chat"),
    )


def _people(t: StoreTables) -> ir.Table:
    """Employees with team, role, work mode, birth-year band, hire and leave dates and whether
    they left voluntarily (their latest leave event)."""
    e = t.employee
    h = t.hr_event.filter(t.hr_event.kind == "leave")
    latest = h.group_by("employee_id").aggregate(
        event_date=h.event_date.max(),
        voluntary=ibis.ifelse(h.voluntary.fill_null(False), 1, 0).max(),
    )
    rows = e.left_join(latest, e.id == latest.employee_id)
    rows = rows.left_join(_team_keys(t), rows.team_id == _team_keys(t).unit_id)
    return rows.select(
        person="pseudonym", role="role", team="team", work_mode="work_mode",
        birth_band="birth_year_band", hire_date="hire_date",
        leave_date=ibis.coalesce(rows.leave_date, rows.event_date),
        voluntary=rows.voluntary.fill_null(0),
    )  # fmt: skip


def _spells(t: StoreTables, period: tuple[date, date] | None) -> ir.Table:
    """New sickness spells per employee and month of onset."""
    s = t.absence_spell
    if period is not None:
        s = s.filter((s.start_date >= period[0]) & (s.start_date <= period[1]))
    e = t.employee.select(employee_id="id", person="pseudonym")
    rows = s.join(e, "employee_id")
    rows = rows.mutate(month=rows.start_date.strftime("%Y-%m"))
    return rows.group_by(["person", "month"]).aggregate(spells=rows.count())
