"""Results pulled back into the workspace: kept with their time (SQLite and PostgreSQL),
read again only when stale, and used by the partner report and the engagement scores."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from terrain import Appearance, Community, Content, Event, MediaFile, Member, Partner
from terrain.consent import Evidence
from terrain.events import Money
from terrain.partnerships import Contribution, Partnership, PipelineStep
from terrain.publishing import MetricsLog
from terrain.store import Workspace
from terrain.testing import InMemoryPlatform
from terrain.workflows import (
    community_engagement,
    fetch_stats,
    partner_report_of,
    post_stats,
    publish_event,
)
from tests.conftest import workspace_store

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
EVENING = MEETUP + timedelta(hours=4)
FORM = Evidence(kind="signed-form", file_key="forms/2026-03-12.jpg")


def community(root: Path, store_url: str) -> Workspace:
    ws = Workspace.init(
        root,
        community=Community(id="velo", name="Vélo Lyon", timezone="Europe/Paris"),
        store_url=workspace_store(store_url),
    )
    ws.add(Member(id="ines", display_name="Inès Benali"))
    ws.add(Event(id="ev-12", title="Vélo & ville #12", starts_at=MEETUP,
                 ends_at=MEETUP + timedelta(hours=3)))
    ws.add(Partner(id="dupain", name="Boulangerie Dupain"))
    ws.add(Partnership(id="ps-dupain", partner_id="dupain",
                       history=[PipelineStep(status="active", on=date(2026, 2, 1))]))
    ws.add(Contribution(id="k-1", partner_id="dupain", event_id="ev-12", kind="food",
                        value=Money(4000), on=date(2026, 3, 12)))
    ws.add(
        Content(
            id="photo-1",
            kind="photo",
            created_at=MEETUP + timedelta(hours=1),
            media=[MediaFile(id="m-1", key="media/1.jpg", media_type="image/jpeg", size=10,
                             checksum="1" * 64, alt_text="The repair stand")],
            appearances=[Appearance(member_id="ines", media_id="m-1", reviewed=True)],
            people_reviewed=True,
            event_id="ev-12",
            author_id="ines",  # her own photo
        )
    )
    ledger = ws.ledger()
    ledger.grant("ines", purposes=["publish", "reuse-ugc"], at=MEETUP, evidence=FORM)
    ws.save_ledger(ledger)
    return ws


def test_metrics_are_kept_with_their_time_and_feed_the_reports(
    tmp_path: Path, store_url: str
) -> None:
    memory = InMemoryPlatform("x")
    with community(tmp_path / "ws", store_url) as ws:
        (post,) = publish_event(ws, "ev-12", {"x": memory}, now=EVENING, hook=False).posts
        memory.set_metrics(post.id, likes=12, reposts=3, replies=2, impressions=640)
        first = fetch_stats(ws, {"x": memory}, now=EVENING + timedelta(days=1))
        assert first.read == 1
        (stats,) = first.posts
        assert stats.metrics is not None
        assert stats.metrics.counts["likes"] == 12
        # read an hour ago at most: not read again (the platforms' read limits are small)
        again = fetch_stats(ws, {"x": memory}, now=EVENING + timedelta(days=1, minutes=30))
        assert again.read == 0
        memory.set_metrics(post.id, likes=20, reposts=3, replies=2, impressions=900)
        later = fetch_stats(ws, {"x": memory}, now=EVENING + timedelta(days=2))
        assert later.read == 1
        history = MetricsLog(ws.db).history(post.id, "x")
        assert [m.counts["likes"] for m in history] == [12, 20]
        assert [m.at for m in history] == sorted(m.at for m in history)

        report = partner_report_of(ws, "dupain")
        assert report.online_reach == 900
        assert report.online_interactions == 25
        assert "seen 900 times online with 25 interactions" in report.summary()

        scores = {e.member_id: e for e in community_engagement(ws)}
        assert ("reaction", 25, 0.1) in scores["ines"].lines  # the reactions to her photo


def test_a_post_deleted_on_the_platform_is_read_once_as_gone_then_left_alone(
    tmp_path: Path, store_url: str
) -> None:
    memory = InMemoryPlatform("x")
    with community(tmp_path / "ws", store_url) as ws:
        (post,) = publish_event(ws, "ev-12", {"x": memory}, now=EVENING, hook=False).posts
        memory.delete(memory.posts[post.id])
        report = fetch_stats(ws, {"x": memory}, now=EVENING + timedelta(days=1))
        assert report.read == 1
        assert any("is gone from x" in n for n in report.notes)
        calls = len(memory.calls)
        fetch_stats(ws, {"x": memory}, now=EVENING + timedelta(days=30))
        assert len(memory.calls) == calls  # never asked again
        (stats,) = post_stats(ws)
        assert stats.metrics is not None
        assert stats.metrics.gone
        assert partner_report_of(ws, "dupain").online_reach == 0


def test_a_platform_without_metrics_says_so(tmp_path: Path, store_url: str) -> None:
    class Silent:
        name = "facebook"
        capabilities = InMemoryPlatform().capabilities

        def __init__(self) -> None:
            self.inner = InMemoryPlatform("facebook")

        def publish(self, post: object) -> object:
            return self.inner.publish(post)  # type: ignore[arg-type]

        def find(self, post: object) -> object:
            return self.inner.find(post)  # type: ignore[arg-type]

        def delete(self, receipt: object) -> None:
            self.inner.delete(receipt)  # type: ignore[arg-type]

    silent = Silent()
    with community(tmp_path / "ws", store_url) as ws:
        publish_event(ws, "ev-12", {"facebook": silent}, now=EVENING, hook=False)  # type: ignore[dict-item]
        report = fetch_stats(ws, {"facebook": silent}, now=EVENING + timedelta(days=1))  # type: ignore[dict-item]
        assert report.read == 0
        assert report.notes == ("facebook gives no metrics: nothing to read there",)
        assert not report.failed

