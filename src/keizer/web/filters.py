"""The dashboard filters: period, location, department, team, channel, work mode, tenure band.

Filters arrive as query parameters (``?from=2026-08-01&to=2026-10-31&location=...``) and
become ``ws.kpi``'s ``period`` and ``where``. Not every KPI family can be cut by every
segment (absence has no channel); :meth:`Filters.where_for` leaves those out and says which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal
from urllib.parse import urlencode

from keizer.errors import ValidationError
from keizer.metrics.contract import TENURE_BANDS
from keizer.web.i18n import N_

Family = Literal["cx", "ex", "workforce", "operations"]
SEGMENT_FILTERS = ("location", "department", "team", "channel", "work_mode", "tenure_band")
CHANNELS = ("phone", "email", "chat", "social", "counter")
WORK_MODES = ("office", "home", "hybrid")
TENURE_BAND_NAMES = tuple(band for _, _, band in TENURE_BANDS)
# Segments each KPI family can be filtered by (the KPI engine refuses or returns nothing else).
APPLICABLE: dict[Family, frozenset[str]] = {
    "cx": frozenset(SEGMENT_FILTERS),
    "ex": frozenset({"location", "department", "team", "work_mode", "tenure_band"}),
    "workforce": frozenset({"location", "department", "team", "work_mode", "tenure_band"}),
    "operations": frozenset(SEGMENT_FILTERS),
}
FILTER_LABELS = {
    "location": N_("Location"), "department": N_("Department"), "team": N_("Team"),
    "channel": N_("Channel"), "work_mode": N_("Work mode"), "tenure_band": N_("Tenure"),
}  # fmt: skip
# Labels of segment values (channels, work modes, roles) and of table columns.
VALUE_LABELS = {
    "phone": N_("Phone"), "email": N_("Email"), "chat": N_("Chat"), "social": N_("Social media"),
    "counter": N_("Counter"), "office": N_("Office"), "home": N_("Home"), "hybrid": N_("Hybrid"),
    "board": N_("Board"), "agent": N_("Front line"), "team_lead": N_("Team leads"),
    "manager": N_("Managers"), "staff": N_("Staff"),
}  # fmt: skip
# Emotions and vulnerability signals of the text analytics (theme names come from its
# taxonomy, which names each theme in Dutch and English).
TEXT_LABELS = {
    "anger": N_("Anger"), "frustration": N_("Frustration"), "worry": N_("Worry"),
    "sadness": N_("Sadness"), "joy": N_("Joy"), "gratitude": N_("Gratitude"),
    "confusion": N_("Confusion"), "health": N_("Health"), "life_events": N_("Life events"),
    "resilience": N_("Resilience"), "capability": N_("Capability"),
}  # fmt: skip
GROUP_LABELS = {
    **FILTER_LABELS, "month": N_("Month"), "role": N_("Role"), "unit": N_("Unit"),
    "leave_reason": N_("Reason"), "themes": N_("Theme"), "emotions": N_("Emotion"),
    "vulnerability": N_("Signal"),
}  # fmt: skip
ROLE_LABELS = {
    "admin": N_("Administrator"), "board": N_("Board"), "cx-manager": N_("CX manager"),
    "ex-manager": N_("EX manager"), "team-lead": N_("Team lead"), "analyst": N_("Analyst"),
}  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """One dashboard view's filters; empty strings mean "all"."""

    start: date
    end: date
    location: str = ""
    department: str = ""
    team: str = ""
    channel: str = ""
    work_mode: str = ""
    tenure_band: str = ""

    @property
    def period(self) -> tuple[date, date]:
        return self.start, self.end

    def where_for(self, family: Family) -> tuple[dict[str, object], list[str]]:
        """The ``where`` of a KPI family, and the set filters that do not apply to it."""
        where: dict[str, object] = {}
        ignored: list[str] = []
        for name in SEGMENT_FILTERS:
            value = getattr(self, name)
            if not value:
                continue
            if name in APPLICABLE[family]:
                where[name] = value
            else:
                ignored.append(name)
        return where, ignored

    def trend_period(self, months: int = 12) -> tuple[date, date]:
        """The ``months`` calendar months ending with the period's last month."""
        first = date(self.end.year, self.end.month, 1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return first, self.end

    def query(self, **changes: str) -> str:
        """These filters as a query string (``changes`` override fields)."""
        values = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        values.update({name: getattr(self, name) for name in SEGMENT_FILTERS})
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def with_team(self, team: str) -> Filters:
        return replace(self, team=team)

    def is_set(self, name: str) -> bool:
        return bool(getattr(self, name))


def default_period(latest: date | None) -> tuple[date, date]:
    """The last complete calendar quarter up to ``latest`` (the quarter of ``latest`` when it
    falls in the quarter's last month): the anonymity guard shows employee figures by segment
    per quarter or larger, and compares with the quarter before."""
    latest = latest or date.today()
    quarter_end_month = (latest.month - 1) // 3 * 3 + 3
    end = _month_end(date(latest.year, quarter_end_month, 1))
    if latest.month != quarter_end_month:
        end = date(latest.year, quarter_end_month - 2, 1) - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return start, end


def parse_filters(params: dict[str, str], latest: date | None) -> Filters:
    """Filters from query parameters; unknown values raise :class:`ValidationError`."""
    start, end = default_period(latest)
    try:
        if params.get("from"):
            start = date.fromisoformat(params["from"])
        if params.get("to"):
            end = date.fromisoformat(params["to"])
    except ValueError:
        raise ValidationError("the period's dates must look like 2026-01-31") from None
    if end < start:
        raise ValidationError(f"the period ends ({end}) before it starts ({start})")
    values = {name: params.get(name, "").strip() for name in SEGMENT_FILTERS}
    for name, allowed in (
        ("channel", CHANNELS), ("work_mode", WORK_MODES), ("tenure_band", TENURE_BAND_NAMES)
    ):  # fmt: skip
        if values[name] and values[name] not in allowed:
            raise ValidationError(f"{name} must be one of {', '.join(allowed)}")
    return Filters(start=start, end=end, **values)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
