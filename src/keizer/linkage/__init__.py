"""EX ↔ CX linkage: which employee factors move customer outcomes, turnover and absence.

Pure analysis: a :class:`Panel` of DataFrames in (``queries.build_panel`` makes one from the
store's Ibis tables), a :class:`LinkageResult` of DataFrames and dataclasses out. See
docs/linkage.md for every model, its assumptions and its guard rails.
"""

from keizer.linkage.analysis import LinkageResult, analyse
from keizer.linkage.intervention import Intervention, InterventionEffect
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import Panel

__all__ = [
    "Intervention",
    "InterventionEffect",
    "LinkageOptions",
    "LinkageResult",
    "Panel",
    "analyse",
]
