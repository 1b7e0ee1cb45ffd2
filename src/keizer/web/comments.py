"""Text analytics on the dashboards: themes, emotions, vulnerability signals and redacted
verbatims, from what ``keizer text enrich`` stored per open answer (``comment_analyses``).

Shares carry n (the comments in the view) and a Wilson interval like every other figure.
Customer comments follow the period, channel and organisation filters (the response's team,
else its contact's). Employee comments follow the period and organisation filters, and the
metrics layer shows a list only where the anonymity plan for comments publishes it
(``keizer.metrics.comments``): never from fewer than ``KEIZER_MIN_COMMENT_GROUP_SIZE``
respondents, also not by comparing two views.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from keizer.metrics import statistics
from keizer.metrics.anonymity import ORG_LEVELS
from keizer.metrics.comments import FILTERS, Audience, CommentList
from keizer.web.filters import Family, Filters
from keizer.web.state import WebState

VERBATIMS = 12


def comment_list(state: WebState, audience: Audience, filters: Filters) -> CommentList:
    """The analysed comments in the view (newest first), from the metrics layer, which
    applies the anonymity rules to employee comments; cached until the data change."""
    family: Family = "cx" if audience == "customer" else "ex"
    where = {
        name: str(value)
        for name, value in filters.where_for(family)[0].items()
        if name in (FILTERS if audience == "customer" else ORG_LEVELS)
    }
    key = ("comments", audience, filters.period, tuple(sorted(where.items())))

    def build() -> CommentList:
        with state.reading() as ws:
            return ws.comments(audience, period=filters.period, where=where)

    return state.cached(key, build)


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


def verbatims(
    rows: pd.DataFrame, fmt_date: Callable[[date], str], themes: Mapping[str, str]
) -> list[dict[str, str]]:
    """The newest redacted comments (the text analytics already removed names and numbers),
    with their themes named by ``themes`` (code without ``cx.``/``ex.`` -> name)."""
    shown = rows[rows["redacted_text"].notna()].head(VERBATIMS)
    days = pd.to_datetime(shown["submitted_at"], utc=True).dt.date

    def named(codes: object) -> str:
        if not isinstance(codes, str):  # None or NaN: no theme
            return ""
        parts = (c.strip().split(".", 1)[-1] for c in codes.split(",") if c.strip())
        return ", ".join(themes.get(part, part) for part in parts)

    return [
        {"date": fmt_date(day), "channel": "" if pd.isna(channel) else str(channel),
         "sentiment": str(sentiment), "themes": named(codes), "text": str(text)}
        for day, channel, sentiment, codes, text in zip(
            days, shown["channel"], shown["sentiment"], shown["themes"], shown["redacted_text"],
            strict=True,
        )
    ]  # fmt: skip
