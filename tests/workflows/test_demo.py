"""The demo's sample community, built by one workflow an application or tutorial can call."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrain import Content
from terrain.errors import ValidationError
from terrain.store import Workspace
from terrain.workflows import (
    DEMO_COMMUNITY,
    DEMO_MARKER,
    build_demo,
    demo_platforms,
    prepare_demo_folder,
    publish_event,
    run_demo,
)


def test_the_demo_builds_its_meetup_photos_reviews_and_consents(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "demo", community=DEMO_COMMUNITY) as ws:
        demo = build_demo(ws)
        assert len(demo.shots) == 4
        assert demo.report.summary() == "4 imported, 0 duplicate, 0 rejected"
        contents = {c.id: c for c in ws.list(Content)}
        for photo in demo.photos:
            assert photo.content_id is not None
            stored = contents[photo.content_id]
            assert stored.people_reviewed
            assert sorted(stored.member_ids) == sorted(photo.people)
        assert ws.consent_events()  # the consents collected at the door
        assert set(demo.labels.values()) == {p.file for p in demo.photos}


def test_the_demo_publishes_to_the_outbox_as_x_and_facebook(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "demo", community=DEMO_COMMUNITY) as ws:
        demo = build_demo(ws)
        platforms = demo_platforms(ws)
        assert sorted(platforms) == ["facebook", "x"]
        result = publish_event(ws, demo.event_id, platforms, now=demo.evening, hook=False)
        assert result.report.by_state("confirmed")
        assert (tmp_path / "demo" / "outbox" / "x").is_dir()


def test_run_demo_tells_what_went_out_what_stayed_home_and_what_came_down(
    tmp_path: Path,
) -> None:
    run = run_demo(tmp_path / "demo")
    assert not run.failed
    assert run.camera_gps == 2  # the phone wrote coordinates in two photos
    assert run.sent_images
    assert run.sent_gps == 0
    (album,) = run.albums
    assert "lea_velo" in album.tags
    assert "ana_costa" not in album.tags
    why = dict(album.left_out)
    assert sorted(why) == ["atelier-enfants.jpg", "comptoir.jpg"]
    assert why["comptoir.jpg"].startswith("Samir Haddad: refused")
    assert why["atelier-enfants.jpg"].startswith("Tom Martin (minor): guardian consent missing")
    assert {e.outcome for e in run.takedown.entries} == {"deleted"}
    assert len(run.left) < len(run.sent)


def test_run_demo_recreates_its_own_folder_and_never_touches_another(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(ValidationError, match="not a terrain demo workspace"):
        prepare_demo_folder(folder)
    assert (folder / "notes.txt").read_text() == "keep me"

    demo_folder = tmp_path / "demo"
    demo_folder.mkdir()
    (demo_folder / DEMO_MARKER).write_text("made by terrain demo")
    (demo_folder / "old.txt").write_text("from last time")
    prepare_demo_folder(demo_folder)
    assert not demo_folder.exists()
