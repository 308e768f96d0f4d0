"""`terrain content` and `terrain consent`: the evening after the meetup, from the shell."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from terrain import Content
from terrain.store import Workspace

from .conftest import Run, as_json, snapshot


def phone_photo(path: Path, *, seed: int = 0) -> Path:
    image = Image.new("RGB", (160, 120), (seed * 50 % 256, 90, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 45.0, 51.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (4.0, 50.0, 32.0),
    }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def meetup(workspace: Path, run: Run) -> Path:
    for args in (
        ("member", "add", "lea", "--name", "Léa Martin", "--handle", "x=lea_m"),
        ("member", "add", "sophie", "--name", "Sophie Martin"),
        ("member", "add", "tom", "--name", "Tom Martin", "--minor", "--guardian", "sophie"),
        (
            "event",
            "add",
            "ev-12",
            "--title",
            "Vélo & ville #12",
            "--starts",
            "2026-03-12 19:00",
            "--ends",
            "2026-03-12 22:00",
        ),
    ):
        result = run(*args, workspace=workspace)
        assert result.exit_code == 0, result.output
    return workspace


def test_import_stores_photos_without_gps_and_prints_a_summary(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    photos = [phone_photo(tmp_path / f"IMG_{i}.jpg", seed=i) for i in range(3)]
    result = run("content", "import", *map(str, photos), "--event", "ev-12", workspace=meetup)
    assert result.exit_code == 0, result.output
    assert "3 imported, 0 duplicate, 0 rejected." in result.stdout
    with Workspace.open(meetup) as ws:
        for content in ws.list(Content):
            data = ws.storage.get(content.media[0].key)
            with Image.open(io.BytesIO(data)) as image:
                assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
                assert image.getexif()[ExifTags.Base.Orientation] == 6


def test_import_with_a_bad_file_exits_1_and_imports_the_rest(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    good = phone_photo(tmp_path / "good.jpg")
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo")
    result = run("content", "import", str(good), str(bad), "--json", workspace=meetup)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["imported"], report["rejected"]) == (1, 1)
    assert "notes.jpg: is not an image" in report["outcomes"][1]["reason"]
    assert "1 of 2 files rejected" in result.stderr


def test_import_of_only_bad_files_exits_2_and_changes_nothing(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo")
    before = snapshot(meetup)
    result = run("content", "import", str(bad), "--event", "ev-12", workspace=meetup)
    assert result.exit_code == 2
    assert "notes.jpg: is not an image" in result.stdout
    assert "every file was rejected" in result.stderr
    assert snapshot(meetup) == before


def test_import_into_an_unknown_event_exits_2_and_changes_nothing(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "a.jpg")
    before = snapshot(meetup)
    result = run("content", "import", str(photo), "--event", "ev-99", workspace=meetup)
    assert result.exit_code == 2
    assert "'ev-99'" in result.stderr
    assert "terrain event list" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(meetup) == before


def test_people_are_recorded_by_content_id_or_by_file(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "group.jpg")
    imported = json.loads(run("content", "import", str(photo), "--json", workspace=meetup).stdout)
    content_id = imported["outcomes"][0]["content_id"]
    result = run("content", "people", str(photo), "--add", "lea", "--add", "tom", workspace=meetup)
    assert result.exit_code == 0, result.output
    assert "NOT reviewed" in result.stdout
    updated = as_json(
        run(
            "content",
            "people",
            content_id,
            "--remove",
            "tom",
            "--reviewed",
            "--json",
            workspace=meetup,
        )
    )
    assert updated["people_reviewed"] is True
    assert [a["member_id"] for a in updated["appearances"]] == ["lea"]
    listed = run("content", "list", "--event", "ev-12", workspace=meetup)
    assert (
        listed.stdout.strip()
        == "No content yet: import photos with `terrain content import PHOTOS`."
    )
    everything = run("content", "list", workspace=meetup)
    assert content_id in everything.stdout
    assert "reviewed" in everything.stdout


def test_people_with_an_unknown_member_exits_2_and_changes_nothing(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "group.jpg")
    run("content", "import", str(photo), workspace=meetup)
    before = snapshot(meetup)
    result = run("content", "people", str(photo), "--add", "ghost", workspace=meetup)
    assert result.exit_code == 2
    assert "'ghost'" in result.stderr
    assert "terrain member list" in result.stderr
    assert snapshot(meetup) == before


def test_consent_grant_withdraw_and_list(meetup: Path, run: Run) -> None:
    granted = as_json(
        run(
            "consent",
            "grant",
            "lea",
            "--purpose",
            "publish",
            "--purpose",
            "tag",
            "--platform",
            "x",
            "--witness",
            "Camille",
            "--at",
            "2026-03-12 19:30",
            "--json",
            workspace=meetup,
        )
    )
    assert granted["subject_id"] == "lea"
    assert sorted(granted["purposes"]) == ["publish", "tag"]
    result = run("consent", "withdraw", "lea", "--at", "2026-03-20 10:00", workspace=meetup)
    assert result.exit_code == 0, result.output
    assert f"Withdrew {granted['id']}" in result.stdout
    assert "terrain takedown --subject lea" in result.stdout
    listed = as_json(run("consent", "list", "lea", "--json", workspace=meetup))
    assert [h["status"] for h in listed[0]["history"]] == ["given", "withdrawn"]


def test_a_refusal_is_recorded(meetup: Path, run: Run) -> None:
    result = run(
        "consent",
        "refuse",
        "sophie",
        "--purpose",
        "publish",
        "--checkbox",
        "I agree to photos being published",
        "--form-version",
        "2026-01",
        workspace=meetup,
    )
    assert result.exit_code == 0, result.output
    assert "sophie refuses publish" in result.stdout


def test_a_signed_form_scan_is_kept_in_the_storage(meetup: Path, run: Run, tmp_path: Path) -> None:
    scan = phone_photo(tmp_path / "form-tom.jpg", seed=9)
    granted = as_json(
        run(
            "consent",
            "grant",
            "tom",
            "--purpose",
            "publish",
            "--given-by",
            "sophie",
            "--evidence-file",
            str(scan),
            "--json",
            workspace=meetup,
        )
    )
    key = granted["evidence"]["file_key"]
    assert key.startswith("consents/tom/")
    with Workspace.open(meetup) as ws:
        assert ws.storage.get(key) == scan.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lea", "--purpose", "publish"], "give the evidence of this consent"),
        (["ghost", "--purpose", "publish", "--witness", "Camille"], "ghost"),
        (["tom", "--purpose", "publish", "--witness", "Camille"], "guardian"),
        (["lea", "--purpose", "sell", "--witness", "Camille"], "'sell' is not one of"),
        (
            ["lea", "--purpose", "publish", "--witness", "C", "--event", "e", "--project", "p"],
            "at most one of",
        ),
    ],
)
def test_bad_consent_input_exits_2_and_changes_nothing(
    meetup: Path, run: Run, args: list[str], message: str
) -> None:
    before = snapshot(meetup)
    result = run("consent", "grant", *args, workspace=meetup)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(meetup) == before


def test_tokens_in_the_environment_never_reach_the_workspace_or_the_output(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    token = "tok-SECRET-4242-do-not-leak"
    env = {"TERRAIN_X_API_KEY": token, "TERRAIN_FACEBOOK_PAGE_TOKEN": token}
    photo = phone_photo(tmp_path / "a.jpg")
    outputs = [
        run("content", "import", str(photo), "--json", workspace=meetup, env=env),
        run("content", "people", str(photo), "--add", "lea", "--json", workspace=meetup, env=env),
        run(
            "consent",
            "grant",
            "lea",
            "--purpose",
            "publish",
            "--witness",
            "C",
            "--json",
            workspace=meetup,
            env=env,
        ),
        run("member", "list", "--json", workspace=meetup, env=env),
        run("content", "list", "--json", workspace=meetup, env=env),
    ]
    for result in outputs:
        assert token not in result.output
    for path in meetup.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_describe_sets_alt_text_and_caption_by_file(meetup: Path, run: Run, tmp_path: Path) -> None:
    photo = phone_photo(tmp_path / "talk.jpg")
    run("content", "import", str(photo), "--event", "ev-12", workspace=meetup)
    result = run(
        "content",
        "describe",
        str(photo),
        "--alt",
        "A speaker in front of a map.",
        "--caption",
        "Le talk, salle comble.",
        workspace=meetup,
    )
    assert result.exit_code == 0, result.output
    assert "A speaker in front of a map." in result.stdout
    with Workspace.open(meetup) as ws:
        (content,) = ws.list(Content)
    assert content.caption == "Le talk, salle comble."
    assert [m.alt_text for m in content.media] == ["A speaker in front of a map."]
    only_caption = as_json(
        run("content", "describe", content.id, "--caption", "Autre.", "--json", workspace=meetup)
    )
    assert only_caption["caption"] == "Autre."
    assert only_caption["media"][0]["alt_text"] == "A speaker in front of a map."


def test_describe_with_too_long_alt_text_exits_2_and_changes_nothing(
    meetup: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "talk.jpg")
    run("content", "import", str(photo), workspace=meetup)
    before = snapshot(meetup)
    result = run(
        "content", "describe", str(photo), "--alt", "x" * 1501, "--caption", "ok", workspace=meetup
    )
    assert result.exit_code == 2
    assert "MediaFile.alt_text" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(meetup) == before


def test_describe_without_alt_or_caption_exits_2(meetup: Path, run: Run, tmp_path: Path) -> None:
    photo = phone_photo(tmp_path / "talk.jpg")
    run("content", "import", str(photo), workspace=meetup)
    result = run("content", "describe", str(photo), workspace=meetup)
    assert result.exit_code == 2
    assert "--alt" in result.stderr
