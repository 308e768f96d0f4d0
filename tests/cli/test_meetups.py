"""Meetups from the shell: venues, talks and the format, series, RSVPs and the waitlist."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest

from .conftest import Run, as_json, ok, snapshot


@pytest.fixture
def bar(workspace: Path, run: Run) -> Path:
    ok(
        run,
        workspace,
        "venue",
        "add",
        "zinc",
        "--name",
        "Le Zinc",
        "--kind",
        "bar",
        "--capacity",
        "30",
        "--cost",
        "each-pays-own",
    )
    ok(
        run,
        workspace,
        "venue",
        "add",
        "nord",
        "--name",
        "Agence Nord",
        "--kind",
        "agency",
        "--capacity",
        "45",
    )
    ok(
        run,
        workspace,
        "venue",
        "add",
        "recoin",
        "--name",
        "Le Recoin",
        "--kind",
        "bar",
        "--capacity",
        "15",
    )
    return workspace


def test_a_bar_meetup_with_two_talks_follows_the_format(bar: Path, run: Run) -> None:
    ok(
        run,
        bar,
        "event",
        "add",
        "apero-mars",
        "--title",
        "Apéro des makers",
        "--starts",
        "2026-03-05 19:00",
        "--ends",
        "2026-03-05 22:00",
        "--venue",
        "zinc",
        "--networking-minutes",
        "100",
    )
    ok(
        run,
        bar,
        "event",
        "talk",
        "apero-mars",
        "--title",
        "Réparer son vélo",
        "--speaker",
        "Léa",
        "--minutes",
        "25",
        "--qa",
        "10",
    )
    ok(
        run,
        bar,
        "event",
        "talk",
        "apero-mars",
        "--title",
        "Le compost de quartier",
        "--speaker",
        "Karim",
        "--minutes",
        "20",
        "--qa",
        "15",
    )
    out = ok(run, bar, "event", "check", "apero-mars")
    assert out.splitlines()[0] == "Apéro des makers follows the format."
    assert "19:00-19:25 Réparer son vélo (Léa)" in out
    assert "20:10-22:00 Networking" in out
    data = as_json(run("event", "check", "apero-mars", "--json", workspace=bar))
    assert data["findings"] == []


def test_a_45_minute_talk_is_reported_with_exit_code_1(bar: Path, run: Run) -> None:
    ok(
        run,
        bar,
        "event",
        "add",
        "apero-avril",
        "--title",
        "Apéro",
        "--starts",
        "2026-04-02 19:00",
        "--ends",
        "2026-04-02 22:00",
        "--networking-minutes",
        "90",
    )
    ok(
        run,
        bar,
        "event",
        "talk",
        "apero-avril",
        "--title",
        "Tout sur le vélo",
        "--speaker",
        "Léa",
        "--minutes",
        "45",
        "--qa",
        "10",
    )
    result = run("event", "check", "apero-avril", "--json", workspace=bar)
    assert result.exit_code == 1
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert codes == ["talk-too-long"]


def _long_talk_meetup(run: Run, bar: Path) -> None:
    ok(run, bar, "event", "add", "apero-avril", "--title", "Apéro", "--starts",
       "2026-04-02 19:00", "--ends", "2026-04-02 22:00", "--networking-minutes", "90")  # fmt: skip
    ok(run, bar, "event", "talk", "apero-avril", "--title", "Tout sur le vélo", "--speaker",
       "Léa", "--minutes", "45", "--qa", "10")  # fmt: skip


def test_the_communitys_format_in_terrain_toml_is_what_event_check_applies(
    bar: Path, run: Run
) -> None:
    """A community that allows 45-minute talks says so once, in [format]."""
    _long_talk_meetup(run, bar)
    config = bar / "terrain.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[format]\nmax_talk_minutes = 45\n",
        encoding="utf-8",
    )
    data = as_json(run("event", "check", "apero-avril", "--json", workspace=bar))
    assert data["findings"] == []
    # the option still wins, for this check only
    stricter = run("event", "check", "apero-avril", "--max-talk-minutes", "30", workspace=bar)
    assert stricter.exit_code == 1
    assert "at most 30" in stricter.stdout


def test_a_bad_format_table_exits_2_naming_file_and_key(bar: Path, run: Run) -> None:
    _long_talk_meetup(run, bar)
    config = bar / "terrain.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[format]\nmax_talk_minutes = "long"\n',
        encoding="utf-8",
    )
    result = run("event", "check", "apero-avril", workspace=bar)
    assert result.exit_code == 2
    assert "terrain.toml" in result.stderr
    assert "[format] max_talk_minutes: must be a whole number" in result.stderr
    assert "Traceback" not in result.output


def test_a_talk_of_negative_length_is_refused_and_nothing_is_stored(bar: Path, run: Run) -> None:
    ok(
        run,
        bar,
        "event",
        "add",
        "apero-mai",
        "--title",
        "Apéro",
        "--starts",
        "2026-05-07 19:00",
        "--ends",
        "2026-05-07 22:00",
    )
    before = snapshot(bar)
    result = run(
        "event",
        "talk",
        "apero-mai",
        "--title",
        "Vélo",
        "--speaker",
        "Léa",
        "--minutes",
        "-20",
        workspace=bar,
    )
    assert result.exit_code == 2
    assert "Talk.minutes" in result.stderr
    assert "at least 1" in result.stderr
    assert snapshot(bar) == before


def test_venues_that_fit_the_forecast_come_snuggest_first(bar: Path, run: Run) -> None:
    data = as_json(run("venue", "suggest", "--attendance", "24", "--json", workspace=bar))
    assert [s["venue"]["id"] for s in data] == ["zinc", "nord"]
    out = ok(run, bar, "venue", "suggest", "--attendance", "24")
    assert out.startswith("zinc")


def test_the_event_calendar_file_parses_back(bar: Path, run: Run, tmp_path: Path) -> None:
    ok(
        run,
        bar,
        "event",
        "add",
        "apero-mars",
        "--title",
        "Apéro des makers",
        "--starts",
        "2026-03-05 19:00",
        "--ends",
        "2026-03-05 22:00",
        "--venue",
        "zinc",
    )
    target = tmp_path / "apero.ics"
    ok(run, bar, "event", "ics", "apero-mars", "-o", str(target))
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Apéro des makers"
    assert "Le Zinc" in str(entry["location"])


def test_a_series_moved_for_one_date(bar: Path, run: Run, tmp_path: Path) -> None:
    ok(
        run,
        bar,
        "series",
        "add",
        "apero",
        "--title",
        "Apéro des makers",
        "--rrule",
        "FREQ=MONTHLY;BYDAY=1TH;COUNT=4",
        "--first",
        "2026-02-05 19:00",
        "--minutes",
        "150",
        "--venue",
        "zinc",
        "--networking-minutes",
        "90",
    )
    out = ok(
        run,
        bar,
        "series",
        "override",
        "apero",
        "--date",
        "2026-04-02",
        "--venue",
        "nord",
        "--note",
        "le Zinc est fermé",
    )
    assert "Thu 2026-04-02 19:00  at nord" in out
    assert "Thu 2026-03-05 19:00  at zinc" in out
    ok(
        run,
        bar,
        "series",
        "override",
        "apero",
        "--date",
        "2026-05-07",
        "--cancel",
        "--note",
        "long week-end",
    )
    listed = as_json(run("series", "list", "--json", workspace=bar))
    dates = {d["date"]: d for d in listed[0]["dates"]}
    assert dates["2026-04-02"]["venue_id"] == "nord"
    assert dates["2026-05-07"]["cancelled"] is True
    planned = as_json(run("series", "plan", "apero", "--json", workspace=bar))
    assert [e["id"] for e in planned["events"]] == [
        "apero-20260205",
        "apero-20260305",
        "apero-20260402",
    ]
    target = tmp_path / "apero.ics"
    ok(run, bar, "series", "ics", "apero", "-o", str(target))
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    statuses = [str(e.get("status", "")) for e in calendar.walk("VEVENT")]
    assert len(statuses) == 4
    assert statuses.count("CANCELLED") == 1


def test_an_rrule_that_does_not_parse_is_refused_and_nothing_is_stored(bar: Path, run: Run) -> None:
    before = snapshot(bar)
    result = run(
        "series",
        "add",
        "apero",
        "--title",
        "Apéro",
        "--rrule",
        "EVERY THURSDAY",
        "--first",
        "2026-02-05 19:00",
        "--minutes",
        "150",
        workspace=bar,
    )
    assert result.exit_code == 2
    assert "is not a valid RRULE" in result.stderr
    assert "FREQ=MONTHLY" in result.stderr
    assert snapshot(bar) == before


def test_an_override_on_a_date_the_series_lacks_is_refused(bar: Path, run: Run) -> None:
    ok(
        run,
        bar,
        "series",
        "add",
        "apero",
        "--title",
        "Apéro",
        "--rrule",
        "FREQ=MONTHLY;BYDAY=1TH;COUNT=4",
        "--first",
        "2026-02-05 19:00",
        "--minutes",
        "150",
    )
    before = snapshot(bar)
    result = run("series", "override", "apero", "--date", "2026-04-03", "--cancel", workspace=bar)
    assert result.exit_code == 2
    assert "has no meetup that day" in result.stderr
    assert snapshot(bar) == before


@pytest.fixture
def small_meetup(bar: Path, run: Run) -> Path:
    for member in ("lea", "karim", "ines", "tom"):
        ok(run, bar, "member", "add", member, "--name", member.title())
    ok(
        run,
        bar,
        "event",
        "add",
        "atelier",
        "--title",
        "Atelier réparation",
        "--starts",
        "2026-03-12 19:00",
        "--ends",
        "2026-03-12 21:00",
        "--capacity",
        "2",
    )
    return bar


def test_a_waitlist_promoted_on_cancellation(small_meetup: Path, run: Run) -> None:
    ws = small_meetup
    ok(run, ws, "rsvp", "atelier", "lea", "going")
    ok(run, ws, "rsvp", "atelier", "karim", "going")
    out = ok(run, ws, "rsvp", "atelier", "ines", "going")
    assert "ines is on the waitlist of atelier." in out
    ok(run, ws, "rsvp", "atelier", "tom", "going")
    out = ok(run, ws, "rsvp", "atelier", "karim", "cancel")
    assert "ines moved from the waitlist to going" in out
    data = as_json(run("attendance", "atelier", "--json", workspace=ws))
    assert data["by_status"]["going"] == ["lea", "ines"]
    assert data["waitlist"] == ["tom"]
    assert data["seated"] == 2


def test_check_in_then_close_counts_no_shows_and_forecasts_the_next_date(
    bar: Path, run: Run
) -> None:
    ok(
        run,
        bar,
        "series",
        "add",
        "apero",
        "--title",
        "Apéro",
        "--rrule",
        "FREQ=MONTHLY;BYDAY=1TH;COUNT=2",
        "--first",
        "2026-02-05 19:00",
        "--minutes",
        "150",
        "--venue",
        "zinc",
    )
    ok(run, bar, "series", "plan", "apero")
    for n in range(5):
        ok(run, bar, "member", "add", f"m{n}", "--name", f"Member {n}")
        ok(run, bar, "rsvp", "apero-20260205", f"m{n}", "going")
        ok(run, bar, "rsvp", "apero-20260305", f"m{n}", "going")
    ok(run, bar, "checkin", "apero-20260205", "m0", "m1", "m2", "m3")
    out = ok(run, bar, "attendance", "apero-20260205", "--close")
    assert "no-show       1  m4" in out
    data = as_json(run("attendance", "apero-20260305", "--json", workspace=bar))
    assert data["forecast"]["expected"] == 4
    assert data["forecast"]["no_show_rate"] == pytest.approx(0.2)


def test_checking_in_someone_without_rsvp_needs_walk_in(small_meetup: Path, run: Run) -> None:
    before = snapshot(small_meetup)
    result = run("checkin", "atelier", "lea", workspace=small_meetup)
    assert result.exit_code == 2
    assert "walk_in" in result.stderr or "walk-in" in result.stderr
    assert snapshot(small_meetup) == before
    ok(run, small_meetup, "checkin", "atelier", "lea", "--walk-in")


def test_ics_json_gives_the_calendar_text_or_the_file_written(
    bar: Path, run: Run, tmp_path: Path
) -> None:
    ok(
        run,
        bar,
        "event",
        "add",
        "apero-mars",
        "--title",
        "Apéro",
        "--starts",
        "2026-03-05 19:00",
        "--ends",
        "2026-03-05 22:00",
    )
    data = as_json(run("event", "ics", "apero-mars", "--json", workspace=bar))
    assert icalendar.Calendar.from_ical(data["ics"]).walk("VEVENT")
    target = tmp_path / "out.ics"
    data = as_json(run("event", "ics", "apero-mars", "-o", str(target), "--json", workspace=bar))
    assert data["output"] == str(target)
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_an_rsvp_of_someone_who_is_not_a_member_is_refused(small_meetup: Path, run: Run) -> None:
    before = snapshot(small_meetup)
    result = run("rsvp", "atelier", "ghost", "going", workspace=small_meetup)
    assert result.exit_code == 2
    assert "member 'ghost' does not exist" in result.stderr
    assert "terrain member add" in result.stderr
    assert snapshot(small_meetup) == before


def test_answering_twice_is_refused_until_cancelled(small_meetup: Path, run: Run) -> None:
    ok(run, small_meetup, "rsvp", "atelier", "lea", "going")
    result = run("rsvp", "atelier", "lea", "waitlist", workspace=small_meetup)
    assert result.exit_code == 2
    assert "cancel first" in result.stderr
    ok(run, small_meetup, "rsvp", "atelier", "lea", "cancel")
    out = ok(run, small_meetup, "rsvp", "atelier", "lea", "waitlist")
    assert "lea is on the waitlist of atelier." in out


def test_planning_again_follows_the_series_and_keeps_what_was_edited_on_an_event(
    bar: Path, run: Run
) -> None:
    ok(
        run, bar, "series", "add", "apero", "--title", "Apéro", "--rrule",
        "FREQ=MONTHLY;BYDAY=1TH;COUNT=3", "--first", "2026-02-05 19:00", "--minutes", "150",
        "--venue", "zinc",
    )  # fmt: skip
    ok(run, bar, "series", "plan", "apero")
    ok(run, bar, "event", "talk", "apero-20260305", "--title", "Réparer son vélo",
       "--speaker", "Ana", "--minutes", "25", "--qa", "10")  # fmt: skip
    ok(run, bar, "member", "add", "lea", "--name", "Léa")
    ok(run, bar, "rsvp", "apero-20260402", "lea", "going")
    ok(run, bar, "series", "override", "apero", "--date", "2026-03-05", "--venue", "nord")
    ok(run, bar, "series", "override", "apero", "--date", "2026-04-02", "--cancel")
    planned = as_json(run("series", "plan", "apero", "--json", workspace=bar))
    march = {e["id"]: e for e in planned["events"]}["apero-20260305"]
    assert march["venue_id"] == "nord", "the override is followed"
    assert [t["title"] for t in march["talks"]] == ["Réparer son vélo"], "the talk is kept"
    assert planned["stale"] == ["apero-20260402"]
    assert planned["stale_answers"] == {"apero-20260402": 1}
    out = ok(run, bar, "series", "plan", "apero")
    assert "apero-20260402" in out
    assert "1 answered: tell them" in out
