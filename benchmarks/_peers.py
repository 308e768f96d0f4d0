"""The peers of the JSON benchmark: terrain's Event and Talk as pydantic v2 and msgspec
models with the same checks (ids, text lengths, blank text, aware datetimes, bounds,
no unknown key, strict types, the end after the start, the program fitting the event).

No ``from __future__ import annotations`` here: both libraries read the annotations.
"""

from datetime import datetime
from typing import Annotated

import msgspec
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

__all__ = ["MEvent", "MTalk", "PEvent", "PTalk", "event_rules"]

ident = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
#: one line of text, not blank, no control character (titles, names)
line = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
#: text that may hold tabs and line breaks, no other control character
plain = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


def event_rules(event: "PEvent | MEvent") -> None:
    """Event's rules across fields, for both peers."""
    if event.cancel_reason and not event.cancelled:
        raise ValueError("a reason for a cancellation, but the event is not cancelled")
    if event.ends_at <= event.starts_at:
        raise ValueError("ends_at is not after starts_at")
    program = sum(t.minutes + t.qa_minutes for t in event.talks) + event.networking_minutes
    if program > (event.ends_at - event.starts_at).total_seconds() / 60:
        raise ValueError("the program is longer than the event")


class PTalk(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    title: str = Field(min_length=1, max_length=300, pattern=line)
    speaker: str = Field(min_length=1, max_length=200, pattern=line)
    minutes: int = Field(ge=1)
    qa_minutes: int = Field(default=0, ge=0)
    speaker_id: str | None = Field(default=None, pattern=ident)


class PEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    id: str = Field(pattern=ident)
    title: str = Field(min_length=1, max_length=300, pattern=line)
    starts_at: AwareDatetime = Field(strict=False)
    ends_at: AwareDatetime = Field(strict=False)
    venue_id: str | None = Field(default=None, pattern=ident)
    capacity: int | None = Field(default=None, ge=0)
    talks: tuple[PTalk, ...] = Field(default=(), strict=False)
    networking_minutes: int = Field(default=0, ge=0)
    series_id: str | None = Field(default=None, pattern=ident)
    description: str = Field(default="", max_length=10000, pattern=plain)
    sequence: int = Field(default=0, ge=0)
    cancelled: bool = False
    cancel_reason: str = Field(default="", max_length=2000, pattern=plain)

    @model_validator(mode="after")
    def _program(self) -> "PEvent":
        event_rules(self)
        return self


Ident = msgspec.Meta(pattern=ident)
Title = msgspec.Meta(min_length=1, max_length=300, pattern=line)


class MTalk(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    title: Annotated[str, Title]
    speaker: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=line)]
    minutes: Annotated[int, msgspec.Meta(ge=1)]
    qa_minutes: Annotated[int, msgspec.Meta(ge=0)] = 0
    speaker_id: Annotated[str, Ident] | None = None


class MEvent(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: Annotated[str, Ident]
    title: Annotated[str, Title]
    starts_at: Annotated[datetime, msgspec.Meta(tz=True)]
    ends_at: Annotated[datetime, msgspec.Meta(tz=True)]
    venue_id: Annotated[str, Ident] | None = None
    capacity: Annotated[int, msgspec.Meta(ge=0)] | None = None
    talks: tuple[MTalk, ...] = ()
    networking_minutes: Annotated[int, msgspec.Meta(ge=0)] = 0
    series_id: Annotated[str, Ident] | None = None
    description: Annotated[str, msgspec.Meta(max_length=10000, pattern=plain)] = ""
    sequence: Annotated[int, msgspec.Meta(ge=0)] = 0
    cancelled: bool = False
    cancel_reason: Annotated[str, msgspec.Meta(max_length=2000, pattern=plain)] = ""

    def __post_init__(self) -> None:
        event_rules(self)
