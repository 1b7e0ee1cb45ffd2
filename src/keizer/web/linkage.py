"""The Linkage page: EX ↔ CX linkage of the whole organisation (``ws.linkage``), cached per
data version, with a CSV of its links table.

Organisation-level only: a team lead does not see it (linkage per team is not meaningful, and
the page must not expose teams). The tables are built once per language; the page and the CSV
read the same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from keizer.errors import KeizerError
from keizer.linkage import LinkageResult
from keizer.linkage.labels import label, status_text
from keizer.linkage.summaries import OUTCOME_FACTOR, step
from keizer.web import access
from keizer.web.auth import CurrentViewer, Viewer, web_state
from keizer.web.dashboards import latest_data_date
from keizer.web.i18n import N_, Language
from keizer.web.pages import _chrome
from keizer.web.rendering import formatter, render
from keizer.web.state import WebState

router = APIRouter(include_in_schema=False)
LINK_COLUMNS = ["measure", "outcome", "lag", "estimate", "ci_low", "ci_high", "q_value",
                "significant"]  # fmt: skip
GROUP_NAMES = {"board": N_("board"), "manager": N_("managers"), "team_lead": N_("team leads")}
SURVIVAL_AT = (12, 24)  # tenure months at which the Kaplan–Meier bands are read


@dataclass(frozen=True)
class Computed:
    """The organisation's linkage result, or why there is none."""

    result: LinkageResult | None
    problem: str = ""


def computed(state: WebState) -> Computed:
    """``ws.linkage()`` on all data, cached until the data change (see :mod:`.state`)."""

    def build() -> Computed:
        if latest_data_date(state) is None:
            return Computed(None, "empty")
        try:
            with state.reading() as ws:  # the store part only: the models need no lock
                panel = ws.linkage_panel()
            return Computed(state.ws.linkage(panel=panel))
        except KeizerError as exc:  # e.g. no pulse answers or contacts to link
            return Computed(None, str(exc))

    return state.cached(("linkage",), build)


def links_table(result: LinkageResult, language: Language) -> pd.DataFrame:
    """One row per estimated link (measure → outcome, lag), most significant first; numbers
    on the scale of the plain-language sentences (per point of the measure, per 10 percentage
    points of the remote share, per percentage point of absence and turnover; resolution in
    percentage points), rounded once as shown."""
    e = result.effects[result.effects["status"] == "ok"]
    e = e.assign(order=e["q_value"]).sort_values(["order", "measure", "outcome", "lag"])
    factor = np.array([step(m) * OUTCOME_FACTOR.get(o, 1.0)
                       for m, o in zip(e["measure"], e["outcome"], strict=True)])  # fmt: skip
    return pd.DataFrame({
        "measure": [label(m, language) for m in e["measure"]],
        "outcome": [label(o, language) for o in e["outcome"]],
        "lag": e["lag"].astype(int).to_numpy(),
        "estimate": np.round(e["estimate"].to_numpy(float) * factor, 3),
        "ci_low": np.round(e["low"].to_numpy(float) * factor, 3),
        "ci_high": np.round(e["high"].to_numpy(float) * factor, 3),
        "q_value": np.round(e["q_value"].to_numpy(float), 4),
        "significant": e["significant"].astype(bool).to_numpy(),
    }, columns=LINK_COLUMNS)  # fmt: skip


def findings(result: LinkageResult, language: Language) -> list[str]:
    """The plain-language key findings: significant team links (strongest first, at most 8),
    the manager rating and leaving, absence, and the EES perception gaps."""
    summary = f"summary_{language}"
    e = result.effects
    sig = e[(e["significant"] == True) & (e["status"] == "ok")]  # noqa: E712 (NaN-safe)
    sig = sig.assign(size=sig["estimate"].abs() / sig["se"]).sort_values("size", ascending=False)
    items = [str(s) for s in sig[summary].head(8)]
    r = result.retention
    if r.status == "ok" and len(r.hazard_ratios):
        hr = r.hazard_ratios.set_index("covariate")
        if "manager_rating" in hr.index and bool(hr.loc["manager_rating", "significant"]):
            items.append(str(hr.loc["manager_rating", summary]))
    if len(result.absence):
        a = result.absence
        items += [str(s) for s in a.loc[a["significant"] == True, summary]]  # noqa: E712
    if len(result.gaps):
        g = result.gaps[(result.gaps["significant"] == True) & (result.gaps["measure"] == "ees")]  # noqa: E712
        items += [str(s) for s in g[summary]]
    return items


def survival_bands(result: LinkageResult) -> list[dict[str, Any]]:
    """Kaplan–Meier bands: people, leavers and the share still employed at 12 and 24 months
    of tenure (``None`` beyond the longest tenure seen)."""
    rows = []
    for band, part in result.retention.survival.groupby("band", sort=False):
        part = part.sort_values("tenure_months")
        row: dict[str, Any] = {"band": str(band), "people": int(part["people"].iloc[0]),
                               "leavers": int(part["leavers"].iloc[0])}  # fmt: skip
        for months in SURVIVAL_AT:
            seen = part[part["tenure_months"] <= months]
            inside = months <= float(part["tenure_months"].max())
            row[f"at_{months}"] = float(seen["survival"].iloc[-1]) if inside and len(seen) else None
        rows.append(row)
    return rows


def _context(request: Request, current: Viewer) -> tuple[Computed, Language]:
    access.check_page(current.user, "linkage")
    return computed(web_state(request)), formatter(request).language


@router.get("/linkage")
def linkage_page(request: Request, current: CurrentViewer) -> Response:
    done, language = _context(request, current)
    values: dict[str, Any] = {
        **_chrome(request, current, "linkage"), "problem": done.problem, "result": done.result,
        "label": lambda code: label(code, language),
        "status_text": lambda status: status_text(status, language),
    }  # fmt: skip
    result = done.result
    if result is not None:
        skipped = result.effects.loc[result.effects["status"] != "ok", "status"].map(
            lambda status: status_text(status, language)
        )
        values |= {
            "findings": findings(result, language), "links": links_table(result, language),
            "skipped": skipped.value_counts().to_dict(), "notes": result.notes[language],
            "drivers": None if result.drivers is None
            else result.drivers.table.sort_values("share", ascending=False),
            "bands": survival_bands(result) if result.retention.status == "ok" else [],
            "gaps": result.gaps, "survival_at": SURVIVAL_AT, "group_names": GROUP_NAMES,
        }  # fmt: skip
    return render(request, "linkage.html", **values)


@router.get("/linkage/csv/links")
def linkage_csv(request: Request, current: CurrentViewer) -> Response:
    done, language = _context(request, current)
    frame = pd.DataFrame(columns=LINK_COLUMNS)
    if done.result is not None:
        frame = links_table(done.result, language)
    return Response(
        frame.to_csv(index=False, lineterminator="\n"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="keizer-linkage-links.csv"'},
    )  # fmt: skip
