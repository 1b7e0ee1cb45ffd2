"""What every KPI computation returns, and the segments it can be cut by.

All KPI code (survey scores, operations, workforce) returns a DataFrame with one row per group:
the ``by`` columns first (in the order asked), then ``RESULT_COLUMNS``. The dispatcher
(``keizer.metrics.kpi``) adds the comparison columns and applies the anonymity guard.
"""

from __future__ import annotations

from typing import Literal

# One row per group, after the ``by`` columns.
RESULT_COLUMNS = (
    "kpi",  # the KPI's name, e.g. "nps"
    "value",  # the estimate (NaN when suppressed: never 0)
    "n",  # respondents / contacts / employees (average headcount) / spells behind the value
    "ci_low",
    "ci_high",
    "method",  # how the interval was computed (see docs/metrics.md)
    "low_n",  # n below the precision minimum of keizer.metrics.statistics.MIN_N
    "suppressed",  # hidden by the anonymity guard (EX and workforce figures only)
    "reason",  # why suppressed (None when shown)
)
# Added when a comparison is asked for.
COMPARISON_COLUMNS = (
    "compare_value", "compare_n", "change", "change_ci_low", "change_ci_high", "p_value",
    "p_adjusted", "significant",
)  # fmt: skip

Segment = Literal[
    "team",  # the team's org-unit source_key
    "department",  # the department above the team (source_key)
    "location",  # the location above the department (source_key)
    "organisation",  # the organisation at the top (source_key)
    "channel",  # phone / email / chat / social / counter
    "work_mode",  # office / home / hybrid (the employee's)
    "role",  # agent / team_lead / manager / board / staff
    "tenure_band",  # "<1y", "1-2y", "2-5y", "5y+" at the period's end (employees)
    "generation_band",  # "before 1965", "1965-1979", "1980-1994", "1995 and later"
    "month",  # "2025-03"
    "quarter",  # "2025-Q1"
    "year",  # "2025"
    "survey",  # the survey's source_key
]
SEGMENTS: tuple[str, ...] = (
    "team", "department", "location", "organisation", "channel", "work_mode", "role",
    "tenure_band", "generation_band", "month", "quarter", "year", "survey",
)  # fmt: skip
TENURE_BANDS = ((0, 365, "<1y"), (365, 730, "1-2y"), (730, 1826, "2-5y"), (1826, None, "5y+"))
GENERATION_BANDS = (
    (None, 1965, "before 1965"), (1965, 1980, "1965-1979"), (1980, 1995, "1980-1994"),
    (1995, None, "1995 and later"),
)  # fmt: skip
