"""The meetup format: two talks at a bar, and what breaks the format."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from terrain.errors import ValidationError
from terrain.events import (
    AgendaKind,
    Event,
    FormatRules,
    Talk,
    build_agenda,
    check_format,
)

PARIS = ZoneInfo("Europe/Paris")


def meetup(*talks: Talk, networking: int = 90, hours: float = 3) -> Event:
    start = datetime(2026, 3, 5, 19, tzinfo=PARIS)
    return Event(
        id="apero-mars",
        title="Apéro des makers",
        starts_at=start,
        ends_at=start.replace(hour=19 + int(hours), minute=int(hours % 1 * 60)),
        talks=talks,
        networking_minutes=networking,
    )


def test_bar_meetup_with_two_talks_follows_the_format_and_runs_in_order() -> None:
    event = meetup(
        Talk("Réparer son vélo", "Léa", 25, 10),
        Talk("Le compost de quartier", "Karim", 20, 15),
        networking=100,
    )
    assert check_format(event) == ()
    agenda = build_agenda(event, welcome_minutes=10)
    assert [a.kind for a in agenda] == [
        AgendaKind.WELCOME,
        AgendaKind.TALK,
        AgendaKind.QA,
        AgendaKind.TALK,
        AgendaKind.QA,
        AgendaKind.NETWORKING,
    ]
    assert str(agenda[1]) == "19:10-19:35 Réparer son vélo (Léa)"
    assert agenda[-1].ends_at == event.ends_at
    assert agenda[-1].minutes == 180 - 10 - 70
    for before, after in itertools.pairwise(agenda):
        assert before.ends_at == after.starts_at


def test_three_talks_and_a_45_minute_talk_are_errors_with_reasons() -> None:
    event = meetup(
        Talk("A", "a", 45, 10), Talk("B", "b", 20, 10), Talk("C", "c", 20, 10), networking=60
    )
    codes = {f.code: f for f in check_format(event)}
    assert codes["too-many-talks"].is_error
    assert "at most 2" in codes["too-many-talks"].message
    assert codes["talk-too-long"].is_error
    assert "45 min" in codes["talk-too-long"].message
    assert codes["networking-too-short"].is_error


def test_qa_outside_ten_to_fifteen_minutes_is_a_warning() -> None:
    findings = check_format(meetup(Talk("A", "a", 25, 5)))
    assert [(f.code, f.is_error) for f in findings] == [("qa-out-of-range", False)]


def test_networking_shorter_than_talks_is_an_error() -> None:
    findings = check_format(meetup(Talk("A", "a", 30, 15), Talk("B", "b", 30, 15), networking=60))
    assert [f.code for f in findings] == ["networking-too-short"]


def test_rules_are_configurable_per_community() -> None:
    event = meetup(
        Talk("A", "a", 45, 15),
        Talk("B", "b", 20, 10),
        Talk("C", "c", 20, 10),
        networking=120,
        hours=4,
    )
    assert check_format(event, rules=FormatRules(max_talks=3, max_talk_minutes=45)) == ()


def test_a_talk_of_negative_length_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"Talk\.minutes: must be at least 1"):
        Talk("Oops", "x", -20)


def test_inconsistent_rules_are_refused() -> None:
    with pytest.raises(ValidationError, match="max_talks"):
        FormatRules(min_talks=3, max_talks=2)


def test_a_welcome_longer_than_the_free_time_is_refused() -> None:
    event = meetup(Talk("A", "a", 25, 10), networking=140)
    with pytest.raises(ValidationError, match="shorten the welcome"):
        build_agenda(event, welcome_minutes=30)
