"""Every record can be fixed and deleted from the command line, each change in the history;
what a post online or a consent relies on is not deleted without --force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run, as_json, ok
from .test_content_and_consent import phone_photo


@pytest.fixture
def season(workspace: Path, run: Run, tmp_path: Path) -> Path:
    """A meetup with a venue, two members, answers, a photo published, a partner."""
    photo = phone_photo(tmp_path / "talk.jpg")
    other = phone_photo(tmp_path / "bikes.jpg", seed=4)
    for args in (
        ("venue", "add", "zinc", "--name", "Le Zinc", "--kind", "bar", "--capacity", "30"),
        ("member", "add", "lea", "--name", "Léa Martin", "--handle", "x=lea_m"),
        ("member", "add", "karim", "--name", "Karim"),
        ("event", "add", "ev-12", "--title", "Vélo & ville #12", "--starts", "2026-03-12 19:00",
         "--ends", "2026-03-12 22:00", "--venue", "zinc"),
        ("event", "add", "ev-13", "--title", "Vélo & ville #13", "--starts", "2026-04-09 19:00",
         "--ends", "2026-04-09 22:00"),
        ("event", "talk", "ev-12", "--title", "Les pistes", "--speaker", "Ana", "--minutes", "20"),
        ("rsvp", "ev-12", "lea", "going", "--at", "2026-03-01 10:00"),
        ("rsvp", "ev-12", "karim", "going", "--at", "2026-03-01 10:00"),
        ("checkin", "ev-12", "karim", "--at", "2026-03-12 19:00"),
        ("content", "import", str(photo), str(other), "--event", "ev-12"),
        ("content", "people", str(photo), "--add", "lea", "--reviewed"),
        ("content", "describe", str(photo), "--alt", "Léa at the talk."),
        ("content", "describe", str(other), "--alt", "Bikes on the pavement."),
        ("consent", "grant", "lea", "--purpose", "publish", "--purpose", "tag", "--witness", "K",
         "--at", "2026-03-12 19:10"),
        ("publish", "ev-12", "--to", "outbox"),
        ("partner", "add", "fournil", "--name", "Le Fournil", "--kind", "local-shop"),
        ("partner", "contribute", "fournil", "ev-12", "--kind", "food", "--value", "30"),
    ):  # fmt: skip
        ok(run, workspace, *args)
    return workspace


def _content_ids(run: Run, workspace: Path) -> dict[str, str]:
    listed = as_json(run("content", "list", "--json", workspace=workspace))
    return {c["media"][0]["key"].rsplit("/", 1)[-1]: c["id"] for c in listed} | {
        ("shows-lea" if c["appearances"] else "empty"): c["id"] for c in listed
    }


def _history(run: Run, workspace: Path, *what: str) -> list[dict[str, object]]:
    data: list[dict[str, object]] = as_json(run("history", *what, "--json", workspace=workspace))
    return data


def test_a_member_is_edited_field_by_field_and_the_history_says_who_and_what(
    season: Path, run: Run
) -> None:
    ok(run, season, "--by", "camille", "member", "edit", "lea", "--email", "lea@velo.fr",
       "--handle", "instagram=lea.m", "--drop-handle", "x", "--tag", "cargo")
    member = next(m for m in as_json(run("member", "list", "--json", workspace=season))
                  if m["id"] == "lea")
    assert member["email"] == "lea@velo.fr"
    assert member["handles"] == {"instagram": "lea.m"}
    (edit,) = [h for h in _history(run, season, "member", "lea") if h["action"] == "edit"]
    assert edit["who"] == "camille"
    fields = {f["field"]: (f["before"], f["after"]) for f in edit["fields"]}  # type: ignore[attr-defined]
    assert fields["email"] == (None, "lea@velo.fr")
    assert fields["handles"] == ({"x": "lea_m"}, {"instagram": "lea.m"})


def test_an_event_its_talk_and_its_venue_are_changed_and_cleared(season: Path, run: Run) -> None:
    ok(run, season, "event", "edit", "ev-12", "--capacity", "20", "--starts", "2026-03-12 19:30")
    ok(run, season, "event", "talk-edit", "ev-12", "1", "--minutes", "25", "--speaker-id", "lea")
    ok(run, season, "event", "edit", "ev-12", "--no-venue")
    event = next(e for e in as_json(run("event", "list", "--json", workspace=season))
                 if e["id"] == "ev-12")
    assert event["venue_id"] is None
    assert event["capacity"] == 20
    assert event["talks"][0]["minutes"] == 25
    assert event["talks"][0]["speaker_id"] == "lea"
    assert event["sequence"] == 1  # calendars that imported it take the new time
    edits = [h for h in _history(run, season, "event", "ev-12") if h["action"] == "edit"]
    assert len(edits) == 4  # the talk added, then the three changes


def test_a_venue_is_edited_then_deleted_once_no_event_is_held_there(
    season: Path, run: Run
) -> None:
    ok(run, season, "venue", "edit", "zinc", "--capacity", "45", "--fee", "150")
    refused = run("venue", "delete", "zinc", workspace=season)
    assert refused.exit_code == 2
    assert "event ev-12 is held there" in refused.output
    assert "terrain event edit ev-12 --venue OTHER" in refused.output
    ok(run, season, "event", "edit", "ev-12", "--no-venue")
    ok(run, season, "venue", "delete", "zinc")
    assert [h["action"] for h in _history(run, season, "venue", "zinc")] == [
        "add", "edit", "delete"
    ]


def test_a_photo_in_a_post_online_is_neither_moved_nor_deleted_without_force(
    season: Path, run: Run
) -> None:
    photo = _content_ids(run, season)["shows-lea"]
    for args in (("content", "move", photo, "--event", "ev-13"), ("content", "delete", photo)):
        refused = run(*args, workspace=season)
        assert refused.exit_code == 2, args
        assert "online" in refused.output
        assert "terrain takedown" in refused.output
    forced = run("content", "delete", photo, "--force", "--json", workspace=season)
    assert as_json(forced)["files"]
    (deleted,) = [h for h in _history(run, season, "content", photo) if h["action"] == "delete"]
    assert "forced past" in str(deleted["note"])


def test_a_photo_imported_into_the_wrong_meetup_is_moved(season: Path, run: Run) -> None:
    photo = _content_ids(run, season)["empty"]
    ok(run, season, "content", "move", photo, "--event", "ev-13")
    listed = as_json(run("content", "list", "--event", "ev-13", "--json", workspace=season))
    assert [c["id"] for c in listed] == [photo]


def test_a_member_a_post_online_tags_is_deleted_only_by_force_and_only_without_records(
    season: Path, run: Run
) -> None:
    refused = run("member", "delete", "lea", workspace=season)
    assert refused.exit_code == 2
    assert "shows them" in refused.output
    assert "terrain content people" in refused.output
    refused_karim = run("member", "delete", "karim", workspace=season)
    assert "attendance ev-12 lists their answer" in refused_karim.output
    ok(run, season, "checkin", "ev-12", "karim", "--undo")
    ok(run, season, "rsvp", "ev-12", "karim", "remove")
    ok(run, season, "member", "delete", "karim")


def test_an_answer_and_a_check_in_are_taken_back(season: Path, run: Run) -> None:
    ok(run, season, "checkin", "ev-12", "karim", "--undo")
    report = as_json(run("attendance", "ev-12", "--json", workspace=season))
    assert report["by_status"]["checked-in"] == []
    assert "karim" in report["by_status"]["going"]
    ok(run, season, "rsvp", "ev-12", "lea", "remove")
    report = as_json(run("attendance", "ev-12", "--json", workspace=season))
    assert "lea" not in json.dumps(report["rsvps"])


def test_a_contribution_is_edited_and_deleted_through_the_generic_verbs(
    season: Path, run: Run
) -> None:
    (contribution,) = [
        h["id"] for h in _history(run, season, "contribution") if h["action"] == "add"
    ]
    ok(run, season, "edit", "contribution", str(contribution), "--set", "value=45.50 EUR")
    refused = run("edit", "contribution", str(contribution), "--set", "flavour=sweet",
                  workspace=season)
    assert refused.exit_code == 2
    assert "Contribution has no field 'flavour'" in refused.output
    ok(run, season, "delete", "contribution", str(contribution))
    assert [h["action"] for h in _history(run, season, "contribution", str(contribution))] == [
        "add", "edit", "delete"
    ]


def test_a_partner_gets_its_handles_and_a_workshop_its_participants(
    season: Path, run: Run
) -> None:
    ok(run, season, "partner", "edit", "fournil", "--handle", "x=lefournil", "--handle",
       "instagram=fournil.lyon")
    ok(run, season, "partner", "edit", "fournil", "--drop-handle", "instagram")
    listed = as_json(run("partner", "list", "--json", workspace=season))
    assert listed[0]["partner"]["handles"] == {"x": "lefournil"}
    ok(run, season, "workshop", "add", "atelier", "--title", "Le parc", "--brief", "Quoi ?",
       "--starts", "2026-05-01 10:00", "--participant", "lea")
    ok(run, season, "workshop", "join", "atelier", "karim")
    ok(run, season, "workshop", "idea", "atelier", "i1", "--author", "karim", "--text", "Bancs")
    refused = run("workshop", "leave", "atelier", "karim", workspace=season)
    assert refused.exit_code == 2
    assert "ideas i1 are theirs" in refused.output
    ok(run, season, "workshop", "leave", "atelier", "lea")


def test_an_interview_date_and_a_project_phase_are_corrected(season: Path, run: Run) -> None:
    ok(run, season, "event", "interview", "ev-12", "itw-1", "--member", "lea", "--text",
       "On roule ensemble.", "--on", "2026-03-12")
    ok(run, season, "content", "edit", "itw-1", "--date", "2026-03-12 21:15")
    (interview,) = [c for c in as_json(run("content", "list", "--json", workspace=season))
                    if c["id"] == "itw-1"]
    assert interview["created_at"].startswith("2026-03-12T21:15:00+01:00")
    ok(run, season, "project", "add", "place", "--title", "La place", "--started",
       "2026-01-10")
    ok(run, season, "project", "phase", "place", "during")
    assert _history(run, season, "project", "place")[-1]["fields"] == [
        {"field": "phase", "before": "before", "after": "during"}
    ]


def test_history_lists_changes_as_csv_for_a_spreadsheet(season: Path, run: Run) -> None:
    result = run("history", "--csv", workspace=season)
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert result.stdout.lstrip("\ufeff").splitlines()[0] == (
        "seq,at,who,action,kind,id,fields,note"
    )
