"""The planted effects are recovered by plain regressions on the generated data.

Estimates use what the product stores (survey answers, HR events, absence spells), so they
are attenuated by measurement noise where the generator plants the effect on a latent value;
the bounds below allow for that and are far from zero.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import statsmodels.api as sm

from keizer.demo import DEFAULT_EFFECTS

SQL = Callable[[str], dict[str, np.ndarray]]
EFFECTS = DEFAULT_EFFECTS
MONTHS = """(SELECT CAST(unnest(generate_series(DATE '2024-11-01', DATE '2026-10-01',
             INTERVAL 1 MONTH)) AS DATE) AS ms)"""


def ols(y: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors of y on an intercept and ``columns``."""
    x = np.column_stack([np.ones(len(y)), *columns]).astype(float)
    beta, *_ = np.linalg.lstsq(x, y.astype(float), rcond=None)
    resid = y - x @ beta
    sigma2 = resid @ resid / (len(y) - x.shape[1])
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x.T @ x)))
    return beta, se


def poisson(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Log rate ratio per unit of ``x`` and its standard error."""
    fit = sm.GLM(y.astype(float), sm.add_constant(x.astype(float)),
                 family=sm.families.Poisson()).fit()  # fmt: skip
    return float(fit.params[1]), float(fit.bse[1])


def _team_month(sql: SQL, metric: str, source: str) -> str:
    return f"""SELECT {source}.team_id, CAST(date_trunc('month', {source}.at) AS DATE) AS month,
                      avg(a.value_num) AS value
               FROM answer a JOIN question q ON q.id = a.question_id AND q.metric = '{metric}'
               JOIN (SELECT r.id, coalesce(i.team_id, r.team_id) AS team_id,
                            coalesce(i.started_at, r.submitted_at) AS at, r.respondent_role
                     FROM response r LEFT JOIN interaction i ON i.id = r.interaction_id) {source}
                 ON {source}.id = a.response_id
               WHERE {source}.respondent_role IS NULL OR {source}.respondent_role = 'agent'
               GROUP BY 1, 2"""


def test_team_ees_drives_ces_and_csat_one_month_later(sql: SQL) -> None:
    for metric, size in (("ces", EFFECTS.ees_to_ces), ("csat", EFFECTS.ees_to_csat)):
        got = sql(f"""
            WITH cx AS ({_team_month(sql, metric, "c")}), ex AS ({_team_month(sql, "ees", "e")})
            SELECT cx.value AS cx, now.value AS ees_now, before.value AS ees_before
            FROM cx JOIN ex now ON now.team_id = cx.team_id AND now.month = cx.month
            JOIN ex before ON before.team_id = cx.team_id
             AND before.month = cx.month - INTERVAL 1 MONTH""")
        beta, se = ols(got["cx"], got["ees_before"], got["ees_now"])
        lagged, now = beta[1], beta[2]
        assert lagged / se[1] > 5, metric
        assert 0.4 * size < lagged < 1.2 * size, (metric, lagged)  # attenuated by noise
        # The lag is what matters: this month's EES adds less (it shares the team's lasting
        # level with last month's, so it is not zero).
        margin = 2 * se[2] if metric == "ces" else 0
        assert lagged > now + margin, (metric, lagged, now)


def test_a_good_manager_keeps_people(sql: SQL) -> None:
    got = sql(f"""
        WITH rating AS (
          SELECT r.team_id, avg(a.value_num) AS rating FROM answer a
          JOIN question q ON q.id = a.question_id AND q.metric = 'manager_rating'
          JOIN response r ON r.id = a.response_id WHERE r.respondent_role = 'agent'
          GROUP BY 1)
        SELECT rating.rating,
          CAST(EXISTS (SELECT 1 FROM hr_event h WHERE h.employee_id = e.id AND h.kind = 'leave'
                AND h.voluntary AND h.event_date >= m.ms
                AND h.event_date < m.ms + INTERVAL 1 MONTH) AS INT) AS left_
        FROM employee e JOIN rating ON rating.team_id = e.team_id, {MONTHS} m
        WHERE e.role = 'agent' AND e.hire_date <= m.ms
          AND (e.leave_date IS NULL OR e.leave_date > m.ms)""")
    per_point, se = poisson(got["left_"], got["rating"])
    # The rating measures lead quality with 0.9 points per SD: the true slope is -0.4 / 0.9.
    true = EFFECTS.manager_to_leaving / 0.9
    assert per_point / se < -3
    assert 1.7 * true < per_point < 0.4 * true


def test_stress_brings_more_absence(sql: SQL) -> None:
    got = sql("""
        SELECT a.value_num AS stress,
          (SELECT count(*) FROM absence_spell s WHERE s.employee_id = e.id
             AND s.start_date >= date_trunc('month', r.submitted_at)
             AND s.start_date < date_trunc('month', r.submitted_at) + INTERVAL 1 MONTH) AS spells
        FROM answer a JOIN question q ON q.id = a.question_id AND q.metric = 'stress'
        JOIN response r ON r.id = a.response_id
        JOIN employee e ON e.pseudonym = r.respondent_pseudonym
        WHERE r.respondent_role = 'agent'""")
    per_point, se = poisson(got["spells"], got["stress"])
    # Planted per SD of latent stress; one answer point is about one SD, less its noise.
    assert per_point / se > 4
    assert 0.4 * EFFECTS.stress_to_absence < per_point < 1.3 * EFFECTS.stress_to_absence


def test_home_workers_without_equipment_have_lower_ees(sql: SQL) -> None:
    got = sql("""
        SELECT max(a.value_num) FILTER (WHERE q.code = 'ees') AS ees,
               max(a.value_num) FILTER (WHERE q.code = 'home_equipment') AS equipment
        FROM answer a JOIN question q ON q.id = a.question_id
        JOIN response r ON r.id = a.response_id
        JOIN employee e ON e.pseudonym = r.respondent_pseudonym
        WHERE e.work_mode = 'home' AND r.respondent_role = 'agent'
        GROUP BY r.id HAVING count(*) FILTER (WHERE q.code = 'ees') = 1""")
    assert set(np.unique(got["equipment"])) <= {1.0, 2.0, 4.0, 5.0}
    lacking = got["equipment"] <= 2
    assert 0.4 < lacking.mean() < 0.6  # about half have proper equipment
    beta, se = ols(got["ees"], lacking)
    assert abs(beta[1] / se[1]) > 5
    assert 1.4 * EFFECTS.no_equipment_ees < beta[1] < 0.6 * EFFECTS.no_equipment_ees


def test_the_intervention_raises_information_available(sql: SQL) -> None:
    fact = json.loads(sql("SELECT value FROM demo_fact WHERE key = 'intervention'")["value"][0])
    teams = ", ".join(f"'{key}'" for key in fact["teams"])
    got = sql(f"""
        SELECT a.value_num AS info, CAST(u.source_key IN ({teams}) AS INT) AS treated,
               CAST(r.submitted_at >= DATE '{fact["month"]}-01' AS INT) AS after
        FROM answer a JOIN question q ON q.id = a.question_id AND q.metric = 'ees_information'
        JOIN response r ON r.id = a.response_id JOIN org_unit u ON u.id = r.team_id
        WHERE r.respondent_role = 'agent'""")
    treated, after = got["treated"], got["after"]
    beta, se = ols(got["info"], treated, after, treated * after)
    assert beta[3] / se[3] > 5
    size = EFFECTS.intervention_information
    assert 0.65 * size < beta[3] < 1.3 * size


def test_the_board_sees_a_rosier_organisation(sql: SQL) -> None:
    got = sql("""
        SELECT q.code, avg(a.value_num) FILTER (WHERE r.respondent_role = 'board') AS board,
               avg(a.value_num) FILTER (WHERE r.respondent_role = 'agent') AS agents,
               q.scale_max - q.scale_min AS range_
        FROM answer a JOIN question q ON q.id = a.question_id
        JOIN response r ON r.id = a.response_id
        WHERE q.code IN ('ees', 'ees_information', 'engagement', 'enps', 'stress')
        GROUP BY q.code, q.scale_max, q.scale_min""")
    gap = dict(zip(got["code"], (got["board"] - got["agents"]) / got["range_"], strict=True))
    uplift = EFFECTS.board_uplift
    for code in ("ees", "ees_information", "engagement", "enps"):
        assert 0.6 * uplift < gap[code] < 1.4 * uplift, (code, gap[code])
    assert gap["stress"] < -0.6 * uplift
