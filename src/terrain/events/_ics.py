"""iCalendar export (RFC 5545) of a meetup or a whole series, with icalendar.

Each meetup is one ``VEVENT`` whose ``UID`` is ``<event id>@terrain``, so a
calendar that imports the file again updates its entries instead of
duplicating them; a cancelled date of a series is exported with
``STATUS:CANCELLED`` so that calendars drop it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from terrain.errors import ValidationError
from terrain.events._models import Event, Venue
from terrain.events._series import Series, occurrences, series_events

__all__ = ["event_ics", "series_ics"]

_PRODID = "-//terrain//field community meetups//EN"


def _check_now(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValidationError("ics export: now must be an aware datetime (it becomes DTSTAMP)")


def _vevent(event: Event, venue: Venue | None, now: datetime) -> Any:
    from icalendar import Event as VEvent

    item = VEvent()
    item.add("uid", f"{event.id}@terrain")
    item.add("dtstamp", now)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    lines = [event.description] if event.description else []
    lines += [
        f"{t.title} — {t.speaker} ({t.minutes} min + {t.qa_minutes} min Q&A)" for t in event.talks
    ]
    if event.networking_minutes:
        lines.append(f"Networking: {event.networking_minutes} min")
    if lines:
        item.add("description", "\n".join(lines))
    if venue is not None:
        item.add("location", f"{venue.name}, {venue.address}" if venue.address else venue.name)
    item.add("status", "CONFIRMED")
    return item


def _calendar(events: Iterable[Any], name: str) -> bytes:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for item in events:
        cal.add_component(item)
    cal.add_missing_timezones()  # a TZID needs its VTIMEZONE (RFC 5545 §3.2.19)
    data: bytes = cal.to_ical()
    return data


def _venue_for(event: Event, venues: Mapping[str, Venue]) -> Venue | None:
    return venues.get(event.venue_id) if event.venue_id is not None else None


def event_ics(event: Event, *, now: datetime, venue: Venue | None = None) -> bytes:
    """A ``.ics`` file (bytes) holding ``event``; ``now`` is the export time (DTSTAMP)."""
    _check_now(now)
    if venue is not None and event.venue_id is not None and venue.id != event.venue_id:
        raise ValidationError(
            f"event_ics: event {event.id!r} is at venue {event.venue_id!r}, not {venue.id!r}"
        )
    return _calendar([_vevent(event, venue, now)], event.title)


def series_ics(
    series: Series,
    *,
    now: datetime,
    venues: Mapping[str, Venue] | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> bytes:
    """A ``.ics`` file with every date of ``series`` (overrides applied).

    Cancelled dates are kept as ``STATUS:CANCELLED`` entries. An endless rule
    needs ``until`` or ``limit``, as for :func:`series_events`.
    """
    _check_now(now)
    venues = venues or {}
    items = [
        _vevent(e, _venue_for(e, venues), now)
        for e in series_events(series, until=until, limit=limit)
    ]
    for occ in occurrences(series, until=until, limit=limit):
        if occ.cancelled:
            gone = Event(
                id=f"{series.id}-{occ.starts_at:%Y%m%d}",
                title=series.title,
                starts_at=occ.starts_at,
                ends_at=occ.starts_at + timedelta(minutes=series.minutes),
                series_id=series.id,
            )
            item = _vevent(gone, None, now)
            item["status"] = "CANCELLED"
            if occ.override is not None and occ.override.note:
                item["description"] = occ.override.note
            items.append(item)
    items.sort(key=lambda i: i.decoded("dtstart"))
    return _calendar(items, series.title)
