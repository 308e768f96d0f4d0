"""The demo's sample community, built by one workflow an application or tutorial can call."""

from __future__ import annotations

from pathlib import Path

from terrain import Content
from terrain.store import Workspace
from terrain.workflows import DEMO_COMMUNITY, build_demo, demo_platforms, publish_event


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
