"""A meetup's running order: a welcome, each talk and its questions, then networking.

Beside the format check (``terrain.events._format``), in a module of its own: the
settings of a workspace hold the format's rules, and reading them builds no slot.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from terrain._time import elapsed, instant, later
from terrain.errors import ValidationError

if TYPE_CHECKING:
    from terrain.events._models import Event

__all__ = ["AgendaItem", "AgendaKind", "build_agenda"]


class AgendaKind(enum.StrEnum):
    """What happens in a slot of the running order."""

    WELCOME = "welcome"
    TALK = "talk"
    QA = "qa"
    NETWORKING = "networking"


@attrs.frozen
class AgendaItem:
    """A slot of the running order, from ``starts_at`` to ``ends_at``."""

    kind: AgendaKind
    starts_at: datetime
    ends_at: datetime
    title: str
    speaker: str = ""

    @property
    def minutes(self) -> int:
        """The length of the slot in whole minutes."""
        return int(elapsed(self.starts_at, self.ends_at).total_seconds() // 60)

    def __str__(self) -> str:
        who = f" ({self.speaker})" if self.speaker else ""
        return f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M} {self.title}{who}"


def build_agenda(event: Event, *, welcome_minutes: int = 0) -> tuple[AgendaItem, ...]:
    """The timed running order of ``event``.

    A welcome of ``welcome_minutes`` opens the evening, then each talk and its
    Q&A, then networking until the end of the event: time left over by the
    programme goes to networking, the main part.
    """
    if isinstance(welcome_minutes, bool) or not isinstance(welcome_minutes, int):
        raise ValidationError("build_agenda: welcome_minutes must be a whole number of minutes")
    if welcome_minutes < 0:
        raise ValidationError(
            f"build_agenda: welcome_minutes is {welcome_minutes}; give 0 or more minutes"
        )
    length = elapsed(event.starts_at, event.ends_at)
    talking = sum(t.minutes + t.qa_minutes for t in event.talks)
    if timedelta(minutes=welcome_minutes + talking + event.networking_minutes) > length:
        raise ValidationError(
            f"build_agenda: event {event.id!r} lasts {length.total_seconds() / 60:.0f} min, too "
            f"short for a {welcome_minutes}-min welcome plus its programme; shorten the welcome"
        )
    items: list[AgendaItem] = []
    at = event.starts_at

    def slot(kind: AgendaKind, minutes: int, title: str, speaker: str = "") -> None:
        nonlocal at
        if minutes <= 0:
            return
        end = later(at, timedelta(minutes=minutes))
        items.append(AgendaItem(kind, at, end, title, speaker))
        at = end

    slot(AgendaKind.WELCOME, welcome_minutes, "Welcome")
    for talk in event.talks:
        slot(AgendaKind.TALK, talk.minutes, talk.title, talk.speaker)
        slot(AgendaKind.QA, talk.qa_minutes, f"Q&A: {talk.title}", talk.speaker)
    if instant(at) < instant(event.ends_at):
        items.append(AgendaItem(AgendaKind.NETWORKING, at, event.ends_at, "Networking"))
    return tuple(items)
