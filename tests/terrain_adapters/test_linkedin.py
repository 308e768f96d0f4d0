"""The LinkedIn adapter's own behaviour, over a socket against the fake Posts and Images APIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import ConfigError, RateLimited
from terrain.plugins import PlatformContext
from terrain.posts import Post, PostMedia
from terrain.secrets import EnvSecrets
from terrain.testing import InMemoryStorage
from terrain.testing.contract import NextCall, tiny_png
from terrain_adapters.linkedin import (
    LinkedInFactory,
    LinkedInPlatform,
    escape_little_text,
    seconds_to_midnight_utc,
)

from ._fake_networks import LINKEDIN_TOKEN, FakeLinkedIn
from ._fakes import fixed_clock


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn(now=fixed_clock) as fake:
        yield fake


@pytest.fixture
def storage() -> InMemoryStorage:
    return InMemoryStorage({f"media/{n}.png": tiny_png(n, 0, 0) for n in range(3)})


def linkedin(fake: FakeLinkedIn, storage: InMemoryStorage, **settings: object) -> LinkedInPlatform:
    context = PlatformContext(
        settings={"organization_id": "2414183", "base_url": fake.url, "timeout": 2, **settings},
        secrets=EnvSecrets(environ={"TERRAIN_LINKEDIN_TOKEN": LINKEDIN_TOKEN}),
        storage=storage,
    )
    platform = LinkedInFactory(clock=fixed_clock)(context)
    assert isinstance(platform, LinkedInPlatform)
    return platform


def recap(**changes: object) -> Post:
    fields: dict[str, object] = {"id": "recap-1", "platform": "linkedin", "text": "Merci !"}
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


def images(count: int) -> list[PostMedia]:
    return [
        PostMedia(key=f"media/{n}.png", media_type="image/png", alt_text=f"Photo {n}.")
        for n in range(count)
    ]


def test_every_request_carries_the_token_the_version_and_restli_2(
    fake: FakeLinkedIn, storage: InMemoryStorage
) -> None:
    platform = linkedin(fake, storage, api_version="202511")
    platform.delete(platform.publish(recap(media=images(1))))
    api = [r for r in fake.requests if r.path.startswith("/rest/")]
    assert {r.header("linkedin-version") for r in api} == {"202511"}
    assert {r.header("x-restli-protocol-version") for r in api} == {"2.0.0"}
    assert {r.header("authorization") for r in fake.requests} == {f"Bearer {LINKEDIN_TOKEN}"}


def test_one_image_is_content_media_several_are_a_multi_image(
    fake: FakeLinkedIn, storage: InMemoryStorage
) -> None:
    platform = linkedin(fake, storage)
    one = platform.publish(recap(media=images(1)))
    three = platform.publish(recap(id="recap-3", text="Trois photos.", media=images(3)))
    media = fake.posts[one.remote_id]["content"]["media"]
    assert media["altText"] == "Photo 0."
    assert media["id"].startswith("urn:li:image:")
    multi = fake.posts[three.remote_id]["content"]["multiImage"]["images"]
    assert [i["altText"] for i in multi] == ["Photo 0.", "Photo 1.", "Photo 2."]
    assert all(fake.images[i["id"].removeprefix("urn:li:image:")] for i in multi)
    body = fake.seen("POST", r"/rest/posts")[0].json()
    assert body["author"] == "urn:li:organization:2414183"
    assert body["lifecycleState"] == "PUBLISHED"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert one.url == f"https://www.linkedin.com/feed/update/{one.remote_id}/"


def test_little_text_markup_is_escaped_and_find_matches_the_escaped_commentary(
    fake: FakeLinkedIn, storage: InMemoryStorage
) -> None:
    post = recap(text="Atelier (vélo) #12 : @Café_du_Port [gratuit] <3 ~ *merci*")
    receipt = linkedin(fake, storage).publish(post)
    assert fake.posts[receipt.remote_id]["commentary"] == (
        r"Atelier \(vélo\) \#12 : \@Café\_du\_Port \[gratuit\] \<3 \~ \*merci\*"
    )
    found = linkedin(fake, storage).find(post)  # a new process: nothing remembered
    assert found is not None
    assert found.remote_id == receipt.remote_id
    assert found.published_at == fixed_clock()


@given(st.text(max_size=60))
def test_escaping_leaves_no_reserved_character_unescaped(text: str) -> None:
    escaped = escape_little_text(text)
    unescaped = ""
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            assert escaped[i + 1] in "|{}@[]()<>#\\*_~"
            unescaped += escaped[i + 1]
            i += 2
            continue
        assert escaped[i] not in "|{}@[]()<>#\\*_~"
        unescaped += escaped[i]
        i += 1
    assert unescaped == text


def test_a_429_without_retry_after_waits_until_the_daily_quota_resets(
    fake: FakeLinkedIn, storage: InMemoryStorage
) -> None:
    fake.fail_next(NextCall.rate_limited())
    with pytest.raises(RateLimited) as caught:
        linkedin(fake, storage).publish(recap())
    assert caught.value.retry_after == 4.5 * 3600  # 19:30 UTC → midnight UTC


def test_midnight_utc_is_counted_from_any_zone() -> None:
    assert seconds_to_midnight_utc(datetime(2026, 3, 2, 23, 59, 30, tzinfo=UTC)) == 30


@pytest.mark.parametrize(
    ("settings", "wrong"),
    [
        ({"organization_id": "acme"}, "organization_id"),
        ({"organization_id": "1", "api_version": "2026-01"}, "api_version"),
        ({"organization_id": "1", "base_url": "http://api.linkedin.com"}, "base_url"),
    ],
)
def test_wrong_settings_name_the_key(settings: dict[str, object], wrong: str) -> None:
    context = PlatformContext(
        settings=settings, secrets=EnvSecrets(environ={"TERRAIN_LINKEDIN_TOKEN": LINKEDIN_TOKEN})
    )
    with pytest.raises(ConfigError, match=rf"\[platforms\.linkedin\] {wrong}"):
        LinkedInFactory()(context)
