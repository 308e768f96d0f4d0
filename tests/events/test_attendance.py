"""RSVPs, the waitlist, check-in, forecasts and venue suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain.errors import Conflict, NotFound, ValidationError
from terrain.events import (
    DOORS_OPEN,
    SEATS_HELD,
    Attendance,
    Event,
    RsvpStatus,
    Venue,
    cancel_rsvp,
    capacity_of,
    check_in,
    forecast_attendance,
    join_waitlist,
    mark_no_shows,
    rsvp_going,
    suggest_venues,
)

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_waitlist_is_promoted_in_order_when_someone_cancels() -> None:
    a = Attendance("apero-mars", capacity=2)
    for n, who in enumerate(["lea", "karim", "ines", "tom"]):
        a = rsvp_going(a, who, at=at(n))
    assert a.with_status(RsvpStatus.GOING) == ("lea", "karim")
    assert a.waitlist == ("ines", "tom")
    a = cancel_rsvp(a, "karim", at=at(10))
    assert a.status_of("karim") is RsvpStatus.CANCELLED
    assert a.with_status(RsvpStatus.GOING) == ("lea", "ines")
    assert a.waitlist == ("tom",)
    assert a.seats_left == 0


def test_check_in_then_close_marks_the_absent_as_no_show() -> None:
    a = Attendance("ev", capacity=3)
    for n, who in enumerate(["lea", "karim", "ines"]):
        a = rsvp_going(a, who, at=at(n))
    a = check_in(a, "lea", at=at(600))
    a = check_in(a, "ines", at=at(605))
    a = mark_no_shows(a, at=at(800))
    assert a.checked_in == ("lea", "ines")
    assert a.with_status(RsvpStatus.NO_SHOW) == ("karim",)
    with pytest.raises(ValidationError, match="nothing to cancel"):
        cancel_rsvp(a, "karim", at=at(900))


def test_a_walk_in_takes_a_free_seat_but_not_a_full_room() -> None:
    a = rsvp_going(Attendance("ev", capacity=2), "lea", at=at(0))
    with pytest.raises(NotFound, match="check them in as a walk-in"):
        check_in(a, "sam", at=at(1))
    a = check_in(a, "sam", at=at(1), walk_in=True)
    assert a.status_of("sam") is RsvpStatus.CHECKED_IN
    with pytest.raises(ValidationError, match="is full"):
        check_in(a, "zoe", at=at(2), walk_in=True)


def test_answering_twice_is_a_conflict_but_answering_again_after_cancelling_is_fine() -> None:
    a = rsvp_going(Attendance("ev", capacity=1), "lea", at=at(0))
    with pytest.raises(Conflict, match="already answered"):
        rsvp_going(a, "lea", at=at(1))
    a = rsvp_going(cancel_rsvp(a, "lea", at=at(2)), "lea", at=at(3))
    assert a.status_of("lea") is RsvpStatus.GOING


def test_capacity_comes_from_the_event_else_the_venue() -> None:
    start = datetime(2026, 3, 5, 18, tzinfo=UTC)
    ev = Event(id="e", title="E", starts_at=start, ends_at=start + timedelta(hours=2), venue_id="z")
    venue = Venue(id="z", name="Le Zinc", kind="bar", capacity=40)
    assert capacity_of(ev, venue) == 40
    assert capacity_of(attrs.evolve(ev, capacity=25), venue) == 25
    with pytest.raises(ValidationError, match="not 'other'"):
        capacity_of(ev, Venue(id="other", name="O", kind="agency"))


def test_forecast_uses_the_no_show_rate_of_past_events() -> None:
    past = []
    for n in range(2):
        a = Attendance(f"ev-{n}")
        for i in range(10):
            a = rsvp_going(a, f"m{i}", at=at(i))
        for i in range(8):
            a = check_in(a, f"m{i}", at=at(100 + i))
        past.append(mark_no_shows(a, at=at(500)))
    upcoming = Attendance("ev-next")
    for i in range(30):
        upcoming = rsvp_going(upcoming, f"m{i}", at=at(i))
    forecast = forecast_attendance(upcoming, past)
    assert forecast.no_show_rate == pytest.approx(0.2)
    assert forecast.expected == 24
    assert "20%" in forecast.explain()
    assert forecast_attendance(upcoming, []).expected == 30


def test_venue_suggestions_fit_the_forecast_snuggest_first() -> None:
    venues = [
        Venue(id="hall", name="Salle des fêtes", kind="public", capacity=200),
        Venue(id="zinc", name="Le Zinc", kind="bar", capacity=30),
        Venue(id="agence", name="Agence Nord", kind="agency", capacity=45),
        Venue(id="nook", name="Le Recoin", kind="bar", capacity=15),
        Venue(id="park", name="Parc", kind="public"),
    ]
    suggested = suggest_venues(venues, attendance=26)
    assert [s.venue.id for s in suggested] == ["zinc", "agence", "hall"]
    assert "26 people" in suggested[0].reason


actions = st.lists(
    st.tuples(st.sampled_from(["rsvp", "cancel", "check_in"]), st.integers(0, 11)), max_size=60
)


@settings(max_examples=150, deadline=None)
@given(capacity=st.integers(0, 6), steps=actions)
def test_waitlist_promotion_never_exceeds_capacity(
    capacity: int, steps: list[tuple[str, int]]
) -> None:
    a = Attendance("ev", capacity=capacity)
    for n, (action, who) in enumerate(steps):
        member = f"m{who}"
        try:
            if action == "rsvp":
                a = rsvp_going(a, member, at=at(n))
            elif action == "cancel":
                a = cancel_rsvp(a, member, at=at(n))
            else:
                a = check_in(a, member, at=at(n))
        except (Conflict, NotFound, ValidationError):
            pass
        assert a.seated <= capacity
        # nobody waits while a seat is free
        assert not (a.waitlist and a.seats_left)


#: An evening meetup of 20 seats on 2026-03-05, 19:00-22:00 (UTC).
START = datetime(2026, 3, 5, 19, tzinfo=UTC)
MEETUP = Event(
    id="apero", title="Apéro", starts_at=START, ends_at=START + timedelta(hours=3), capacity=2
)


def test_a_cancelled_date_takes_no_answer_and_no_check_in() -> None:
    """A cancelled date of a series used to take RSVPs like any other."""
    called_off = attrs.evolve(MEETUP, cancelled=True, cancel_reason="vacances")
    a = Attendance("apero", capacity=2)
    with pytest.raises(ValidationError, match=r"is cancelled \(vacances\): it takes no RSVP"):
        rsvp_going(a, "lea", at=at(0), event=called_off)
    with pytest.raises(ValidationError, match="it takes no RSVP"):
        join_waitlist(a, "lea", at=at(0), event=called_off)
    a = rsvp_going(a, "lea", at=at(0), event=MEETUP)
    with pytest.raises(ValidationError, match="it takes no check-in"):
        check_in(a, "lea", at=START, event=called_off)
    with pytest.raises(ValidationError, match="it takes no closing"):
        mark_no_shows(a, at=START + timedelta(hours=4), event=called_off)
    assert cancel_rsvp(a, "lea", at=at(1)).status_of("lea") is RsvpStatus.CANCELLED


def test_check_in_months_ahead_is_refused_and_opens_two_hours_before_the_start() -> None:
    """Check-in on a meetup five months ahead used to be accepted."""
    a = rsvp_going(Attendance("apero", capacity=2), "lea", at=at(0), event=MEETUP)
    with pytest.raises(ValidationError, match="check-in opens at 2026-03-05 17:00"):
        check_in(a, "lea", at=START - timedelta(days=150), event=MEETUP)
    with pytest.raises(ValidationError, match="check-in opens"):
        check_in(a, "lea", at=START - DOORS_OPEN - timedelta(minutes=1), event=MEETUP)
    a = check_in(a, "lea", at=START - DOORS_OPEN, event=MEETUP)
    assert a.checked_in == ("lea",)
    late = check_in(
        rsvp_going(Attendance("apero"), "sam", at=at(0)),
        "sam",
        at=START + timedelta(days=2),
        event=MEETUP,
    )
    assert late.checked_in == ("sam",)  # recorded the day after, from the paper list


def test_the_list_is_closed_once_the_event_started_not_months_before() -> None:
    a = rsvp_going(Attendance("apero", capacity=2), "lea", at=at(0), event=MEETUP)
    with pytest.raises(ValidationError, match="nobody has missed it yet"):
        mark_no_shows(a, at=START - timedelta(days=150), event=MEETUP)
    with pytest.raises(ValidationError, match="nobody has missed it yet"):
        mark_no_shows(a, at=START - timedelta(seconds=1), event=MEETUP)
    assert mark_no_shows(a, at=START + timedelta(hours=3), event=MEETUP).status_of("lea") is (
        RsvpStatus.NO_SHOW
    )


def test_a_walk_in_takes_the_seat_of_someone_going_who_has_not_come() -> None:
    """A walk-in used to be refused all evening while no-shows held the seats."""
    a = Attendance("apero", capacity=2)
    for who in ("lea", "karim"):
        a = rsvp_going(a, who, at=at(0), event=MEETUP)
    a = check_in(a, "lea", at=START, event=MEETUP)
    with pytest.raises(ValidationError, match="from 2026-03-05 19:30 the seats"):
        check_in(a, "sam", at=START + timedelta(minutes=10), walk_in=True, event=MEETUP)
    a = check_in(a, "sam", at=START + SEATS_HELD, walk_in=True, event=MEETUP)
    assert a.checked_in == ("lea", "sam")
    with pytest.raises(ValidationError, match="went to people at the door"):
        check_in(a, "karim", at=START + timedelta(hours=1), event=MEETUP)


def test_a_walk_in_is_called_a_walk_in_not_waitlisted() -> None:
    a = Attendance("apero", capacity=1)
    a = rsvp_going(a, "lea", at=at(0), event=MEETUP)
    with pytest.raises(ValidationError, match=r"'sam' \(a walk-in\)"):
        check_in(a, "sam", at=START, walk_in=True, event=MEETUP)


door = st.lists(
    st.tuples(
        st.sampled_from(["rsvp", "wait", "cancel", "check_in", "walk_in", "close"]),
        st.integers(0, 7),
        st.integers(-60 * 24 * 200, 60 * 24 * 3),  # minutes from the start
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(capacity=st.none() | st.integers(0, 5), cancelled=st.booleans(), steps=door)
def test_the_door_holds_to_the_calendar_and_the_room(
    capacity: int | None, cancelled: bool, steps: list[tuple[str, int, int]]
) -> None:
    """Whatever happens: nobody is checked in before the door opens, nothing is accepted
    on a cancelled date but cancelling, the list is never closed before the start, and
    never more people are checked in than the room holds."""
    event = attrs.evolve(MEETUP, capacity=capacity, cancelled=cancelled)
    a = Attendance("apero", capacity=capacity)
    for action, who, minutes in steps:
        when = START + timedelta(minutes=minutes)
        member = f"m{who}"
        before = a
        try:
            if action == "rsvp":
                a = rsvp_going(a, member, at=when, event=event)
            elif action == "wait":
                a = join_waitlist(a, member, at=when, event=event)
            elif action == "cancel":
                a = cancel_rsvp(a, member, at=when)
            elif action in ("check_in", "walk_in"):
                a = check_in(a, member, at=when, walk_in=action == "walk_in", event=event)
            else:
                a = mark_no_shows(a, at=when, event=event)
        except (Conflict, NotFound, ValidationError):
            assert a == before
            continue
        if a == before:
            continue
        if action in ("check_in", "walk_in"):
            assert when >= START - DOORS_OPEN
        if action == "close":
            assert when >= START
        if action != "cancel":
            assert not cancelled
        if capacity is not None:
            assert len(a.checked_in) <= capacity


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("rsvp", "rsvp_going"),
        ("cancel", "cancel_rsvp"),
        ("promote", "promote_waitlist"),
        ("close", "mark_no_shows"),
        ("revise", "raise_sequence"),
    ],
)
def test_the_old_bare_verbs_still_work_for_one_release_with_a_warning(old: str, new: str) -> None:
    import terrain.events

    with pytest.warns(DeprecationWarning, match=rf"terrain\.events\.{old} is deprecated: use "):
        alias = getattr(terrain.events, old)
    assert alias is getattr(terrain.events, new)
    assert old not in terrain.events.__all__


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    import terrain.events

    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        terrain.events.nope  # type: ignore[attr-defined]  # noqa: B018
