"""Calendar files read back to the same instants, with their zone, text and revisions.

Every export is parsed again with icalendar: each DTSTART/DTEND names the same
instant as the meetup, a zoned time is written with its IANA TZID and the matching
VTIMEZONE (never a made-up ``UTC+02:00``), the text comes back as it was, and the
SEQUENCE is the meetup's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain import Event
from terrain._time import instant, later
from terrain.errors import ValidationError
from terrain.events import Override, Series, event_ics, raise_sequence, series_events, series_ics
from terrain.testing.strategies import events, series

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)


def read(data: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.get_missing_tzids() == set()  # every TZID has its VTIMEZONE
    return calendar


def text(entry: icalendar.Event, name: str) -> str:
    value = entry.decoded(name)
    return value.decode() if isinstance(value, bytes) else str(value)


def _tzids(data: bytes) -> set[str]:
    return {
        line.split(";TZID=", 1)[1].split(":", 1)[0]
        for line in data.decode().splitlines()
        if line.startswith(("DTSTART;TZID=", "DTEND;TZID="))
    }


@settings(max_examples=150)
@given(event=events())
def test_every_event_reads_back_to_the_same_instants_text_and_sequence(event: Event) -> None:
    data = event_ics(event, now=NOW)
    (entry,) = read(data).walk("VEVENT")
    assert instant(entry.decoded("dtstart")) == instant(event.starts_at)
    assert instant(entry.decoded("dtend")) == instant(event.ends_at)
    assert text(entry, "summary") == event.title
    assert str(entry["uid"]) == f"{event.id}@terrain"
    assert int(entry["sequence"]) == event.sequence
    if event.description:
        assert text(entry, "description").startswith(event.description)
    tz = event.starts_at.tzinfo
    if isinstance(tz, ZoneInfo) and tz.key != "UTC":
        assert tz.key in _tzids(data) or event.starts_at.fold  # the second of a repeated hour
    assert not any(t.startswith("UTC") for t in _tzids(data))  # no made-up fixed zone


@settings(max_examples=60)
@given(the_series=series())
def test_every_series_reads_back_to_the_same_instants(the_series: Series) -> None:
    try:
        expected = series_events(the_series, limit=8)
    except ValueError:  # an override on a date the rule lacks: refused, nothing to export
        return
    entries = read(series_ics(the_series, now=NOW, limit=8)).walk("VEVENT")
    confirmed = {str(e["uid"]): e for e in entries if str(e["status"]) == "CONFIRMED"}
    for event in expected:
        entry = confirmed[f"{event.id}@terrain"]
        assert instant(entry.decoded("dtstart")) == instant(event.starts_at)
        assert int(entry["sequence"]) == event.sequence


def test_the_second_of_a_repeated_hour_is_written_in_utc_and_reads_back() -> None:
    start = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)  # 01:30 UTC
    event = Event(
        id="nuit", title="Nuit", starts_at=start, ends_at=later(start, timedelta(hours=2))
    )
    data = event_ics(event, now=NOW)
    assert b"DTSTART:20261025T013000Z" in data
    (entry,) = read(data).walk("VEVENT")
    assert instant(entry.decoded("dtstart")) == instant(start)


def test_a_fixed_offset_is_written_in_utc_not_as_a_made_up_zone() -> None:
    start = datetime(2026, 7, 9, 19, tzinfo=timezone(timedelta(hours=2)))
    event = Event(id="e", title="Apéro", starts_at=start, ends_at=start + timedelta(hours=2))
    data = event_ics(event, now=NOW)
    assert b"DTSTART:20260709T170000Z" in data
    assert b"TZID" not in data


def test_text_is_escaped_and_reads_back() -> None:
    start = datetime(2026, 7, 9, 19, tzinfo=PARIS)
    tricky = "Vélo; pistes, quais \\ ponts"
    event = Event(id="e", title=tricky, starts_at=start, ends_at=start + timedelta(hours=3),
                  description="Ligne 1\r\nLigne 2\rLigne 3\nBEGIN:VEVENT")  # fmt: skip
    data = event_ics(event, now=NOW)
    assert b"SUMMARY:V\xc3\xa9lo\\; pistes\\, quais \\\\ ponts" in data
    assert b"\r\nBEGIN:VEVENT\r\nSUMMARY" in data  # one VEVENT: the text's is escaped
    assert data.split(b"\r\n").count(b"BEGIN:VEVENT") == 1
    assert b"\r" not in data.replace(b"\r\n", b"")  # no bare CR anywhere
    (entry,) = read(data).walk("VEVENT")
    assert text(entry, "summary") == tricky
    assert text(entry, "description") == "Ligne 1\nLigne 2\nLigne 3\nBEGIN:VEVENT"


def test_moving_a_date_raises_its_sequence_and_keeps_its_uid() -> None:
    start = datetime(2026, 7, 9, 19, tzinfo=PARIS)
    event = Event(id="e", title="Apéro", starts_at=start, ends_at=start + timedelta(hours=3))
    same = raise_sequence(event, attrs.evolve(event, title="Apéro !"))
    assert same.sequence == 0
    moved = raise_sequence(same, attrs.evolve(same, starts_at=start - timedelta(minutes=30)))
    assert moved.sequence == 1
    (entry,) = read(event_ics(moved, now=NOW)).walk("VEVENT")
    assert (str(entry["uid"]), int(entry["sequence"])) == ("e@terrain", 1)


def test_an_override_that_moves_or_cancels_a_date_raises_that_dates_sequence() -> None:
    base = Series(id="s", title="S", rule="FREQ=MONTHLY;BYDAY=2TH;COUNT=3",
                  first_starts_at=datetime(2026, 1, 8, 19, tzinfo=PARIS), minutes=120)  # fmt: skip
    venue_only = raise_sequence(
        base, attrs.evolve(base, overrides=[Override(on=date(2026, 2, 12), venue_id="nord")])
    )
    assert [e.sequence for e in series_events(venue_only)] == [0, 0, 0]
    moved = raise_sequence(
        venue_only,
        attrs.evolve(
            venue_only,
            overrides=[
                Override(
                    on=date(2026, 2, 12),
                    venue_id="nord",
                    starts_at=datetime(2026, 2, 12, 18, 30, tzinfo=PARIS),
                )
            ],
        ),
    )
    assert [e.sequence for e in series_events(moved)] == [0, 1, 0]
    cancelled = raise_sequence(
        moved, attrs.evolve(moved, overrides=[Override(on=date(2026, 2, 12), cancelled=True)])
    )
    entries = read(series_ics(cancelled, now=NOW)).walk("VEVENT")
    assert {str(e["uid"]): int(e["sequence"]) for e in entries}["s-20260212@terrain"] == 2
    back = raise_sequence(cancelled, attrs.evolve(cancelled, overrides=[]))  # the date is back
    assert {e.id: e.sequence for e in series_events(back)}["s-20260212"] > 2
    first_moved = raise_sequence(
        back, attrs.evolve(back, first_starts_at=datetime(2026, 1, 8, 18, tzinfo=PARIS))
    )
    assert all(e.sequence > s for e, s in zip(series_events(first_moved),
                                              [0, 2, 0], strict=True))  # fmt: skip


@given(st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\r", "\n", "\t", "\u0085"]))
def test_a_title_with_a_control_character_is_refused(char: str) -> None:
    start = datetime(2026, 7, 9, 19, tzinfo=PARIS)
    with pytest.raises(ValidationError, match=r"Event\.title: contains .* remove it"):
        Event(id="e", title=f"Apéro{char}x", starts_at=start, ends_at=start + timedelta(hours=1))
