"""The linkage panel of a demo organisation built straight from the generator, without a
store: the seed studies run 100 organisations, and writing each to a database would cost
most of their time. ``test_demo_panel_matches_the_store`` proves this panel equals the one
``keizer.linkage.queries.build_panel`` reads from a store holding the same demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from keizer.demo.absence import build_absence
from keizer.demo.climate import build_climate
from keizer.demo.cx import build_cx_responses
from keizer.demo.effects import DEFAULT_EFFECTS, Effects
from keizer.demo.ex import build_ex_responses
from keizer.demo.operations import build_contacts, customer_pool
from keizer.demo.organisation import build_organisation
from keizer.demo.people import NO_LEAVE, build_people
from keizer.demo.spec import DemoSpec
from keizer.linkage.panel import Panel

CX_CODES = ("nps", "csat", "ces")


@dataclass(frozen=True)
class DemoPanel:
    panel: Panel
    intervention_teams: tuple[str, ...]
    intervention_month: str


def _day(day: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day))


def demo_panel(
    *, employees: int, months: int, seed: int, scale: float,
    effects: Effects = DEFAULT_EFFECTS,
) -> DemoPanel:  # fmt: skip
    spec = DemoSpec(employees=employees, months=months, seed=seed, scale=scale, effects=effects)
    cal = spec.calendar
    org = build_organisation(spec)
    people = build_people(spec, org)
    climate = build_climate(spec, org, people)
    labels = np.array([cal.label(m) for m in range(spec.months)], dtype=object)

    pulses = build_ex_responses(spec, org, people, climate)
    ans = pulses.answers
    numeric = ~np.isnan(ans.value_num)
    resp = ans.response[numeric]
    day = pulses.submitted_us[resp] // 86_400_000_000
    assert pulses.team_key is not None
    assert pulses.role is not None
    team_key = pulses.team_key[resp].astype(object)
    is_team = np.array([str(k).startswith("demo:team:") for k in team_key])
    ex = pd.DataFrame({
        "respondent": people.source_id[pulses.respondent[resp]],
        "role": pulses.role[resp],
        "team": np.where(is_team, team_key, None),
        "measure": ans.code[numeric], "value": ans.value_num[numeric],
        "month": labels[cal.month_of(day)],
    })  # fmt: skip

    pool = customer_pool(spec, people)
    cx_parts, contact_parts = [], []
    for month in range(spec.months):
        contacts = build_contacts(spec, org, people, climate, month, pool)
        cx = build_cx_responses(spec, climate, contacts)
        assert cx.interaction_key is not None
        where = pc.index_in(cx.interaction_key, contacts.key).to_numpy()
        a = cx.answers
        keep = np.isin(a.code, CX_CODES) & ~np.isnan(a.value_num)
        team = org.team_keys[contacts.team[where[a.response[keep]]]]
        cx_parts.append(pd.DataFrame({
            "team": team, "month": labels[month], "outcome": a.code[keep],
            "value": a.value_num[keep],
        }))  # fmt: skip
        handle = contacts.talk_s + np.nan_to_num(contacts.hold_s) + contacts.after_call_s
        contact_parts.append(pd.DataFrame({
            "team": org.team_keys[contacts.team], "month": labels[month],
            "resolved": contacts.resolved.astype(int),
            "transferred": contacts.transferred.astype(int), "handle_s": handle,
            "phone": (contacts.channel == "phone").astype(int),
            "email": (contacts.channel == "email").astype(int),
            "chat": (contacts.channel == "chat").astype(int),
        }))  # fmt: skip
    cx_all = pd.concat(cx_parts, ignore_index=True)
    cx_answers = cx_all.groupby(["team", "month", "outcome", "value"], as_index=False).size()
    cx_answers = cx_answers.rename(columns={"size": "answers"})
    c = pd.concat(contact_parts, ignore_index=True)
    g = c.groupby(["team", "month"])
    contacts_frame = g.agg(
        resolved=("resolved", "sum"), transferred=("transferred", "sum"),
        handle_s=("handle_s", "sum"), phone=("phone", "sum"), email=("email", "sum"),
        chat=("chat", "sum"),
    ).reset_index()  # fmt: skip
    contacts_frame["contacts"] = g.size().to_numpy()
    contacts_frame["resolution_known"] = contacts_frame["contacts"]
    contacts_frame["timed"] = contacts_frame["contacts"]

    is_team_person = np.array([str(k).startswith("demo:team:") for k in people.unit_key])
    band = people.birth_year - people.birth_year % 5
    left = people.leave_day != NO_LEAVE
    people_frame = pd.DataFrame({
        "person": people.source_id, "role": people.role,
        "team": np.where(is_team_person, people.unit_key.astype(object), None),
        "work_mode": people.work_mode,
        "birth_band": [f"{b}-{b + 4}" for b in band],
        "hire_date": [_day(d) for d in people.hire_day],
        "leave_date": [_day(d) if lv else None for d, lv in zip(people.leave_day, left,
                                                                 strict=True)],
        "voluntary": (people.voluntary & left).astype(int),
    })  # fmt: skip

    spells = build_absence(spec, people, climate)
    start = pd.to_datetime(pd.Series([_day(d) for d in spells.start_day]))
    onsets = pd.DataFrame(
        {"person": people.source_id[spells.person], "month": start.dt.strftime("%Y-%m")}
    )
    spells_frame = onsets.groupby(["person", "month"], as_index=False).size()
    spells_frame = spells_frame.rename(columns={"size": "spells"})

    panel = Panel(
        teams=pd.DataFrame({"team": org.team_keys}), ex_answers=ex, cx_answers=cx_answers,
        contacts=contacts_frame, people=people_frame, spells=spells_frame,
    )  # fmt: skip
    return DemoPanel(
        panel,
        tuple(str(k) for k in org.team_keys[org.intervention]),
        cal.label(org.intervention_month),
    )
