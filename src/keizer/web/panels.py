"""A dashboard panel: one table of figures, shown as cards or a Plotly chart, as a table, and
as CSV — always the same numbers (the table is built once and everything reads it)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from keizer.web.kpis import display

PanelKind = Literal["cards", "line", "bar", "table", "comments"]
COMMENT_COLUMNS = ("date", "channel", "sentiment", "themes", "text")


@dataclass
class Panel:
    """One block of a page. ``table`` holds display-ready numbers (scaled and rounded)."""

    id: str
    title: str
    kind: PanelKind
    table: pd.DataFrame
    groups: list[str] = field(default_factory=list)  # group columns, in order
    x: str | None = None  # the chart's x axis (a group column)
    series: str | None = None  # one trace per value of this group column
    note: str = ""
    comments: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_change(self) -> bool:
        return "change" in self.table.columns

    def rows(self) -> list[dict[str, Any]]:
        """The table's rows as dicts with NaN turned into ``None``."""
        records = self.table.to_dict(orient="records")
        return [{str(k): _clean(v) for k, v in r.items()} for r in records]

    def csv(self) -> str:
        """The table as CSV: suppressed cells have an empty value and status ``suppressed``."""
        if self.kind == "comments":
            return pd.DataFrame(self.comments, columns=list(COMMENT_COLUMNS)).to_csv(
                index=False, lineterminator="\n"
            )
        frame = self.table.copy()
        frame.insert(len(self.groups) + 1, "unit", [display(k).unit for k in frame["kpi"]])
        frame["status"] = np.where(
            frame["suppressed"].astype(bool), "suppressed",
            np.where(frame["low_n"].astype(bool), "low n", ""),
        )  # fmt: skip
        frame = frame.drop(columns=["suppressed", "low_n", "reason"])
        frame["reason"] = self.table["reason"]
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue()


def figures(
    frame: pd.DataFrame,
    groups: Sequence[str] = (),
    *,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """``ws.kpi`` output → a panel table: group columns (codes replaced by ``labels``), then
    the KPI, its value, n and interval scaled and rounded as shown. Suppressed figures stay
    empty (NaN), never zero."""
    labels = labels or {}
    out = pd.DataFrame()
    for group in groups:
        values = frame[group].astype(object).where(frame[group].notna(), None)
        mapping = labels.get(group, {})
        out[group] = [mapping.get(str(v), str(v)) if v is not None else "—" for v in values]
    out["kpi"] = frame["kpi"].astype(str).to_numpy()
    suppressed = frame["suppressed"].fillna(False).astype(bool).to_numpy()
    scales = np.array([display(k).scale for k in out["kpi"]])
    decimals = [display(k).decimals for k in out["kpi"]]
    for column in ("value", "ci_low", "ci_high"):
        raw = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float) * scales
        raw[suppressed] = np.nan
        out[column] = [_round(v, d) for v, d in zip(raw, decimals, strict=True)]
    n = pd.to_numeric(frame["n"], errors="coerce").to_numpy(dtype=float, copy=True)
    n[suppressed] = np.nan
    out["n"] = [None if math.isnan(v) else round(float(v)) for v in n]
    out["suppressed"] = suppressed
    reasons = frame["reason"] if "reason" in frame.columns else pd.Series([None] * len(frame))
    out["reason"] = [str(r) if s and isinstance(r, str) else None
                     for r, s in zip(reasons, suppressed, strict=True)]  # fmt: skip
    out["low_n"] = frame["low_n"].fillna(False).astype(bool).to_numpy() & ~suppressed
    if "change" in frame.columns:
        change = pd.to_numeric(frame["change"], errors="coerce").to_numpy(dtype=float) * scales
        change[suppressed] = np.nan
        out["change"] = [_round(v, d) for v, d in zip(change, decimals, strict=True)]
        out["significant"] = frame["significant"].fillna(False).astype(bool).to_numpy()
    return out.reset_index(drop=True)


def figure(
    panel: Panel,
    *,
    separators: str,
    suppressed_text: str | Callable[[str | None], str],
    label: Callable[[str], str],
    no_data_text: str = "no data",
) -> dict[str, Any] | None:
    """A Plotly figure (as JSON-ready dict) of a line or bar panel: one subplot per KPI."""
    if panel.kind not in ("line", "bar") or panel.x is None or panel.table.empty:
        return None
    table = panel.table
    kpis = list(dict.fromkeys(table["kpi"]))
    columns = min(len(kpis), 3)
    rows = math.ceil(len(kpis) / columns)
    traces: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "grid": {"rows": rows, "columns": columns, "pattern": "independent"},
        "separators": separators, "margin": {"l": 50, "r": 20, "t": 40, "b": 60},
        "height": 300 * rows, "showlegend": panel.series is not None,
        "legend": {"orientation": "h", "y": -0.25}, "annotations": [],
        "barmode": "group",
    }  # fmt: skip
    for index, name in enumerate(kpis):
        axis = "" if index == 0 else str(index + 1)
        part = table[table["kpi"] == name]
        series = list(dict.fromkeys(part[panel.series])) if panel.series else [None]
        for value in series:
            rows_of = part if value is None else part[part[panel.series] == value]
            traces.append(_trace(panel, rows_of, name, value, axis, index == 0, suppressed_text))
        info = display(name)
        layout["annotations"].append({
            "text": f"<b>{label(name)}</b>" + (f" ({info.unit})" if info.unit else ""),
            "xref": f"x{axis} domain", "yref": f"y{axis} domain", "x": 0, "y": 1.12,
            "showarrow": False, "xanchor": "left",
        })  # fmt: skip
        if part["value"].isna().all():  # nothing to draw: say why instead of empty axes
            hidden = part[part["suppressed"]]
            layout["annotations"].append({
                "text": _hidden(suppressed_text, hidden["reason"].iloc[0])
                if len(hidden) else no_data_text,
                "xref": f"x{axis} domain", "yref": f"y{axis} domain", "x": 0.5, "y": 0.5,
                "showarrow": False, "font": {"size": 14, "color": "#6b7280"},
            })  # fmt: skip
        layout[f"xaxis{axis}"] = {"type": "category", "automargin": True}
        layout[f"yaxis{axis}"] = {"automargin": True, "zeroline": False}
    return {"data": traces, "layout": layout}


def _trace(
    panel: Panel, rows: pd.DataFrame, kpi: str, series: object, axis: str, first: bool,
    suppressed_text: str | Callable[[str | None], str],
) -> dict[str, Any]:  # fmt: skip
    assert panel.x is not None
    values = [_clean(v) for v in rows["value"]]
    low = [_clean(v) for v in rows["ci_low"]]
    high = [_clean(v) for v in rows["ci_high"]]
    n = [_clean(v) for v in rows["n"]]
    text = [
        _hidden(suppressed_text, reason) if s else f"n = {nn}, [{lo}; {hi}]"
        for s, reason, nn, lo, hi in zip(
            rows["suppressed"], rows["reason"], n, low, high, strict=True
        )
    ]
    above = [None if v is None or h is None else h - v for v, h in zip(values, high, strict=True)]
    below = [None if v is None or lo is None else v - lo for v, lo in zip(values, low, strict=True)]
    error = {"type": "data", "symmetric": False, "visible": True, "array": above,
             "arrayminus": below}  # fmt: skip
    significant = rows["significant"].tolist() if "significant" in rows else [False] * len(rows)
    trace: dict[str, Any] = {
        "x": [str(v) for v in rows[panel.x]], "y": values, "text": text,
        "hovertemplate": "%{x}: %{y}<br>%{text}<extra></extra>",
        "xaxis": f"x{axis}", "yaxis": f"y{axis}", "error_y": error,
        "name": str(series) if series is not None else kpi,
        "legendgroup": str(series), "showlegend": bool(first and series is not None),
    }  # fmt: skip
    if panel.kind == "line":
        trace.update(type="scatter", mode="lines+markers", connectgaps=False)
        trace["marker"] = {
            "symbol": ["star" if s else "circle" for s in significant],
            "size": [14 if s else 7 for s in significant],
        }
    else:
        trace.update(type="bar", textposition="none")
    return trace


def _hidden(text: str | Callable[[str | None], str], reason: str | None) -> str:
    return text(reason) if callable(text) else text


def _round(value: float, decimals: int) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), decimals) + 0.0


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value
