"""What goes in and out of the operations feature."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from keizer.store.types import InputModel, Seconds, SourceId, SourceKey, UTCDateTime

Channel = Literal["phone", "email", "chat", "social", "counter"]


class CustomerCreate(InputModel):
    """A customer; ``source_id`` is pseudonymised on the way in."""

    source_id: SourceId
    segment: str | None = None


class InteractionCreate(InputModel):
    """One contact as the telephony, e-mail or chat system records it."""

    source_key: SourceKey
    channel: Channel
    started_at: UTCDateTime
    customer_source_id: SourceId | None = None
    employee_source_id: SourceId | None = None
    team_key: SourceKey | None = None
    queue: str | None = None
    topic: str | None = None
    talk_s: Seconds | None = None
    hold_s: Seconds | None = None
    after_call_s: Seconds | None = None
    transferred: bool | None = None
    resolved: bool | None = None


class InteractionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str
    customer_id: int | None
    employee_id: int | None
    team_id: int | None
    channel: Channel
    queue: str | None
    topic: str | None
    started_at: datetime
    talk_s: float | None
    hold_s: float | None
    after_call_s: float | None
    transferred: bool | None
    resolved: bool | None
