"""The Bluesky adapter's own behaviour, over a socket against the fake PDS."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from terrain.errors import AuthError, RateLimited, Rejected
from terrain.plugins import PlatformContext
from terrain.posts import Mention, Post, PostMedia
from terrain.secrets import EnvSecrets
from terrain.testing import InMemoryStorage
from terrain.testing.contract import NextCall
from terrain_adapters.bluesky import BlueskyFactory, BlueskyPlatform, facets_of

from ._fake_networks import BLUESKY_PASSWORD, FakeBluesky
from ._fakes import fixed_clock


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def heavy_jpeg() -> bytes:
    """A real photo over Bluesky's 1,000,000 bytes (noise compresses badly); media leave
    through terrain.media.clean_media, which sends only real JPEGs and PNGs."""
    out = io.BytesIO()
    Image.effect_noise((1100, 1100), 90).convert("RGB").save(out, "JPEG", quality=98)
    data = out.getvalue()
    assert len(data) > 1_000_000
    return data


BIG = heavy_jpeg()


@pytest.fixture
def fake() -> Iterator[FakeBluesky]:
    with FakeBluesky(now=fixed_clock, known={"lea.bsky.social": "did:plc:lea"}) as fake:
        yield fake


@pytest.fixture
def storage() -> InMemoryStorage:
    return InMemoryStorage({"media/talk.jpg": jpeg(640, 480), "media/big.jpg": BIG})


def bluesky(
    fake: FakeBluesky, storage: InMemoryStorage, password: str = BLUESKY_PASSWORD
) -> BlueskyPlatform:
    context = PlatformContext(
        settings={"handle": "velolyon.bsky.social", "service": fake.url, "timeout": 2},
        secrets=EnvSecrets(environ={"TERRAIN_BLUESKY_APP_PASSWORD": password}),
        storage=storage,
    )
    platform = BlueskyFactory(clock=fixed_clock)(context)
    assert isinstance(platform, BlueskyPlatform)
    return platform


def recap(**changes: object) -> Post:
    fields: dict[str, object] = {"id": "recap-1", "platform": "bluesky", "text": "Merci !"}
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


def test_an_image_goes_up_as_a_blob_with_its_alt_text_and_aspect_ratio(
    fake: FakeBluesky, storage: InMemoryStorage
) -> None:
    media = PostMedia(key="media/talk.jpg", media_type="image/jpeg", alt_text="Un talk.")
    receipt = bluesky(fake, storage).publish(recap(media=[media]))
    upload = fake.seen("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob")[0]
    assert upload.header("content-type") == "image/jpeg"
    record = fake.records[receipt.remote_id]["value"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["createdAt"] == "2026-03-02T19:30:00.000Z"
    (image,) = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert image["alt"] == "Un talk."
    assert image["aspectRatio"] == {"width": 640, "height": 480}
    assert image["image"]["$type"] == "blob"
    assert receipt.url is not None
    assert receipt.url.startswith("https://bsky.app/profile/did:plc:")


def test_an_image_over_one_megabyte_is_refused_before_any_request(
    fake: FakeBluesky, storage: InMemoryStorage
) -> None:
    media = PostMedia(key="media/big.jpg", media_type="image/jpeg", alt_text="Trop lourde.")
    with pytest.raises(Rejected, match=f"{len(BIG)} bytes"):
        bluesky(fake, storage).publish(recap(media=[media]))
    assert fake.seen("POST", r"/xrpc/com\.atproto\.repo\.(uploadBlob|createRecord)") == []


def test_links_mentions_and_tags_become_facets_with_utf8_byte_offsets(
    fake: FakeBluesky, storage: InMemoryStorage
) -> None:
    post = recap(
        text="Vélo à Lyon #vélo https://velo.fr/a.",
        mentions=[
            Mention(handle="lea.bsky.social", member_id="lea"),
            Mention(handle="nobody.example", member_id="tom"),
        ],
    )
    receipt = bluesky(fake, storage).publish(post)
    record = fake.records[receipt.remote_id]["value"]
    text: bytes = record["text"].encode()
    found = {
        feature["$type"].rsplit("#", 1)[1]: text[f["index"]["byteStart"] : f["index"]["byteEnd"]]
        for f in record["facets"]
        for feature in f["features"]
    }
    assert found == {
        "tag": "#vélo".encode(),
        "link": b"https://velo.fr/a",
        "mention": b"@lea.bsky.social",
    }  # @nobody.example does not resolve: plain text


@given(st.text(alphabet="aé😀 .#x", max_size=30), st.text(alphabet="aé😀 ", max_size=10))
def test_a_link_facet_always_covers_the_link_bytes(before: str, after: str) -> None:
    text = f"{before} https://velo.fr/p {after}"
    links = [f for f in facets_of(text) if f["features"][0]["$type"].endswith("#link")]
    assert links
    span = links[-1]["index"]
    assert text.encode()[span["byteStart"] : span["byteEnd"]] == b"https://velo.fr/p"


def test_one_session_for_many_posts_and_an_expired_token_is_renewed(
    fake: FakeBluesky, storage: InMemoryStorage
) -> None:
    platform = bluesky(fake, storage)
    platform.publish(recap())
    fake.expire_access_tokens()
    platform.publish(recap(id="recap-2", text="Encore merci !"))
    assert fake.sessions == 1
    assert len(fake.seen("POST", r"/xrpc/com\.atproto\.server\.refreshSession")) == 1
    assert len(fake.records) == 2


def test_a_wrong_app_password_is_an_auth_error_that_does_not_show_it(
    fake: FakeBluesky, storage: InMemoryStorage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        bluesky(fake, storage, password="wrong-app-password-123").publish(recap())
    assert "TERRAIN_BLUESKY_APP_PASSWORD" in str(caught.value)
    assert "wrong-app-password-123" not in str(caught.value) + repr(caught.value)
    assert all("wrong-app-password-123" not in r.getMessage() for r in caplog.records)


def test_a_429_waits_until_ratelimit_reset(fake: FakeBluesky, storage: InMemoryStorage) -> None:
    fake.fail_next(NextCall.rate_limited(600.0))
    with pytest.raises(RateLimited) as caught:
        bluesky(fake, storage).publish(recap())
    assert caught.value.retry_after == pytest.approx(600.0, abs=1)


def test_a_text_over_3000_bytes_is_refused_even_under_300_graphemes(
    fake: FakeBluesky, storage: InMemoryStorage
) -> None:
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes
    with pytest.raises(Rejected, match="bytes in UTF-8"):
        bluesky(fake, storage).publish(recap(text=family * 150))
    assert fake.records == {}


def test_a_thread_replies_to_its_root_and_parent(
    fake: FakeBluesky, storage: InMemoryStorage
) -> None:
    receipt = bluesky(fake, storage).publish(recap(thread=["Deux.", "Trois."]))
    second, third = (fake.records[uri]["value"]["reply"] for uri in receipt.part_ids)
    assert second["root"]["uri"] == receipt.remote_id
    assert second["parent"]["uri"] == receipt.remote_id
    assert third["root"]["uri"] == receipt.remote_id
    assert third["parent"]["uri"] == receipt.part_ids[0]
