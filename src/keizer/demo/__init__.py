"""A synthetic service organisation with known, documented effects (``keizer demo``).

``generate(workspace, ...)`` builds and loads it; :mod:`keizer.demo.effects` holds the true
sizes of the planted effects. See docs/demo.md.
"""

from keizer.demo.effects import DEFAULT_EFFECTS, NO_EFFECTS, Effects
from keizer.demo.generate import DemoStoreError, DemoSummary, DemoTarget, generate
from keizer.demo.spec import DemoSpec

__all__ = [
    "DEFAULT_EFFECTS",
    "NO_EFFECTS",
    "DemoSpec",
    "DemoStoreError",
    "DemoSummary",
    "DemoTarget",
    "Effects",
    "generate",
]
