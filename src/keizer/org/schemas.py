"""What goes in and out of the org feature."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from keizer.store.types import InputModel, SourceId, SourceKey

OrgUnitKind = Literal["organisation", "location", "department", "team"]
WorkMode = Literal["office", "home", "hybrid"]
Role = Literal["agent", "team_lead", "manager", "board", "staff"]
Key = str


class OrgUnitCreate(InputModel):
    """An organisation unit; ``parent_key`` names the parent's ``source_key``."""

    source_key: SourceKey
    name: str = Field(min_length=1, max_length=200)
    kind: OrgUnitKind
    parent_key: Key | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _period(self) -> OrgUnitCreate:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class OrgUnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str
    name: str
    kind: OrgUnitKind
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None


class EmployeeCreate(InputModel):
    """An employee as a source system knows them; ``source_id`` is pseudonymised on the way in.

    Only a birth-year band is kept: give ``birth_year`` (turned into a five-year band) or a
    ready ``birth_year_band``, never a birth date.
    """

    source_id: SourceId
    team_key: Key | None = None
    manager_source_id: str | None = None
    role: Role = "agent"
    hire_date: date | None = None
    leave_date: date | None = None
    work_mode: WorkMode | None = None
    fte: float | None = Field(default=None, gt=0, le=1.5)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    birth_year_band: str | None = Field(default=None, max_length=20)

    @field_validator("birth_year_band")
    @classmethod
    def _band_is_not_a_date(cls, value: str | None) -> str | None:
        if value is not None and any(sep in value for sep in ("/", ".")):
            raise ValueError("give a band such as '1980-1984', not a date")
        return value

    @model_validator(mode="after")
    def _dates(self) -> EmployeeCreate:
        if self.hire_date and self.leave_date and self.leave_date < self.hire_date:
            raise ValueError("leave_date is before hire_date")
        return self

    def band(self) -> str | None:
        """The stored birth-year band."""
        if self.birth_year is not None:
            start = self.birth_year - self.birth_year % 5
            return f"{start}-{start + 4}"
        return self.birth_year_band


class EmployeeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pseudonym: str
    team_id: int | None
    manager_pseudonym: str | None
    role: Role
    hire_date: date | None
    leave_date: date | None
    work_mode: WorkMode | None
    fte: float | None
    birth_year_band: str | None
