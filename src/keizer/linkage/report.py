"""The linkage report: a self-contained HTML page (Plotly's JavaScript inlined from the
installed ``plotly`` package, no CDN) and a JSON document, in English or Dutch."""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from keizer._version import __version__
from keizer.linkage.analysis import LinkageResult
from keizer.linkage.labels import Language, label, status_text
from keizer.linkage.panel import CX_OUTCOMES, DRIVERS, records
from keizer.linkage.summaries import number

TEXT: dict[str, dict[Language, str]] = {
    "title": {"en": "EX ↔ CX linkage", "nl": "Samenhang medewerker- en klantbeleving"},
    "intro": {
        "en": "Which employee factors go together with customer outcomes, turnover and absence "
        "in your organisation, with the size of each link and its uncertainty.",
        "nl": "Welke medewerkerfactoren samengaan met klantuitkomsten, verloop en verzuim in uw "
        "organisatie, met de grootte van elk verband en de onzekerheid ervan.",
    },
    "scope": {"en": "Data", "nl": "Gegevens"},
    "findings": {"en": "Key findings", "nl": "Belangrijkste bevindingen"},
    "none": {"en": "No link is significant after correction for multiple testing.",
             "nl": "Geen enkel verband is significant na correctie voor meervoudig toetsen."},
    "effects": {"en": "Employee measures and customer outcomes one month later",
                "nl": "Medewerkermaten en klantuitkomsten een maand later"},
    "lags": {"en": "How long the effect of EES lasts", "nl": "Hoe lang het effect van EES duurt"},
    "drivers": {"en": "Which EES driver matters most", "nl": "Welke EES-driver het zwaarst weegt"},
    "retention": {"en": "Retention and the manager", "nl": "Behoud en de leidinggevende"},
    "expected": {"en": "Expected voluntary leavers in the next 12 months",
                 "nl": "Verwachte vrijwillige vertrekkers in de komende 12 maanden"},
    "absence": {"en": "Work pressure, wellbeing and absence",
                "nl": "Werkdruk, welzijn en verzuim"},
    "gaps": {"en": "Perception gaps: management vs front line",
             "nl": "Perceptieverschillen: management en frontlinie"},
    "equipment": {"en": "Working from home without proper equipment",
                  "nl": "Thuiswerken zonder goede apparatuur"},
    "intervention": {"en": "Intervention", "nl": "Interventie"},
    "methods": {"en": "Methods and guard rails", "nl": "Methoden en waarborgen"},
    "all": {"en": "All tested links", "nl": "Alle getoetste verbanden"},
    "not_shown": {"en": "Not shown", "nl": "Niet getoond"},
}  # fmt: skip

METHODS: dict[Language, list[str]] = {
    "en": [
        "Team × month panel; employee measures count only for team-months with at least "
        "{min_group} respondents (anonymity threshold); smaller teams are left out, never shown.",
        "Effects: customer outcome (latent team mean, corrected for the capped answer scale) on "
        "the employee measure of the same team 0–3 months earlier, with month effects and "
        "case-mix controls (resolution, transfers, channel mix, volume), corrected for the "
        "sampling error of team means; intervals robust to clustering within teams.",
        "Models are shown only with at least {min_teams} teams and {min_months} months; "
        "'significant' means a false-discovery rate of at most {alpha} over all links tested "
        "(Benjamini–Hochberg).",
        "Retention: Cox model of voluntary leaving on tenure with late entry; Kaplan–Meier "
        "curves by manager-rating band. Absence: Poisson model of sickness reports with "
        "person-clustered errors. No prediction for any person is shown.",
        "See docs/linkage.md for every model, its assumptions and its limits.",
    ],
    "nl": [
        "Panel van teams × maanden; medewerkermaten tellen alleen mee voor team-maanden met "
        "minstens {min_group} respondenten (anonimiteitsdrempel); kleinere teams blijven buiten "
        "beschouwing en worden nooit getoond.",
        "Effecten: klantuitkomst (latent teamgemiddelde, gecorrigeerd voor de begrensde "
        "antwoordschaal) op de medewerkermaat van hetzelfde team 0–3 maanden eerder, met "
        "maandeffecten en correctie voor de mix van contacten (oplossing, doorverbindingen, "
        "kanalen, volume) en voor de steekproeffout van teamgemiddelden; intervallen robuust "
        "voor clustering binnen teams.",
        "Modellen worden alleen getoond bij minstens {min_teams} teams en {min_months} maanden; "
        "'significant' betekent een false-discovery rate van hooguit {alpha} over alle getoetste "
        "verbanden (Benjamini–Hochberg).",
        "Behoud: Cox-model van vrijwillig vertrek op diensttijd; Kaplan–Meier-curves per "
        "band van het rapportcijfer van de leidinggevende. Verzuim: Poisson-model van "
        "ziekmeldingen. Er wordt geen voorspelling voor een persoon getoond.",
        "Zie docs/linkage.md voor elk model, de aannames en de grenzen.",
    ],
}


def to_json(result: LinkageResult) -> dict[str, Any]:
    """The whole result as plain JSON types (NaN becomes null)."""

    def frame(df: pd.DataFrame) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = json.loads(df.to_json(orient="records", force_ascii=False))
        return records

    r = result.retention
    doc: dict[str, Any] = {
        "keizer": __version__,
        "teams": result.teams,
        "months": result.months,
        "options": {k: v for k, v in vars(result.options).items() if k != "lags"}
        | {"lags": list(result.options.lags)},
        "notes": result.notes,
        "effects": frame(result.effects),
        "correlations": frame(result.correlations),
        "drivers": None if result.drivers is None else {
            "r2": result.drivers.r2, "responses": result.drivers.responses,
            "teams": result.drivers.teams, "table": frame(result.drivers.table),
        },
        "joint_drivers": [
            {"outcome": j.outcome, "lag": j.lag, "cells": j.cells, "teams": j.teams,
             "table": frame(j.table)} for j in result.joint
        ],
        "retention": {
            "status": r.status, "people": r.people, "events": r.events, "teams": r.teams,
            "expected_leavers": _num(r.expected_leavers), "expected_low": _num(r.expected_low),
            "expected_high": _num(r.expected_high), "expected_cost": _num(r.expected_cost),
            "hazard_ratios": frame(r.hazard_ratios), "survival": frame(r.survival),
        },
        "absence": frame(result.absence),
        "gaps": frame(result.gaps),
        "equipment": frame(result.equipment),
        "intervention": None if result.intervention is None else {
            k: _num(v) if isinstance(v, float) else v for k, v in vars(result.intervention).items()
        },
    }  # fmt: skip
    return doc


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


# -- HTML ---------------------------------------------------------------------------------------
def to_html(result: LinkageResult, language: Language = "en") -> str:
    """A self-contained HTML report (about 5 MB: Plotly's JavaScript is inlined)."""
    t = {key: value[language] for key, value in TEXT.items()}
    o = result.options
    sections = [
        f"<h1>{t['title']}</h1><p class=lead>{t['intro']}</p>",
        f"<p class=note>{html.escape(result.notes[language][0])}</p>",
        _scope(result, language),
        _findings(result, language, t),
        _section(t["effects"], _figure(_forest(result, language))),
        _section(t["lags"], _figure(_lag_chart(result, language))),
    ]
    if result.drivers is not None:
        sections.append(_section(t["drivers"], _figure(_driver_chart(result, language))))
    sections.append(_retention_section(result, language, t))
    if len(result.absence):
        items = "".join(f"<li>{html.escape(s)}</li>" for s in result.absence[f"summary_{language}"])
        sections.append(_section(t["absence"], f"<ul>{items}</ul>"))
    if len(result.gaps):
        sections.append(_section(t["gaps"], _figure(_gap_chart(result, language))))
    if len(result.equipment):
        sections.append(_section(t["equipment"], _equipment_table(result, language)))
    if result.intervention is not None:
        sections.append(_section(t["intervention"], _intervention(result, language)))
    values = {"min_group": o.min_group_size, "min_teams": o.min_teams,
              "min_months": o.min_months, "alpha": o.alpha}  # fmt: skip
    methods = "".join(f"<li>{html.escape(m.format(**values))}</li>" for m in METHODS[language])
    sections.append(_section(t["methods"], f"<ul>{methods}</ul>"))
    sections.append(_section(t["all"], _effects_table(result, language)))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>keizer — {t["title"]}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1000px;
margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.45}}
h1{{margin-bottom:.2rem}} h2{{margin-top:2.2rem;border-bottom:1px solid #d9e2ec}}
.lead{{font-size:1.1rem;color:#52606d}} .note{{background:#fff8e1;padding:.6rem .9rem;
border-left:4px solid #f0b429}} table{{border-collapse:collapse;font-size:.85rem;width:100%}}
td,th{{padding:.25rem .5rem;border-bottom:1px solid #e4e7eb;text-align:left}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}} .muted{{color:#7b8794}}
li{{margin:.3rem 0}}
</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
{body}
<p class=muted>keizer {__version__} · {stamp}</p>
</body></html>
"""


def _section(title: str, content: str) -> str:
    return f"<h2>{html.escape(title)}</h2>\n{content}"


def _figure(fig: go.Figure | None) -> str:
    if fig is None:
        return "<p class=muted>–</p>"
    fig.update_layout(template="plotly_white", margin={"l": 10, "r": 10, "t": 30, "b": 10})
    out: str = fig.to_html(full_html=False, include_plotlyjs=False,
                           config={"displaylogo": False, "responsive": True})  # fmt: skip
    return out


def _scope(result: LinkageResult, language: Language) -> str:
    months = result.months
    span = f"{months[0]} – {months[-1]}" if months else "–"
    if language == "en":
        text = f"{result.teams} teams, {len(months)} months ({span})."
    else:
        text = f"{result.teams} teams, {len(months)} maanden ({span})."
    return f"<p>{html.escape(text)}</p>"


def _findings(result: LinkageResult, language: Language, t: dict[str, str]) -> str:
    e = result.effects
    sig = e[(e["significant"] == True) & (e["lag"] == 1)]  # noqa: E712 (NaN-safe)
    sig = sig.assign(size=sig["estimate"].abs() / sig["se"]).sort_values("size", ascending=False)
    items = [str(s) for s in sig[f"summary_{language}"].head(8)]
    r = result.retention
    if r.status == "ok":
        hr = r.hazard_ratios.set_index("covariate")
        if "manager_rating" in hr.index and bool(hr.loc["manager_rating", "significant"]):
            items.append(str(hr.loc["manager_rating", f"summary_{language}"]))
    if len(result.absence):
        items += [str(s) for s in result.absence.loc[result.absence["significant"] == True,  # noqa: E712
                                                     f"summary_{language}"]]  # fmt: skip
    if len(result.gaps):
        g = result.gaps[result.gaps["significant"] == True]  # noqa: E712
        items += [str(s) for s in g[g["measure"] == "ees"][f"summary_{language}"]]
    if not items:
        return _section(t["findings"], f"<p>{t['none']}</p>")
    body = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return _section(t["findings"], f"<ul>{body}</ul>")


def _forest(result: LinkageResult, language: Language) -> go.Figure | None:
    e = result.effects
    e = e[(e["lag"] == 1) & (e["status"] == "ok") & e["measure"].isin(["ees", *DRIVERS])
          & e["outcome"].isin(CX_OUTCOMES)]  # fmt: skip
    if e.empty:
        return None
    measures = ["ees", *DRIVERS]
    fig = go.Figure()
    for k, outcome in enumerate(CX_OUTCOMES):
        part = e[e["outcome"] == outcome]
        # One row per measure, the outcomes side by side within it.
        rows = [measures.index(m) + (k - 1) * 0.22 for m in part["measure"]]
        fig.add_trace(go.Scatter(
            x=part["estimate"], y=rows,
            error_x={"type": "data", "symmetric": False,
                     "array": part["high"] - part["estimate"],
                     "arrayminus": part["estimate"] - part["low"]},
            mode="markers", name=label(outcome, language),
        ))  # fmt: skip
    fig.add_vline(x=0, line_dash="dot", line_color="#9aa5b1")
    fig.update_layout(
        height=420,
        xaxis_title="per point" if language == "en" else "per punt",
        legend_orientation="h",
        yaxis={"tickvals": list(range(len(measures))),
               "ticktext": [label(m, language) for m in measures], "zeroline": False},
    )  # fmt: skip
    return fig


def _lag_chart(result: LinkageResult, language: Language) -> go.Figure | None:
    e = result.effects
    e = e[(e["measure"] == "ees") & (e["status"] == "ok") & e["outcome"].isin(CX_OUTCOMES)]
    if e.empty:
        return None
    fig = go.Figure()
    for outcome in CX_OUTCOMES:
        part = e[e["outcome"] == outcome].sort_values("lag")
        fig.add_trace(go.Scatter(
            x=part["lag"], y=part["estimate"], mode="lines+markers", name=label(outcome, language),
            error_y={"type": "data", "symmetric": False, "array": part["high"] - part["estimate"],
                     "arrayminus": part["estimate"] - part["low"]},
        ))  # fmt: skip
    fig.add_hline(y=0, line_dash="dot", line_color="#9aa5b1")
    fig.update_layout(
        height=340, legend_orientation="h", xaxis_dtick=1,
        xaxis_title="months later" if language == "en" else "maanden later",
        yaxis_title="per EES point" if language == "en" else "per EES-punt",
    )  # fmt: skip
    return fig


def _driver_chart(result: LinkageResult, language: Language) -> go.Figure | None:
    d = result.drivers
    if d is None:
        return None
    table = d.table
    fig = go.Figure(go.Bar(
        x=table["share"] * 100, y=[label(x, language) for x in table["driver"]], orientation="h",
        error_x={"type": "data", "symmetric": False,
                 "array": (table["high"] - table["weight"]) / d.r2 * 100,
                 "arrayminus": (table["weight"] - table["low"]) / d.r2 * 100},
    ))  # fmt: skip
    title = (f"share of explained EES variance (R² {number(d.r2, language)}, "
             f"n {d.responses:,})" if language == "en" else
             f"aandeel in verklaarde EES-variantie (R² {number(d.r2, language)}, "
             f"n {d.responses:,})")  # fmt: skip
    fig.update_layout(height=300, xaxis_title=title, yaxis_autorange="reversed")
    return fig


def _retention_section(result: LinkageResult, language: Language, t: dict[str, str]) -> str:
    r = result.retention
    if r.status != "ok":
        return _section(
            t["retention"],
            f"<p class=muted>{t['not_shown']}: {html.escape(status_text(r.status, language))}</p>",
        )
    hr = r.hazard_ratios.set_index("covariate")
    parts = []
    if "manager_rating" in hr.index:
        parts.append(f"<p>{html.escape(str(hr.loc['manager_rating', f'summary_{language}']))}</p>")
    if len(r.survival):
        fig = go.Figure()
        for band, part in r.survival.groupby("band", sort=False):
            name = (f"manager rating {band} ({int(part['people'].iloc[0])} people)"
                    if language == "en" else
                    f"rapportcijfer {band} ({int(part['people'].iloc[0])} personen)")  # fmt: skip
            fig.add_trace(go.Scatter(x=part["tenure_months"], y=part["survival"], name=name,
                                     line_shape="hv"))  # fmt: skip
        fig.update_layout(
            height=360, legend_orientation="h",
            xaxis_title="tenure (months)" if language == "en" else "diensttijd (maanden)",
            yaxis_title="still employed" if language == "en" else "nog in dienst",
        )  # fmt: skip
        parts.append(_figure(fig))
    cost = number(r.expected_cost, language, 0)
    if language == "en":
        parts.append(
            f"<p><b>{t['expected']}:</b> {number(r.expected_leavers, language, 0)} "
            f"({number(r.expected_low, language, 0)}–{number(r.expected_high, language, 0)}), "
            f"costing about €{cost} at €{number(result.options.cost_per_leaver, language, 0)} "
            "per leaver. Totals only: keizer never shows a prediction for a person.</p>"
        )
    else:
        parts.append(
            f"<p><b>{t['expected']}:</b> {number(r.expected_leavers, language, 0)} "
            f"({number(r.expected_low, language, 0)}–{number(r.expected_high, language, 0)}), "
            f"kosten ongeveer €{cost} bij €{number(result.options.cost_per_leaver, language, 0)} "
            "per vertrekker. Alleen totalen: keizer toont nooit een voorspelling per persoon.</p>"
        )
    rows = "".join(
        f"<tr><td>{html.escape(str(c))}</td><td class=num>{number(h.hr, language)}</td>"
        f"<td class=num>{number(h.low, language)}–{number(h.high, language)}</td>"
        f"<td class=num>{number(h.q_value, language, 3)}</td></tr>"
        for c, h in zip(hr.index, records(hr), strict=True)
    )
    parts.append(f"<table><tr><th></th><th>HR</th><th>95 %</th><th>q</th></tr>{rows}</table>")
    return _section(t["retention"], "\n".join(parts))


def _gap_chart(result: LinkageResult, language: Language) -> go.Figure | None:
    g = result.gaps
    fig = go.Figure()
    names = {"board": ("board", "directie"), "manager": ("managers", "managers"),
             "team_lead": ("team leads", "teamleiders")}  # fmt: skip
    for group, part in g.groupby("group", sort=False):
        en, nl = names.get(str(group), (str(group), str(group)))
        fig.add_trace(go.Scatter(
            x=part["gap"], y=[label(m, language) for m in part["measure"]], mode="markers",
            name=en if language == "en" else nl,
            error_x={"type": "data", "symmetric": False, "array": part["high"] - part["gap"],
                     "arrayminus": part["gap"] - part["low"]},
        ))  # fmt: skip
    fig.add_vline(x=0, line_dash="dot", line_color="#9aa5b1")
    fig.update_layout(
        height=420, legend_orientation="h",
        xaxis_title=("answer points above front-line staff" if language == "en"
                     else "antwoordpunten boven de frontlinie"),
    )  # fmt: skip
    return fig


def _equipment_table(result: LinkageResult, language: Language) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(r.work_mode))}</td><td class=num>{r.lacking}</td>"
        f"<td class=num>{r.equipped}</td><td class=num>{number(r.difference, language)}</td>"
        f"<td class=num>{number(r.low, language)}–{number(r.high, language)}</td></tr>"
        for r in records(result.equipment)
    )
    head = ("<tr><th>work mode</th><th>without</th><th>with</th><th>EES difference</th>"
            "<th>95 %</th></tr>" if language == "en" else
            "<tr><th>werkvorm</th><th>zonder</th><th>met</th><th>verschil EES</th>"
            "<th>95 %</th></tr>")  # fmt: skip
    return f"<table>{head}{rows}</table>"


def _intervention(result: LinkageResult, language: Language) -> str:
    i = result.intervention
    assert i is not None
    if i.status != "ok":
        return f"<p class=muted>{html.escape(status_text(i.status, language))}</p>"
    if language == "en":
        text = (f"From {i.start} on, '{label(i.measure, 'en')}' rose by "
                f"{number(i.effect, 'en')} points in the {i.treated_teams} teams with the "
                f"intervention compared with the {i.other_teams} others (95 % CI "
                f"{number(i.low, 'en')}–{number(i.high, 'en')}).")  # fmt: skip
    else:
        text = (f"Vanaf {i.start} steeg '{label(i.measure, 'nl')}' met "
                f"{number(i.effect, 'nl')} punt in de {i.treated_teams} teams met de "
                f"interventie ten opzichte van de {i.other_teams} andere (95%-BI "
                f"{number(i.low, 'nl')}–{number(i.high, 'nl')}).")  # fmt: skip
    return f"<p>{html.escape(text)}</p>"


def _effects_table(result: LinkageResult, language: Language) -> str:
    e = result.effects
    rows = []
    for r in records(e):
        if r.status != "ok":
            rows.append(
                f"<tr><td>{html.escape(label(r.measure, language))}</td>"
                f"<td>{html.escape(label(r.outcome, language))}</td><td class=num>{r.lag}</td>"
                f"<td colspan=4 class=muted>{html.escape(status_text(r.status, language))}</td>"
                "</tr>"
            )
            continue
        mark = " *" if r.significant else ""
        rows.append(
            f"<tr><td>{html.escape(label(r.measure, language))}</td>"
            f"<td>{html.escape(label(r.outcome, language))}</td><td class=num>{r.lag}</td>"
            f"<td class=num>{number(r.estimate, language, 3)}{mark}</td>"
            f"<td class=num>{number(r.low, language, 3)}–{number(r.high, language, 3)}</td>"
            f"<td class=num>{number(r.q_value, language, 3)}</td>"
            f"<td class=num>{r.teams} / {r.cells}</td></tr>"
        )
    head = ("<tr><th>employee measure</th><th>outcome</th><th>lag</th><th>per unit</th>"
            "<th>95 %</th><th>q</th><th>teams / cells</th></tr>" if language == "en" else
            "<tr><th>medewerkermaat</th><th>uitkomst</th><th>vertraging</th><th>per eenheid</th>"
            "<th>95 %</th><th>q</th><th>teams / cellen</th></tr>")  # fmt: skip
    return f"<table>{head}{''.join(rows)}</table>"
