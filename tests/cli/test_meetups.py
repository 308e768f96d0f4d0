"""Meetups from the shell: venues, talks and the format, series, RSVPs and the waitlist."""

from __future__ import annotations

import json
from collections.abc import Callable
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
    feb = {"TERRAIN_NOW": "2026-02-05T22:30:00+01:00"}  # the end of the first evening

    def at_the_time(*args: str) -> str:
        result = run(*args, workspace=bar, env=feb)
        assert result.exit_code == 0, result.output
        return result.stdout

    for n in range(5):
        ok(run, bar, "member", "add", f"m{n}", "--name", f"Member {n}")
        at_the_time("rsvp", "apero-20260205", f"m{n}", "going", "--at", "2026-01-20 10:00")
        at_the_time("rsvp", "apero-20260305", f"m{n}", "going", "--at", "2026-01-20 10:00")
    at_the_time("checkin", "apero-20260205", "m0", "m1", "m2", "m3")
    out = at_the_time("attendance", "apero-20260205", "--close")
    assert "no-show       1  Member 4" in out
    assert "Came: 4 (1 no-show)." in out
    assert "Forecast" not in out  # a meetup that took place has no forecast
    data = as_json(run("attendance", "apero-20260305", "--json", workspace=bar, env=feb))
    assert data["forecast"]["expected"] == 4
    assert data["forecast"]["no_show_rate"] == pytest.approx(0.2)


def test_attendance_at_looks_from_that_moment_whatever_the_clock(
    bar: Path, run: Run
) -> None:
    ok(run, bar, "series", "add", "apero", "--title", "Apéro", "--rrule",
       "FREQ=MONTHLY;BYDAY=1TH;COUNT=2", "--first", "2026-02-05 19:00", "--minutes", "150")
    ok(run, bar, "series", "plan", "apero")
    ok(run, bar, "member", "add", "m0", "--name", "Member 0")
    ok(run, bar, "rsvp", "apero-20260305", "m0", "going", "--at", "2026-01-20 10:00")
    later = {"TERRAIN_NOW": "2030-10-27T01:30:00+00:00"}  # long after both dates
    now = run("attendance", "apero-20260305", "--json", workspace=bar, env=later)
    assert now.exit_code == 0, now.output
    assert as_json(now)["forecast"] is None  # from 2030 the date took place
    then = run("attendance", "apero-20260305", "--at", "2026-02-01 12:00", "--json",
               workspace=bar, env=later)
    assert then.exit_code == 0, then.output
    assert as_json(then)["forecast"]["expected"] == 1  # from February it is ahead


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
    assert planned["stale"] == []
    assert planned["cancelled"] == ["apero-20260402"]
    assert planned["to_tell"] == {"apero-20260402": ["lea"]}
    out = ok(run, bar, "series", "plan", "apero")
    assert "apero-20260402         2026-04-02 19:00  cancelled" in out
    assert "! apero-20260402 is cancelled: tell Léa." in out


def at_time(run: Run, workspace: Path, now: str) -> Callable[..., str]:
    """Run commands that must succeed, with the clock set to ``now``."""

    def invoke(*args: str) -> str:
        result = run(*args, workspace=workspace, env={"TERRAIN_NOW": now})
        assert result.exit_code == 0, result.output
        return result.stdout

    return invoke


def refused(run: Run, workspace: Path, now: str, *args: str) -> str:
    """Run a command that must exit 2 and store nothing, the clock at ``now``; its stderr."""
    before = snapshot(workspace)
    result = run(*args, workspace=workspace, env={"TERRAIN_NOW": now})
    assert result.exit_code == 2, result.output
    assert snapshot(workspace) == before
    return result.stderr


JUNE = "2026-06-15T10:00:00+02:00"


@pytest.fixture
def season(bar: Path, run: Run) -> Path:
    """A monthly series from July, planned in June; August cancelled after the plan."""
    do = at_time(run, bar, JUNE)
    for n in range(40):
        do("member", "add", f"m{n}", "--name", f"Member {n}")
    do(
        "series", "add", "apero", "--title", "Apéro", "--rrule", "FREQ=MONTHLY;BYDAY=1TH;COUNT=6",
        "--first", "2026-07-02 19:00", "--minutes", "150", "--venue", "nord",
    )  # fmt: skip
    do("series", "plan", "apero")
    do("rsvp", "apero-20260806", "m0", "going")
    return bar


def test_a_cancelled_date_takes_no_rsvp_and_is_shown_cancelled(season: Path, run: Run) -> None:
    """A date cancelled by an override still took RSVPs and was listed like any other."""
    do = at_time(run, season, JUNE)
    out = do("series", "override", "apero", "--date", "2026-08-06", "--cancel", "--note", "congés")
    assert "! apero-20260806 is cancelled: tell Member 0." in out
    error = refused(run, season, JUNE, "rsvp", "apero-20260806", "m1", "going")
    assert "is cancelled (congés): it takes no RSVP" in error
    refused(run, season, JUNE, "rsvp", "apero-20260806", "m1", "waitlist")
    assert "apero-20260806       2026-08-06 19:00  Apéro  CANCELLED (congés)" in do("event", "list")
    assert as_json(run("event", "list", "--json", workspace=season))[1]["cancelled"] is True
    out = do("attendance", "apero-20260806")
    assert "CANCELLED: congés" in out
    assert "Tell Member 0 that it is cancelled." in out
    assert "Forecast" not in out
    refused(run, season, JUNE, "publish", "apero-20260806", "--to", "outbox")
    do("series", "override", "apero", "--date", "2026-08-06", "--title", "Apéro d'été")
    do("rsvp", "apero-20260806", "m1", "going")  # the date is back


def test_a_one_off_meetup_is_cancelled_and_restored(small_meetup: Path, run: Run) -> None:
    do = at_time(run, small_meetup, "2026-03-01T10:00:00+01:00")
    do("rsvp", "atelier", "lea", "going")
    out = do("event", "cancel", "atelier", "--reason", "salle inondée")
    assert out == "Cancelled Atelier réparation (atelier).\nTell Lea.\n"
    refused(run, small_meetup, "2026-03-12T19:00:00+01:00", "checkin", "atelier", "lea")
    do("event", "cancel", "atelier", "--undo")
    at_time(run, small_meetup, "2026-03-12T19:05:00+01:00")("checkin", "atelier", "lea")


def test_check_in_and_closing_months_ahead_are_refused(season: Path, run: Run) -> None:
    """Both used to be accepted on a meetup five months ahead."""
    do = at_time(run, season, JUNE)
    do("rsvp", "apero-20261105", "m1", "going")
    error = refused(run, season, JUNE, "checkin", "apero-20261105", "m1")
    assert "check-in opens at 2026-11-05 17:00, and it is 2026-06-15 10:00" in error
    refused(run, season, JUNE, "checkin", "apero-20261105", "m2", "--walk-in")
    error = refused(run, season, JUNE, "attendance", "apero-20261105", "--close")
    assert "nobody has missed it yet" in error
    evening = at_time(run, season, "2026-11-05T18:00:00+01:00")
    assert "1 here now" in evening("checkin", "apero-20261105", "m1")


def test_a_walk_in_gets_the_seat_of_someone_going_who_did_not_come(
    small_meetup: Path, run: Run
) -> None:
    """A walk-in was refused all evening while two people going never came."""
    do = at_time(run, small_meetup, "2026-03-01T10:00:00+01:00")
    do("rsvp", "atelier", "lea", "going")
    do("rsvp", "atelier", "karim", "going")
    error = refused(run, small_meetup, "2026-03-12T19:10:00+01:00", "checkin", "atelier",
                    "tom", "--walk-in")  # fmt: skip
    assert "'tom' (a walk-in)" in error
    assert "from 2026-03-12 19:30 the seats of people going who have not arrived are free" in error
    late = at_time(run, small_meetup, "2026-03-12T19:45:00+01:00")
    assert "1 here now" in late("checkin", "atelier", "tom", "--walk-in")


def test_moving_a_date_to_a_smaller_venue_says_who_has_no_seat(season: Path, run: Run) -> None:
    """40 people stayed going for 18 seats without a word."""
    do = at_time(run, season, JUNE)
    do("venue", "add", "petit", "--name", "Le Petit", "--kind", "bar", "--capacity", "18")
    for n in range(40):
        do("rsvp", "apero-20260903", f"m{n}", "going")
    out = do("series", "override", "apero", "--date", "2026-09-03", "--venue", "petit")
    assert (
        "! apero-20260903 (2026-09-03): 40 people going for 18 seats at Le Petit, 22 too many: "
        "tell them, or choose a bigger venue (`terrain venue suggest --attendance 40`)"
    ) in out
    out = do("attendance", "apero-20260903")
    assert "! 40 people going for 18 places: 22 too many" in out
    result = run("event", "edit", "apero-20261001", "--capacity", "0", workspace=season)
    assert result.exit_code == 0
    assert "! " not in result.stderr  # nobody going there: nothing to say
    data = as_json(
        run("series", "plan", "apero", "--json", workspace=season, env={"TERRAIN_NOW": JUNE})
    )
    assert [o["event_id"] for o in data["overbooked"]] == ["apero-20260903"]


def test_the_budget_of_a_past_meetup_counts_who_came_and_the_venues_fee(
    small_meetup: Path, run: Run
) -> None:
    """It used the forecast of the RSVPs and left out the room's fee."""
    do = at_time(run, small_meetup, "2026-03-01T10:00:00+01:00")
    do("venue", "add", "salle", "--name", "La Salle", "--kind", "public", "--capacity", "30",
       "--cost", "rental-fee", "--fee", "80")  # fmt: skip
    do("event", "edit", "atelier", "--venue", "salle", "--capacity", "30")
    for who in ("lea", "karim", "ines", "tom"):
        do("rsvp", "atelier", who, "going")
    budget = ("partner", "budget", "atelier", "--per-person", "3", "--json")
    ahead = as_json(
        run(*budget, workspace=small_meetup, env={"TERRAIN_NOW": "2026-03-01T10:00:00+01:00"})
    )
    assert (ahead["budget"]["people"], ahead["budget"]["people_from"]) == (4, "forecast")
    after = at_time(run, small_meetup, "2026-03-12T21:30:00+01:00")
    after("checkin", "atelier", "lea", "karim")
    after("attendance", "atelier", "--close")
    out = after("partner", "budget", "atelier", "--per-person", "3")
    assert out.startswith(
        "2 people came × 3.00 EUR = 6.00 EUR, plus the room 80.00 EUR: 86.00 EUR "
        "(La Salle charges 80.00 EUR for the room)"
    )
    do("venue", "add", "zinc2", "--name", "Le Zinc 2", "--kind", "bar", "--cost", "each-pays-own")
    do("event", "edit", "atelier", "--venue", "zinc2")
    out = after("partner", "budget", "atelier")  # no --per-person where each pays their own
    assert (
        "2 people came × 0.00 EUR = 0.00 EUR (everyone pays their own drinks at Le Zinc 2)" in out
    )
    do("event", "edit", "atelier", "--venue", "nord")
    error = refused(run, small_meetup, "2026-03-12T21:30:00+01:00", "partner", "budget", "atelier")
    assert "say what food and drinks cost per person at Agence Nord (free)" in error


def test_a_talk_can_be_dropped_and_networking_given_more_time(bar: Path, run: Run) -> None:
    """The format check advised to "drop a talk or extend the evening": no command could."""
    ok(run, bar, "event", "add", "ev", "--title", "Apéro", "--starts", "2026-03-05 19:00",
       "--ends", "2026-03-05 21:00", "--networking-minutes", "30")  # fmt: skip
    for title, speaker in (("Vélo", "Léa"), ("Compost", "Karim")):
        ok(run, bar, "event", "talk", "ev", "--title", title, "--speaker", speaker,
           "--minutes", "25", "--qa", "10")  # fmt: skip
    result = run("event", "check", "ev", workspace=bar)
    assert result.exit_code == 1
    assert "drop a talk (`terrain event drop-talk`)" in result.stdout
    out = ok(run, bar, "event", "drop-talk", "ev", "2")
    assert out == "Removed talk 'Compost' by Karim from ev; 1 talk(s) now.\n"
    ok(run, bar, "event", "edit", "ev", "--ends", "2026-03-05 22:00", "--networking-minutes", "90")
    assert run("event", "check", "ev", workspace=bar).exit_code == 0
    before = snapshot(bar)
    result = run("event", "drop-talk", "ev", "Compost", workspace=bar)
    assert result.exit_code == 2
    assert "its talks: 1. Vélo" in result.stderr
    assert snapshot(bar) == before


def test_a_micro_interview_at_a_meetup_is_published_whole(bar: Path, run: Run) -> None:
    """An event micro-interview went out as its title alone, and no command recorded one."""
    ok(run, bar, "event", "add", "ev", "--title", "Apéro", "--starts", "2026-03-05 19:00",
       "--ends", "2026-03-05 22:00", "--networking-minutes", "100")  # fmt: skip
    ok(run, bar, "member", "add", "ana", "--name", "Ana, mécanicienne")
    said = "On répare ensemble, c'est ça le plus beau."
    ok(run, bar, "event", "interview", "ev", "itw-ana", "--member", "ana", "--title",
       "Ana, à l'atelier", "--text", said, "--on", "2026-03-05 21:00")  # fmt: skip
    held = as_json(run("publish", "ev", "--to", "outbox", "--json", workspace=bar))
    (interview,) = [o for o in held["outcomes"] if o["about"] == "itw-ana"]
    assert interview["state"] == "held"
    assert "interview" in interview["message"]
    ok(run, bar, "consent", "grant", "ana", "--purpose", "interview", "--witness", "CM")
    ok(run, bar, "publish", "ev", "--to", "outbox")
    texts = [json.loads(p.read_text())["text"] for p in (bar / "outbox").rglob("*.json")]
    assert f"Ana, à l'atelier\n\n« {said} » — Ana, mécanicienne" in texts
