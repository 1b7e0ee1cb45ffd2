"""Property tests: intervals contain their estimate, stay on the scale, agree with the tests."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from keizer.metrics.statistics import (
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
    compare_rates,
    mean,
    nps,
    proportion,
    rate,
)

counts = st.integers(min_value=0, max_value=2_000)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99])
FAST = settings(deadline=None)  # example count comes from the active profile


def _agrees(low: float, high: float, null: float, p_value: float, confidence: float) -> bool:
    """The interval excludes ``null`` exactly when p < 1 - confidence (ties too close to call)."""
    excluded = null < low or null > high
    if min(abs(low - null), abs(high - null)) < 1e-7:
        return True
    if abs(p_value - (1 - confidence)) < 1e-9:
        return True
    return excluded == (p_value < 1 - confidence)


@FAST
@given(counts, counts, counts, levels)
def test_nps_interval_contains_estimate_and_stays_on_scale(
    promoters: int, passives: int, detractors: int, confidence: float
) -> None:
    est = nps(promoters, passives, detractors, confidence=confidence)
    if promoters + passives + detractors == 0:
        assert math.isnan(est.value)
        return
    assert -100.0 <= est.ci_low <= est.value <= est.ci_high <= 100.0
    assert est.ci_low < est.ci_high


@FAST
@given(st.integers(0, 5_000), st.integers(0, 5_000), levels)
def test_wilson_interval_contains_estimate_and_stays_in_unit_interval(
    successes: int, failures: int, confidence: float
) -> None:
    n = successes + failures
    est = proportion(successes, n, confidence=confidence)
    if n == 0:
        assert math.isnan(est.value)
        return
    assert 0.0 <= est.ci_low <= est.value <= est.ci_high <= 1.0


@FAST
@given(st.lists(st.integers(1, 7), min_size=2, max_size=60), levels)
def test_mean_interval_contains_estimate_and_respects_bounds(
    scores: list[int], confidence: float
) -> None:
    values = np.array(scores, dtype=float)
    est = mean(len(scores), values.sum(), (values**2).sum(), confidence=confidence, bounds=(1, 7))
    assert est.value == np.float64(values.mean()) or math.isclose(est.value, values.mean())
    assert 1.0 <= est.ci_low <= est.value <= est.ci_high <= 7.0


@FAST
@given(counts, st.floats(0.1, 1e5), levels)
def test_rate_interval_contains_estimate(count: int, exposure: float, confidence: float) -> None:
    est = rate(count, exposure, confidence=confidence)
    assert 0.0 <= est.ci_low <= est.value <= est.ci_high


@FAST
@given(counts, counts, counts, counts, counts, counts, levels)
def test_nps_difference_interval_and_p_value_agree(
    pa: int, ma: int, da: int, pb: int, mb: int, db: int, confidence: float
) -> None:
    result = compare_nps(
        promoters_a=pa, passives_a=ma, detractors_a=da,
        promoters_b=pb, passives_b=mb, detractors_b=db,
        confidence=confidence,
    )  # fmt: skip
    if pa + ma + da == 0 or pb + mb + db == 0:
        assert math.isnan(result.p_value)
        return
    assert -200.0 <= result.ci_low <= result.difference <= result.ci_high <= 200.0
    assert 0.0 <= result.p_value <= 1.0
    assert _agrees(result.ci_low, result.ci_high, 0.0, result.p_value, confidence)


@FAST
@given(st.integers(1, 3_000), st.integers(1, 3_000), st.data(), levels)
def test_proportion_difference_interval_and_p_value_agree(
    n_a: int, n_b: int, data: st.DataObject, confidence: float
) -> None:
    x_a = data.draw(st.integers(0, n_a))
    x_b = data.draw(st.integers(0, n_b))
    result = compare_proportions(
        successes_a=x_a, n_a=n_a, successes_b=x_b, n_b=n_b, confidence=confidence
    )
    assert -1.0 <= result.ci_low <= result.difference <= result.ci_high <= 1.0
    assert _agrees(result.ci_low, result.ci_high, 0.0, result.p_value, confidence)


@FAST
@given(
    st.lists(st.integers(1, 7), min_size=2, max_size=40),
    st.lists(st.integers(1, 7), min_size=2, max_size=40),
    levels,
)
def test_mean_difference_interval_and_p_value_agree(
    a: list[int], b: list[int], confidence: float
) -> None:
    va, vb = np.array(a, dtype=float), np.array(b, dtype=float)
    result = compare_means(
        n_a=va.size, total_a=va.sum(), sum_squares_a=(va**2).sum(),
        n_b=vb.size, total_b=vb.sum(), sum_squares_b=(vb**2).sum(),
        confidence=confidence,
    )  # fmt: skip
    assert result.ci_low <= result.difference <= result.ci_high
    assert _agrees(result.ci_low, result.ci_high, 0.0, result.p_value, confidence)


@FAST
@given(counts, counts, st.floats(1.0, 1e4), st.floats(1.0, 1e4), levels)
def test_rate_ratio_interval_and_p_value_agree(
    count_a: int, count_b: int, exposure_a: float, exposure_b: float, confidence: float
) -> None:
    result = compare_rates(
        count_a=count_a,
        exposure_a=exposure_a,
        count_b=count_b,
        exposure_b=exposure_b,
        confidence=confidence,
    )
    if count_a + count_b == 0:
        assert result.p_value == 1.0
        return
    assert result.ratio_ci_low <= result.ratio <= result.ratio_ci_high
    assert _agrees(result.ratio_ci_low, result.ratio_ci_high, 1.0, result.p_value, confidence)


@FAST
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=50))
def test_benjamini_hochberg_properties(p_values: list[float]) -> None:
    p = np.array(p_values)
    q = benjamini_hochberg(p)
    assert np.all(q >= p - 1e-15)
    assert np.all(q <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-15)  # monotone in p
