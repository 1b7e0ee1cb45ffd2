"""Settings of a linkage analysis: guard rails and reporting choices."""

from __future__ import annotations

from dataclasses import dataclass

from keizer.errors import ValidationError

#: Cost of one voluntary leaver when none is given (the reference customer reports €10–15 k).
DEFAULT_COST_PER_LEAVER = 12_500.0


@dataclass(frozen=True)
class LinkageOptions:
    """Guard rails and choices; every model refuses to run below its minimum sizes.

    ``min_group_size``: employee answers of a team-month count only with at least this many
    respondents (the anonymity threshold). ``min_teams``/``min_months``: team panels with
    fewer teams or months are not modelled. ``min_events``: the retention model needs at
    least this many voluntary leavers, the absence model this many sickness reports.
    ``alpha``: false-discovery rate over every test in the analysis (Benjamini–Hochberg).
    """

    min_group_size: int = 5
    min_teams: int = 10
    min_months: int = 6
    min_events: int = 20
    lags: tuple[int, ...] = (0, 1, 2, 3)
    confidence: float = 0.95
    alpha: float = 0.05
    cost_per_leaver: float = DEFAULT_COST_PER_LEAVER
    n_boot: int = 500
    seed: int = 0

    def __post_init__(self) -> None:
        if self.min_group_size < 3:
            raise ValidationError("min_group_size must be at least 3")
        if self.min_teams < 3 or self.min_months < 2:
            raise ValidationError("min_teams must be at least 3 and min_months at least 2")
        if not all(0 <= lag <= 12 for lag in self.lags) or not self.lags:
            raise ValidationError("lags must lie between 0 and 12 months")
        if not 0.5 < self.confidence < 1 or not 0 < self.alpha < 0.5:
            raise ValidationError("confidence must lie in (0.5, 1) and alpha in (0, 0.5)")
        if self.cost_per_leaver < 0:
            raise ValidationError("cost_per_leaver must not be negative")
