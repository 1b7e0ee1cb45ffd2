"""Panel tables: one source for cards, charts, table views and CSV; suppressed stays empty."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd

from keizer.web.panels import Panel, figure, figures


def _kpi_frame() -> pd.DataFrame:
    """What ws.kpi returns for eNPS and CSAT by team, one team suppressed."""
    return pd.DataFrame({
        "team": ["a", "b", "a", "b"], "kpi": ["enps", "enps", "csat", "csat"],
        "value": [12.345, math.nan, 0.61234, 0.5], "n": [40.0, math.nan, 300.0, 12.0],
        "ci_low": [1.0, math.nan, 0.55, 0.3], "ci_high": [20.0, math.nan, 0.66, 0.7],
        "method": ["x"] * 4, "low_n": [False, False, False, True],
        "suppressed": [False, True, False, False], "reason": [None, "fewer than 5", None, None],
    })  # fmt: skip


def test_figures_scale_round_and_keep_suppressed_empty() -> None:
    table = figures(_kpi_frame(), ["team"], labels={"team": {"a": "Team A"}})
    assert list(table["team"]) == ["Team A", "b", "Team A", "b"]
    assert table.loc[0, "value"] == 12.3
    assert table.loc[2, "value"] == 61.2  # a share shown as a percentage
    assert table.loc[2, "ci_low"] == 55.0
    assert math.isnan(table.loc[1, "value"])
    assert math.isnan(table.loc[1, "n"])
    assert bool(table.loc[3, "low_n"])


def test_csv_has_the_tables_numbers_and_an_empty_suppressed_value() -> None:
    panel = Panel("p", "P", "bar", figures(_kpi_frame(), ["team"]), ["team"], x="team")
    rows = list(csv.DictReader(io.StringIO(panel.csv())))
    assert [r["value"] for r in rows] == ["12.3", "", "61.2", "50.0"]
    assert [r["status"] for r in rows] == ["", "suppressed", "", "low n"]
    assert rows[2]["unit"] == "%"


def test_chart_leaves_suppressed_points_out_and_says_why() -> None:
    frame = _kpi_frame()
    frame.loc[0, ["value", "n", "ci_low", "ci_high"]] = math.nan
    frame.loc[0, "suppressed"] = True
    panel = Panel("p", "P", "bar", figures(frame, ["team"]), ["team"], x="team")
    fig = figure(panel, separators=",.", suppressed_text="too few responses", label=str.upper)
    assert fig is not None
    enps = next(t for t in fig["data"] if t["xaxis"] == "x")
    assert enps["y"] == [None, None]
    assert enps["text"] == ["too few responses", "too few responses"]
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "too few responses" in notes
    assert fig["layout"]["separators"] == ",."
    csat = next(t for t in fig["data"] if t["xaxis"] == "x2")
    assert csat["y"] == [61.2, 50.0]
    assert "n = 300" in csat["text"][0]
