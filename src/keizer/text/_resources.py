"""Read the data files shipped in ``keizer.text.data`` (always through importlib.resources)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_PACKAGE = "keizer.text.data"


def read_text(name: str) -> str:
    """Return the text of a data file shipped with the package."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """Parse a shipped YAML file (cached; callers must not mutate the result)."""
    data = yaml.safe_load(read_text(name))
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


def load_user_yaml(path: str | Path) -> dict[str, Any]:
    """Parse a user-supplied YAML file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


@cache
def load_tsv(name: str) -> dict[str, float]:
    """Parse a ``token<TAB>value`` file, skipping ``#`` comment lines."""
    out: dict[str, float] = {}
    for line in read_text(name).splitlines():
        if not line or line.startswith("# "):
            continue
        token, _, value = line.partition("\t")
        if value:
            out[token] = float(value)
    return out
