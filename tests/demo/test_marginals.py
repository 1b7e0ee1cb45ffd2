"""The demo organisation matches the specification's marginals."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from keizer.demo.spec import REFERENCE_VOLUMES

SQL = Callable[[str], dict[str, np.ndarray]]

START = "DATE '2024-11-01'"  # 24 months up to 2026-10
MONTHS = f"""(SELECT CAST(unnest(generate_series({START}, DATE '2026-10-01',
              INTERVAL 1 MONTH)) AS DATE) AS ms)"""


def test_channel_volumes_are_in_the_reference_proportions(sql: SQL) -> None:
    got = sql("SELECT channel, count(*) AS n FROM interaction GROUP BY channel ORDER BY channel")
    shares = dict(zip(got["channel"], got["n"] / got["n"].sum(), strict=True))
    total = sum(REFERENCE_VOLUMES.values())
    for channel, volume in REFERENCE_VOLUMES.items():
        assert shares[channel] == pytest.approx(volume / total, abs=0.005), channel


def test_volume_follows_the_sample_rate(sql: SQL) -> None:
    n = sql("SELECT count(*) AS n FROM interaction")["n"][0]
    spec = json.loads(sql("SELECT value FROM demo_fact WHERE key = 'spec'")["value"][0])
    yearly = sum(REFERENCE_VOLUMES.values()) / 1100 * spec["employees"]
    expected = yearly * spec["months"] / 12 * spec["scale"] / 25
    assert n == pytest.approx(expected, rel=0.05)


def test_work_modes(sql: SQL) -> None:
    got = sql(f"""SELECT work_mode, count(*) AS n FROM employee
                 WHERE role = 'agent' AND hire_date < {START} GROUP BY 1 ORDER BY 1""")
    shares = dict(zip(got["work_mode"], got["n"] / got["n"].sum(), strict=True))
    assert shares == pytest.approx({"office": 0.43, "home": 0.30, "hybrid": 0.27}, abs=0.005)
    everyone = sql("SELECT avg(CAST(work_mode = 'home' AS INT)) AS home FROM employee "
                   "WHERE role = 'agent'")  # fmt: skip
    assert everyone["home"][0] == pytest.approx(0.30, abs=0.03)


def test_teams_have_10_to_14_agents_and_a_lead(sql: SQL) -> None:
    start = sql(f"""SELECT team_id, count(*) FILTER (WHERE role = 'agent') AS agents,
                          count(*) FILTER (WHERE role = 'team_lead') AS leads
                   FROM employee WHERE hire_date < {START} GROUP BY team_id
                   HAVING count(*) FILTER (WHERE role = 'team_lead') > 0""")
    assert start["agents"].min() >= 10
    assert start["agents"].max() <= 14
    assert set(start["leads"]) == {1}
    spec = json.loads(sql("SELECT value FROM demo_fact WHERE key = 'spec'")["value"][0])
    assert len(start["team_id"]) == round(spec["employees"] / 12)
    monthly = sql(f"""SELECT e.team_id, m.ms, count(*) AS agents FROM employee e, {MONTHS} m
                     WHERE e.role = 'agent' AND e.hire_date <= m.ms
                       AND (e.leave_date IS NULL OR e.leave_date > m.ms)
                     GROUP BY 1, 2""")
    assert 10 <= monthly["agents"].mean() <= 14
    assert np.mean((monthly["agents"] >= 9) & (monthly["agents"] <= 15)) > 0.95


def test_monthly_voluntary_turnover_between_1_and_2_percent(sql: SQL) -> None:
    got = sql(f"""
        SELECT m.ms,
          (SELECT count(*) FROM employee e WHERE e.hire_date <= m.ms
             AND (e.leave_date IS NULL OR e.leave_date > m.ms)) AS headcount,
          (SELECT count(*) FROM hr_event h WHERE h.kind = 'leave' AND h.voluntary
             AND h.event_date >= m.ms AND h.event_date < m.ms + INTERVAL 1 MONTH) AS leavers
        FROM {MONTHS} m""")
    rate = got["leavers"].sum() / got["headcount"].sum()
    assert 0.01 <= rate <= 0.02
    reasons = sql("SELECT DISTINCT reason FROM hr_event WHERE kind = 'leave' AND voluntary")
    assert {"limited growth", "location", "stress", "pay"} <= set(reasons["reason"])
    involuntary = sql("SELECT count(*) AS n FROM hr_event WHERE kind = 'leave' AND NOT voluntary")
    assert involuntary["n"][0] > 0


def test_absence_percentage_between_4_and_7_with_a_long_tail(sql: SQL) -> None:
    got = sql(f"""
        WITH w AS (SELECT {START} AS s, DATE '2026-11-01' AS e),
        employed AS (
          SELECT sum(greatest(date_diff('day', greatest(hire_date, s),
                                        least(coalesce(leave_date, e), e)), 0)) AS days
          FROM employee, w),
        sick AS (
          SELECT sum(greatest(date_diff('day', greatest(start_date, s),
                                        least(coalesce(end_date + 1, e), e)), 0) * fraction) AS days
          FROM absence_spell, w)
        SELECT sick.days / employed.days * 100 AS pct FROM sick, employed""")
    assert 4 <= got["pct"][0] <= 7
    spells = sql("SELECT date_diff('day', start_date, end_date) + 1 AS days FROM absence_spell "
                 "WHERE end_date IS NOT NULL")  # fmt: skip
    days = spells["days"]
    assert np.mean(days <= 7) > 0.55  # many short spells
    assert np.mean(days > 42) > 0.05  # and a long tail
    assert days.max() > 180
    ongoing = sql("SELECT count(*) AS n FROM absence_spell WHERE end_date IS NULL")
    assert ongoing["n"][0] > 0


def test_nps_and_enps_are_at_realistic_levels(sql: SQL) -> None:
    got = sql("""SELECT q.metric,
                   100.0 * (count(*) FILTER (WHERE a.value_num >= 9)
                            - count(*) FILTER (WHERE a.value_num <= 6)) / count(*) AS score
                 FROM answer a JOIN question q ON q.id = a.question_id
                 WHERE q.metric IN ('nps', 'enps') GROUP BY 1""")
    score = dict(zip(got["metric"], got["score"], strict=True))
    assert -25 <= score["nps"] <= 10
    assert -40 <= score["enps"] <= 0


def test_response_rates_languages_and_links(sql: SQL) -> None:
    got = sql("""SELECT s.audience, count(*) AS n,
                   avg(CAST(r.language = 'nl' AS INT)) AS dutch,
                   count(r.interaction_id) AS linked, count(r.team_id) AS with_team,
                   count(r.respondent_role) AS with_role, count(r.channel) AS with_channel
                 FROM response r JOIN survey s ON s.id = r.survey_id GROUP BY 1""")
    row = {a: i for i, a in enumerate(got["audience"])}
    cx, ex = row["customer"], row["employee"]
    assert got["dutch"][cx] == pytest.approx(0.8, abs=0.01)
    assert got["linked"][cx] == got["n"][cx] == got["with_channel"][cx]
    assert got["with_team"][ex] == got["n"][ex] == got["with_role"][ex]
    rate = sql(f"""SELECT count(*) * 1.0 / (SELECT count(*) FROM employee e, {MONTHS} m
                   WHERE e.role = 'agent' AND e.hire_date <= m.ms
                   AND (e.leave_date IS NULL OR e.leave_date > m.ms)) AS rate
                   FROM response WHERE respondent_role = 'agent'""")
    assert 0.5 <= rate["rate"][0] <= 0.7
    roles = sql("SELECT DISTINCT respondent_role FROM response WHERE team_id IS NOT NULL")
    assert {"agent", "team_lead", "manager", "board"} <= set(roles["respondent_role"])


def test_durations_and_resolution(sql: SQL) -> None:
    got = sql("""SELECT channel, median(talk_s) AS talk, avg(CAST(resolved AS INT)) AS resolved,
                   count(hold_s) AS with_hold, count(*) AS n
                 FROM interaction GROUP BY channel""")
    talk = dict(zip(got["channel"], got["talk"], strict=True))
    assert 200 < talk["phone"] < 400
    assert 0.65 < got["resolved"].mean() < 0.85
    with_hold = dict(zip(got["channel"], got["with_hold"], strict=True))
    assert with_hold["email"] == 0
