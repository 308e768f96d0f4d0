"""A meetup's programme and its calendars, with a workspace.

:func:`add_talk` and :func:`drop_talk` change an event's talks, each in one
transaction; :func:`check_event` checks an event against the community's
format (``[format]`` of terrain.toml) and gives its running order;
:func:`event_calendar` and :func:`series_calendar` write the iCalendar files
calendars import.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import require_aware
from terrain.events import (
    AgendaItem,
    Event,
    Finding,
    Series,
    Talk,
    Venue,
    build_agenda,
    check_format,
    event_ics,
    remove_talk,
    series_ics,
)
from terrain.workflows._meetups import series_limit

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "FormatCheck",
    "add_talk",
    "check_event",
    "drop_talk",
    "event_calendar",
    "series_calendar",
]


def add_talk(ws: Workspace, event_id: str, talk: Talk) -> Event:
    """Add ``talk`` to meetup ``event_id``'s programme; the event as stored."""
    with ws.db.transaction():
        event = ws.get(Event, event_id)
        return ws.put(attrs.evolve(event, talks=(*event.talks, talk)))


def drop_talk(ws: Workspace, event_id: str, talk: str) -> tuple[Event, Talk]:
    """Remove ``talk`` (its number in the running order, from 1, or its title) from
    meetup ``event_id``; the event as stored and the talk removed."""
    with ws.db.transaction():
        changed, removed = remove_talk(ws.get(Event, event_id), talk)
        return ws.put(changed), removed


@attrs.frozen
class FormatCheck:
    """A meetup checked against the format: what breaks it or deserves a look
    (``findings``), and its running order (``agenda``)."""

    event: Event
    findings: tuple[Finding, ...]
    agenda: tuple[AgendaItem, ...]

    @property
    def broken(self) -> bool:
        """Whether a finding is an error (the format is broken)."""
        return any(f.is_error for f in self.findings)


def check_event(
    ws: Workspace,
    event_id: str,
    *,
    max_talks: int | None = None,
    max_talk_minutes: int | None = None,
) -> FormatCheck:
    """Check meetup ``event_id`` against the community's format (``[format]`` of
    terrain.toml, the field defaults without one; ``max_talks`` and
    ``max_talk_minutes`` override it for this check)."""
    event = ws.get(Event, event_id)
    changes: dict[str, int] = {}
    if max_talks is not None:
        changes["max_talks"] = max_talks
    if max_talk_minutes is not None:
        changes["max_talk_minutes"] = max_talk_minutes
    rules = attrs.evolve(ws.config.meetup_format, **changes)
    return FormatCheck(event, tuple(check_format(event, rules=rules)), tuple(build_agenda(event)))


def event_calendar(ws: Workspace, event_id: str, *, now: datetime) -> bytes:
    """Meetup ``event_id`` as an iCalendar (.ics) file, with its venue (``now``: when
    the file is made, its DTSTAMP)."""
    require_aware(now, "event_calendar: now")
    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    return event_ics(event, now=now, venue=venue)


def series_calendar(
    ws: Workspace, series_id: str, *, now: datetime, limit: int | None = None
) -> bytes:
    """Every date of series ``series_id`` (its first ``limit``, as for
    :func:`plan_series`) as one iCalendar (.ics) file."""
    require_aware(now, "series_calendar: now")
    series = ws.get(Series, series_id)
    venues = {v.id: v for v in ws.list(Venue)}
    return series_ics(
        series,
        now=now,
        venues=venues,
        limit=series_limit(series, limit),
        zone=ws.community.timezone,
    )
