"""The Mastodon adapter's own behaviour, over a socket against the fake instance."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import ConfigError, RateLimited, Rejected, TransientError
from terrain.plugins import PlatformContext
from terrain.posts import Capabilities, Mention, Post, PostMedia, text_length
from terrain.secrets import EnvSecrets
from terrain.testing import InMemoryStorage
from terrain.testing.contract import NextCall, tiny_png
from terrain_adapters.mastodon import MastodonFactory, MastodonPlatform, plain_text, text_of

from ._fake_networks import MASTODON_TOKEN, FakeMastodon, mastodon_html
from ._fakes import fixed_clock


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon(now=fixed_clock) as fake:
        yield fake


@pytest.fixture
def storage() -> InMemoryStorage:
    return InMemoryStorage({"media/ev/a.png": tiny_png(), "media/ev/b.png": tiny_png(1, 2, 3)})


def mastodon(fake: FakeMastodon, storage: InMemoryStorage, **settings: object) -> MastodonPlatform:
    context = PlatformContext(
        settings={"instance": fake.url, "timeout": 2, **settings},
        secrets=EnvSecrets(environ={"TERRAIN_MASTODON_TOKEN": MASTODON_TOKEN}),
        storage=storage,
    )
    platform = MastodonFactory(clock=fixed_clock, sleep=lambda _: None)(context)
    assert isinstance(platform, MastodonPlatform)
    return platform


def recap(**changes: object) -> Post:
    fields: dict[str, object] = {"id": "recap-1", "platform": "mastodon", "text": "Merci !"}
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


def test_images_are_uploaded_with_their_alt_text_and_waited_for_before_the_status(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    media = [
        PostMedia(key="media/ev/a.png", media_type="image/png", alt_text="Deux vélos."),
        PostMedia(key="media/ev/b.png", media_type="image/png", alt_text="Un atelier."),
    ]
    receipt = mastodon(fake, storage).publish(recap(media=media))
    uploads = fake.seen("POST", r"/api/v2/media")
    assert [u.form()["description"] for u in uploads] == ["Deux vélos.", "Un atelier."]
    assert len(fake.seen("GET", r"/api/v1/media/\d+")) == 2  # each 202 was checked until ready
    status = fake.statuses[receipt.remote_id]
    assert [m["description"] for m in status["media_attachments"]] == ["Deux vélos.", "Un atelier."]


def test_every_request_carries_the_token_and_the_status_an_idempotency_key(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    mastodon(fake, storage, visibility="unlisted").publish(recap(thread=["La suite."]))
    assert all(r.header("authorization") == f"Bearer {MASTODON_TOKEN}" for r in fake.requests)
    creates = fake.seen("POST", r"/api/v1/statuses")
    keys = [c.header("idempotency-key") for c in creates]
    assert keys == ["terrain-recap-1-g0-0", "terrain-recap-1-g0-1"]
    assert {c.json()["visibility"] for c in creates} == {"unlisted"}


def test_a_thread_is_a_chain_of_replies_named_in_the_receipt(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    receipt = mastodon(fake, storage).publish(recap(thread=["Deux.", "Trois."]))
    first, second = receipt.part_ids
    assert fake.statuses[first]["in_reply_to_id"] == receipt.remote_id
    assert fake.statuses[second]["in_reply_to_id"] == first


def test_a_failed_reply_takes_the_thread_down_and_a_retry_posts_it_anew(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    """The instance remembers an Idempotency-Key for an hour: after the undo, the
    retry must use another key, or it would be answered with the deleted status."""
    platform = mastodon(fake, storage)
    post = recap(thread=["Deux."])
    fake.fail_next(NextCall.server_error(), after=1)  # the root goes out, the reply fails
    with pytest.raises(TransientError):
        platform.publish(post)
    assert fake.statuses == {}, "the root was left without its reply"
    receipt = platform.publish(post)
    assert set(fake.statuses) == {receipt.remote_id, *receipt.part_ids}
    keys = [c.header("idempotency-key") for c in fake.seen("POST", r"/api/v1/statuses")]
    assert keys[-2:] == ["terrain-recap-1-g1-0", "terrain-recap-1-g1-1"]


def test_find_sees_a_status_through_the_html_mastodon_renders(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    platform = mastodon(fake, storage)
    post = recap(
        text="Vélo & ville <12> : merci !\n\nLes photos : https://velo.example/photos/2026/03/12/soiree",
        mentions=[Mention(handle="lea@mastodon.social", member_id="lea")],
    )
    receipt = platform.publish(post)
    found = mastodon(fake, storage).find(post)  # a new process: nothing remembered
    assert found is not None
    assert found.remote_id == receipt.remote_id


def test_plain_text_undoes_paragraphs_links_and_entities() -> None:
    html = mastodon_html(
        "A & B\nC\n\nhttps://example.org/a/very/long/path/that/is/cut/off", "m.example"
    )
    assert plain_text(html) == "A & B C https://example.org/a/very/long/path/that/is/cut/off"


def test_a_429_waits_until_the_reset_the_instance_announces(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    fake.fail_next(NextCall.rate_limited(240.0))
    with pytest.raises(RateLimited) as caught:
        mastodon(fake, storage).publish(recap())
    assert caught.value.retry_after == pytest.approx(240.0, abs=1)


def test_a_422_is_rejected_with_the_instances_words(
    fake: FakeMastodon, storage: InMemoryStorage
) -> None:
    fake.fail_next(NextCall.rejected(422))
    with pytest.raises(Rejected, match="Validation failed"):
        mastodon(fake, storage).publish(recap())


@pytest.mark.parametrize("instance", ["http://mastodon.social", "mastodon.social", "", 42])
def test_an_instance_that_is_not_an_https_url_is_refused(instance: object) -> None:
    context = PlatformContext(
        settings={"instance": instance},
        secrets=EnvSecrets(environ={"TERRAIN_MASTODON_TOKEN": MASTODON_TOKEN}),
    )
    with pytest.raises(ConfigError, match=r"\[platforms\.mastodon\] instance"):
        MastodonFactory()(context)


def test_the_instances_limit_is_the_capability() -> None:
    caps = MastodonFactory().capabilities_for({"max_characters": 5000})
    assert caps.max_text_length == 5000
    assert caps.text_counting == "mastodon"


@given(
    words=st.lists(st.text(alphabet="abcdéè 👍🏽", min_size=1, max_size=8), max_size=6),
    path=st.text(alphabet="abcdefghij/", max_size=200),
)
def test_every_link_counts_23_whatever_its_length(words: list[str], path: str) -> None:
    caps = Capabilities(max_text_length=500, text_counting="mastodon")
    prose = " ".join(words)
    short = text_length(f"{prose} https://velo.fr/", caps)
    long = text_length(f"{prose} https://velo.fr/{path}", caps)
    assert short == long


def test_the_text_sent_holds_the_mentions_and_the_link() -> None:
    post = recap(
        link="https://velo.example/r",
        mentions=[Mention(handle="lea@mastodon.social", member_id="lea")],
    )
    assert text_of(post) == "Merci !\n\n@lea@mastodon.social\nhttps://velo.example/r"
