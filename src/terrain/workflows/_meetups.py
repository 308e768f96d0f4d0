"""Before, during and after a meetup: answers, the door, the list, series, the budget.

Each function is one thing a community manager does with a workspace, in one
transaction where it writes: the command line calls it and prints, an app
calls the same. Every time comes from the caller (``at=`` / ``now=``): what
"months ahead" or "a past meetup" means is decided against it.

- :func:`answer_rsvp`, :func:`check_in_members`, :func:`close_attendance`
  hold to the event's calendar (a cancelled date takes no answer, the door
  opens :data:`~terrain.events.DOORS_OPEN` before the start, the list is
  closed once the event started).
- :func:`attendance_report` gives who came for an event that took place, the
  forecast for one ahead.
- :func:`cancel_event`, :func:`plan_series`, :func:`change_series_date`
  keep the stored events in step with cancellations and moves, and say who
  to tell: people who answered for a cancelled date, people going beyond
  the seats of a smaller venue (:func:`overbooked`).
- :func:`meetup_budget` counts the people who came once the meetup happened,
  and the venue's fee and cost model.

The programme and calendars are in ``_programme``, the community's core and
engagement in ``_community``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.errors import ValidationError
from terrain.events import (
    Attendance,
    Event,
    Forecast,
    Money,
    Override,
    RsvpStatus,
    Series,
    Venue,
    cancel_rsvp,
    capacity_of,
    check_in,
    forecast_attendance,
    join_waitlist,
    mark_no_shows,
    occurrences,
    promote_waitlist,
    rsvp_going,
    series_events,
)
from terrain.events import CostModel as _CostModel
from terrain.partnerships import Budget, Contribution, event_budget

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "DEFAULT_SERIES_LIMIT",
    "Answer",
    "AttendanceReport",
    "Cancellation",
    "Overbooking",
    "SeriesPlan",
    "answer_rsvp",
    "attendance_report",
    "cancel_event",
    "change_series_date",
    "check_in_members",
    "close_attendance",
    "edit_event",
    "forecast_of",
    "load_attendance",
    "meetup_budget",
    "overbooked",
    "plan_series",
    "series_limit",
]

#: How many dates of a series whose rule never ends are planned, shown or exported
#: when no limit is given.
DEFAULT_SERIES_LIMIT = 12


def series_limit(series: Series, limit: int | None = None) -> int | None:
    """``limit``, else :data:`DEFAULT_SERIES_LIMIT` for a rule that never ends (``None``:
    every date)."""
    if limit is None and series.is_endless:
        return DEFAULT_SERIES_LIMIT
    return limit


def load_attendance(ws: Workspace, event_id: str) -> Attendance:
    """The answers for ``event_id`` (empty if none yet), with the event's current capacity."""
    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    capacity = capacity_of(event, venue)
    if ws.exists(Attendance, event_id):
        return attrs.evolve(ws.get(Attendance, event_id), capacity=capacity)
    return Attendance(event_id, capacity=capacity)


def forecast_of(ws: Workspace, answers: Attendance) -> Forecast:
    """How many people to expect at ``answers``' event, from the no-show rate of the
    earlier meetups of its series that took place (none: everyone going comes)."""
    event = ws.get(Event, answers.event_id)
    past: list[Attendance] = []
    if event.series_id is not None:
        earlier = [
            e
            for e in ws.list(Event)
            if e.series_id == event.series_id
            and instant(e.starts_at) < instant(event.starts_at)
            and not e.cancelled
            and ws.exists(Attendance, e.id)
        ]
        past = [a for a in (ws.get(Attendance, e.id) for e in earlier) if a.checked_in]
    return forecast_attendance(answers, past)


# -- answers and the door ----------------------------------------------------------------


@attrs.frozen
class Answer:
    """What :func:`answer_rsvp` did: ``member_id`` is now ``status``; ``promoted``
    moved from the waitlist to going (tell them a seat is free)."""

    event: Event
    attendance: Attendance
    member_id: str
    status: RsvpStatus
    promoted: tuple[str, ...]


def answer_rsvp(
    ws: Workspace,
    event_id: str,
    member_id: str,
    answer: Literal["going", "waitlist", "cancel"],
    *,
    at: datetime,
) -> Answer:
    """Record ``member_id``'s answer for ``event_id`` at ``at``.

    ``going`` (waitlisted when full), ``waitlist`` (wait for a seat even if
    one is free) or ``cancel`` (the first person waiting gets the seat). A
    cancelled event takes no ``going`` or ``waitlist`` (cancelling an answer
    stays possible).
    """
    require_aware(at, "answer_rsvp: at")
    event = ws.get(Event, event_id)
    before = load_attendance(ws, event_id)
    current = promote_waitlist(before, at=at)  # a capacity raised since: seats go to those waiting
    if answer == "going":
        after = rsvp_going(current, member_id, at=at, event=event)
    elif answer == "cancel":
        after = cancel_rsvp(current, member_id, at=at)
    elif answer == "waitlist":
        after = join_waitlist(current, member_id, at=at, event=event)
    else:
        raise ValidationError(f"answer {answer!r}: give going, waitlist or cancel")
    ws.put(after)
    promoted = tuple(
        m for m in after.with_status(RsvpStatus.GOING) if m != member_id and m in before.waitlist
    )
    return Answer(event, after, member_id, after.status_of(member_id), promoted)


def check_in_members(
    ws: Workspace,
    event_id: str,
    member_ids: Sequence[str],
    *,
    at: datetime,
    walk_in: bool = False,
) -> Attendance:
    """Check in ``member_ids`` at the door of ``event_id`` at ``at``: all or none.

    See :func:`terrain.events.check_in` for the rules (the door opens
    :data:`~terrain.events.DOORS_OPEN` before the start; a cancelled event
    takes nobody).
    """
    require_aware(at, "check_in_members: at")
    event = ws.get(Event, event_id)
    answers = load_attendance(ws, event_id)
    for member_id in member_ids:
        answers = check_in(answers, member_id, at=at, walk_in=walk_in, event=event)
    ws.put(answers)
    return answers


def close_attendance(ws: Workspace, event_id: str, *, at: datetime) -> Attendance:
    """After the event: everyone still going is a no-show (refused before the event starts)."""
    require_aware(at, "close_attendance: at")
    event = ws.get(Event, event_id)
    answers = mark_no_shows(load_attendance(ws, event_id), at=at, event=event)
    ws.put(answers)
    return answers


@attrs.frozen
class AttendanceReport:
    """Where an event stands: its answers, and either who came (``took_place``)
    or how many to expect (``forecast``, for an event ahead)."""

    event: Event
    attendance: Attendance
    took_place: bool
    forecast: Forecast | None
    names: dict[str, str]

    @property
    def came(self) -> int:
        """How many people were checked in."""
        return len(self.attendance.checked_in)

    @property
    def over_capacity(self) -> int:
        """How many people hold a seat beyond the capacity (a smaller venue since)."""
        cap = self.attendance.capacity
        return 0 if cap is None else max(0, self.attendance.seated - cap)


def _names(ws: Workspace, ids: Iterable[str]) -> dict[str, str]:
    wanted = set(ids)
    return {m.id: m.display_name for m in ws.list(Member) if m.id in wanted}


def attendance_report(
    ws: Workspace, event_id: str, *, now: datetime, close_at: datetime | None = None
) -> AttendanceReport:
    """Who answered for ``event_id``; who came if it has started by ``now``, else the
    forecast from the no-show rate of the earlier dates of its series.

    With ``close_at``, the list is first closed at that time (see
    :func:`close_attendance`: everyone still going is a no-show).
    """
    require_aware(now, "attendance_report: now")
    if close_at is not None:
        close_attendance(ws, event_id, at=close_at)
    event = ws.get(Event, event_id)
    answers = load_attendance(ws, event_id)
    happened = event.took_place(now)
    forecast = None if happened or event.cancelled else forecast_of(ws, answers)
    names = _names(ws, (r.member_id for r in answers.rsvps))
    return AttendanceReport(event, answers, happened, forecast, names)


# -- cancellations, series, venues -------------------------------------------------------


@attrs.frozen
class Cancellation:
    """An event cancelled (or restored): ``to_tell`` are the people who had answered
    going or waitlist, by id, with ``names``."""

    event: Event
    to_tell: tuple[str, ...]
    names: dict[str, str]


def _to_tell(ws: Workspace, event_id: str) -> tuple[str, ...]:
    if not ws.exists(Attendance, event_id):
        return ()
    answers = ws.get(Attendance, event_id)
    return tuple(
        r.member_id
        for r in answers.rsvps
        if r.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST, RsvpStatus.CHECKED_IN)
    )


def cancel_event(
    ws: Workspace, event_id: str, *, reason: str = "", restore: bool = False
) -> Cancellation:
    """Cancel ``event_id`` (``reason`` says why), or ``restore`` a cancelled one.

    The event and its answers stay stored: the result lists who to tell. A
    cancelled event takes no RSVP or check-in and never counts as a meetup
    that took place.
    """
    event = ws.get(Event, event_id)
    if restore:
        changed = attrs.evolve(event, cancelled=False, cancel_reason="")
    else:
        changed = attrs.evolve(event, cancelled=True, cancel_reason=reason)
    ws.put(changed)
    tell = _to_tell(ws, event_id)
    return Cancellation(changed, tell, _names(ws, tell))


@attrs.frozen
class Overbooking:
    """More people going to ``event_id`` than its seats: ``seated`` for ``capacity``."""

    event_id: str
    title: str
    starts_at: datetime
    seated: int
    capacity: int
    venue_name: str | None

    @property
    def excess(self) -> int:
        """How many people too many."""
        return self.seated - self.capacity

    def __str__(self) -> str:
        where = f" at {self.venue_name}" if self.venue_name else ""
        return (
            f"{self.event_id} ({self.starts_at:%Y-%m-%d}): {self.seated} people going for "
            f"{self.capacity} seats{where}, {self.excess} too many: tell them, or choose a "
            f"bigger venue (`terrain venue suggest --attendance {self.seated}`)"
        )


def overbooked(ws: Workspace, events: Iterable[Event]) -> tuple[Overbooking, ...]:
    """The ``events`` (not cancelled) whose seats are fewer than the people holding one."""
    found = []
    for event in events:
        if event.cancelled or not ws.exists(Attendance, event.id):
            continue
        venue = ws.get(Venue, event.venue_id) if event.venue_id else None
        capacity = capacity_of(event, venue)
        seated = ws.get(Attendance, event.id).seated
        if capacity is not None and seated > capacity:
            found.append(
                Overbooking(
                    event.id,
                    event.title,
                    event.starts_at,
                    seated,
                    capacity,
                    venue.name if venue is not None else None,
                )
            )
    return tuple(found)


def edit_event(
    ws: Workspace,
    event_id: str,
    *,
    title: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    venue_id: str | None = None,
    capacity: int | None = None,
    networking_minutes: int | None = None,
    description: str | None = None,
    clear: Iterable[str] = (),
) -> tuple[Event, tuple[Overbooking, ...]]:
    """Change what is given of meetup ``event_id`` (the rest stays); the event as
    stored, and whether it now has more people going than seats (a smaller venue).

    ``clear`` names fields to empty: ``venue_id`` (no venue), ``capacity`` (the
    venue's, or no limit).
    """
    event = ws.get(Event, event_id)
    changes: dict[str, Any] = {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue_id": venue_id,
        "capacity": capacity,
        "networking_minutes": networking_minutes,
        "description": description,
    }
    given = {k: v for k, v in changes.items() if v is not None}
    for field in clear:
        if field not in ("venue_id", "capacity"):
            raise ValidationError("only the venue and the capacity of an event can be cleared")
        given[field] = None
    if not given:
        raise ValidationError(
            f"say what changes for event {event_id!r}: its title, start, end, venue, capacity, "
            "networking time or description"
        )
    changed = attrs.evolve(event, **given)
    ws.put(changed)
    return changed, overbooked(ws, [changed])


@attrs.frozen
class SeriesPlan:
    """What :func:`plan_series` stored: ``events`` planned, ``cancelled`` events of
    dates cancelled since (with who answered), ``stale`` events of dates the
    rule no longer has (with how many answered), ``overbooked`` dates."""

    series: Series
    events: tuple[Event, ...]
    cancelled: tuple[Cancellation, ...]
    stale: dict[str, int]
    overbooked: tuple[Overbooking, ...]


def _apply_series(
    ws: Workspace, series: Series, *, limit: int | None, only: str | None = None
) -> tuple[list[Event], list[Event], set[str]]:
    """Store the events of ``series`` (only event ``only`` if given, and only if stored):
    (planned events, cancelled events, ids the series has)."""
    zone = ws.community.timezone
    planned = series_events(series, limit=limit, zone=zone)
    called_off = {
        f"{series.id}-{o.starts_at:%Y%m%d}": o.override
        for o in occurrences(series, limit=limit, zone=zone)
        if o.cancelled
    }
    events: list[Event] = []
    cancelled: list[Event] = []
    for event in planned:
        if only is not None and event.id != only:
            continue
        if ws.exists(Event, event.id):
            # what the series decides follows it; what was edited on the event stays
            stored = ws.get(Event, event.id)
            event = attrs.evolve(
                stored,
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                venue_id=event.venue_id,
                capacity=event.capacity,
                cancelled=False,
                cancel_reason="",
                sequence=max(stored.sequence, event.sequence),
            )
        elif only is not None:
            continue
        events.append(ws.put(event))  # a date that moved gets its SEQUENCE raised
    for event_id, override in called_off.items():
        if (only is not None and event_id != only) or not ws.exists(Event, event_id):
            continue
        stored = ws.get(Event, event_id)
        reason = override.note if override is not None else ""
        if not stored.cancelled or stored.cancel_reason != reason:
            stored = ws.put(attrs.evolve(stored, cancelled=True, cancel_reason=reason))
        cancelled.append(stored)
    return events, cancelled, {e.id for e in planned} | called_off.keys()


def _cancellations(ws: Workspace, events: Iterable[Event]) -> tuple[Cancellation, ...]:
    out = []
    for event in events:
        tell = _to_tell(ws, event.id)
        out.append(Cancellation(event, tell, _names(ws, tell)))
    return tuple(out)


def plan_series(ws: Workspace, series_id: str, *, limit: int | None = None) -> SeriesPlan:
    """Store the meetups of series ``series_id`` as events (ready for RSVPs).

    Events keep their ids (``<series>-<YYYYMMDD>``); their date, time, venue,
    title and capacity follow the series, while talks and description edited
    on an event are kept. The stored event of a date cancelled by an
    override is marked cancelled (and restored if the override goes); events
    of dates the rule no longer has are listed as ``stale``. ``limit`` keeps the
    first dates only (default: every date, the next :data:`DEFAULT_SERIES_LIMIT`
    of a rule that never ends).
    """
    series = ws.get(Series, series_id)
    limit = series_limit(series, limit)
    with ws.db.transaction():
        events, cancelled, has = _apply_series(ws, series, limit=limit)
    stale = {
        e.id: len(ws.get(Attendance, e.id).rsvps) if ws.exists(Attendance, e.id) else 0
        for e in ws.list(Event)
        if e.series_id == series_id and e.id not in has
    }
    return SeriesPlan(
        series, tuple(events), _cancellations(ws, cancelled), stale, overbooked(ws, events)
    )


def change_series_date(
    ws: Workspace, series_id: str, change: Override, *, limit: int | None = None
) -> SeriesPlan:
    """Apply ``change`` to one date of series ``series_id`` (it replaces an earlier
    change of that date) and, when that date is already stored as an event, bring
    that event in step at once (cancelled, moved, at another venue).

    Nothing is stored if the date is not one of the series' (its first ``limit``
    dates, as for :func:`plan_series`). The result's ``overbooked`` says when a
    smaller venue leaves people going without a seat.
    """
    series = ws.get(Series, series_id)
    limit = series_limit(series, limit)
    kept = tuple(o for o in series.overrides if o.on != change.on)
    changed = attrs.evolve(series, overrides=sorted((*kept, change), key=lambda o: o.on))
    # an override on a date the rule lacks: an error
    dates = occurrences(changed, limit=limit, zone=ws.community.timezone)
    event_id = next(
        (f"{series.id}-{o.starts_at:%Y%m%d}" for o in dates if o.starts_at.date() == change.on),
        None,
    )
    with ws.db.transaction():
        changed = ws.put(changed)
        events, cancelled, _has = (
            _apply_series(ws, changed, limit=limit, only=event_id)
            if event_id is not None
            else ([], [], set())
        )
    return SeriesPlan(
        changed, tuple(events), _cancellations(ws, cancelled), {}, overbooked(ws, events)
    )


# -- the budget ------------------------------------------------------------------------

#: Venues where the community pays no food or drinks per person unless told.
_NOTHING_PER_PERSON = (_CostModel.EACH_PAYS_OWN, _CostModel.HOST_PAYS)


def meetup_budget(
    ws: Workspace,
    event_id: str,
    *,
    now: datetime,
    per_person: Money | None = None,
    own: Money | None = None,
    people: int | None = None,
) -> Budget:
    """The budget of meetup ``event_id``: food and drinks for its people, the venue's fee.

    The people are ``people`` if given; else, once the meetup has started by
    ``now``, the people checked in; else the forecast. ``per_person``
    defaults to nothing at a venue where everyone pays their own drinks or the
    host offers them; elsewhere it must be given. A venue with a rental fee
    adds it.
    """
    require_aware(now, "meetup_budget: now")
    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    if per_person is None:
        if venue is None or venue.cost_model not in _NOTHING_PER_PERSON:
            where = f" at {venue.name} ({venue.cost_model.value})" if venue else ""
            raise ValidationError(
                f"say what food and drinks cost per person{where} (e.g. --per-person 3.50); "
                "only a venue where everyone pays their own drinks, or where the host offers "
                "them, needs none"
            )
        per_person = Money(0, own.currency if own is not None else "EUR")
    answers = load_attendance(ws, event_id)
    if people is not None:
        source = "given"
    elif event.took_place(now):
        people, source = len(answers.checked_in), "check-ins"
    else:
        people, source = forecast_of(ws, answers).expected, "forecast"
    return event_budget(
        event_id,
        people=people,
        per_person=per_person,
        contributions=ws.list(Contribution),
        own_budget=own if own is not None else Money(0, per_person.currency),
        venue=venue,
        people_from=source,
    )
