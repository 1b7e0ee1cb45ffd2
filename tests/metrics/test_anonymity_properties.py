"""Property tests: nothing the engine returns lets anyone work out a group below k.

Random org trees (organisation > 1-3 locations > 1-3 departments > 1-4 teams of 0-15
respondents), each respondent with a month (up to two quarters) and a work mode. "The engine"
is simulated: every query of the family below is computed with pandas and passed through the
guard exactly as the dispatcher does. Every published cell becomes an indicator vector over
respondents; a figure of a set S can be derived by adding and subtracting published figures
exactly when S's indicator lies in their span (sums, counts, sums of squares and therefore
means, NPS and intervals are all linear in per-response numbers, weighted by that vector).

Query family: by organisation, location, department or team (or nothing) × by nothing, month
or quarter × unfiltered, where work_mode = home, where work_mode = office, by work_mode.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keizer.metrics.anonymity import (
    ALL,
    ORG_LEVELS,
    AnonymityPlan,
    plan_comments,
    plan_figures,
    protect,
    protect_comments,
    time_parent,
)

MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
MODES = ("home", "office")


@st.composite
def organisations(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    """One response per respondent: org path, month, work mode; and k."""
    k = draw(st.sampled_from([3, 4, 5]))
    months = MONTHS[: draw(st.integers(1, len(MONTHS)))]
    home_share = draw(st.sampled_from([0.0, 0.2, 0.5, 0.8, 1.0]))
    rows = []
    for loc in range(draw(st.integers(1, 3))):
        for dep in range(draw(st.integers(1, 3))):
            for team in range(draw(st.integers(1, 4))):
                size = draw(st.integers(0, 15))
                for i in range(size):
                    month = draw(st.sampled_from(months))
                    home = draw(st.floats(0, 1)) < home_share
                    rows.append(
                        {
                            "organisation": "org",
                            "location": f"L{loc}",
                            "department": f"L{loc}D{dep}",
                            "team": f"L{loc}D{dep}T{team}",
                            "month": month,
                            "work_mode": "home" if home else "office",
                            "respondent": f"L{loc}D{dep}T{team}-{i}",
                        }
                    )
    columns = [*ORG_LEVELS, "month", "work_mode", "respondent"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["quarter"] = [time_parent(m) for m in frame["month"]]
    frame["score"] = np.arange(len(frame)) % 11
    return frame, k


def queries() -> list[tuple[tuple[str, ...], dict[str, str]]]:
    """(by, where) of every query in the family."""
    family = []
    for org, time in itertools.product([None, *ORG_LEVELS], [None, "month", "quarter"]):
        by = tuple(c for c in (org, time) if c)
        family.append((by, {}))
        family.extend((by, {"work_mode": mode}) for mode in MODES)
        family.append(((*by, "work_mode"), {}))
    return family


def engine(data: pd.DataFrame, by: tuple[str, ...], where: dict[str, str]) -> pd.DataFrame:
    """Per-group n and mean score, as the KPI code would return them; ``members`` holds the
    positions (in ``data``) of the group's respondents."""
    keep = np.ones(len(data), dtype=bool)
    for name, value in where.items():
        keep &= (data[name] == value).to_numpy()
    positions = np.flatnonzero(keep)
    if by:
        found = data.iloc[positions].groupby(list(by), sort=True).indices
        keys = [key if isinstance(key, tuple) else (key,) for key in found]
        members = [positions[idx] for idx in found.values()]
        result = pd.DataFrame(keys, columns=list(by))
    else:
        members = [positions] if len(positions) else []
        result = pd.DataFrame(index=range(len(members)))
    score = data["score"].to_numpy()
    result["kpi"] = "score"
    result["n"] = np.array([len(m) for m in members], dtype=np.int64)
    result["value"] = [score[m].mean() for m in members]
    result["members"] = members
    return result


def published_vectors(
    data: pd.DataFrame, plans: dict[bool, AnonymityPlan], k: int
) -> tuple[np.ndarray, int]:
    """Indicator vectors of every published cell of every query; and the cells shown."""
    vectors = []
    for by, where in queries():
        result = engine(data, by, where)
        if result.empty:
            continue
        filtered = bool(where) or "work_mode" in by
        shown = protect(result, plans[filtered], by=by, where=where)
        assert shown["n"][shown["suppressed"]].isna().all()
        assert shown["value"][shown["suppressed"]].isna().all()
        for row in shown[~shown["suppressed"]].itertuples():
            assert row.n >= k
            vector = np.zeros(len(data))
            vector[row.members] = 1.0
            vectors.append(vector)
    if not vectors:
        return np.zeros((0, len(data))), 0
    return np.array(vectors), len(vectors)


def natural_groups(data: pd.DataFrame) -> list[np.ndarray]:
    """Boolean masks of every cell of the family (org × period × work mode)."""
    masks = []
    org_cols = [None, *ORG_LEVELS]
    for oc, tc, sc in itertools.product(org_cols, [None, "month", "quarter"], [None, "work_mode"]):
        keys = [c for c in (oc, tc, sc) if c]
        if not keys:
            masks.append(np.ones(len(data), dtype=bool))
            continue
        for idx in data.groupby(keys).indices.values():
            mask = np.zeros(len(data), dtype=bool)
            mask[idx] = True
            masks.append(mask)
    return masks


def derivable(basis: np.ndarray, vector: np.ndarray) -> bool:
    """Whether ``vector`` lies in the span whose orthonormal basis is the rows of ``basis``."""
    residual = vector - basis.T @ (basis @ vector)
    return bool(np.linalg.norm(residual) < 1e-6)


def span_basis(vectors: np.ndarray) -> np.ndarray:
    if not len(vectors):
        return np.zeros((0, vectors.shape[1]))
    _, s, vt = np.linalg.svd(vectors, full_matrices=False)
    return vt[s > 1e-9 * max(1.0, s[0])]


QUICK = settings(
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
THOROUGH = settings(QUICK, max_examples=400)


@QUICK
@given(organisations())
def test_no_small_group_can_be_derived(case: tuple[pd.DataFrame, int]) -> None:
    check_no_small_group_can_be_derived(case)


@pytest.mark.slow  # 400 examples, about a minute: runs in CI
@THOROUGH
@given(organisations())
def test_no_small_group_can_be_derived_thoroughly(case: tuple[pd.DataFrame, int]) -> None:
    check_no_small_group_can_be_derived(case)


def check_no_small_group_can_be_derived(case: tuple[pd.DataFrame, int]) -> None:
    """The property; see the module docstring."""
    data, k = case
    if data.empty:
        return
    plans = {False: plan_figures(data, min_group_size=k),
             True: plan_figures(data, min_group_size=k, segment="work_mode")}  # fmt: skip
    # plans for different segments agree on every unfiltered cell
    unfiltered = plans[True].cells[plans[True].cells["segment_value"] == ALL]
    assert plans[False].cells["suppressed"].equals(unfiltered["suppressed"])

    vectors, _ = published_vectors(data, plans, k)
    basis = span_basis(vectors)
    # 1. no single respondent
    leverage = np.einsum("ij,ij->j", basis, basis)
    assert (leverage < 1 - 1e-6).all()
    # 2. no natural group of 1..k-1 respondents, nor the rest of a group after taking out a
    #    group inside it (parent minus child, unfiltered minus filtered, quarter minus month)
    groups = np.unique(np.array(natural_groups(data)).reshape(-1, len(data)), axis=0)
    outside = groups.astype(np.int64) @ (~groups).astype(np.int64).T  # |G_i minus G_j|
    inner, outer = np.nonzero(outside == 0)  # G_inner within G_outer
    rests = groups[outer] & ~groups[inner]
    candidates = np.concatenate([groups, rests])
    candidates = np.unique(candidates[(candidates.sum(axis=1) > 0)
                                      & (candidates.sum(axis=1) < k)], axis=0)  # fmt: skip
    leaks = [c for c in candidates if derivable(basis, c.astype(float))]
    assert not leaks, data[leaks[0]]


@settings(QUICK, max_examples=20)
@given(organisations())
def test_comment_lists_never_isolate_fewer_than_the_comment_threshold(
    case: tuple[pd.DataFrame, int],
) -> None:
    """Every class of respondents that shown lists can separate (by any set operation)
    holds at least min_comment_group_size respondents."""
    data, k = case
    if data.empty:
        return
    kc = k + 2
    plans = {
        filtered: plan_comments(
            data,
            min_group_size=k,
            min_comment_group_size=kc,
            segment="work_mode" if filtered else None,
        )
        for filtered in (False, True)
    }
    lists = []  # membership of every shown comment list
    for by, where in queries():
        result = engine(data, by, where)  # one row per group; comments of its members
        if result.empty:
            continue
        filtered = bool(where) or "work_mode" in by
        shown = protect_comments(result, plans[filtered], by=by, where=where)
        for members in shown["members"]:
            lists.append(np.isin(np.arange(len(data)), members))
    if not lists:
        return
    signature = pd.DataFrame(np.column_stack(lists)).astype(int).astype(str).agg("".join, axis=1)
    sizes = data.groupby(signature.to_numpy())["respondent"].nunique()
    assert (sizes >= kc).all(), sizes
