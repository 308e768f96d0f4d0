"""A meetup's programme and calendars from a library: talks, the format check, .ics files."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from terrain import Event, Talk
from terrain.errors import NotFound
from terrain.events import Override, Series
from terrain.store import Workspace
from terrain.workflows import (
    DEFAULT_SERIES_LIMIT,
    add_talk,
    change_series_date,
    check_event,
    drop_talk,
    event_calendar,
    plan_series,
    series_calendar,
)
from tests.workflows.conftest import NOW


def _talk(title: str, minutes: int = 20) -> Talk:
    return Talk(title=title, speaker="Ana", minutes=minutes, qa_minutes=10)


def test_talks_are_added_and_dropped_by_number_or_title(ws: Workspace) -> None:
    add_talk(ws, "ev-12", _talk("Bikes"))
    event = add_talk(ws, "ev-12", _talk("Lanes"))
    assert [t.title for t in event.talks] == ["Bikes", "Lanes"]
    changed, removed = drop_talk(ws, "ev-12", "1")
    assert removed.title == "Bikes"
    assert ws.get(Event, "ev-12") == changed
    _, removed = drop_talk(ws, "ev-12", "Lanes")
    assert ws.get(Event, "ev-12").talks == ()


def test_dropping_a_talk_the_event_does_not_have_changes_nothing(ws: Workspace) -> None:
    add_talk(ws, "ev-12", _talk("Bikes"))
    with pytest.raises(NotFound):
        drop_talk(ws, "ev-12", "Trains")
    assert [t.title for t in ws.get(Event, "ev-12").talks] == ["Bikes"]


def test_the_format_check_gives_the_findings_and_the_running_order(ws: Workspace) -> None:
    for title in ("One", "Two", "Three"):
        add_talk(ws, "ev-12", _talk(title))
    checked = check_event(ws, "ev-12")
    assert checked.broken  # three talks: the field default is two at most
    assert "too-many-talks" in {f.code for f in checked.findings}
    assert [item.title for item in checked.agenda][:4] == ["One", "Q&A: One", "Two", "Q&A: Two"]
    allowed = check_event(ws, "ev-12", max_talks=3)
    assert "too-many-talks" not in {f.code for f in allowed.findings}


def test_a_meetup_calendar_is_an_ics_file(ws: Workspace) -> None:
    data = event_calendar(ws, "ev-12", now=NOW)
    assert data.startswith(b"BEGIN:VCALENDAR")
    assert "Vélo & ville #12".encode() in data


@pytest.fixture
def endless(ws: Workspace) -> Workspace:
    ws.add(
        Series(
            id="apero",
            title="Apéro des makers",
            rule="FREQ=MONTHLY;BYDAY=1TH",
            first_starts_at=datetime(2026, 2, 5, 18, tzinfo=UTC),
            minutes=180,
        )
    )
    return ws


def test_an_endless_series_is_planned_and_exported_up_to_the_default_limit(
    endless: Workspace,
) -> None:
    done = plan_series(endless, "apero")
    assert len(done.events) == DEFAULT_SERIES_LIMIT
    assert series_calendar(endless, "apero", now=NOW).count(b"BEGIN:VEVENT") == (
        DEFAULT_SERIES_LIMIT
    )
    assert len(plan_series(endless, "apero", limit=3).events) == 3


def test_a_date_of_an_endless_series_is_changed_without_giving_a_limit(
    endless: Workspace,
) -> None:
    plan_series(endless, "apero")
    plan = change_series_date(
        endless, "apero", Override(on=date(2026, 3, 5), cancelled=True, note="grève")
    )
    assert [c.event.id for c in plan.cancelled] == ["apero-20260305"]
    assert endless.get(Event, "apero-20260305").cancelled
