"""RSVPs, waitlist and check-in (the attendance forecast is ``terrain.events._forecast``).

An :class:`Attendance` is the list of RSVPs of one event, in the order they
came in; every change returns a new value. When someone going cancels, the
oldest waiting people are promoted until the event is full again. The seats
count people ``going`` and ``checked-in``; nobody is ever promoted past the
capacity.

Given the :class:`~terrain.events.Event` (``event=``), the functions also
hold to its calendar: a cancelled event takes no answer and no check-in;
the door opens :data:`DOORS_OPEN` before the start (no check-in months
ahead); the list is closed once the event has started, not before; and the
seats of people going who have not arrived are held :data:`SEATS_HELD`
after the start, then go to whoever is at the door (walk-ins, the waitlist).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from terrain._time import instant, require_aware
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
    "DOORS_OPEN",
    "SEATS_HELD",
    "Attendance",
    "Rsvp",
    "RsvpStatus",
    "cancel_rsvp",
    "capacity_of",
    "check_in",
    "join_waitlist",
    "mark_no_shows",
    "promote_waitlist",
    "rsvp_going",
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

#: Check-in opens this long before an event starts (people come early to set up).
DOORS_OPEN = timedelta(hours=2)
#: The seat of someone going who has not arrived is held this long after the start;
#: then it goes to whoever is at the door (a walk-in, someone on the waitlist).
SEATS_HELD = timedelta(minutes=30)


def _when(at: datetime, event: Event) -> str:
    """``at`` as a local time of ``event`` (its zone), for messages."""
    return at.astimezone(event.starts_at.tzinfo).strftime("%Y-%m-%d %H:%M")


def _refuse_if_cancelled(event: Event | None, doing: str) -> None:
    if event is not None and event.cancelled:
        why = f" ({event.cancel_reason})" if event.cancel_reason else ""
        raise ValidationError(
            f"event {event.id!r} of {_when(event.starts_at, event)} is cancelled{why}: "
            f"it takes no {doing}"
        )


def _check_event(attendance: Attendance, event: Event | None) -> None:
    if event is not None and event.id != attendance.event_id:
        raise ValidationError(
            f"these are the answers for event {attendance.event_id!r}, not {event.id!r}"
        )


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


def promote_waitlist(attendance: Attendance, *, at: datetime) -> Attendance:
    """Move waiting people to ``going``, first in line first, while seats are free."""
    require_aware(at, "promote: at")
    left = attendance.seats_left
    if left is None:
        left = len(attendance.waitlist)
    for member_id in attendance.waitlist[:left]:
        attendance = _set(attendance, member_id, RsvpStatus.GOING, at)
    return attendance


def _new_answer(attendance: Attendance, member_id: str, event: Event | None) -> Attendance:
    """``attendance`` ready for ``member_id``'s new answer: refused on a cancelled
    ``event`` or when they already answered; someone who had cancelled loses their
    place in the line."""
    _check_event(attendance, event)
    _refuse_if_cancelled(event, "RSVP")
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
    return attendance


def rsvp_going(
    attendance: Attendance, member_id: str, *, at: datetime, event: Event | None = None
) -> Attendance:
    """Register ``member_id``: going if a seat is free, else on the waitlist.

    Someone who had cancelled may answer again and goes to the end of the
    line; answering twice is a :class:`Conflict`. A cancelled ``event``
    takes no answer (:class:`ValidationError`).
    """
    require_aware(at, "rsvp: at")
    attendance = _new_answer(attendance, member_id, event)
    left = attendance.seats_left
    full = left is not None and (left == 0 or bool(attendance.waitlist))
    status = RsvpStatus.WAITLIST if full else RsvpStatus.GOING
    new = Rsvp(member_id, status, at)
    return attrs.evolve(attendance, rsvps=(*attendance.rsvps, new))


def join_waitlist(
    attendance: Attendance, member_id: str, *, at: datetime, event: Event | None = None
) -> Attendance:
    """Put ``member_id`` on the waitlist, even if a seat is free (they are not sure yet).

    The same rules as :func:`rsvp_going`: answering twice is a :class:`Conflict`,
    someone who had cancelled goes to the end of the line, a cancelled
    ``event`` takes no answer.
    """
    require_aware(at, "join_waitlist: at")
    attendance = _new_answer(attendance, member_id, event)
    return attrs.evolve(
        attendance, rsvps=(*attendance.rsvps, Rsvp(member_id, RsvpStatus.WAITLIST, at))
    )


def cancel_rsvp(attendance: Attendance, member_id: str, *, at: datetime) -> Attendance:
    """``member_id`` cancels; the freed seat goes to the first person waiting."""
    require_aware(at, "cancel: at")
    current = attendance.status_of(member_id)
    if current in (RsvpStatus.CHECKED_IN, RsvpStatus.NO_SHOW):
        raise ValidationError(
            f"{member_id!r} is {current.value} at event {attendance.event_id!r}: the event "
            "already happened for them; nothing to cancel"
        )
    return promote_waitlist(_set(attendance, member_id, RsvpStatus.CANCELLED, at), at=at)


def check_in(
    attendance: Attendance,
    member_id: str,
    *,
    at: datetime,
    walk_in: bool = False,
    event: Event | None = None,
) -> Attendance:
    """``member_id`` arrives at ``at``.

    People going check in while the room is not full of people checked in;
    someone waiting, a no-show arriving late, or a walk-in (someone with no
    RSVP, let in only with ``walk_in``) takes a free seat. With ``event``:
    a cancelled event takes no check-in, the door opens :data:`DOORS_OPEN`
    before the start, and from :data:`SEATS_HELD` after the start the seats
    of people going who have not arrived count as free.
    """
    _check_event(attendance, event)
    require_aware(at, "check_in: at")
    _refuse_if_cancelled(event, "check-in")
    if event is not None and instant(at) < instant(event.starts_at) - DOORS_OPEN:
        opens = _when(instant(event.starts_at) - DOORS_OPEN, event)
        raise ValidationError(
            f"event {event.id!r} starts on {_when(event.starts_at, event)}: check-in opens at "
            f"{opens}, and it is {_when(at, event)}; check people in when they arrive (or give "
            "the time they arrived)"
        )
    known = any(r.member_id == member_id for r in attendance.rsvps)
    if not known:
        if not walk_in:
            raise NotFound(
                f"{member_id!r} has no RSVP for event {attendance.event_id!r}; check them in as "
                "a walk-in if there is room, or have them RSVP first"
            )
        attendance = attrs.evolve(
            attendance, rsvps=(*attendance.rsvps, Rsvp(member_id, RsvpStatus.WAITLIST, at))
        )
    current = attendance.status_of(member_id)
    if current is RsvpStatus.CHECKED_IN:
        raise Conflict(f"{member_id!r} is already checked in at event {attendance.event_id!r}")
    capacity = attendance.capacity
    if capacity is None:
        return _set(attendance, member_id, RsvpStatus.CHECKED_IN, at)
    inside = len(attendance.checked_in)
    released = event is not None and instant(at) >= instant(event.starts_at) + SEATS_HELD
    who = "a walk-in" if not known else current.value
    if inside >= capacity:
        late = (
            f"; the seats of people going who had not arrived went to people at the door "
            f"{SEATS_HELD.seconds // 60} minutes after the start"
            if released and current is RsvpStatus.GOING
            else ""
        )
        raise ValidationError(
            f"event {attendance.event_id!r} is full: {inside} people checked in for "
            f"{capacity} seats, so {member_id!r} ({who}) cannot come in{late}"
        )
    if current is not RsvpStatus.GOING and not released and attendance.seated >= capacity:
        hint = (
            f"; from {_when(instant(event.starts_at) + SEATS_HELD, event)} the seats of "
            "people going who have not arrived are free"
            if event is not None
            else ""
        )
        raise ValidationError(
            f"event {attendance.event_id!r} is full ({capacity} seats, all held by people "
            f"going): {member_id!r} ({who}) can check in when someone cancels{hint}"
        )
    return _set(attendance, member_id, RsvpStatus.CHECKED_IN, at)


def mark_no_shows(
    attendance: Attendance, *, at: datetime, event: Event | None = None
) -> Attendance:
    """After the event: everyone still ``going`` did not come (``no-show``).

    With ``event``: closing a cancelled event, or an event that has not
    started at ``at``, is a :class:`ValidationError` (nobody can have missed
    it yet).
    """
    _check_event(attendance, event)
    require_aware(at, "close: at")
    _refuse_if_cancelled(event, "closing of its list")
    if event is not None and not event.has_started(at):
        raise ValidationError(
            f"event {event.id!r} starts on {_when(event.starts_at, event)} and it is "
            f"{_when(at, event)}: nobody has missed it yet; close the list after the event"
        )
    for member_id in attendance.with_status(RsvpStatus.GOING):
        attendance = _set(attendance, member_id, RsvpStatus.NO_SHOW, at)
    return attendance
