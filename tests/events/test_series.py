"""Recurring meetups: RRULE dates, one date moved, one cancelled, iCalendar export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain.errors import ValidationError
from terrain.events import (
    Event,
    Override,
    Series,
    Venue,
    event_ics,
    occurrences,
    series_events,
    series_ics,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)


def first_thursdays(*overrides: Override) -> Series:
    return Series(
        id="apero",
        title="Apéro des makers",
        rule="FREQ=MONTHLY;BYDAY=1TH;COUNT=6",
        first_starts_at=datetime(2026, 2, 5, 19, tzinfo=PARIS),
        minutes=150,
        venue_id="le-zinc",
        networking_minutes=90,
        overrides=overrides,
    )


def test_series_moved_to_another_venue_for_one_date() -> None:
    series = first_thursdays(Override(on=date(2026, 4, 2), venue_id="la-friche", note="bar closed"))
    events = series_events(series)
    assert [e.starts_at.date() for e in events] == [
        date(2026, 2, 5),
        date(2026, 3, 5),
        date(2026, 4, 2),
        date(2026, 5, 7),
        date(2026, 6, 4),
        date(2026, 7, 2),
    ]
    assert [e.venue_id for e in events].count("la-friche") == 1
    assert events[2].venue_id == "la-friche"
    assert all(e.series_id == "apero" for e in events)
    # 19:00 local, summer time or not
    assert {e.starts_at.hour for e in events} == {19}
    assert events[2].id == "apero-20260402"


def test_cancelled_date_is_left_out_of_events_and_cancelled_in_the_calendar() -> None:
    series = first_thursdays(Override(on=date(2026, 5, 7), cancelled=True, note="1er mai pont"))
    assert date(2026, 5, 7) not in [e.starts_at.date() for e in series_events(series)]
    cal = icalendar.Calendar.from_ical(series_ics(series, now=NOW))
    statuses = {str(v["uid"]): str(v["status"]) for v in cal.walk("VEVENT")}
    assert statuses["apero-20260507@terrain"] == "CANCELLED"
    assert list(statuses.values()).count("CONFIRMED") == 5


def test_override_moves_the_time_of_one_date() -> None:
    moved = datetime(2026, 3, 5, 18, 30, tzinfo=PARIS)
    events = series_events(first_thursdays(Override(on=date(2026, 3, 5), starts_at=moved)))
    assert events[1].starts_at == moved
    assert events[1].ends_at == moved + timedelta(minutes=150)


def test_an_rrule_that_does_not_parse_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"Series\.rule: 'FREQ=SOMETIMES' is not a valid"):
        Series(
            id="x",
            title="x",
            rule="FREQ=SOMETIMES",
            first_starts_at=datetime(2026, 1, 1, 19, tzinfo=PARIS),
            minutes=60,
        )


def test_an_override_on_a_date_the_series_does_not_have_is_refused() -> None:
    with pytest.raises(ValidationError, match="override for 2026-04-03"):
        series_events(first_thursdays(Override(on=date(2026, 4, 3), cancelled=True)))


def test_an_endless_series_needs_a_window() -> None:
    series = Series(
        id="weekly",
        title="Café",
        rule="FREQ=WEEKLY",
        first_starts_at=datetime(2026, 1, 6, 8, tzinfo=PARIS),
        minutes=60,
    )
    with pytest.raises(ValidationError, match="never ends"):
        occurrences(series)
    assert len(series_events(series, limit=3)) == 3
    until = datetime(2026, 1, 31, tzinfo=PARIS)
    assert len(series_events(series, until=until)) == 4


def test_one_event_exports_to_a_calendar_that_parses_back() -> None:
    start = datetime(2026, 3, 5, 19, tzinfo=PARIS)
    event = Event(
        id="ev-1", title="Apéro", starts_at=start, ends_at=start + timedelta(hours=2), venue_id="z"
    )
    venue = Venue(id="z", name="Le Zinc", kind="bar", address="1 rue Haute")
    cal = icalendar.Calendar.from_ical(event_ics(event, now=NOW, venue=venue))
    (vevent,) = cal.walk("VEVENT")
    assert vevent.decoded("dtstart") == start
    assert str(vevent["location"]) == "Le Zinc, 1 rue Haute"
    assert cal.walk("VTIMEZONE")


rules = st.sampled_from(
    [
        "FREQ=WEEKLY;COUNT={n}",
        "FREQ=MONTHLY;BYDAY=1TH;COUNT={n}",
        "FREQ=MONTHLY;BYDAY=-1FR;COUNT={n}",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT={n}",
        "FREQ=DAILY;INTERVAL=10;COUNT={n}",
    ]
)
starts = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 1, 1),
    timezones=st.just(PARIS),
    allow_imaginary=False,
).map(lambda d: d.replace(second=0, microsecond=0))


@settings(max_examples=40, deadline=None)
@given(rule=rules, n=st.integers(1, 12), start=starts)
def test_rrule_occurrences_match_dateutil_and_ics_parses_back(
    rule: str, n: int, start: datetime
) -> None:
    text = rule.format(n=n)
    series = Series(id="s", title="S", rule=text, first_starts_at=start, minutes=90)
    # dateutil's wall times, a wall time in the spring gap read at the offset before it
    # (RFC 5545 §3.3.5), the first date as given (its fold kept)
    expected = [
        wall.astimezone(UTC).astimezone(PARIS) if wall.utcoffset() != wall.replace(
            fold=1).utcoffset() and wall.utcoffset() < wall.replace(fold=1).utcoffset() else wall
        for wall in rrulestr(text, dtstart=start)
    ]
    if expected[0] == start:
        expected[0] = start
    got = [o.starts_at for o in occurrences(series)]
    assert [(g.isoformat(), g.fold) for g in got] == [(e.isoformat(), e.fold) for e in expected]
    cal = icalendar.Calendar.from_ical(series_ics(series, now=NOW))
    uids = [str(v["uid"]) for v in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == len(expected)
