"""Albums through the real libraries: one recap, its photos decided one by one at the call.

The meetup has five photos, each showing one person. The recap goes to each
platform as one post with as many photos as it takes (X, Mastodon and
Bluesky: 4, then a second post; Facebook, Instagram, LinkedIn: all five), the
real tweepy, facebook-sdk and requests code running against the fakes of the
platforms' APIs. When one person refused, her photo drops out and the others
go; when everyone refused, nothing goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses

from terrain import Appearance, Community, Content, Event, MediaFile, Member
from terrain.consent import Evidence
from terrain.plugins import Platform, PlatformContext
from terrain.secrets import EnvSecrets
from terrain.store import Workspace
from terrain.workflows import publish_event
from terrain_adapters.bluesky import BlueskyFactory
from terrain_adapters.facebook import FacebookPageFactory
from terrain_adapters.instagram import InstagramFactory
from terrain_adapters.linkedin import LinkedInFactory
from terrain_adapters.mastodon import MastodonFactory
from terrain_adapters.x import XFactory

from ._fake_apis import FakeGraph, FakeX
from ._fake_networks import (
    BLUESKY_PASSWORD,
    LINKEDIN_TOKEN,
    MASTODON_TOKEN,
    FakeBluesky,
    FakeLinkedIn,
    FakeMastodon,
)
from ._fakes import JPEG, DictStorage, fixed_clock

PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
EVENING = MEETUP + timedelta(hours=4)
FORM = Evidence(kind="signed-form", file_key="forms/2026-03-12.jpg")
PEOPLE = ("ana", "lea", "samir", "tom", "nina")  # photo i shows PEOPLE[i]
USER, PAGE, IG = "1460000000000000001", "1029384756", "17841400000000001"
ENV = {
    "TERRAIN_X_API_KEY": "album-api-key-0001",
    "TERRAIN_X_API_SECRET": "album-api-secret-0001",
    "TERRAIN_X_ACCESS_TOKEN": f"{USER}-album-token",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "album-token-secret-0001",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "album-page-token-0001",
    "TERRAIN_MASTODON_TOKEN": MASTODON_TOKEN,
    "TERRAIN_BLUESKY_APP_PASSWORD": BLUESKY_PASSWORD,
    "TERRAIN_LINKEDIN_TOKEN": LINKEDIN_TOKEN,
}


def meetup(root: Path, *, refused: set[str]) -> Workspace:
    ws = Workspace.init(root, community=Community(id="velo", name="Vélo Lyon"))
    for person in PEOPLE:
        ws.add(Member(id=person, display_name=person.capitalize()))
    ws.add(Event(id="ev-12", title="Vélo & ville #12", starts_at=MEETUP,
                 ends_at=MEETUP + timedelta(hours=3)))
    for number, person in enumerate(PEOPLE, start=1):
        ws.add(
            Content(
                id=f"photo-{number}",
                kind="photo",
                created_at=MEETUP + timedelta(minutes=number),
                caption=f"Photo {number}",
                media=[
                    MediaFile(
                        id=f"m-{number}",
                        key=f"media/ev-12/{number}.jpg",
                        media_type="image/jpeg",
                        size=len(JPEG),
                        checksum=f"{number:064d}",
                        alt_text=f"{person.capitalize()} at the meetup",
                    )
                ],
                appearances=[Appearance(member_id=person, media_id=f"m-{number}", reviewed=True)],
                people_reviewed=True,
                event_id="ev-12",
            )
        )
    ledger = ws.ledger()
    for person in PEOPLE:
        if person in refused:
            ledger.refuse(person, purposes=["publish"], at=MEETUP, evidence=FORM)
        else:
            ledger.grant(person, purposes=["publish"], at=MEETUP, evidence=FORM)
    ws.save_ledger(ledger)
    return ws


def storage() -> DictStorage:
    store = DictStorage(public_base="https://media.example/pub")
    for number in range(1, 6):
        store.put(f"media/ev-12/{number}.jpg", JPEG)
    return store


def build(factory: Any, settings: dict[str, Any]) -> Platform:
    context = PlatformContext(settings=settings, secrets=EnvSecrets(environ=ENV), storage=storage())
    platform: Platform = factory(context)
    return platform


@pytest.fixture
def graph_and_x() -> Iterator[tuple[FakeX, FakeGraph]]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeX(rsps, USER), FakeGraph(rsps, page_id=PAGE, ig_user_id=IG)


def photos_sent(network: str, fake: Any) -> list[int]:
    """How many photos each post the fake received carries."""
    if network == "x":
        return [len((t.get("attachments") or {}).get("media_keys", [])) for t in
                fake.tweets.values()]
    if network == "facebook":
        out = []
        for post in fake.page_posts.values():
            (attachment,) = post["attachments"]["data"]
            subs = (attachment.get("subattachments") or {}).get("data")
            out.append(len(subs) if subs else 1)
        return out
    if network == "instagram":
        return [len(m["children"]["data"]) or 1 for m in fake.ig_media.values()]
    if network == "mastodon":
        return [len(s["media_attachments"]) for s in fake.statuses.values()]
    if network == "bluesky":
        return [len((r["value"].get("embed") or {}).get("images") or []) for r in
                fake.records.values()]
    content = [p.get("content") or {} for p in fake.posts.values()]
    return [len((c.get("multiImage") or {}).get("images", [])) or ("media" in c) for c in content]


def publish(ws: Workspace, name: str, platform: Platform) -> Any:
    return publish_event(ws, "ev-12", {name: platform}, now=EVENING, hook=False, max_wait=5.0)


@pytest.mark.parametrize("network", ["x", "facebook", "instagram"])
def test_one_photo_held_among_five_the_album_goes_with_four(
    network: str, tmp_path: Path, graph_and_x: tuple[FakeX, FakeGraph]
) -> None:
    x, graph = graph_and_x
    platform = {
        "x": lambda: build(XFactory(clock=fixed_clock), {}),
        "facebook": lambda: build(FacebookPageFactory(clock=fixed_clock), {"page_id": PAGE}),
        "instagram": lambda: build(
            InstagramFactory(clock=fixed_clock, sleep=lambda _: None), {"ig_user_id": IG}
        ),
    }[network]()
    with meetup(tmp_path / "ws", refused={"samir"}) as ws:
        result = publish(ws, network, platform)
        assert not result.failed
        sent = photos_sent(network, x if network == "x" else graph)
        assert sum(sent) == 4
        assert all(n <= platform.capabilities.max_media for n in sent)
        (decision, *_) = ws.decisions(subject_kind="post", platform=network)
        assert any("photo m-3 of photo-3: left out of the album: Samir" in r.text
                   for r in decision.reasons)


@pytest.mark.parametrize("network", ["x", "facebook", "instagram"])
def test_every_photo_held_nothing_goes(
    network: str, tmp_path: Path, graph_and_x: tuple[FakeX, FakeGraph]
) -> None:
    x, graph = graph_and_x
    factory, settings = {
        "x": (XFactory(clock=fixed_clock), {}),
        "facebook": (FacebookPageFactory(clock=fixed_clock), {"page_id": PAGE}),
        "instagram": (
            InstagramFactory(clock=fixed_clock, sleep=lambda _: None),
            {"ig_user_id": IG},
        ),
    }[network]
    with meetup(tmp_path / "ws", refused=set(PEOPLE)) as ws:
        result = publish(ws, network, build(factory, settings))
        assert {o.state.value for o in result.report.outcomes} == {"held"}
    assert x.tweets == {}
    assert graph.page_posts == {}
    assert graph.ig_media == {}


@pytest.mark.parametrize(
    ("network", "fake_class", "factory", "settings"),
    [
        ("mastodon", FakeMastodon, MastodonFactory(clock=fixed_clock, sleep=lambda _: None),
         lambda url: {"instance": url, "timeout": 5}),
        ("bluesky", FakeBluesky, BlueskyFactory(clock=fixed_clock),
         lambda url: {"handle": "velolyon.bsky.social", "service": url, "timeout": 5}),
        ("linkedin", FakeLinkedIn, LinkedInFactory(clock=fixed_clock),
         lambda url: {"organization_id": "2414183", "base_url": url, "timeout": 5}),
    ],
)
def test_the_networks_albums_go_without_the_photo_held_and_not_at_all_when_all_are(
    network: str, fake_class: Any, factory: Any, settings: Any, tmp_path: Path
) -> None:
    with fake_class(now=fixed_clock) as fake:
        platform = build(factory, settings(fake.url))
        with meetup(tmp_path / "one", refused={"samir"}) as ws:
            assert not publish(ws, network, platform).failed
        sent = photos_sent(network, fake)
        assert sum(sent) == 4
        assert all(n <= platform.capabilities.max_media for n in sent)
    with fake_class(now=fixed_clock) as fake:
        platform = build(factory, settings(fake.url))
        with meetup(tmp_path / "all", refused=set(PEOPLE)) as ws:
            publish(ws, network, platform)
        assert photos_sent(network, fake) == []
