"""Text analytics on the dashboards: themes, emotions, vulnerability signals and redacted
verbatims, from what ``keizer text enrich`` stored per open answer (``comment_analyses``).

Shares carry n (the comments in the view) and a Wilson interval like every other figure.
Customer comments follow the period, channel and organisation filters (through the contact's
team). Employee comments are shown only when the view holds at least
``KEIZER_MIN_COMMENT_GROUP_SIZE`` distinct respondents, counted on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

import ibis
import numpy as np
import pandas as pd

from keizer.metrics import statistics
from keizer.web.state import WebState
from keizer.workspace import Workspace

Audience = Literal["customer", "employee"]
VERBATIMS = 12


def comment_rows(
    state: WebState, audience: Audience, period: tuple[date, date], *,
    channel: str = "", team_ids: frozenset[int] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One row per analysed comment in the view: submitted_at, channel, respondent, language,
    sentiment, emotions, themes, vulnerability, redacted_text (newest first)."""
    key = ("comments", audience, period, channel, team_ids)

    def build(ws: Workspace) -> pd.DataFrame:
        ca = ws.table("comment_analyses")
        r = ws.table("responses")
        s = ws.table("surveys").filter(lambda t: t.audience == audience).select("id")
        start, end = period
        rows = ca.join(r, ca.response_id == r.id).join(s, r.survey_id == s.id)
        rows = rows.filter(
            rows.submitted_at >= ibis.timestamp(f"{start.isoformat()} 00:00:00"),
            rows.submitted_at < ibis.timestamp(f"{(end + timedelta(days=1)).isoformat()} 00:00:00"),
        )  # fmt: skip
        if channel:
            rows = rows.filter(rows.channel == channel)
        if team_ids is not None:
            if audience == "customer":
                contacts = ws.table("interactions").select(contact_id="id", contact_team="team_id")
                rows = rows.join(contacts, rows.interaction_id == contacts.contact_id)
                rows = rows.filter(rows.contact_team.isin(sorted(team_ids)))
            else:
                rows = rows.filter(rows.team_id.isin(sorted(team_ids)))
        columns = ["submitted_at", "channel", "respondent_pseudonym", "language", "sentiment",
                   "emotions", "themes", "vulnerability", "redacted_text"]  # fmt: skip
        frame: pd.DataFrame = rows.select(*columns).order_by(ibis.desc("submitted_at")).to_pandas()
        return frame

    return state.cached_frame(key, build)


def shares(rows: pd.DataFrame, column: str, kpi: str, prefix: str = "") -> pd.DataFrame:
    """Share of the comments carrying each value of a comma-separated ``column``, in the
    shape of ``ws.kpi``'s output (``column`` as the group)."""
    n = len(rows)
    values = rows[column].dropna().astype(str).str.split(",").explode().str.strip()
    values = values[values.str.startswith(prefix) & (values != "")]
    counts = values.value_counts()
    if n == 0 or counts.empty:
        return pd.DataFrame(columns=[column, "kpi", "value", "n", "ci_low", "ci_high",
                                     "suppressed", "low_n"])  # fmt: skip
    estimate = statistics.proportion_frame(
        counts.to_numpy(dtype=float), np.full(len(counts), n, dtype=float)
    )
    return pd.DataFrame({
        column: counts.index.str.removeprefix(prefix), "kpi": kpi,
        "value": estimate["value"].to_numpy(), "n": float(n),
        "ci_low": estimate["ci_low"].to_numpy(), "ci_high": estimate["ci_high"].to_numpy(),
        "suppressed": False, "low_n": n < statistics.MIN_N["proportion"],
    })  # fmt: skip


def verbatims(rows: pd.DataFrame, fmt_date: Callable[[date], str]) -> list[dict[str, str]]:
    """The newest redacted comments (the text analytics already removed names and numbers)."""
    shown = rows[rows["redacted_text"].notna()].head(VERBATIMS)
    days = pd.to_datetime(shown["submitted_at"], utc=True).dt.date
    return [
        {"date": fmt_date(day), "channel": "" if pd.isna(channel) else str(channel),
         "sentiment": str(sentiment), "themes": "" if pd.isna(themes) else str(themes),
         "text": str(text)}
        for day, channel, sentiment, themes, text in zip(
            days, shown["channel"], shown["sentiment"], shown["themes"], shown["redacted_text"],
            strict=True,
        )
    ]  # fmt: skip
