"""The publishing runner drives the real X, Facebook and Instagram adapters over faked HTTP.

A recap goes to three platforms in one run, a rate-limited call is retried
after the time X gives, and the receipts are then taken down where the
platform allows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import responses

from terrain.consent._decide import Decision
from terrain.errors import Rejected
from terrain.plugins._protocols import Platform, PlatformContext
from terrain.posts import Post, PostMedia
from terrain.publishing import Journal, RowState, publish
from terrain.secrets import EnvSecrets
from terrain_adapters.facebook import FacebookPageFactory
from terrain_adapters.instagram import InstagramFactory
from terrain_adapters.x import XFactory

from ._fakes import FIXED_NOW, JPEG, DictStorage

GRAPH = "https://graph.facebook.com/v23.0"
PAGE = "1029384756"
IG = "17841400000000001"
ENV = {
    "TERRAIN_X_API_KEY": "e2e-api-key-0001",
    "TERRAIN_X_API_SECRET": "e2e-api-key-secret-0001",
    "TERRAIN_X_ACCESS_TOKEN": "1460000000000000001-e2e-token",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "e2e-token-secret-0001",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "SENTINEL-TOKEN-123",
}


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def allow(post: Post, at: datetime, *, purpose: str = "publish") -> Decision:
    return Decision(
        subject_kind="post",
        subject_id=post.id,
        platform=post.platform,
        purpose=purpose,
        at=at,
        allowed=True,
        reasons=(),
        kept_mentions=post.mentions,
    )


def platforms(clock: Clock) -> dict[str, Platform]:
    storage = DictStorage(public_base="https://media.example/pub")
    storage.put("media/ev-1/apero.jpg", JPEG)
    context = PlatformContext(secrets=EnvSecrets(environ=ENV), storage=storage)
    return {
        "x": XFactory(clock=clock)(context),
        "facebook": FacebookPageFactory(clock=clock)(
            PlatformContext(settings={"page_id": PAGE}, secrets=context.secrets, storage=storage)
        ),
        "instagram": InstagramFactory(clock=clock, sleep=clock.sleep)(
            PlatformContext(settings={"ig_user_id": IG}, secrets=context.secrets, storage=storage)
        ),
    }


def recap(platform: str) -> Post:
    return Post(
        id=f"post-recap-{platform}",
        platform=platform,
        text="Merci pour l'apéro-meetup d'hier au Bistrot du Rhône !",
        media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="Apéro")],
        event_id="ev-1",
    )


def test_the_runner_publishes_everywhere_then_takes_down_what_the_apis_allow(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    clock = Clock()
    reset = int(FIXED_NOW.timestamp()) + 60
    rsps.post("https://api.x.com/2/media/upload", json={"data": {"id": "77"}})
    rsps.post("https://api.x.com/2/media/metadata", json={})
    rsps.post(
        "https://api.twitter.com/2/tweets",
        status=429,
        headers={"x-rate-limit-reset": str(reset)},
        json={"title": "Too Many Requests"},
    )
    # after a failed try the runner first asks X whether the post went out anyway
    rsps.get(
        re.compile(r"https://api\.twitter\.com/2/users/1460000000000000001/tweets.*"),
        json={"meta": {"result_count": 0}},
    )
    # the retry reuses media 77: no second upload
    rsps.post("https://api.twitter.com/2/tweets", status=201, json={"data": {"id": "1901"}})
    rsps.post(f"{GRAPH}/{PAGE}/photos", json={"id": "9001", "post_id": f"{PAGE}_5"})
    rsps.post(f"{GRAPH}/{IG}/media", json={"id": "c-1"})
    rsps.get(f"{GRAPH}/c-1", json={"status_code": "FINISHED"})
    rsps.post(f"{GRAPH}/{IG}/media_publish", json={"id": "m-1"})
    rsps.get(f"{GRAPH}/m-1", json={"permalink": "https://www.instagram.com/p/M1/"})

    journal = Journal(tmp_path / "journal.db", create=True)
    try:
        built = platforms(clock)
        report = publish(
            journal,
            built,
            [recap("x"), recap("facebook"), recap("instagram")],
            gate=allow,
            now_fn=clock,
            sleep=clock.sleep,
        )
        assert {o.platform: o.state for o in report.outcomes} == {
            "x": RowState.CONFIRMED,
            "facebook": RowState.CONFIRMED,
            "instagram": RowState.CONFIRMED,
        }
        receipts = {r.platform: r for r in journal.receipts()}
        assert receipts["x"].remote_id == "1901"
        assert clock.now >= FIXED_NOW + timedelta(seconds=60)  # waited for X's reset time
        assert (receipts["facebook"].remote_id, receipts["facebook"].part_ids) == (
            f"{PAGE}_5",
            ("9001",),
        )
        assert receipts["instagram"].url == "https://www.instagram.com/p/M1/"

        rsps.delete("https://api.twitter.com/2/tweets/1901", json={"data": {"deleted": True}})
        rsps.delete(f"{GRAPH}/{PAGE}_5", json={"success": True})
        rsps.delete(f"{GRAPH}/9001", json={"success": True})
        built["x"].delete(receipts["x"])
        built["facebook"].delete(receipts["facebook"])
        assert built["instagram"].capabilities.delete is False
        with pytest.raises(Rejected, match="Instagram app"):
            built["instagram"].delete(receipts["instagram"])
    finally:
        journal.close()
