"""The JSON converter: ISO 8601 datetimes with offsets, enums by value, strict reading."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Event, Member, Talk, Venue
from terrain.errors import DeserializationError
from terrain.serialization import from_json, structure, to_json, unstructure
from terrain.testing.strategies import models

PARIS = ZoneInfo("Europe/Paris")


def test_datetimes_are_iso_8601_with_their_offset_and_their_iana_zone() -> None:
    start = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
    event = Event(id="ev", title="Meetup", starts_at=start, ends_at=start + timedelta(hours=2))
    data = json.loads(to_json(event))
    assert data["starts_at"] == "2026-03-12T19:00:00+01:00[Europe/Paris]"
    assert unstructure(event)["starts_at"] == data["starts_at"]
    back = from_json(to_json(event), Event)
    assert back == event
    assert back.starts_at.tzinfo is PARIS  # the zone itself, not a fixed +01:00


def test_a_fixed_offset_stays_a_fixed_offset() -> None:
    plus_one = timezone(timedelta(hours=1))
    start = datetime(2026, 7, 12, 19, 0, tzinfo=plus_one)
    event = Event(id="ev", title="Meetup", starts_at=start, ends_at=start + timedelta(hours=2))
    assert json.loads(to_json(event))["starts_at"] == "2026-07-12T19:00:00+01:00"
    back = from_json(to_json(event), Event)
    assert back.starts_at.tzinfo == plus_one
    assert back.starts_at.utcoffset() == timedelta(hours=1)


def test_enums_are_written_by_value() -> None:
    venue = Venue(id="zinc", name="Le Zinc", kind="bar", cost_model="each-pays-own")
    data = unstructure(venue)
    assert data["kind"] == "bar"
    assert data["cost_model"] == "each-pays-own"


def test_sets_are_written_sorted_so_equal_values_give_equal_json() -> None:
    a = Member(id="lea", display_name="Léa", tags=["vélo", "art", "quartier"])
    b = Member(id="lea", display_name="Léa", tags=["quartier", "vélo", "art"])
    assert to_json(a) == to_json(b)
    assert json.loads(to_json(a))["tags"] == ["art", "quartier", "vélo"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"title": "t", "speaker": "s", "minutes": "25"}',
            "expected a whole number, got str @ $.minutes",
        ),
        ('{"title": "t", "speaker": "s", "minutes": true}', "got a boolean @ $.minutes"),
        (
            '{"title": "t", "speaker": "s", "minutes": 0}',
            "Talk.minutes: must be at least 1, got 0 @ $",
        ),
        ('{"title": "t", "speaker": "s"}', "required field missing @ $.minutes"),
        (
            '{"title": "t", "speaker": "s", "minutes": 5, "room": 1}',
            "extra fields found (room) @ $",
        ),
        ('{"title": "t", "speaker": 5, "minutes": 5}', "expected a string, got int @ $.speaker"),
        ("[1, 2]", "expected an object with Talk's fields, got list @ $"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_json_names_the_problem_and_its_path(text: str, expected: str) -> None:
    with pytest.raises(DeserializationError) as info:
        from_json(text, Talk)
    assert expected in str(info.value)
    assert str(info.value).startswith("cannot read Talk: ")


def test_nested_errors_carry_the_full_path() -> None:
    data = {
        "id": "ev",
        "title": "Meetup",
        "starts_at": "2026-03-12T19:00:00+01:00",
        "ends_at": "2026-03-12T22:00:00+01:00",
        "talks": [{"title": "a", "speaker": "b", "minutes": 20}, {"title": "c", "speaker": "d"}],
    }
    with pytest.raises(DeserializationError) as info:
        structure(data, Event)
    assert "required field missing @ $.talks[1].minutes" in info.value.errors


def test_a_naive_datetime_is_refused_with_how_to_fix_it() -> None:
    data = {
        "id": "ev",
        "title": "M",
        "starts_at": "2026-03-12T19:00:00",
        "ends_at": "2026-03-12T22:00:00+01:00",
    }
    with pytest.raises(DeserializationError, match="no time zone"):
        structure(data, Event)


def test_an_unknown_enum_value_lists_the_valid_ones() -> None:
    with pytest.raises(
        DeserializationError, match=r"expected one of 'bar', 'agency', .* got 'pub' @ \$.kind"
    ):
        structure({"id": "v", "name": "V", "kind": "pub"}, Venue)


def test_an_invalid_date_string_is_explained() -> None:
    with pytest.raises(DeserializationError, match="not an ISO 8601 date"):
        structure({"id": "lea", "display_name": "Léa", "joined_on": "12/03/2026"}, Member)


@given(models(), st.sampled_from([0, 1, -1, 561, -561, 19800, 3600 * 14]))
def test_to_json_writes_exactly_the_text_of_the_unstructured_data(obj: object, shift: int) -> None:
    """to_json hands datetimes to orjson directly: the text must not change, even
    for offsets with seconds (Paris before 1911 was +00:09:21)."""
    tz = timezone(timedelta(seconds=shift))
    data = unstructure(obj)
    assert to_json(obj) == orjson.dumps(data).decode()
    moment = datetime(1900, 3, 12, 19, 0, 7, 123, tzinfo=tz)
    event = Event(id="ev", title="T", starts_at=moment, ends_at=moment + timedelta(hours=1))
    assert json.loads(to_json(event))["starts_at"] == moment.isoformat()
    assert from_json(to_json(event), Event) == event


@pytest.mark.parametrize(
    ("field", "value", "cls"),
    [
        ("tags", "velo", Member),
        ("tags", {"velo": 1}, Member),
        ("talks", "abc", Event),
        ("talks", {"title": "Pistes"}, Event),
    ],
)
def test_a_collection_is_read_from_a_json_array_only(field: str, value: object, cls: type) -> None:
    """A string is not a set of its characters, nor an object a list of its keys."""
    start = datetime(2026, 3, 12, 19, tzinfo=PARIS)
    valid = {
        Member: Member(id="lea", display_name="Léa"),
        Event: Event(id="ev", title="T", starts_at=start, ends_at=start + timedelta(hours=2)),
    }[cls]
    data = {**json.loads(to_json(valid)), field: value}
    with pytest.raises(DeserializationError, match=rf"expected a list \(JSON array\).*\$\.{field}"):
        from_json(json.dumps(data), cls)
