"""Statistics core of the KPI engine: estimates, intervals and tests from sufficient statistics.

The database returns counts per bucket, sums, sums of squares and exposures; everything here
turns those into figures with confidence intervals and two-group tests. Scalar functions
return frozen dataclasses; ``*_frame`` functions take arrays or pandas Series (one element
per segment) and return DataFrames. Formulas and references: docs/metrics.md.
"""

from __future__ import annotations

from keizer.metrics._comparisons import (
    Comparison,
    RateComparison,
    compare_means,
    compare_means_frame,
    compare_nps,
    compare_nps_frame,
    compare_proportions,
    compare_proportions_frame,
    compare_rates,
    compare_rates_frame,
)
from keizer.metrics._estimates import (
    Estimate,
    mean,
    mean_frame,
    nps,
    nps_frame,
    proportion,
    proportion_frame,
    rate,
    rate_frame,
)
from keizer.metrics._multiplicity import MIN_N, KpiKind, below_min_n, benjamini_hochberg

__all__ = [
    "MIN_N",
    "Comparison",
    "Estimate",
    "KpiKind",
    "RateComparison",
    "below_min_n",
    "benjamini_hochberg",
    "compare_means",
    "compare_means_frame",
    "compare_nps",
    "compare_nps_frame",
    "compare_proportions",
    "compare_proportions_frame",
    "compare_rates",
    "compare_rates_frame",
    "mean",
    "mean_frame",
    "nps",
    "nps_frame",
    "proportion",
    "proportion_frame",
    "rate",
    "rate_frame",
]
