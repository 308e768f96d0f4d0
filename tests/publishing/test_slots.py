"""Posting slots: the times a community posts, in its wall-clock time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain._time import instant
from terrain.errors import ValidationError
from terrain.publishing import PostingSlots

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = PostingSlots.parse(["weekdays 09:00 18:00", "sat 11:00"], zone=PARIS)


def test_slots_stay_at_nine_on_the_wall_clock_across_the_change_to_summer_time() -> None:
    friday = datetime(2026, 3, 27, 19, 0, tzinfo=PARIS)
    monday = WEEKDAYS.next_free(friday + timedelta(days=1))  # Saturday 19:00: its slot is gone
    assert monday.isoformat() == "2026-03-30T09:00:00+02:00"  # summer time now
    saturday = WEEKDAYS.next_free(friday)
    assert saturday.isoformat() == "2026-03-28T11:00:00+01:00"


def test_a_slot_in_the_skipped_hour_moves_to_the_first_minute_that_exists() -> None:
    night = PostingSlots.parse(["sun 02:30"], zone=PARIS)
    slot = night.next_free(datetime(2026, 3, 28, 12, 0, tzinfo=PARIS))
    assert slot.isoformat() == "2026-03-29T03:00:00+02:00"


def test_a_slot_in_the_hour_lived_twice_is_the_first() -> None:
    night = PostingSlots.parse(["sun 02:30"], zone=PARIS)
    slot = night.next_free(datetime(2026, 10, 24, 12, 0, tzinfo=PARIS))
    assert slot.isoformat() == "2026-10-25T02:30:00+02:00"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["weekday 09:00"], "'weekday' is not a day"),
        (["mon 9h"], "'9h' is not a time; write HH:MM"),
        (["mon"], "write the days, then one or more times"),
        ("weekdays 09:00", 'give a list such as slots = \\["weekdays 09:00 18:00"\\]'),
        ([9], "write each slot as text"),
    ],
)
def test_a_slot_written_wrong_says_how_to_write_it(entries: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PostingSlots.parse(entries, zone=PARIS)  # type: ignore[arg-type]


def test_ranges_wrap_around_the_week_and_groups_are_understood() -> None:
    slots = PostingSlots.parse(["fri-mon 10:00", "weekends 12:00", "daily 07:00"], zone=PARIS)
    days = {d for d, t in slots.slots if t == time(10, 0)}
    assert days == {4, 5, 6, 0}
    assert {d for d, t in slots.slots if t == time(12, 0)} == {5, 6}
    assert len({d for d, t in slots.slots if t == time(7, 0)}) == 7


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(PARIS)
    ),
    taken=st.lists(st.integers(0, 40), max_size=8),
)
def test_the_next_free_slot_is_the_first_slot_at_or_after_the_time_not_taken(
    start: datetime, taken: list[int]
) -> None:
    """Whatever the time and the slots already taken: the answer is a slot, not taken,
    not before ``start``, and no free slot comes between."""
    candidates: list[datetime] = []
    day = start.date()
    while len(candidates) < 60:
        candidates += [s for s in WEEKDAYS.on(day) if instant(s) >= instant(start)]
        day += timedelta(days=1)
    busy = [candidates[i] for i in taken if i < len(candidates)]
    found = WEEKDAYS.next_free(start, taken=busy)
    assert instant(found) >= instant(start)
    assert instant(found) not in {instant(b) for b in busy}
    assert (found.weekday(), found.time()) in WEEKDAYS.slots
    earlier = [c for c in candidates if instant(c) < instant(found)]
    assert all(instant(c) in {instant(b) for b in busy} for c in earlier)
