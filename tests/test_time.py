"""The time rules, over zones with and without DST, in both hemispheres, with odd offsets.

Europe/Paris and America/New_York (northern DST), Australia/Sydney (southern DST),
Asia/Kolkata (+05:30, no DST) and Pacific/Chatham (+12:45/+13:45): a datetime
round-trips with its zone and wall time; a series keeps its wall time for years;
a local time in a gap is refused with the nearest valid times, and one that happens
twice needs a choice; arithmetic and comparisons are on instants.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain import Event
from terrain._time import (
    elapsed,
    gap_problem,
    instant,
    is_ambiguous,
    later,
    local_time,
    require_aware,
)
from terrain.errors import DeserializationError, ValidationError
from terrain.events import Series, occurrences, series_events
from terrain.serialization import datetime_text, from_json, parse_datetime, to_json
from terrain.testing.strategies import ZONES

PARIS = ZoneInfo("Europe/Paris")
zones = st.sampled_from([ZoneInfo(z) for z in ZONES])
walls = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


def exists(wall: datetime, tz: ZoneInfo) -> bool:
    return gap_problem(wall.replace(tzinfo=tz)) is None


@functools.cache
def transitions(tz: ZoneInfo, year: int) -> list[datetime]:
    """The wall times just after each change of offset of ``tz`` in ``year`` (to the minute)."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        nxt = day + timedelta(days=1)
        if day.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            low, high = day, nxt  # the change is in (low, high]: bisect to the minute
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = mid
                else:
                    high = mid
            found.append(high.astimezone(tz).replace(tzinfo=None, fold=0, second=0, microsecond=0))
        day = nxt
    return found


# -- round trip -------------------------------------------------------------------------


@settings(max_examples=300)
@given(tz=zones, wall=walls, fold=st.sampled_from([0, 1]))
def test_a_datetime_round_trips_with_its_zone_wall_time_fold_and_instant(
    tz: ZoneInfo, wall: datetime, fold: int
) -> None:
    value = wall.replace(tzinfo=tz, fold=fold)
    if not exists(wall, tz):
        return
    text = datetime_text(value)
    assert text.endswith(f"[{tz.key}]")
    back = parse_datetime(text)
    assert back.tzinfo is tz
    assert back.replace(tzinfo=None) == wall
    assert instant(back) == instant(value)
    assert back.utcoffset() == value.utcoffset()


@settings(max_examples=150)
@given(tz=zones, wall=walls, fold=st.sampled_from([0, 1]), minutes=st.integers(1, 600))
def test_an_event_round_trips_through_json_keeping_zone_and_wall_time(
    tz: ZoneInfo, wall: datetime, fold: int, minutes: int
) -> None:
    start = wall.replace(tzinfo=tz, fold=fold)
    if not exists(wall, tz):
        return
    event = Event(
        id="ev", title="Apéro", starts_at=start, ends_at=later(start, timedelta(minutes=minutes))
    )
    back = from_json(to_json(event), Event)
    for before, after in ((event.starts_at, back.starts_at), (event.ends_at, back.ends_at)):
        assert after.tzinfo is tz
        assert after.replace(tzinfo=None) == before.replace(tzinfo=None)
        assert instant(after) == instant(before)
    assert elapsed(back.starts_at, back.ends_at) == timedelta(minutes=minutes)


def test_a_fixed_offset_is_kept_as_given() -> None:
    value = datetime(2026, 7, 1, 19, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    assert datetime_text(value) == "2026-07-01T19:00:00+05:45"
    assert parse_datetime(datetime_text(value)).utcoffset() == timedelta(hours=5, minutes=45)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-07-01T19:00:00+01:00[Europe/Paris]", "the offset is not Europe/Paris's"),
        ("2026-07-01T19:00:00[Europe/Paris]", "has a zone but no UTC offset"),
        ("2026-07-01T19:00:00+02:00[Mars/Olympus]", "not a known IANA time zone"),
        ("2026-02-30T19:00:00+01:00[Europe/Paris]", "is not an ISO 8601 datetime"),
    ],
)
def test_a_zoned_datetime_that_does_not_hold_together_is_refused_on_reading(
    text: str, fragment: str
) -> None:
    document = json.dumps(
        {"id": "ev", "title": "t", "starts_at": text, "ends_at": "2027-01-01T00:00:00+00:00"}
    )
    with pytest.raises(DeserializationError, match=fragment):
        from_json(document, Event)


def test_the_critical_flag_of_rfc_9557_is_read() -> None:
    value = parse_datetime("2026-11-12T19:00:00+01:00[!Europe/Paris]")
    assert value.tzinfo is PARIS


# -- gap and fold -----------------------------------------------------------------------


@settings(max_examples=200)
@given(tz=zones, year=st.integers(2001, 2059), data=st.data())
def test_a_wall_time_in_a_gap_is_refused_with_valid_times_on_either_side(
    tz: ZoneInfo, year: int, data: st.DataObject
) -> None:
    changes = [t for t in transitions(tz, year) if not exists(t - timedelta(minutes=1), tz)]
    if not changes:  # no spring-forward this year (Kolkata; or only a fall-back)
        return
    after_gap = data.draw(st.sampled_from(changes))
    minutes = data.draw(st.integers(1, 59))
    wall = after_gap - timedelta(minutes=minutes)  # inside the gap
    with pytest.raises(ValidationError, match="does not exist") as refused:
        local_time(wall, tz)
    message = str(refused.value)
    shown = message.rsplit("nearest valid times are ", 1)[1].rstrip(")")
    before_text, after_text = shown.split(" and ")
    before = datetime.combine(wall.date(), datetime.strptime(before_text, "%H:%M").time())
    after = datetime.combine(after_gap.date(), datetime.strptime(after_text, "%H:%M").time())
    assert exists(before, tz)
    assert exists(after, tz)
    assert not exists(before + timedelta(minutes=1), tz)
    assert not exists(after - timedelta(minutes=1), tz)
    with pytest.raises(ValidationError, match="does not exist"):
        Event(
            id="e",
            title="t",
            starts_at=wall.replace(tzinfo=tz),
            ends_at=after_gap.replace(tzinfo=tz) + timedelta(hours=2),
        )


@settings(max_examples=200)
@given(tz=zones, year=st.integers(2001, 2059), data=st.data())
def test_a_wall_time_that_happens_twice_needs_a_choice_and_each_choice_is_its_own_instant(
    tz: ZoneInfo, year: int, data: st.DataObject
) -> None:
    # the wall time just after clocks go back starts the hour that happens twice
    folds = [t for t in transitions(tz, year) if is_ambiguous(t.replace(tzinfo=tz))]
    if not folds:  # Kolkata, or a year without a change
        return
    wall = data.draw(st.sampled_from(folds)) + timedelta(minutes=data.draw(st.integers(0, 29)))
    with pytest.raises(ValidationError, match="happens twice") as refused:
        local_time(wall, tz)
    assert "fold='earlier' or fold='later'" in str(refused.value)
    earlier = local_time(wall, tz, fold="earlier")
    later_one = local_time(wall, tz, fold="later")
    assert instant(earlier) < instant(later_one)
    assert earlier.replace(tzinfo=None) == later_one.replace(tzinfo=None) == wall
    # both offsets are in the message, so an explicit offset is the other way to choose
    for choice in (earlier, later_one):
        assert choice.isoformat(timespec="minutes") in str(refused.value)
        assert (
            from_json(
                to_json(
                    Event(
                        id="e",
                        title="t",
                        starts_at=choice,
                        ends_at=later(choice, timedelta(hours=1)),
                    )
                ),
                Event,
            ).starts_at.utcoffset()
            == choice.utcoffset()
        )


@settings(max_examples=200)
@given(tz=zones, wall=walls)
def test_an_ordinary_wall_time_is_read_as_is(tz: ZoneInfo, wall: datetime) -> None:
    value = wall.replace(tzinfo=tz)
    if not exists(wall, tz) or is_ambiguous(value):
        return
    assert local_time(wall, tz) == value
    assert local_time(wall, tz).tzinfo is tz


def test_the_example_of_the_issue_spring_forward_in_paris() -> None:
    assert gap_problem(datetime(2026, 3, 29, 2, 30, tzinfo=PARIS)) == (
        "2026-03-29 02:30 does not exist in Europe/Paris: clocks go forward that night from "
        "02:00 to 03:00; give a time before or after the change (the nearest valid times are "
        "01:59 and 03:00)"
    )


# -- instants ---------------------------------------------------------------------------


def test_in_the_repeated_hour_the_second_0216_is_after_the_first_0245() -> None:
    first = datetime(2026, 10, 25, 2, 45, tzinfo=PARIS)
    second = datetime(2026, 10, 25, 2, 16, fold=1, tzinfo=PARIS)
    assert second < first  # what Python says: same zone, wall time, fold ignored
    assert instant(second) > instant(first)  # what happened: 31 minutes later
    assert elapsed(first, second) == timedelta(minutes=31)


@settings(max_examples=200)
@given(tz=zones, wall=walls, hours=st.integers(-48, 48))
def test_later_adds_elapsed_time_in_the_zone(tz: ZoneInfo, wall: datetime, hours: int) -> None:
    start = wall.replace(tzinfo=tz)
    if not exists(wall, tz):
        return
    end = later(start, timedelta(hours=hours))
    assert end.tzinfo is tz
    assert instant(end) - instant(start) == timedelta(hours=hours)
    assert gap_problem(end) is None


@pytest.mark.parametrize("value", [datetime(2026, 1, 1), "2026-01-01T00:00+00:00", None])
def test_a_naive_or_non_datetime_at_is_a_validation_error(value: object) -> None:
    with pytest.raises(ValidationError, match="at:"):
        require_aware(value, "at")


# -- series -----------------------------------------------------------------------------

rules = st.sampled_from(
    [
        "FREQ=MONTHLY;BYDAY=2TH;COUNT={n}",
        "FREQ=WEEKLY;COUNT={n}",
        "FREQ=MONTHLY;BYMONTHDAY=1;COUNT={n}",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;COUNT={n}",
    ]
)


@settings(max_examples=100)
@given(
    tz=zones,
    rule=rules,
    n=st.integers(12, 60),
    first_day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_a_series_keeps_its_wall_time_for_years_even_after_a_json_round_trip(
    tz: ZoneInfo, rule: str, n: int, first_day: date, hour: int, minute: int
) -> None:
    wall = datetime.combine(first_day, datetime.min.time()).replace(hour=hour, minute=minute)
    if not exists(wall, tz) or is_ambiguous(wall.replace(tzinfo=tz)):
        return
    series = Series(
        id="s",
        title="S",
        rule=rule.format(n=n),
        first_starts_at=wall.replace(tzinfo=tz),
        minutes=120,
    )
    stored = from_json(to_json(series), Series)
    for expanded in (series, stored):
        dates = occurrences(expanded)
        assert len(dates) == n
        for occurrence in dates:
            start = occurrence.starts_at
            assert start.tzinfo is tz
            if gap_problem(start.replace(hour=hour, minute=minute)) is None:
                assert (start.hour, start.minute) == (hour, minute)  # 19:00 stays 19:00
            else:  # in a gap: read with the offset before it, so later on the clock (RFC 5545)
                typed = start.replace(hour=hour, minute=minute, fold=0)
                assert instant(start) == instant(typed)
                assert start.replace(tzinfo=None) > typed.replace(tzinfo=None)
        events = series_events(expanded)
        assert all(elapsed(e.starts_at, e.ends_at) == timedelta(minutes=120) for e in events)


def test_the_paris_series_of_the_issue_stays_at_1900_across_both_changes() -> None:
    series = Series(
        id="apero",
        title="Apéro",
        rule="FREQ=MONTHLY;BYDAY=2TH;COUNT=12",
        first_starts_at=datetime(2026, 1, 8, 19, tzinfo=PARIS),
        minutes=150,
    )
    stored = from_json(to_json(series), Series)
    starts = [o.starts_at for o in occurrences(stored)]
    assert [s.strftime("%m-%d %H:%M") for s in starts] == [
        "01-08 19:00", "02-12 19:00", "03-12 19:00", "04-09 19:00", "05-14 19:00",
        "06-11 19:00", "07-09 19:00", "08-13 19:00", "09-10 19:00", "10-08 19:00",
        "11-12 19:00", "12-10 19:00",
    ]  # fmt: skip
    assert {s.utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}


def test_a_series_stored_with_a_fixed_offset_repeats_in_the_zone_it_is_given() -> None:
    series = Series(
        id="apero",
        title="Apéro",
        rule="FREQ=MONTHLY;BYDAY=2TH;COUNT=12",
        first_starts_at=datetime(2026, 1, 8, 19, tzinfo=timezone(timedelta(hours=1))),
        minutes=150,
    )
    fixed = occurrences(series)
    assert fixed[6].starts_at.astimezone(PARIS).hour == 20  # what the issue saw
    zoned = occurrences(series, zone="Europe/Paris")
    assert {o.starts_at.hour for o in zoned} == {19}
    assert {e.starts_at.hour for e in series_events(series, zone="Europe/Paris")} == {19}
