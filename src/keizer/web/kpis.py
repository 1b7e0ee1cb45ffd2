"""How each KPI is shown: label, unit, scale and decimals (values come from ``ws.kpi``)."""

from __future__ import annotations

from dataclasses import dataclass

from keizer.web.filters import Family
from keizer.web.i18n import N_


@dataclass(frozen=True)
class KpiDisplay:
    name: str
    label: str  # English; translated when rendered
    family: Family
    decimals: int = 1
    scale: float = 1.0  # shares (0-1) are shown as percentages
    unit: str = ""


_ALL = [
    KpiDisplay("nps", N_("NPS"), "cx"),
    KpiDisplay("csat", N_("CSAT"), "cx", scale=100.0, unit="%"),
    KpiDisplay("ces", N_("CES"), "cx", decimals=2),
    KpiDisplay("ces_agree", N_("CES agree"), "cx", scale=100.0, unit="%"),
    KpiDisplay("enps", N_("eNPS"), "ex"),
    KpiDisplay("ees", N_("EES"), "ex", decimals=2),
    KpiDisplay("ees_agree", N_("EES agree"), "ex", scale=100.0, unit="%"),
    KpiDisplay("ees_time", N_("Time available"), "ex", decimals=2),
    KpiDisplay("ees_information", N_("Information available"), "ex", decimals=2),
    KpiDisplay("ees_authority", N_("Authority"), "ex", decimals=2),
    KpiDisplay("ees_competence", N_("Competences"), "ex", decimals=2),
    KpiDisplay("engagement", N_("Engagement"), "ex", decimals=2),
    KpiDisplay("wellbeing", N_("Wellbeing"), "ex", decimals=2),
    KpiDisplay("burnout_risk", N_("Burnout risk"), "ex", scale=100.0, unit="%"),
    KpiDisplay("headcount", N_("Headcount"), "workforce", decimals=0),
    KpiDisplay("hires", N_("Hires"), "workforce", decimals=0),
    KpiDisplay("leavers", N_("Leavers"), "workforce", decimals=0),
    KpiDisplay("leavers_by_reason", N_("Leavers"), "workforce", decimals=0),
    KpiDisplay("voluntary_turnover", N_("Voluntary turnover"), "workforce", unit="%"),
    KpiDisplay("turnover", N_("Turnover"), "workforce", unit="%"),
    KpiDisplay("turnover_cost", N_("Turnover cost"), "workforce", decimals=0, unit="€"),
    KpiDisplay("verzuimpercentage", N_("Absence rate"), "workforce", decimals=2, unit="%"),
    KpiDisplay("meldingsfrequentie", N_("Absence frequency"), "workforce", decimals=2),
    KpiDisplay("verzuimduur", N_("Absence duration (days)"), "workforce"),
    KpiDisplay("ex_response_rate", N_("Response rate"), "workforce", unit="%"),
    KpiDisplay("aht", N_("AHT (s)"), "operations", decimals=0),
    KpiDisplay("acw_share", N_("ACW share"), "operations", unit="%"),
    KpiDisplay("fcr", N_("FCR"), "operations", unit="%"),
    KpiDisplay("contact_volume", N_("Contacts"), "operations", decimals=0),
    KpiDisplay("theme_share", N_("Share of comments"), "cx", scale=100.0, unit="%"),
    KpiDisplay("emotion_share", N_("Share of comments"), "cx", scale=100.0, unit="%"),
    KpiDisplay("vulnerable_share", N_("Share of comments"), "cx", scale=100.0, unit="%"),
]
KPIS: dict[str, KpiDisplay] = {k.name: k for k in _ALL}


def display(name: str) -> KpiDisplay:
    return KPIS[name]
