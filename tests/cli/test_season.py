"""A season of a Paris community, from the shell: the monthly meetup stays at 19:00
across both clock changes, people answer, recaps go out after a summer and a winter
date, and the calendar a member imports reads back to the same instants."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from PIL import Image

from tests.cli.conftest import Run, ok

PARIS = ZoneInfo("Europe/Paris")


def photo(path: Path, colour: str) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def in_season(run: Run, workspace: Path, now: str, *args: str) -> str:
    """A command run on ``now`` (the clock a community manager's laptop would show)."""
    result = run(*args, workspace=workspace, env={"TERRAIN_NOW": now})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_season_keeps_its_time_from_january_to_december(
    run: Run, workspace: Path, tmp_path: Path
) -> None:
    winter_now = "2026-01-02T10:00:00+01:00"
    ok(run, workspace, "venue", "add", "zinc", "--name", "Le Zinc", "--kind", "bar",
       "--capacity", "30")  # fmt: skip
    for member, name in (("lea", "Léa Martin"), ("karim", "Karim B.")):
        ok(run, workspace, "member", "add", member, "--name", name)
    in_season(run, workspace, winter_now, "series", "add", "apero", "--title", "Apéro des makers",
              "--rrule", "FREQ=MONTHLY;BYDAY=2TH;COUNT=12", "--first", "2026-01-08 19:00",
              "--minutes", "150", "--venue", "zinc", "--networking-minutes", "90")  # fmt: skip
    planned = json.loads(in_season(run, workspace, winter_now, "series", "plan", "apero", "--json"))
    starts = [datetime.fromisoformat(e["starts_at"].split("[")[0]) for e in planned["events"]]
    assert len(starts) == 12
    assert {s.astimezone(PARIS).strftime("%H:%M") for s in starts} == {"19:00"}  # all year
    assert {s.utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}
    assert all(e["starts_at"].endswith("[Europe/Paris]") for e in planned["events"])

    # RSVPs for a summer and a winter date, a photo of each, consent at the door
    for event_id, day, colour in (("apero-20260709", "2026-07-09", "green"),
                                  ("apero-20261210", "2026-12-10", "blue")):  # fmt: skip
        for member in ("lea", "karim"):
            ok(run, workspace, "rsvp", event_id, member, "going", "--at", f"{day} 09:00")
        picture = photo(tmp_path / f"{event_id}.jpg", colour)
        ok(run, workspace, "content", "import", str(picture), "--event", event_id)
        ok(run, workspace, "content", "people", str(picture), "--add", "lea", "--reviewed")
        ok(run, workspace, "content", "describe", str(picture), "--alt", "People at the bar.",
           "--caption", f"Apéro du {day}.")  # fmt: skip
    ok(run, workspace, "consent", "grant", "lea", "--purpose", "publish", "--witness", "Karim",
       "--at", "2026-06-01 18:00")  # fmt: skip
    listed = json.loads(ok(run, workspace, "attendance", "apero-20260709", "--json"))
    assert listed["seated"] == 2

    # recaps published the morning after each date
    for event_id, now in (("apero-20260709", "2026-07-10T09:00:00+02:00"),
                          ("apero-20261210", "2026-12-11T09:00:00+01:00")):  # fmt: skip
        in_season(run, workspace, now, "publish", event_id, "--to", "outbox")
    sent = sorted((workspace / "outbox" / "outbox").glob("*.json"))
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sent]
    by_event: dict[str, list[str]] = {}
    for document in documents:
        by_event.setdefault(document["event_id"], []).append(document["published_at"])
    assert set(by_event) == {"apero-20260709", "apero-20261210"}
    for event_id, day in (("apero-20260709", "2026-07-10"), ("apero-20261210", "2026-12-11")):
        published = [datetime.fromisoformat(t.split("[")[0]) for t in by_event[event_id]]
        assert {p.astimezone(PARIS).date().isoformat() for p in published} == {day}

    # the calendar, read back with icalendar: same instants, zone and VTIMEZONE
    ics = tmp_path / "apero.ics"
    in_season(run, workspace, winter_now, "series", "ics", "apero", "-o", str(ics))
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    assert [tz.tz_name for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = calendar.walk("VEVENT")
    assert len(events) == 12
    assert b"DTSTART;TZID=Europe/Paris:20260709T190000" in ics.read_bytes()
    for entry, start in zip(events, starts, strict=True):
        read = entry.decoded("dtstart")
        assert read == start
        assert read.tzinfo.key == "Europe/Paris"
        assert (read.hour, read.minute) == (19, 0)
        assert entry.decoded("dtend") - read == timedelta(minutes=150)
    uids = [str(e["uid"]) for e in events]
    assert uids[6] == "apero-20260709@terrain"
    assert {int(e["sequence"]) for e in events} == {0}

    # July's date moves to 18:30: the same UIDs, July's SEQUENCE raised, in both exports
    ok(run, workspace, "series", "override", "apero", "--date", "2026-07-09",
       "--starts", "2026-07-09 18:30")  # fmt: skip
    in_season(run, workspace, winter_now, "series", "plan", "apero")
    in_season(run, workspace, winter_now, "series", "ics", "apero", "-o", str(ics))
    again = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == uids
    sequences = {str(e["uid"]): int(e["sequence"]) for e in again}
    assert sequences.pop("apero-20260709@terrain") == 1
    assert set(sequences.values()) == {0}
    one = tmp_path / "july.ics"
    in_season(run, workspace, winter_now, "event", "ics", "apero-20260709", "-o", str(one))
    (july,) = icalendar.Calendar.from_ical(one.read_bytes()).walk("VEVENT")
    assert str(july["uid"]) == "apero-20260709@terrain"
    assert int(july["sequence"]) == 1
    assert july.decoded("dtstart") == datetime(2026, 7, 9, 18, 30, tzinfo=PARIS)
