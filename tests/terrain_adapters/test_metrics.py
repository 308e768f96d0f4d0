"""Results pulled back: each adapter's ``metrics`` against recorded API answers.

The real tweepy, facebook-sdk and requests code reads answers recorded from
the platforms' documentation (``responses``): the counts, a post deleted on
the platform meanwhile, a rate limit, a metric the token may not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import responses

from terrain.errors import RateLimited
from terrain.plugins import PlatformContext
from terrain.posts import Metrics, Receipt
from terrain.publishing import read_metrics
from terrain.secrets import EnvSecrets
from terrain.testing import InMemoryPlatform
from terrain.testing._memory import Failure
from terrain_adapters.facebook import FacebookPageFactory
from terrain_adapters.instagram import InstagramFactory
from terrain_adapters.mastodon import MastodonFactory
from terrain_adapters.x import XFactory

from ._fakes import FIXED_NOW, DictStorage, fixed_clock

USER = "1460000000000000001"
GRAPH = "https://graph.facebook.com/v23.0"
ENV = {
    "TERRAIN_X_API_KEY": "metrics-key-0001",
    "TERRAIN_X_API_SECRET": "metrics-secret-0001",
    "TERRAIN_X_ACCESS_TOKEN": f"{USER}-metrics-token",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "metrics-token-secret",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "metrics-page-token",
    "TERRAIN_MASTODON_TOKEN": "metrics-mastodon-token",
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def build(factory: object, **settings: object) -> object:
    context = PlatformContext(
        settings=settings, secrets=EnvSecrets(environ=ENV), storage=DictStorage()
    )
    return factory(context)  # type: ignore[operator]


def receipt(platform: str, remote_id: str, post_id: str = "post-recap") -> Receipt:
    return Receipt(platform=platform, post_id=post_id, remote_id=remote_id, published_at=FIXED_NOW)


TWEETS = re.compile(r"https://api\.twitter\.com/2/tweets\?.*")


def test_x_public_metrics_are_read_with_tweepy(rsps: responses.RequestsMock) -> None:
    rsps.get(
        TWEETS,
        json={
            "data": [
                {
                    "id": "1901",
                    "text": "Merci pour l'apéro-meetup d'hier !",
                    "edit_history_tweet_ids": ["1901"],
                    "public_metrics": {
                        "retweet_count": 4,
                        "reply_count": 2,
                        "like_count": 31,
                        "quote_count": 1,
                        "bookmark_count": 3,
                        "impression_count": 1250,
                    },
                }
            ]
        },
    )
    found = build(XFactory(clock=fixed_clock)).metrics(receipt("x", "1901"))  # type: ignore[attr-defined]
    assert "tweet.fields=public_metrics" in rsps.calls[0].request.url
    assert rsps.calls[0].request.headers["Authorization"].startswith("OAuth ")
    assert found == Metrics(
        "x",
        "post-recap",
        "1901",
        FIXED_NOW,
        {"impressions": 1250, "likes": 31, "reposts": 4, "replies": 2, "quotes": 1, "saves": 3},
    )
    assert found.interactions == 41
    assert found.engagement_rate == pytest.approx(41 / 1250)


def test_an_x_post_deleted_meanwhile_is_gone(rsps: responses.RequestsMock) -> None:
    rsps.get(
        TWEETS,
        json={
            "errors": [
                {
                    "value": "1901",
                    "detail": "Could not find tweet with ids: [1901].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "ids",
                    "resource_id": "1901",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ]
        },
    )
    found = build(XFactory(clock=fixed_clock)).metrics(receipt("x", "1901"))  # type: ignore[attr-defined]
    assert found.gone
    assert dict(found.counts) == {}


def test_an_x_rate_limit_says_when_to_come_back(rsps: responses.RequestsMock) -> None:
    reset = int((FIXED_NOW + timedelta(minutes=15)).timestamp())
    rsps.get(
        TWEETS,
        status=429,
        headers={"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0",
                 "x-rate-limit-reset": str(reset)},
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
    )
    with pytest.raises(RateLimited) as limited:
        build(XFactory(clock=fixed_clock)).metrics(receipt("x", "1901"))  # type: ignore[attr-defined]
    assert limited.value.retry_after == pytest.approx(900, abs=2)


def test_facebook_reactions_comments_shares_and_reach(rsps: responses.RequestsMock) -> None:
    post = "1029384756_5"
    rsps.get(
        re.compile(rf"{GRAPH}/{post}\?.*fields=.*"),
        json={
            "shares": {"count": 3},
            "reactions": {"data": [], "summary": {"total_count": 27, "viewer_reaction": "NONE"}},
            "comments": {"data": [], "summary": {"order": "ranked", "total_count": 5,
                                                 "can_comment": True}},
            "id": post,
        },
    )
    rsps.get(
        re.compile(rf"{GRAPH}/{post}/insights\?.*"),
        json={
            "data": [
                {"name": "post_impressions_unique", "period": "lifetime",
                 "values": [{"value": 812}], "title": "Lifetime Post Total Reach",
                 "id": f"{post}/insights/post_impressions_unique/lifetime"},
                {"name": "post_impressions", "period": "lifetime", "values": [{"value": 1040}],
                 "id": f"{post}/insights/post_impressions/lifetime"},
            ],
            "paging": {},
        },
    )
    page = build(FacebookPageFactory(clock=fixed_clock), page_id="1029384756")
    found = page.metrics(receipt("facebook", post))  # type: ignore[attr-defined]
    assert dict(found.counts) == {
        "likes": 27, "replies": 5, "reposts": 3, "reach": 812, "impressions": 1040
    }
    assert found.reached == 812


def test_facebook_counts_come_back_without_reach_when_the_token_may_not_read_insights(
    rsps: responses.RequestsMock,
) -> None:
    post = "1029384756_6"
    rsps.get(
        re.compile(rf"{GRAPH}/{post}\?.*"),
        json={"reactions": {"data": [], "summary": {"total_count": 2}},
              "comments": {"data": [], "summary": {"total_count": 0}}, "id": post},
    )
    rsps.get(
        re.compile(rf"{GRAPH}/{post}/insights\?.*"),
        status=400,
        json={"error": {"message": "(#10) This endpoint requires the 'read_insights' permission",
                        "type": "OAuthException", "code": 10}},
    )
    # code 10 is a missing permission: the reading of insights is skipped, not the counts
    page = build(FacebookPageFactory(clock=fixed_clock), page_id="1029384756")
    found = page.metrics(receipt("facebook", post))  # type: ignore[attr-defined]
    assert dict(found.counts) == {"likes": 2, "replies": 0, "reposts": 0}
    assert found.reached is None


def test_a_facebook_post_deleted_meanwhile_is_gone(rsps: responses.RequestsMock) -> None:
    post = "1029384756_7"
    rsps.get(
        re.compile(rf"{GRAPH}/{post}\?.*"),
        status=400,
        json={"error": {"message": f"Unsupported get request. Object with ID '{post}' does "
                        "not exist, cannot be loaded due to missing permissions, or does not "
                        "support this operation.", "type": "GraphMethodException", "code": 100,
                        "error_subcode": 33, "fbtrace_id": "A1b2C3"}},
    )
    page = build(FacebookPageFactory(clock=fixed_clock), page_id="1029384756")
    assert page.metrics(receipt("facebook", post)).gone  # type: ignore[attr-defined]


def test_a_graph_rate_limit_is_rate_limited(rsps: responses.RequestsMock) -> None:
    rsps.get(
        re.compile(rf"{GRAPH}/1029384756_8\?.*"),
        status=400,
        headers={"x-business-use-case-usage": '{"1029384756":[{"type":"pages","call_count":100,'
                 '"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":12}]}'},
        json={"error": {"message": "(#32) Page request limit reached", "type": "OAuthException",
                        "code": 32}},
    )
    page = build(FacebookPageFactory(clock=fixed_clock), page_id="1029384756")
    with pytest.raises(RateLimited) as limited:
        page.metrics(receipt("facebook", "1029384756_8"))  # type: ignore[attr-defined]
    assert limited.value.retry_after == 12 * 60


def test_instagram_likes_comments_and_insights(rsps: responses.RequestsMock) -> None:
    media = "17895695668004550"
    rsps.get(
        re.compile(rf"{GRAPH}/{media}\?.*"),
        json={"like_count": 48, "comments_count": 6, "id": media},
    )
    rsps.get(
        re.compile(rf"{GRAPH}/{media}/insights\?.*"),
        json={"data": [
            {"name": "reach", "period": "lifetime", "values": [{"value": 530}]},
            {"name": "views", "period": "lifetime", "values": [{"value": 702}]},
            {"name": "saved", "period": "lifetime", "values": [{"value": 9}]},
            {"name": "shares", "period": "lifetime", "values": [{"value": 4}]},
        ]},
    )
    ig = build(InstagramFactory(clock=fixed_clock, sleep=lambda _: None),
               ig_user_id="17841400000000001")
    found = ig.metrics(receipt("instagram", media))  # type: ignore[attr-defined]
    assert dict(found.counts) == {
        "likes": 48, "replies": 6, "reach": 530, "views": 702, "saves": 9, "reposts": 4
    }


def test_mastodon_counts_and_a_status_deleted_meanwhile(rsps: responses.RequestsMock) -> None:
    base = "https://mastodon.example"
    rsps.get(
        f"{base}/api/v1/statuses/113500000000000001",
        json={"id": "113500000000000001", "favourites_count": 12, "reblogs_count": 5,
              "replies_count": 1, "content": "<p>Merci !</p>"},
    )
    rsps.get(
        f"{base}/api/v1/statuses/113500000000000002",
        status=404,
        json={"error": "Record not found"},
    )
    rsps.get(
        f"{base}/api/v1/statuses/113500000000000003",
        status=429,
        headers={"X-RateLimit-Reset": (FIXED_NOW + timedelta(minutes=5)).isoformat()},
        json={"error": "Too many requests"},
    )
    mastodon = build(MastodonFactory(clock=fixed_clock, sleep=lambda _: None), instance=base)
    found = mastodon.metrics(receipt("mastodon", "113500000000000001"))  # type: ignore[attr-defined]
    assert dict(found.counts) == {"likes": 12, "reposts": 5, "replies": 1}
    assert mastodon.metrics(receipt("mastodon", "113500000000000002")).gone  # type: ignore[attr-defined]
    with pytest.raises(RateLimited):
        mastodon.metrics(receipt("mastodon", "113500000000000003"))  # type: ignore[attr-defined]


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_NOW
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def published(platform: InMemoryPlatform, n: int) -> list[Receipt]:
    from terrain.posts import Post

    return [platform.publish(Post(id=f"post-{i}", platform=platform.name, text=f"Merci {i}"))
            for i in range(n)]


def test_reading_respects_the_rate_and_a_429_keeps_what_was_read_for_the_next_run() -> None:
    memory = InMemoryPlatform("memory")
    receipts = published(memory, 4)
    memory.set_metrics("post-0", likes=3, impressions=40)
    memory.inject(None, None, Failure.rate_limited(60.0), method="metrics")
    clock = Clock()
    reading = read_metrics(memory, receipts, now_fn=clock, rate=0.5, sleep=clock.sleep)
    assert [m.post_id for m in reading.metrics] == ["post-0", "post-1"]
    assert reading.metrics[0].counts["likes"] == 3
    assert reading.waiting == ("post-2", "post-3")
    assert clock.slept == [2.0, 2.0]  # 0.5 calls a second: one call every 2 seconds
    assert "rate limit reached after 2 post(s)" in reading.notes[0]


def test_a_post_deleted_on_the_platform_is_read_as_gone_and_said() -> None:
    memory = InMemoryPlatform("memory", capabilities=InMemoryPlatform().capabilities)
    (kept, gone) = published(memory, 2)
    memory.delete(gone)
    clock = Clock()
    reading = read_metrics(memory, [kept, gone], now_fn=clock, sleep=clock.sleep)
    assert [m.gone for m in reading.metrics] == [False, True]
    assert "is gone from memory" in reading.notes[0]
