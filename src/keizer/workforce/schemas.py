"""What goes in and out of the workforce feature."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from keizer.store.types import InputModel, SourceId, SourceKey

HREventKind = Literal["hire", "leave", "transfer", "promotion", "upskill"]


class HREventCreate(InputModel):
    """An HR event. Without ``source_key`` the event is keyed by employee, kind and date."""

    employee_source_id: SourceId
    kind: HREventKind
    event_date: date
    voluntary: bool | None = None
    reason: str | None = Field(default=None, max_length=200)
    source_key: SourceKey | None = None


class AbsenceSpellCreate(InputModel):
    """A sickness spell. Without ``source_key`` the spell is keyed by employee and start date."""

    employee_source_id: SourceId
    start_date: date
    end_date: date | None = None
    fraction: float = Field(default=1.0, gt=0, le=1)
    reason_class: str | None = Field(default=None, max_length=50)
    source_key: SourceKey | None = None

    @model_validator(mode="after")
    def _period(self) -> AbsenceSpellCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class HREventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str
    employee_id: int
    kind: HREventKind
    event_date: date
    voluntary: bool | None
    reason: str | None


class AbsenceSpellRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str
    employee_id: int
    start_date: date
    end_date: date | None
    fraction: float
    reason_class: str | None
