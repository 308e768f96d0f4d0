"""RSVPs, waitlist, check-in, and an attendance forecast.

An :class:`Attendance` is the list of RSVPs of one event, in the order they
came in; every change returns a new value. When someone going cancels, the
oldest waiting people are promoted until the event is full again. The seats
count people ``going`` and ``checked-in``; nobody is ever promoted past the
capacity.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs

from terrain._time import require_aware
from terrain._validation import (
    as_enum,
    at_least,
    aware_datetime,
    each,
    identifier,
    instance_of,
    member_of,
    optional,
    to_tuple,
    unique,
)
from terrain.errors import Conflict, NotFound, ValidationError
from terrain.events._models import Event, Venue

__all__ = [
    "Attendance",
    "Forecast",
    "Rsvp",
    "RsvpStatus",
    "VenueSuggestion",
    "cancel",
    "capacity_of",
    "check_in",
    "close",
    "forecast_attendance",
    "promote",
    "rsvp",
    "suggest_venues",
]


class RsvpStatus(enum.StrEnum):
    """Where someone stands for an event."""

    GOING = "going"
    WAITLIST = "waitlist"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked-in"
    NO_SHOW = "no-show"


def _to_status(value: RsvpStatus | str) -> RsvpStatus:
    return as_enum(RsvpStatus, value)


_SEATED = frozenset({RsvpStatus.GOING, RsvpStatus.CHECKED_IN})


@attrs.frozen
class Rsvp:
    """Member ``member_id``'s answer, made at ``at``; ``changed_at`` is the last change."""

    member_id: str = attrs.field(validator=identifier())
    status: RsvpStatus = attrs.field(converter=_to_status, validator=member_of(RsvpStatus))
    at: datetime = attrs.field(validator=aware_datetime())
    changed_at: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))


@attrs.frozen
class Attendance:
    """The RSVPs of event ``event_id``, oldest first; ``capacity`` ``None`` is unlimited."""

    event_id: str = attrs.field(validator=identifier())
    capacity: int | None = attrs.field(default=None, validator=optional(at_least(0)))
    rsvps: tuple[Rsvp, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(Rsvp)), unique(lambda r: r.member_id, "member")],
    )

    def with_status(self, status: RsvpStatus) -> tuple[str, ...]:
        """The members with ``status``, in RSVP order."""
        return tuple(r.member_id for r in self.rsvps if r.status is status)

    @property
    def seated(self) -> int:
        """People holding a seat: going or checked in."""
        return sum(r.status in _SEATED for r in self.rsvps)

    @property
    def seats_left(self) -> int | None:
        """Free seats (``None``: no limit)."""
        return None if self.capacity is None else max(0, self.capacity - self.seated)

    @property
    def waitlist(self) -> tuple[str, ...]:
        """The waiting members, first in line first."""
        return self.with_status(RsvpStatus.WAITLIST)

    @property
    def checked_in(self) -> tuple[str, ...]:
        """The members who came."""
        return self.with_status(RsvpStatus.CHECKED_IN)

    def status_of(self, member_id: str) -> RsvpStatus:
        """``member_id``'s status; :class:`NotFound` if they never answered."""
        for r in self.rsvps:
            if r.member_id == member_id:
                return r.status
        raise NotFound(f"{member_id!r} has no RSVP for event {self.event_id!r}; RSVP first")


def capacity_of(event: Event, venue: Venue | None = None) -> int | None:
    """The capacity of ``event``: its own, else its venue's, else ``None`` (no limit)."""
    if venue is not None and event.venue_id is not None and venue.id != event.venue_id:
        raise ValidationError(
            f"capacity_of: event {event.id!r} is at venue {event.venue_id!r}, not {venue.id!r}"
        )
    if event.capacity is not None:
        return event.capacity
    return venue.capacity if venue is not None else None


def _set(attendance: Attendance, member_id: str, status: RsvpStatus, at: datetime) -> Attendance:
    rsvps = tuple(
        attrs.evolve(r, status=status, changed_at=at) if r.member_id == member_id else r
        for r in attendance.rsvps
    )
    return attrs.evolve(attendance, rsvps=rsvps)


def promote(attendance: Attendance, *, at: datetime) -> Attendance:
    """Move waiting people to ``going``, first in line first, while seats are free."""
    require_aware(at, "promote: at")
    left = attendance.seats_left
    if left is None:
        left = len(attendance.waitlist)
    for member_id in attendance.waitlist[:left]:
        attendance = _set(attendance, member_id, RsvpStatus.GOING, at)
    return attendance


def rsvp(attendance: Attendance, member_id: str, *, at: datetime) -> Attendance:
    """Register ``member_id``: going if a seat is free, else on the waitlist.

    Someone who had cancelled may answer again and goes to the end of the
    line; answering twice is a :class:`Conflict`.
    """
    require_aware(at, "rsvp: at")
    if any(r.member_id == member_id for r in attendance.rsvps):
        current = attendance.status_of(member_id)
        if current is not RsvpStatus.CANCELLED:
            raise Conflict(
                f"{member_id!r} already answered for event {attendance.event_id!r} "
                f"({current.value}); cancel first to change the answer"
            )
        attendance = attrs.evolve(
            attendance, rsvps=tuple(r for r in attendance.rsvps if r.member_id != member_id)
        )
    left = attendance.seats_left
    full = left is not None and (left == 0 or bool(attendance.waitlist))
    status = RsvpStatus.WAITLIST if full else RsvpStatus.GOING
    new = Rsvp(member_id, status, at)
    return attrs.evolve(attendance, rsvps=(*attendance.rsvps, new))


def cancel(attendance: Attendance, member_id: str, *, at: datetime) -> Attendance:
    """``member_id`` cancels; the freed seat goes to the first person waiting."""
    require_aware(at, "cancel: at")
    current = attendance.status_of(member_id)
    if current in (RsvpStatus.CHECKED_IN, RsvpStatus.NO_SHOW):
        raise ValidationError(
            f"{member_id!r} is {current.value} at event {attendance.event_id!r}: the event "
            "already happened for them; nothing to cancel"
        )
    return promote(_set(attendance, member_id, RsvpStatus.CANCELLED, at), at=at)


def check_in(
    attendance: Attendance, member_id: str, *, at: datetime, walk_in: bool = False
) -> Attendance:
    """``member_id`` arrives. Going people check in; someone waiting or a walk-in
    (``walk_in=True``) checks in only if a seat is free."""
    require_aware(at, "check_in: at")
    known = any(r.member_id == member_id for r in attendance.rsvps)
    if not known:
        if not walk_in:
            raise NotFound(
                f"{member_id!r} has no RSVP for event {attendance.event_id!r}; "
                "pass walk_in=True to check in someone who did not register"
            )
        attendance = attrs.evolve(
            attendance, rsvps=(*attendance.rsvps, Rsvp(member_id, RsvpStatus.WAITLIST, at))
        )
    current = attendance.status_of(member_id)
    if current is RsvpStatus.CHECKED_IN:
        raise Conflict(f"{member_id!r} is already checked in at event {attendance.event_id!r}")
    if current is not RsvpStatus.GOING and attendance.seats_left == 0:
        raise ValidationError(
            f"event {attendance.event_id!r} is full ({attendance.capacity} seats): "
            f"{member_id!r} ({current.value}) can check in when someone cancels"
        )
    return _set(attendance, member_id, RsvpStatus.CHECKED_IN, at)


def close(attendance: Attendance, *, at: datetime) -> Attendance:
    """After the event: everyone still ``going`` did not come (``no-show``)."""
    require_aware(at, "close: at")
    for member_id in attendance.with_status(RsvpStatus.GOING):
        attendance = _set(attendance, member_id, RsvpStatus.NO_SHOW, at)
    return attendance


@attrs.frozen
class Forecast:
    """How many people to expect, and from what."""

    expected: int
    going: int
    no_show_rate: float
    past_events: int

    def explain(self) -> str:
        """One sentence a community manager can read."""
        if not self.past_events:
            return f"{self.expected} expected: {self.going} going, no past event to learn from"
        return (
            f"{self.expected} expected: {self.going} going, minus a no-show rate of "
            f"{self.no_show_rate:.0%} over the last {self.past_events} events"
        )


def forecast_attendance(current: Attendance, past: Sequence[Attendance]) -> Forecast:
    """Expected attendance of ``current`` from the no-show rate of ``past`` events.

    The rate is no-shows over people who held a seat at the end (checked in or
    no-show), across the past events of the series (closed with :func:`close`).
    """
    came = sum(len(p.checked_in) for p in past)
    missed = sum(len(p.with_status(RsvpStatus.NO_SHOW)) for p in past)
    rate = missed / (came + missed) if came + missed else 0.0
    going = current.seated
    expected = math.ceil(going * (1 - rate) - 1e-9)
    return Forecast(expected, going, rate, sum(1 for p in past if p.checked_in or p.rsvps))


@attrs.frozen
class VenueSuggestion:
    """A venue that fits, with how full it would be and why it is suggested."""

    venue: Venue
    fill: float
    reason: str


def suggest_venues(
    venues: Iterable[Venue], *, attendance: int, margin: float = 0.1
) -> tuple[VenueSuggestion, ...]:
    """The venues with room for ``attendance`` people plus a ``margin``, snuggest first.

    A room that is nearly full feels lively; a huge one feels empty. Venues
    without a known capacity are left out (set their capacity to consider them).
    """
    if attendance < 0 or margin < 0:
        raise ValidationError("suggest_venues: attendance and margin must be 0 or more")
    need = math.ceil(attendance * (1 + margin))
    fits = [v for v in venues if v.capacity is not None and v.capacity >= max(need, 1)]
    fits.sort(key=lambda v: (v.capacity, v.fee.cents if v.fee else 0, v.name))
    return tuple(
        VenueSuggestion(
            v,
            attendance / v.capacity if v.capacity else 0.0,
            f"{v.name} ({v.kind.value}, {v.capacity} places, {v.cost_model.value}) holds "
            f"{attendance} people with a {margin:.0%} margin",
        )
        for v in fits
        if v.capacity is not None
    )
