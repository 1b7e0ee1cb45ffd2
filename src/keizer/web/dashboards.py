"""The dashboard pages: which figures each page shows, all read through ``ws.kpi``.

A page is a list of :class:`~keizer.web.panels.Panel`; the HTML page, the table views and the
CSV downloads are all rendered from these panels, so they show the same numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import text

from keizer.errors import AnonymityError, ValidationError
from keizer.metrics._guard import shared_plan_frames
from keizer.metrics.contract import RESULT_COLUMNS
from keizer.text import default_taxonomy
from keizer.web import comments
from keizer.web.filters import FILTER_LABELS, TEXT_LABELS, VALUE_LABELS, Family, Filters
from keizer.web.panels import Panel, figures
from keizer.web.state import WebState
from keizer.workspace import Workspace

PageName = Literal["overview", "customer", "employee", "workforce", "team", "operations"]
PAGES: tuple[PageName, ...] = (
    "overview",
    "customer",
    "employee",
    "workforce",
    "team",
    "operations",
)
CX_HEADLINE = ("nps", "csat", "ces")
EX_HEADLINE = ("enps", "ees", "wellbeing")
WORKFORCE_HEADLINE = ("voluntary_turnover", "turnover_cost", "verzuimpercentage")
EES_AND_DRIVERS = ("ees", "ees_time", "ees_information", "ees_authority", "ees_competence")


@dataclass(frozen=True)
class OrgIndex:
    """The organisation tree: names and parents of every unit, by source key and id."""

    units: pd.DataFrame  # id, source_key, kind, name, parent_id

    def names(self, kind: str | None = None) -> dict[str, str]:
        units = self.units if kind is None else self.units[self.units["kind"] == kind]
        return dict(zip(units["source_key"], units["name"], strict=True))

    def options(self, kind: str, within: str = "") -> list[tuple[str, str]]:
        """(source key, name) of every unit of ``kind``, sorted by name; optionally only
        those below the unit ``within``."""
        units = self.units[self.units["kind"] == kind]
        if within:
            keep = self.descendants(within)
            units = units[units["source_key"].isin(keep)]
        return sorted(zip(units["source_key"], units["name"], strict=True), key=lambda u: u[1])

    def descendants(self, key: str) -> set[str]:
        ids = set(self.units.loc[self.units["source_key"] == key, "id"])
        found: set[int] = set(ids)
        while ids:
            ids = set(self.units.loc[self.units["parent_id"].isin(ids), "id"]) - found
            found |= ids
        return set(self.units.loc[self.units["id"].isin(found), "source_key"])

    def team(self, team_id: int) -> tuple[str, str, str, str] | None:
        """(team key, team name, department key, department name) of a team id."""
        row = self.units[(self.units["id"] == team_id) & (self.units["kind"] == "team")]
        if row.empty:
            return None
        parent = self.units[self.units["id"] == row["parent_id"].iloc[0]]
        dep_key = str(parent["source_key"].iloc[0]) if not parent.empty else ""
        dep_name = str(parent["name"].iloc[0]) if not parent.empty else ""
        return str(row["source_key"].iloc[0]), str(row["name"].iloc[0]), dep_key, dep_name

    def team_ids_under(self, key: str) -> frozenset[int] | None:
        """Ids of the teams at or below the unit ``key``; ``None`` for no unit (everything)."""
        if not key:
            return None
        keys = self.descendants(key)
        teams = self.units[(self.units["kind"] == "team") & self.units["source_key"].isin(keys)]
        return frozenset(int(i) for i in teams["id"])

    def team_id(self, key: str) -> int | None:
        row = self.units[(self.units["source_key"] == key) & (self.units["kind"] == "team")]
        return None if row.empty else int(row["id"].iloc[0])


def org_index(state: WebState) -> OrgIndex:
    def build(ws: Workspace) -> pd.DataFrame:
        frame = ws.table("org_units").select("id", "source_key", "kind", "name", "parent_id")
        result: pd.DataFrame = frame.to_pandas()
        return result

    return OrgIndex(state.cached_frame(("org_units",), build))


def latest_data_date(state: WebState) -> date | None:
    """The last day with contacts (or, without contacts, with survey responses)."""

    def build(ws: Workspace) -> pd.DataFrame:
        with ws.store.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT (SELECT max(started_at) FROM interaction),"
                    " (SELECT max(submitted_at) FROM response)"
                )
            ).one()
        return pd.DataFrame({"latest": [row[0] or row[1]]})

    value = state.cached_frame(("latest",), build)["latest"].iloc[0]
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


@dataclass
class Context:
    """What a page builder needs: the cached KPI reads, the filters and the texts."""

    state: WebState
    filters: Filters
    org: OrgIndex
    gettext: Callable[[str], str]
    format_date: Callable[[date], str] = date.isoformat
    notices: list[str] = field(default_factory=list)  # why some figures are not shown
    language: str = "en"  # of the page: names of text-analytics themes
    finest_unit: str = "team"  # breakdowns "by team" go down to this level (board: department)

    def kpi(
        self, family: Family, names: Sequence[str], *, by: Sequence[str] = (),
        period: tuple[date, date] | None = None, compare: bool = False,
        extra: dict[str, object] | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """The KPIs of one family under the page's filters (one call for all of them)."""
        where, _ = self.filters.where_for(family)
        where.update(extra or {})
        period = period or self.filters.period
        if family == "ex":
            try:
                return self.state.kpi(
                    list(names), by=by, where=where, period=period,
                    compare="previous_period" if compare else None,
                )  # fmt: skip
            except (AnonymityError, ValidationError) as exc:  # the guard refuses this cut
                if str(exc) not in self.notices:
                    self.notices.append(str(exc))
                return pd.DataFrame(columns=[*by, *RESULT_COLUMNS])
        return self.state.kpi(
            list(names), by=by, where=where, period=period,
            compare="previous_period" if compare else None,
        )  # fmt: skip

    def labels(self) -> dict[str, dict[str, str]]:
        values = {k: self.gettext(v) for k, v in VALUE_LABELS.items()}
        signals = {k: self.gettext(v) for k, v in TEXT_LABELS.items()}
        return {
            "team": self.org.names("team"), "department": self.org.names("department"),
            "location": self.org.names("location"), "role": values, "work_mode": values,
            "channel": values, "themes": theme_names(self.language), "emotions": signals,
            "vulnerability": signals,
        }  # fmt: skip

    def ignored_note(self, *families: Family) -> str:
        ignored = sorted({i for f in families for i in self.filters.where_for(f)[1]})
        if not ignored:
            return ""
        names = ", ".join(self.gettext(FILTER_LABELS[i]) for i in ignored)
        return self.gettext("Not filtered by: {names} (does not apply to these figures).").format(
            names=names
        )


def _verbatims(ctx: Context, rows: pd.DataFrame) -> list[dict[str, str]]:
    return comments.verbatims(rows, ctx.format_date, theme_names(ctx.language))


@functools.cache
def theme_names(language: str) -> dict[str, str]:
    """Theme codes as the comment panels show them (``waiting_time``: without ``cx.``/``ex.``)
    -> the taxonomy's name in ``language``."""
    return {
        code.split(".", 1)[-1]: theme.names.get(language, theme.names.get("en", code))
        for code, theme in default_taxonomy().themes.items()
    }


def by_unit(ctx: Context, frame: pd.DataFrame) -> Panel:
    """A table by team, or by department for roles that see no single team."""
    if ctx.finest_unit == "team":
        return chart(ctx, "by_team", ctx.gettext("By team"), "table", frame, ["team"])
    return chart(ctx, "by_department", ctx.gettext("By department"), "table", frame,
                 ["department"])  # fmt: skip


def cards(ctx: Context, panel_id: str, title: str, frame: pd.DataFrame, note: str = "") -> Panel:
    return Panel(panel_id, title, "cards", figures(frame), note=note)


def chart(
    ctx: Context, panel_id: str, title: str, kind: Literal["line", "bar", "table"],
    frame: pd.DataFrame, groups: Sequence[str], *, x: str | None = None,
    series: str | None = None, note: str = "",
) -> Panel:  # fmt: skip
    table = figures(frame, groups, labels=ctx.labels())
    return Panel(panel_id, title, kind, table, list(groups), x=x or groups[0], series=series,
                 note=note)  # fmt: skip


# -- pages -------------------------------------------------------------------------------------
def overview(ctx: Context) -> list[Panel]:
    _ = ctx.gettext
    trend = ctx.filters.trend_period()
    return [
        cards(ctx, "cx", _("Customers"), ctx.kpi("cx", CX_HEADLINE, compare=True),
              ctx.ignored_note("cx")),
        cards(ctx, "ex", _("Employees"), ctx.kpi("ex", EX_HEADLINE, compare=True),
              ctx.ignored_note("ex")),
        cards(ctx, "workforce", _("Workforce"),
              ctx.kpi("workforce", WORKFORCE_HEADLINE, compare=True),
              ctx.ignored_note("workforce")),
        chart(ctx, "cx_trend", _("Customer KPIs per month"), "line",
              ctx.kpi("cx", CX_HEADLINE, by=["month"], period=trend, compare=True), ["month"]),
        chart(ctx, "ex_trend", _("Employee KPIs per month"), "line",
              ctx.kpi("ex", EX_HEADLINE, by=["month"], period=trend, compare=True), ["month"]),
        chart(ctx, "workforce_trend", _("Turnover and absence per month"), "line",
              ctx.kpi("workforce", ("voluntary_turnover", "verzuimpercentage"), by=["month"],
                      period=trend), ["month"]),
        chart(ctx, "gap", _("Board and front line: the same questions"), "bar",
              _board_and_front_line(ctx.kpi("ex", ("enps", "ees", "wellbeing"), by=["role"])),
              ["role"],
              note=_("Only questions that both the board and front-line staff answered.")),
    ]  # fmt: skip


def _comment_filters_note(ctx: Context) -> str:
    """Comments carry no employee attributes: name the work-mode and tenure filters."""
    ignored = [ctx.gettext(FILTER_LABELS[n]) for n in ("work_mode", "tenure_band")
               if ctx.filters.is_set(n)]  # fmt: skip
    if not ignored:
        return ""
    message = ctx.gettext("Not filtered by: {names} (does not apply to these figures).")
    return message.format(names=", ".join(ignored))


def customer_comments(ctx: Context) -> list[Panel]:
    """Themes, emotions, vulnerability signals and verbatims of customers' comments."""
    _ = ctx.gettext
    f = ctx.filters
    rows = comments.comment_list(ctx.state, "customer", f).rows
    note = _comment_filters_note(ctx)
    empty = _("No analysed comments in this view (run 'keizer text enrich').")
    n_note = note or ("" if len(rows) else empty)
    return [
        chart(ctx, "themes", _("Friction themes in customer comments"), "bar",
              comments.shares(rows, "themes", "theme_share", prefix="cx."), ["themes"],
              note=n_note),
        chart(ctx, "emotions", _("Emotions in customer comments"), "bar",
              comments.shares(rows, "emotions", "emotion_share"), ["emotions"], note=n_note),
        chart(ctx, "vulnerability", _("Signals of vulnerable customers"), "table",
              comments.shares(rows, "vulnerability", "vulnerable_share"), ["vulnerability"],
              note=_("Share of comments with a signal; follow up through the case process.")),
        Panel("verbatims", _("Latest customer comments (redacted)"), "comments",
              pd.DataFrame(), comments=_verbatims(ctx, rows), note=n_note),
    ]  # fmt: skip


def employee_comments(ctx: Context) -> list[Panel]:
    """Employees' comments, where the anonymity plan for comments shows them."""
    _ = ctx.gettext
    f = ctx.filters
    listing = comments.comment_list(ctx.state, "employee", f)
    if listing.suppressed:
        note = _(
            "Comments are shown for groups of {minimum} or more respondents, and only "
            "where comparing two views cannot single out fewer; not in this view."
        )
        minimum = ctx.state.settings.min_comment_group_size
        return [Panel("ex_comments", _("Employee comments"), "comments", pd.DataFrame(),
                      note=note.format(minimum=minimum))]  # fmt: skip
    rows = listing.rows
    note = _comment_filters_note(ctx)
    return [
        chart(ctx, "ex_themes", _("Themes in employee comments"), "bar",
              comments.shares(rows, "themes", "theme_share", prefix="ex."), ["themes"],
              note=note),
        Panel("ex_comments", _("Employee comments (redacted)"), "comments", pd.DataFrame(),
              comments=_verbatims(ctx, rows), note=note),
    ]  # fmt: skip


def _board_and_front_line(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame["role"].isin(["agent", "board"])].reset_index(drop=True)


def customer(ctx: Context) -> list[Panel]:
    _ = ctx.gettext
    trend = ctx.filters.trend_period()
    names = ("nps", "csat", "ces", "ces_agree")
    return [
        cards(ctx, "cx", _("Customer KPIs"), ctx.kpi("cx", names, compare=True)),
        chart(ctx, "by_channel", _("By channel"), "bar",
              ctx.kpi("cx", CX_HEADLINE, by=["channel"]), ["channel"]),
        chart(ctx, "channel_trend", _("NPS per month and channel"), "line",
              ctx.kpi("cx", ("nps",), by=["month", "channel"], period=trend),
              ["month", "channel"], x="month", series="channel"),
        chart(ctx, "by_location", _("By location"), "bar",
              ctx.kpi("cx", CX_HEADLINE, by=["location"]), ["location"]),
        *customer_comments(ctx),
    ]  # fmt: skip


def employee(ctx: Context) -> list[Panel]:
    _ = ctx.gettext
    trend = ctx.filters.trend_period()
    note = ctx.ignored_note("ex")
    return [
        cards(ctx, "ees", _("Employee effort and its four drivers"),
              ctx.kpi("ex", EES_AND_DRIVERS, compare=True), note),
        cards(ctx, "ex", _("Engagement, wellbeing and eNPS"),
              ctx.kpi("ex", ("engagement", "wellbeing", "burnout_risk", "enps"), compare=True),
              note),
        cards(ctx, "participation", _("Participation in the employee surveys"),
              ctx.kpi("workforce", ("ex_response_rate", "headcount")),
              ctx.ignored_note("workforce")),
        chart(ctx, "ex_trend", _("Employee KPIs per month"), "line",
              ctx.kpi("ex", ("enps", "ees", "engagement", "wellbeing"), by=["month"],
                      period=trend, compare=True), ["month"]),
        chart(ctx, "work_mode", _("By work mode"), "bar",
              ctx.kpi("ex", ("ees", "enps", "wellbeing"), by=["work_mode"]), ["work_mode"]),
        by_unit(ctx, ctx.kpi("ex", ("ees", "enps", "wellbeing"), by=[ctx.finest_unit])),
        *employee_comments(ctx),
    ]  # fmt: skip


def workforce(ctx: Context) -> list[Panel]:
    _ = ctx.gettext
    trend = ctx.filters.trend_period()
    names = ("headcount", "hires", "leavers", "voluntary_turnover", "turnover", "turnover_cost",
             "verzuimpercentage", "meldingsfrequentie", "verzuimduur")  # fmt: skip
    return [
        cards(ctx, "workforce", _("Workforce"), ctx.kpi("workforce", names, compare=True),
              ctx.ignored_note("workforce")),
        chart(ctx, "leavers", _("Leavers by reason"), "bar",
              ctx.kpi("workforce", ("leavers_by_reason",)),
              ["leave_reason"]),
        chart(ctx, "trend", _("Turnover and absence per month"), "line",
              ctx.kpi("workforce", ("voluntary_turnover", "verzuimpercentage", "headcount"),
                      by=["month"], period=trend), ["month"]),
        chart(ctx, "by_location", _("By location"), "bar",
              ctx.kpi("workforce", ("voluntary_turnover", "verzuimpercentage"),
                      by=["location"]), ["location"]),
    ]  # fmt: skip


def operations(ctx: Context) -> list[Panel]:
    _ = ctx.gettext
    trend = ctx.filters.trend_period()
    names = ("aht", "acw_share", "fcr")
    return [
        cards(ctx, "operations", _("Contact handling"),
              ctx.kpi("operations", (*names, "contact_volume"), compare=True)),
        chart(ctx, "by_channel", _("By channel"), "bar",
              ctx.kpi("operations", names, by=["channel"]), ["channel"]),
        chart(ctx, "trend", _("Per month"), "line",
              ctx.kpi("operations", names, by=["month"], period=trend), ["month"]),
        by_unit(ctx, ctx.kpi("operations", names, by=[ctx.finest_unit])),
    ]  # fmt: skip


def team(ctx: Context, team_id: int) -> list[Panel]:
    """One team next to its department (the filters' team is this team)."""
    with shared_plan_frames():
        return _team(ctx, team_id)


def _team(ctx: Context, team_id: int) -> list[Panel]:
    _ = ctx.gettext
    found = ctx.org.team(team_id)
    assert found is not None
    team_key, team_name, dep_key, dep_name = found
    trend = ctx.filters.trend_period()
    survey = ("nps", "csat", "ces", "enps", "ees", "wellbeing", "engagement")
    rows = []
    for unit, key, name in (("team", team_key, team_name), ("department", dep_key, dep_name)):
        scoped = replace(ctx, filters=_unscoped(ctx.filters))
        frame = pd.concat([
            scoped.kpi("cx", survey[:3], extra={unit: key}),
            scoped.kpi("ex", survey[3:], extra={unit: key}),
            scoped.kpi("workforce", ("voluntary_turnover", "verzuimpercentage"), extra={unit: key}),
        ], ignore_index=True)  # fmt: skip
        frame.insert(0, "unit", name)
        rows.append(frame)
    side_by_side = pd.concat(rows, ignore_index=True)
    own = replace(ctx, filters=ctx.filters.with_team(team_key))
    return [
        cards(own, "cx", _("Customers of this team"), own.kpi("cx", CX_HEADLINE, compare=True),
              own.ignored_note("cx")),
        cards(own, "ex", _("This team's employees"),
              own.kpi("ex", ("enps", "ees", "wellbeing", "engagement"), compare=True),
              own.ignored_note("ex")),
        chart(own, "vs_department", _("Team and department"), "bar", side_by_side, ["unit"]),
        chart(own, "trend", _("Per month"), "line",
              pd.concat([own.kpi("cx", ("nps",), by=["month"], period=trend),
                         own.kpi("ex", ("enps", "ees"), by=["month"], period=trend)],
                        ignore_index=True), ["month"]),
    ]  # fmt: skip


def _unscoped(filters: Filters) -> Filters:
    return Filters(start=filters.start, end=filters.end, channel=filters.channel,
                   work_mode=filters.work_mode, tenure_band=filters.tenure_band)  # fmt: skip


def _one_pass(build: Callable[[Context], list[Panel]]) -> Callable[[Context], list[Panel]]:
    """A page builder whose KPI calls read the responses behind the anonymity plans once."""

    @functools.wraps(build)
    def built(ctx: Context) -> list[Panel]:
        with shared_plan_frames():
            return build(ctx)

    return built


BUILDERS: dict[str, Callable[[Context], list[Panel]]] = {
    name: _one_pass(build) for name, build in (
        ("overview", overview), ("customer", customer), ("employee", employee),
        ("workforce", workforce), ("operations", operations),
    )
}  # fmt: skip
