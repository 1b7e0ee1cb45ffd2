"""Field types shared by the features' input schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field
from pydantic import BaseModel as _BaseModel


def _to_utc(value: datetime) -> datetime:
    """Timestamps are stored in UTC; a timestamp without zone is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 lies before year 1 in UTC
        raise ValueError("the time lies outside years 1 to 9999 once converted to UTC") from None


UTCDateTime = Annotated[datetime, AfterValidator(_to_utc)]
SourceKey = Annotated[str, Field(min_length=1, max_length=200)]
SourceId = Annotated[str, Field(min_length=1, max_length=200)]
Seconds = Annotated[float, Field(ge=0)]


class InputModel(_BaseModel):
    """Base of every ``XCreate`` schema: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
