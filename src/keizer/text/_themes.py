"""Friction themes: a multi-label taxonomy of customer (cx.*) and employee (ex.*) friction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from keizer.text._cues import CueMatcher, CueSpec, Words
from keizer.text._resources import load_user_yaml, load_yaml

#: A theme is reported when its confidence reaches this value.
MIN_CONFIDENCE = 0.5
DEFAULT_WEIGHT = 0.8


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy."""

    code: str
    audience: str
    names: Mapping[str, str]
    ees_driver: str | None = None


@dataclass(frozen=True)
class Taxonomy:
    """A set of themes with their compiled cues."""

    themes: Mapping[str, Theme]
    matcher: CueMatcher

    def detect(
        self, lowered: str, languages: Iterable[str], words: Words | None = None
    ) -> dict[str, float]:
        """Themes found in lower-cased text with their confidence, best first."""
        found = self.matcher.find(lowered, languages, words)
        hits = {code: round(c, 3) for code, c in found.items() if c >= MIN_CONFIDENCE}
        return dict(sorted(hits.items(), key=lambda item: (-item[1], item[0])))


def _cue_specs(code: str, entries: Iterable[Any], negatable: bool) -> list[CueSpec]:
    specs = []
    for entry in entries:
        if isinstance(entry, Mapping):
            weight = float(entry.get("weight", DEFAULT_WEIGHT))
            specs.append(CueSpec(code, str(entry["cue"]), weight, negatable))
        else:
            specs.append(CueSpec(code, str(entry), DEFAULT_WEIGHT, negatable))
    return specs


def taxonomy_from_mapping(data: Mapping[str, Any]) -> Taxonomy:
    """Build a taxonomy from the YAML structure described in ``data/themes.yaml``."""
    themes: dict[str, Theme] = {}
    cues: dict[str, list[CueSpec]] = {}
    for code, spec in (data.get("themes") or {}).items():
        themes[code] = Theme(
            code=str(code),
            audience=str(spec.get("audience", "customer")),
            names={str(k): str(v) for k, v in (spec.get("name") or {}).items()},
            ees_driver=spec.get("ees_driver"),
        )
        for language, entries in (spec.get("cues") or {}).items():
            specs = _cue_specs(str(code), entries or [], bool(spec.get("negatable", True)))
            cues.setdefault(str(language), []).extend(specs)
    return Taxonomy(themes, CueMatcher.build(cues))


def merge_theme_data(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Add the themes of ``extra`` to ``base``; cues of a theme in both are appended."""
    merged: dict[str, Any] = {code: dict(spec) for code, spec in (base.get("themes") or {}).items()}
    for code, spec in (extra.get("themes") or {}).items():
        if code not in merged:
            merged[code] = dict(spec)
            continue
        target = merged[code]
        for key, value in spec.items():
            if key != "cues":
                target[key] = value
        cues = {lang: list(items) for lang, items in (target.get("cues") or {}).items()}
        for lang, items in (spec.get("cues") or {}).items():
            cues.setdefault(lang, []).extend(items or [])
        target["cues"] = cues
    return {"themes": merged}


@cache
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with keizer (``data/themes.yaml``)."""
    return taxonomy_from_mapping(load_yaml("themes.yaml"))


def load_taxonomy(path: str | Path, *, extend: bool = True) -> Taxonomy:
    """Load a user taxonomy from YAML; by default it extends the shipped one."""
    user = load_user_yaml(path)
    data = merge_theme_data(load_yaml("themes.yaml"), user) if extend else user
    return taxonomy_from_mapping(data)
