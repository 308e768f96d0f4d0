"""The Instagram adapter, running the real facebook-sdk against faked Graph answers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from terrain.errors import (
    AuthError,
    ConfigError,
    MissingSecret,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain.plugins._protocols import PlatformContext
from terrain.posts import Mention, Post, PostMedia, Receipt
from terrain.secrets import EnvSecrets
from terrain_adapters.instagram import Instagram, InstagramFactory, caption_of

from ._fakes import FIXED_NOW, JPEG, SENTINEL, DictStorage, fixed_clock, form_of, leaks

GRAPH = "https://graph.facebook.com/v23.0"
IG = "17841400000000001"
PUBLIC = "https://media.example/pub"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def storage() -> DictStorage:
    store = DictStorage(public_base=PUBLIC)
    for name in ("a", "b", "c"):
        store.put(f"media/ev-1/{name}.jpg", JPEG)
    return store


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def instagram(
    storage: DictStorage | None,
    sleep: Sleeps | None = None,
    environ: dict[str, str] | None = None,
    **settings: object,
) -> Instagram:
    context = PlatformContext(
        settings={"ig_user_id": IG, **settings},
        secrets=EnvSecrets(
            environ=environ if environ is not None else {"TERRAIN_INSTAGRAM_TOKEN": SENTINEL}
        ),
        storage=storage,
    )
    platform = InstagramFactory(clock=fixed_clock, sleep=sleep or Sleeps())(context)
    assert isinstance(platform, Instagram)
    return platform


def photos(*names: str, alt: str = "") -> list[PostMedia]:
    return [
        PostMedia(key=f"media/ev-1/{n}.jpg", media_type="image/jpeg", alt_text=alt) for n in names
    ]


def recap(**kwargs: object) -> Post:
    fields: dict[str, object] = {
        "id": "post-ig-apero",
        "platform": "instagram",
        "text": "Apéro-meetup #lyon #communauté",
        "media": photos("a", alt="Le comptoir du Bistrot du Rhône"),
    }
    fields.update(kwargs)
    return Post(**fields)  # type: ignore[arg-type]


def test_one_image_container_waits_until_finished_then_publishes(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(f"{GRAPH}/{IG}/media", json={"id": "c-1"})
    rsps.get(f"{GRAPH}/c-1", json={"status_code": "IN_PROGRESS", "id": "c-1"})
    rsps.get(f"{GRAPH}/c-1", json={"status_code": "FINISHED", "id": "c-1"})
    rsps.post(f"{GRAPH}/{IG}/media_publish", json={"id": "m-42"})
    rsps.get(f"{GRAPH}/m-42", json={"permalink": "https://www.instagram.com/p/Abc/", "id": "m-42"})
    sleeps = Sleeps()
    post = recap(
        mentions=[
            Mention(handle="lea.martin", member_id="member-lea"),
            Mention(handle="bistrotdurhone", partner_id="partner-bistrot"),
        ]
    )
    receipt = instagram(storage, sleeps).publish(post)

    fields = form_of(rsps.calls[0].request)
    assert fields["image_url"] == f"{PUBLIC}/media/ev-1/a.jpg"
    assert fields["caption"] == caption_of(post)
    assert str(fields["caption"]).endswith("@bistrotdurhone")
    assert "lea.martin" not in str(fields["caption"])
    assert fields["alt_text"] == "Le comptoir du Bistrot du Rhône"
    tags = json.loads(str(fields["user_tags"]))
    assert [t["username"] for t in tags] == ["lea.martin"]  # members only, never partners
    assert all(0 <= t["x"] <= 1 and 0 <= t["y"] <= 1 for t in tags)
    assert form_of(rsps.calls[3].request)["creation_id"] == "c-1"
    assert sleeps.calls == [1.0]
    assert receipt == Receipt(
        platform="instagram",
        post_id="post-ig-apero",
        remote_id="m-42",
        published_at=FIXED_NOW,
        url="https://www.instagram.com/p/Abc/",
    )


def test_several_images_make_a_carousel_of_children(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    for child in ("k-1", "k-2", "k-3"):
        rsps.post(f"{GRAPH}/{IG}/media", json={"id": child})
        rsps.get(f"{GRAPH}/{child}", json={"status_code": "FINISHED"})
    rsps.post(f"{GRAPH}/{IG}/media", json={"id": "car-1"})
    rsps.get(f"{GRAPH}/car-1", json={"status_code": "FINISHED"})
    rsps.post(f"{GRAPH}/{IG}/media_publish", json={"id": "m-43"})
    rsps.get(f"{GRAPH}/m-43", json={"permalink": "https://www.instagram.com/p/Car/"})
    post = recap(
        media=photos("a", "b", "c", alt="Photo"),
        mentions=[Mention(handle="lea.martin", member_id="member-lea")],
    )
    receipt = instagram(storage).publish(post)

    posts = [form_of(c.request) for c in rsps.calls if c.request.method == "POST"]
    children, carousel, publish = posts[:3], posts[3], posts[4]
    for sent, name in zip(children, "abc", strict=True):
        assert sent["is_carousel_item"] == "true"
        assert sent["image_url"] == f"{PUBLIC}/media/ev-1/{name}.jpg"
        assert "caption" not in sent
    assert "user_tags" in children[0]
    assert "user_tags" not in children[1]
    assert carousel["media_type"] == "CAROUSEL"
    assert carousel["children"] == "k-1,k-2,k-3"
    assert carousel["caption"] == post.text
    assert publish["creation_id"] == "car-1"
    assert receipt.remote_id == "m-43"


def test_a_storage_without_public_urls_is_a_config_error_before_any_call(
    rsps: responses.RequestsMock,
) -> None:
    store = DictStorage(public_base=None)
    store.put("media/ev-1/a.jpg", JPEG)
    with pytest.raises(ConfigError, match=r"public URL.*s3"):
        instagram(store).publish(recap())
    assert len(rsps.calls) == 0


def test_a_post_without_image_or_with_too_many_is_rejected_locally(storage: DictStorage) -> None:
    with pytest.raises(Rejected, match="no image"):
        instagram(storage).publish(recap(media=[]))
    many = [PostMedia(key=f"media/{i}.jpg", media_type="image/jpeg") for i in range(11)]
    with pytest.raises(Rejected, match="at most 10"):
        instagram(storage).publish(recap(media=many))


def test_more_than_30_hashtags_are_rejected(storage: DictStorage) -> None:
    text = " ".join(f"#tag{i}" for i in range(31))
    with pytest.raises(Rejected, match="31 hashtags"):
        instagram(storage).publish(recap(text=text))


def test_png_is_rejected_because_the_api_publishes_jpeg_only(storage: DictStorage) -> None:
    post = recap(media=[PostMedia(key="media/ev-1/a.jpg", media_type="image/png")])
    with pytest.raises(Rejected, match="image/jpeg"):
        instagram(storage).publish(post)


def test_a_container_in_error_is_rejected_with_its_status(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(f"{GRAPH}/{IG}/media", json={"id": "c-1"})
    rsps.get(f"{GRAPH}/c-1", json={"status_code": "ERROR", "status": "Error: image too small"})
    with pytest.raises(Rejected, match="image too small"):
        instagram(storage).publish(recap())


def test_polling_is_bounded_and_backs_off(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(f"{GRAPH}/{IG}/media", json={"id": "c-1"})
    rsps.get(f"{GRAPH}/c-1", json={"status_code": "IN_PROGRESS"})
    sleeps = Sleeps()
    with pytest.raises(TransientError, match="IN_PROGRESS after 6 checks"):
        instagram(storage, sleeps, poll_attempts=6).publish(recap())
    assert sleeps.calls == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert sum(1 for c in rsps.calls if c.request.method == "GET") == 6


@pytest.mark.parametrize(
    ("code", "kind"), [(190, AuthError), (4, RateLimited), (2, TransientError), (9004, Rejected)]
)
def test_graph_errors_map_and_never_show_the_token(
    rsps: responses.RequestsMock,
    storage: DictStorage,
    caplog: pytest.LogCaptureFixture,
    code: int,
    kind: type[Exception],
) -> None:
    caplog.set_level(logging.DEBUG)
    rsps.post(
        f"{GRAPH}/{IG}/media",
        status=400,
        json={"error": {"message": f"nope ({SENTINEL})", "code": code}},
    )
    with pytest.raises(kind) as caught:
        instagram(storage).publish(recap())
    assert leaks(SENTINEL, caught.value, caplog.records) == []


def test_the_page_token_is_used_when_no_instagram_token_is_set(
    rsps: responses.RequestsMock,
) -> None:
    rsps.get(f"{GRAPH}/{IG}/media", json={"data": []})
    platform = instagram(None, environ={"TERRAIN_FACEBOOK_PAGE_TOKEN": "PAGE-TOKEN-9"})
    assert platform.find(recap()) is None
    query = parse_qs(urlparse(str(rsps.calls[0].request.url)).query)
    assert query["access_token"] == ["PAGE-TOKEN-9"]


def test_find_matches_the_exact_caption_among_the_latest_media(
    rsps: responses.RequestsMock,
) -> None:
    post = recap()
    rsps.get(
        f"{GRAPH}/{IG}/media",
        json={
            "data": [
                {"id": "m-1", "caption": "Autre", "timestamp": "2026-03-02T10:00:00+0000"},
                {
                    "id": "m-2",
                    "caption": caption_of(post),
                    "timestamp": "2026-03-01T21:00:00+0000",
                    "permalink": "https://www.instagram.com/p/Two/",
                },
            ]
        },
    )
    receipt = instagram(None).find(post)
    assert receipt is not None
    assert (receipt.remote_id, receipt.url) == ("m-2", "https://www.instagram.com/p/Two/")
    assert receipt.published_at.isoformat() == "2026-03-01T21:00:00+00:00"


def test_delete_is_refused_with_what_to_do_by_hand(rsps: responses.RequestsMock) -> None:
    receipt = Receipt(
        platform="instagram",
        post_id="post-ig-apero",
        remote_id="m-42",
        published_at=FIXED_NOW,
        url="https://www.instagram.com/p/Abc/",
    )
    platform = instagram(None)
    assert platform.capabilities.delete is False
    with pytest.raises(Rejected, match=r"https://www\.instagram\.com/p/Abc/.*Instagram app"):
        platform.delete(receipt)
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("bad", [None, "", "my-account", True])
def test_a_missing_or_non_numeric_ig_user_id_is_a_config_error(bad: object) -> None:
    context = PlatformContext(
        settings={} if bad is None else {"ig_user_id": bad},
        secrets=EnvSecrets(environ={"TERRAIN_INSTAGRAM_TOKEN": SENTINEL}),
    )
    with pytest.raises(ConfigError, match="ig_user_id"):
        InstagramFactory()(context)


def test_without_any_token_the_message_names_both_variables(storage: DictStorage) -> None:
    with pytest.raises(
        MissingSecret, match="neither TERRAIN_INSTAGRAM_TOKEN nor TERRAIN_FACEBOOK_PAGE_TOKEN"
    ):
        instagram(storage, environ={})
