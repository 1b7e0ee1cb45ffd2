"""Column mappings: which source column fills which keizer field, value translations, formats.

A mapping is a small YAML file a user can write or have suggested
(``keizer import --suggest-mapping FILE``)::

    kind: interactions
    columns:            # keizer field: column in the file
      interaction_id: Gespreks-ID
      started_at: Starttijd
      channel: Kanaal
    values:             # per field (or answer code): value in the file -> keizer value
      channel: {Telefonie: phone}
    datetime_format: "%d-%m-%Y %H:%M"
    timezone: Europe/Amsterdam
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from keizer.errors import ConfigError
from keizer.feedback.schemas import Metric
from keizer.ingest.fields import SPECS, ImportKind
from keizer.ingest.raw import RawTable

Scalar = str | int | float | bool


class QuestionHint(BaseModel):
    """How to create a question that an imported survey export answers."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric = "other"
    scale: tuple[float, float] | None = None
    text: str | None = None


class Mapping(BaseModel):
    """How a file's columns become keizer fields."""

    model_config = ConfigDict(extra="forbid")

    kind: ImportKind | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, Scalar]] = Field(default_factory=dict)
    answers: dict[str, str] = Field(default_factory=dict)  # column -> question code
    questions: dict[str, QuestionHint] = Field(default_factory=dict)  # code -> hint
    survey: str | None = None
    survey_name: str | None = None
    audience: Literal["customer", "employee"] = "customer"
    survey_kind: Literal["transactional", "pulse", "census", "onboarding", "exit"] = "transactional"
    date_format: str | None = None
    datetime_format: str | None = None
    timezone: str = "Europe/Amsterdam"
    decimal: Literal["auto", ".", ","] = "auto"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    unknown_references: Literal["reject", "create"] = "reject"
    skip_incomplete: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Amsterdam)") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value.replace("\\t", "\t")) != 1:
            raise ValueError("the delimiter is one character, e.g. ';' or '\\t'")
        return value.replace("\\t", "\t") if value else value

    def check_fields(self, kind: ImportKind) -> None:
        """Refuse mapped fields that the kind does not have."""
        known = {f.name for f in SPECS[kind]}
        unknown = sorted(set(self.columns) - known)
        if unknown:
            raise ConfigError(
                f"mapping: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a "
                f"field of {kind} imports; fields: {', '.join(sorted(known))}"
            )

    def to_yaml(self) -> str:
        data = self.model_dump(exclude_defaults=True, mode="json")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file, with errors that name the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"mapping file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping of keys (columns:, values:, ...)")
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'mapping'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{path.name}: {problems}") from None


def normalise(name: str) -> str:
    """A column name reduced for matching: lower case, no accents, words joined by '_'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"\(.*?\)", " ", text.casefold())
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def suggest_mapping(raw: RawTable, kind: ImportKind) -> Mapping:
    """Propose a mapping from the headers: exact names first, then known synonyms (nl/en)."""
    by_name = {normalise(c): c for c in raw.columns}
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for wanted in (True, False):  # required fields pick first
        for field in SPECS[kind]:
            if field.required != wanted or field.name in columns:
                continue
            for candidate in (field.name, *field.synonyms):
                source = by_name.get(normalise(candidate))
                if source is not None and source not in taken:
                    columns[field.name] = source
                    taken.add(source)
                    break
    answers = {}
    if kind == "responses":
        answers = {c: normalise(c) for c in raw.columns if c not in taken}
    return Mapping(kind=kind, columns=columns, answers=answers)
