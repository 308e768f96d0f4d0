"""Files in and out from the command line: imports say every row and exit 0, 1 or 2;
exports open in a spreadsheet without running a formula; a person gets their data."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from .conftest import Run, as_json, ok, snapshot
from .test_content_and_consent import phone_photo

SAMPLES = Path(__file__).parents[1] / "workflows" / "samples"


def _event(run: Run, workspace: Path) -> None:
    ok(run, workspace, "event", "add", "ev-12", "--title", "Vélo & ville #12", "--starts",
       "2026-03-12 19:00", "--ends", "2026-03-12 22:00")


def test_a_refused_import_exits_2_stores_nothing_and_prints_every_row(
    workspace: Path, run: Run
) -> None:
    before = snapshot(workspace / ".terrain")
    result = run("member", "import", str(SAMPLES / "luma-guests-broken.csv"), "--preset",
                 "luma", workspace=workspace)
    assert result.exit_code == 2
    assert "line    7 x refused" in result.stdout
    assert "line 7:" in result.stderr
    assert "--skip-bad" in result.stderr
    assert as_json(run("member", "list", "--json", workspace=workspace)) == []
    assert snapshot(workspace / ".terrain").keys() == before.keys()


def test_skip_bad_stores_the_good_rows_and_exits_1(workspace: Path, run: Run) -> None:
    result = run("member", "import", str(SAMPLES / "luma-guests-broken.csv"), "--preset",
                 "luma", "--skip-bad", "--json", workspace=workspace)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["counts"] == {"created": 6, "changed": 0, "unchanged": 0, "ignored": 0,
                                "refused": 1}
    assert report["stored"] is True


def test_the_encoding_can_be_given_and_a_wrong_one_names_the_rows(
    workspace: Path, run: Run
) -> None:
    sample = str(SAMPLES / "helloasso-participants.csv")
    wrong = run("member", "import", sample, "--preset", "helloasso", "--encoding", "utf-8",
                "--dry-run", "--json", workspace=workspace)
    rows = json.loads(wrong.stdout)["rows"]
    assert [r["line"] for r in rows if r["action"] == "refused"] == [2, 3, 4, 5, 6]
    assert "is not UTF-8 text (byte 0xe9" in rows[0]["message"]
    right = run("member", "import", sample, "--preset", "helloasso", "--encoding", "cp1252",
                "--dry-run", "--json", workspace=workspace)
    assert json.loads(right.stdout)["counts"]["created"] == 5


def test_members_listed_as_csv_import_back_unchanged(workspace: Path, run: Run) -> None:
    ok(run, workspace, "member", "import", str(SAMPLES / "luma-guests.csv"), "--preset", "luma")
    ok(run, workspace, "member", "edit", "lea-martin", "--handle", "x=lea_m", "--tag", "vélo")
    exported = workspace.parent / "members.csv"
    exported.write_bytes(run("member", "list", "--csv", workspace=workspace).stdout_bytes)
    again = run("member", "import", str(exported), "--json", workspace=workspace)
    assert json.loads(again.stdout)["counts"]["unchanged"] == 5


def test_rsvp_and_checkin_import_still_leave_the_short_forms_working(
    workspace: Path, run: Run
) -> None:
    _event(run, workspace)
    ok(run, workspace, "rsvp", "import", str(SAMPLES / "luma-guests.csv"), "--preset", "luma",
       "--event", "ev-12", "--add-members")
    ok(run, workspace, "rsvp", "ev-12", "nadia-cherif", "going")
    ok(run, workspace, "checkin", "ev-12", "nadia-cherif")
    ok(run, workspace, "rsvp", "answer", "ev-12", "tom-weber", "cancel")
    report = as_json(run("attendance", "ev-12", "--json", workspace=workspace))
    assert "nadia-cherif" in report["by_status"]["checked-in"]


def test_the_season_export_opens_in_a_spreadsheet_and_runs_no_formula(
    workspace: Path, run: Run
) -> None:
    _event(run, workspace)
    ok(run, workspace, "member", "add", "evil", "--name", "=HYPERLINK(\"http://x\",\"click\")")
    ok(run, workspace, "rsvp", "ev-12", "evil", "going")
    ok(run, workspace, "partner", "add", "fournil", "--name", "+Le Fournil", "--kind",
       "local-shop")
    ok(run, workspace, "partner", "contribute", "fournil", "ev-12", "--kind", "food",
       "--value", "30", "--description", "@pains et -croissants")
    target = workspace.parent / "season.zip"
    result = run("export", "season", str(target), "--from", "2026-01-01", "--json",
                 workspace=workspace)
    assert as_json(result)["rows"]["attendance.csv"] == 1
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["events.csv", "attendance.csv", "partners.csv", "contributions.csv",
             "budgets.csv", "posts.csv"]
        )
        attendance = archive.read("attendance.csv")
        partners = archive.read("partners.csv").decode("utf-8-sig")
        contributions = archive.read("contributions.csv").decode("utf-8-sig")
    assert attendance.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(attendance.decode("utf-8-sig"))))
    assert row["name"] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert "'+Le Fournil" in partners
    assert "'@pains et -croissants" in contributions
    again = run("export", "season", str(target), workspace=workspace)
    assert again.exit_code == 2
    assert "exists" in again.output
    folder = workspace.parent / "season"
    ok(run, workspace, "export", "season", str(folder))
    assert (folder / "budgets.csv").read_text(encoding="utf-8-sig").startswith("event,people")


def test_every_list_verb_takes_csv(workspace: Path, run: Run) -> None:
    _event(run, workspace)
    for verb in ("member", "event", "venue", "series", "partner", "project", "workshop",
                 "content", "consent"):
        result = run(verb, "list", "--csv", workspace=workspace)
        assert result.exit_code == 0, (verb, result.output)
        assert result.stdout_bytes.startswith(b"\xef\xbb\xbf"), verb
    both = run("event", "list", "--csv", "--json", workspace=workspace)
    assert both.exit_code == 2


def test_a_person_gets_everything_about_them_in_one_zip(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "talk.jpg")
    _event(run, workspace)
    for args in (
        ("member", "add", "lea", "--name", "Léa Martin", "--email", "lea@velo.fr"),
        ("rsvp", "ev-12", "lea", "going", "--at", "2026-03-01 10:00"),
        ("content", "import", str(photo), "--event", "ev-12"),
        ("content", "people", str(photo), "--add", "lea", "--reviewed"),
        ("consent", "grant", "lea", "--purpose", "publish", "--witness", "Karim"),
        ("member", "edit", "lea", "--phone", "+33 6 12"),
    ):
        ok(run, workspace, *args)
    target = tmp_path / "lea.zip"
    result = as_json(run("member", "export", "lea", str(target), "--json", workspace=workspace))
    assert result["counts"]["media files"] == 1
    with zipfile.ZipFile(target) as archive:
        person = json.loads(archive.read("person.json"))
        names = archive.namelist()
    assert person["member"]["email"] == "lea@velo.fr"
    assert person["answers"][0]["status"] == "going"
    assert len(person["consents"]) == 1
    assert [h["action"] for h in person["history"]] == ["add", "edit"]
    assert any(n.startswith("media/") for n in names)
    assert "README.txt" in names


def test_retention_deletes_old_photos_never_published_and_says_so_first(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "old.jpg")
    env = {"TERRAIN_NOW": "2024-01-10T10:00:00+01:00"}
    result = run("content", "import", str(photo), workspace=workspace, env=env)
    assert result.exit_code == 0, result.output
    none = run("retention", workspace=workspace)
    assert "No retention is set" in none.output
    config = workspace / "terrain.toml"
    config.write_text(config.read_text() + "\n[retention]\nunpublished_photos_days = 365\n")
    dry = as_json(run("retention", "--dry-run", "--json", workspace=workspace))
    assert len(dry["deleted"]) == 1
    assert as_json(run("content", "list", "--json", workspace=workspace))
    done = as_json(run("retention", "--json", workspace=workspace))
    assert done["deleted"] == dry["deleted"]
    assert done["files"]
    assert as_json(run("content", "list", "--json", workspace=workspace)) == []
    (deleted,) = as_json(run("history", "content", "--json", workspace=workspace))[-1:]
    assert "retention" in deleted["note"]
