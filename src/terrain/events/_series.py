"""Recurring meetups: a series from an RRULE, with per-date overrides.

The rule is an RFC 5545 recurrence rule (``FREQ=MONTHLY;BYDAY=1TH;COUNT=6``)
expanded by python-dateutil in **wall-clock time** of the series' IANA zone
(the zone of ``first_starts_at``, or the ``zone=`` given, the community's): a
meetup at 19:00 stays at 19:00 across both daylight saving changes. A date
whose wall time falls in a spring-forward gap moves forward by the length of
the gap, and one that happens twice is the first, as RFC 5545 reads them. An
:class:`Override` changes one date (another venue, another time) or cancels
it. :func:`series_events` turns the series into concrete :class:`Event` values.

``sequence`` fields count the revisions of a date (iCalendar's ``SEQUENCE``):
:func:`~terrain.events.raise_sequence` raises them when a date changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from terrain._time import gap_problem, instant, later, require_aware
from terrain._time import zone as as_zone
from terrain._validation import (
    a_date,
    at_least,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    optional,
    text,
    to_tuple,
    unique,
)
from terrain.errors import ValidationError
from terrain.events._models import Event, Talk

if TYPE_CHECKING:
    from dateutil.rrule import rrule

__all__ = [
    "Occurrence",
    "Override",
    "Series",
    "occurrence_sequence",
    "occurrences",
    "series_events",
]


@attrs.frozen
class Override:
    """A change to one date of a series: the meetup of ``on`` (local date).

    ``cancelled`` drops it; ``venue_id``, ``starts_at``, ``title``,
    ``capacity`` replace the series' values for that date only.
    """

    on: date = attrs.field(validator=a_date())
    cancelled: bool = attrs.field(default=False, validator=instance_of(bool))
    venue_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    starts_at: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))
    title: str | None = attrs.field(
        default=None, validator=optional(text(nonempty=True, max_length=300, line=True))
    )
    capacity: int | None = attrs.field(default=None, validator=optional(at_least(0)))
    note: str = attrs.field(default="", validator=text(max_length=2000, plain=True))
    #: How many times this date was moved or cancelled (see :func:`raise_sequence`).
    sequence: int = attrs.field(default=0, validator=at_least(0))

    @property
    def moves(self) -> bool:
        """Whether the override changes when the date happens (moved or cancelled)."""
        return self.cancelled or self.starts_at is not None


def _parse_rule(rule: str, start: datetime) -> rrule:
    from dateutil.rrule import rrule as rrule_type
    from dateutil.rrule import rrulestr

    try:
        parsed = rrulestr(rule, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError(
            f"Series.rule: {rule!r} is not a valid RRULE ({exc}); write it as in RFC 5545, "
            "e.g. 'FREQ=MONTHLY;BYDAY=1TH;COUNT=6'",
            field="Series.rule",
        ) from exc
    if not isinstance(parsed, rrule_type):
        raise ValidationError(
            f"Series.rule: {rule!r} holds several rules or dates; give one RRULE",
            field="Series.rule",
        )
    return parsed


@attrs.frozen
class Series:
    """A recurring meetup: every date follows ``rule`` from ``first_starts_at``.

    ``rule`` is an RRULE without ``DTSTART`` (``FREQ=WEEKLY;COUNT=4``); an
    ``UNTIL`` must be in UTC (``UNTIL=20261231T235959Z``).
    """

    id: str = attrs.field(validator=identifier())
    title: str = attrs.field(validator=text(nonempty=True, max_length=300, line=True))
    rule: str = attrs.field(validator=text(nonempty=True, max_length=1000))
    first_starts_at: datetime = attrs.field(validator=aware_datetime())
    minutes: int = attrs.field(validator=at_least(1))
    venue_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    capacity: int | None = attrs.field(default=None, validator=optional(at_least(0)))
    talks: tuple[Talk, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Talk))
    )
    networking_minutes: int = attrs.field(default=0, validator=at_least(0))
    description: str = attrs.field(default="", validator=text(max_length=10000, plain=True))
    overrides: tuple[Override, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(Override)), unique(lambda o: o.on, "override date")],
    )
    #: How many times every date changed at once (rule, first date, length; see
    #: :func:`raise_sequence`); a date's iCalendar ``SEQUENCE`` adds its override's.
    sequence: int = attrs.field(default=0, validator=at_least(0))

    def __attrs_post_init__(self) -> None:
        _parse_rule(self.rule, self.first_starts_at)
        if self.rule.lstrip().upper().startswith("DTSTART"):
            raise fail(
                self, attrs.fields(Series).rule, "leave DTSTART out: the first date is given apart"
            )

    @property
    def is_endless(self) -> bool:
        """Whether the rule has neither ``COUNT`` nor ``UNTIL``."""
        upper = self.rule.upper()
        return "COUNT=" not in upper and "UNTIL=" not in upper


@attrs.frozen
class Occurrence:
    """One date of a series: when it starts, and the override that applies."""

    starts_at: datetime
    override: Override | None = None

    @property
    def cancelled(self) -> bool:
        """Whether this date is cancelled."""
        return self.override is not None and self.override.cancelled


def _expansion_zone(series: Series, zone: str | ZoneInfo | None) -> tzinfo:
    if zone is not None:
        return as_zone(zone)
    tz = series.first_starts_at.tzinfo
    assert tz is not None  # the model refuses naive datetimes
    return tz


def _existing(start: datetime) -> datetime:
    """A wall time the rule produced, as an instant that exists (RFC 5545 §3.3.5):
    in a gap, the offset before the gap (19:30 -> 20:30 on a jump at 19:00); the
    first of a repeated hour (fold 0, as built)."""
    if gap_problem(start) is None:
        return start
    tz = start.tzinfo
    assert tz is not None
    return start.astimezone(UTC).astimezone(tz)


def occurrences(
    series: Series,
    *,
    until: datetime | None = None,
    limit: int | None = None,
    zone: str | ZoneInfo | None = None,
) -> tuple[Occurrence, ...]:
    """The dates of ``series`` (cancelled ones included, flagged), in order.

    The rule repeats the wall time of ``first_starts_at`` in ``zone`` (an IANA
    name; by default the zone of ``first_starts_at``): give the community's
    zone for a series whose first date was stored with a fixed offset. An
    endless rule needs ``until`` or ``limit``. Every override must fall on a
    date of the rule within the window, otherwise it is an error (an override
    for a date the series does not have is a typo).
    """
    if until is not None:
        until = instant(require_aware(until, "occurrences: until"))
    if limit is not None and limit < 0:
        raise ValidationError(f"occurrences: limit is {limit}; give 0 or more")
    if series.is_endless and until is None and limit is None:
        raise ValidationError(
            f"occurrences: series {series.id!r}: {series.rule!r} never ends; pass until= or "
            "limit="
        )
    tz = _expansion_zone(series, zone)
    first = series.first_starts_at.astimezone(tz)
    rule = _parse_rule(series.rule, first)
    starts: list[datetime] = []
    for wall in rule:
        # dateutil builds wall times with fold 0: keep the first date as given
        start = first if not starts and wall == first else _existing(wall)
        if (until is not None and instant(start) > until) or (
            limit is not None and len(starts) >= limit
        ):
            break
        starts.append(start)
    by_date = {o.on: o for o in series.overrides}
    seen = {s.date() for s in starts}
    last = starts[-1].date() if starts else None
    truncated = until is not None or limit is not None
    for day in sorted(by_date):
        if day in seen or (truncated and (last is None or day > last)):
            continue
        shown = ", ".join(str(s.date()) for s in starts[:6]) + ("…" if len(starts) > 6 else "")
        raise ValidationError(
            f"series {series.id!r}: override for {day} but the rule {series.rule!r} has no "
            f"meetup that day; fix the date (dates: {shown or 'none'})"
        )
    return tuple(Occurrence(s, by_date.get(s.date())) for s in starts)


def _event_id(series: Series, start: datetime) -> str:
    return f"{series.id}-{start:%Y%m%d}"


def occurrence_sequence(series: Series, occurrence: Occurrence) -> int:
    """The iCalendar ``SEQUENCE`` of one date: the series' revisions and its override's."""
    extra = occurrence.override.sequence if occurrence.override is not None else 0
    return series.sequence + extra


def series_events(
    series: Series,
    *,
    until: datetime | None = None,
    limit: int | None = None,
    zone: str | ZoneInfo | None = None,
) -> tuple[Event, ...]:
    """The concrete meetups of ``series``, overrides applied, cancelled dates left out.

    Each event's id is ``<series id>-<YYYYMMDD>`` (the rule's local date, even
    when an override moves the time), so it stays the same when the series is
    expanded again. ``zone`` is as for :func:`occurrences`.
    """
    events: list[Event] = []
    for occ in occurrences(series, until=until, limit=limit, zone=zone):
        if occ.cancelled:
            continue
        o = occ.override or Override(on=occ.starts_at.date())
        start = o.starts_at or occ.starts_at
        events.append(
            Event(
                id=_event_id(series, occ.starts_at),
                title=o.title or series.title,
                starts_at=start,
                ends_at=later(start, timedelta(minutes=series.minutes)),
                venue_id=o.venue_id or series.venue_id,
                capacity=series.capacity if o.capacity is None else o.capacity,
                talks=series.talks,
                networking_minutes=series.networking_minutes,
                series_id=series.id,
                description=series.description,
                sequence=occurrence_sequence(series, occ),
            )
        )
    return tuple(events)
