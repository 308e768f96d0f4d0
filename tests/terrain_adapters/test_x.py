"""The X adapter, running the real tweepy (and requests_oauthlib) against faked X answers."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
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
from terrain_adapters.x import XFactory, XPlatform, text_of, weighted_length

from ._fakes import FIXED_NOW, JPEG, PNG, DictStorage, fixed_clock, form_of, leaks

TWEETS = "https://api.twitter.com/2/tweets"
UPLOAD = "https://api.x.com/2/media/upload"
METADATA = "https://api.x.com/2/media/metadata"
USER_ID = "1460000000000000001"

SECRETS = {
    "TERRAIN_X_API_KEY": "SENTINEL-KEY-123",
    "TERRAIN_X_API_SECRET": "SENTINEL-KEY-SECRET-123",
    "TERRAIN_X_ACCESS_TOKEN": f"{USER_ID}-SENTINEL-TOKEN-123",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "SENTINEL-TOKEN-SECRET-123",
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def storage() -> DictStorage:
    store = DictStorage()
    store.put("media/ev-1/apero.jpg", JPEG)
    store.put("media/ev-1/talk.png", PNG)
    return store


def x(
    storage: DictStorage | None = None, factory: XFactory | None = None, **settings: object
) -> XPlatform:
    context = PlatformContext(
        settings=settings, secrets=EnvSecrets(environ=SECRETS), storage=storage
    )
    platform = (factory or XFactory(clock=fixed_clock))(context)
    assert isinstance(platform, XPlatform)
    return platform


def recap(**kwargs: object) -> Post:
    fields: dict[str, object] = {
        "id": "post-x-apero",
        "platform": "x",
        "text": "Merci pour l'apéro-meetup d'hier ! Prochain rendez-vous le 6 avril.",
    }
    fields.update(kwargs)
    return Post(**fields)  # type: ignore[arg-type]


def body(call: Any) -> dict[str, object]:
    data: dict[str, object] = json.loads(call.request.body)
    return data


def no_secret_leaks(exc: BaseException | None, records: list[logging.LogRecord]) -> list[str]:
    return [leak for value in SECRETS.values() for leak in leaks(value, exc, records)]


def test_a_text_post_is_created_with_oauth1_user_context(rsps: responses.RequestsMock) -> None:
    rsps.post(TWEETS, status=201, json={"data": {"id": "1901", "text": "…"}})
    post = recap(
        mentions=[Mention(handle="lea_martin", member_id="member-lea")],
        link="https://terrain.example/ev-1",
    )
    receipt = x().publish(post)
    assert body(rsps.calls[0]) == {"text": text_of(post)}
    assert text_of(post).endswith("@lea_martin\nhttps://terrain.example/ev-1")
    authorization = rsps.calls[0].request.headers["Authorization"]
    assert authorization.startswith("OAuth ")
    assert 'oauth_consumer_key="SENTINEL-KEY-123"' in authorization
    assert receipt == Receipt(
        platform="x",
        post_id="post-x-apero",
        remote_id="1901",
        published_at=FIXED_NOW,
        url="https://x.com/i/web/status/1901",
    )


def test_images_are_uploaded_with_alt_text_and_attached_by_media_id(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(UPLOAD, json={"data": {"id": "710511363345354753", "media_key": "3_7105"}})
    rsps.post(METADATA, json={"data": {"associated_metadata": {}}})
    rsps.post(UPLOAD, json={"data": {"id": "710511363345354754", "media_key": "3_7106"}})
    rsps.post(TWEETS, status=201, json={"data": {"id": "1902", "text": "…"}})
    post = recap(
        media=[
            PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="Le comptoir"),
            PostMedia(key="media/ev-1/talk.png", media_type="image/png"),
        ]
    )
    x(storage).publish(post)

    upload = form_of(rsps.calls[0].request)
    assert upload["media"] == JPEG
    assert upload["media_category"] == "tweet_image"
    assert rsps.calls[0].request.headers["Authorization"].startswith("OAuth ")
    assert body(rsps.calls[1]) == {
        "id": "710511363345354753",
        "metadata": {"alt_text": {"text": "Le comptoir"}},
    }
    assert form_of(rsps.calls[2].request)["media"] == PNG  # no alt text: no metadata call
    assert body(rsps.calls[3])["media"] == {
        "media_ids": ["710511363345354753", "710511363345354754"]
    }


def test_a_large_file_goes_through_initialize_append_finalize(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    media_id = "1880028106020515840"
    rsps.post(f"{UPLOAD}/initialize", json={"data": {"id": media_id, "media_key": "3_188"}})
    for _ in range(3):
        rsps.post(f"{UPLOAD}/{media_id}/append", status=204)
    rsps.post(
        f"{UPLOAD}/{media_id}/finalize",
        json={
            "data": {"id": media_id, "processing_info": {"state": "pending", "check_after_secs": 0}}
        },
    )
    rsps.get(UPLOAD, json={"data": {"id": media_id, "processing_info": {"state": "succeeded"}}})
    rsps.post(TWEETS, status=201, json={"data": {"id": "1903", "text": "…"}})
    factory = XFactory(clock=fixed_clock, simple_limit=64, chunk_size=-(-len(JPEG) // 3))
    post = recap(media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg")])
    x(storage, factory).publish(post)

    assert body(rsps.calls[0]) == {
        "media_type": "image/jpeg",
        "total_bytes": len(JPEG),
        "media_category": "tweet_image",
    }
    appends = [form_of(c.request) for c in rsps.calls[1:4]]
    assert [a["segment_index"] for a in appends] == ["0", "1", "2"]
    assert b"".join(bytes(a["media"]) for a in appends if isinstance(a["media"], bytes)) == JPEG
    status = parse_qs(urlparse(str(rsps.calls[5].request.url)).query)
    assert status == {"command": ["STATUS"], "media_id": [media_id]}
    assert body(rsps.calls[6])["media"] == {"media_ids": [media_id]}


def test_a_retry_after_a_rate_limit_reuses_the_uploaded_images(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(UPLOAD, json={"data": {"id": "501"}})
    rsps.post(METADATA, json={})
    rsps.post(TWEETS, status=429, json={"title": "Too Many Requests"})
    rsps.post(TWEETS, status=201, json={"data": {"id": "1906", "text": "…"}})
    platform = x(storage)
    post = recap(
        media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="Apéro")]
    )
    with pytest.raises(RateLimited):
        platform.publish(post)
    assert platform.publish(post).remote_id == "1906"
    assert sum(1 for c in rsps.calls if c.request.url == UPLOAD) == 1
    assert body(rsps.calls[-1])["media"] == {"media_ids": ["501"]}


def test_thread_parts_reply_to_the_previous_post(rsps: responses.RequestsMock) -> None:
    for tweet_id in ("2001", "2002", "2003"):
        rsps.post(TWEETS, status=201, json={"data": {"id": tweet_id, "text": "…"}})
    receipt = x().publish(recap(thread=["Les talks : …", "Merci au Bistrot du Rhône"]))
    assert body(rsps.calls[1]) == {
        "text": "Les talks : …",
        "reply": {"in_reply_to_tweet_id": "2001"},
    }
    assert body(rsps.calls[2])["reply"] == {"in_reply_to_tweet_id": "2002"}
    assert (receipt.remote_id, receipt.part_ids) == ("2001", ("2002", "2003"))


def test_a_failed_reply_deletes_what_was_posted_so_a_retry_starts_clean(
    rsps: responses.RequestsMock,
) -> None:
    rsps.post(TWEETS, status=201, json={"data": {"id": "2001", "text": "…"}})
    rsps.post(TWEETS, status=201, json={"data": {"id": "2002", "text": "…"}})
    rsps.post(TWEETS, status=503, json={"title": "Service Unavailable"})
    rsps.delete(f"{TWEETS}/2002", json={"data": {"deleted": True}})
    rsps.delete(f"{TWEETS}/2001", json={"data": {"deleted": True}})
    with pytest.raises(TransientError):
        x().publish(recap(thread=["deux", "trois"]))
    assert [c.request.url for c in rsps.calls[-2:]] == [f"{TWEETS}/2002", f"{TWEETS}/2001"]


def test_too_many_requests_is_rate_limited_until_the_reset_time(
    rsps: responses.RequestsMock,
) -> None:
    reset = int(FIXED_NOW.timestamp()) + 900
    rsps.post(
        TWEETS,
        status=429,
        headers={"x-rate-limit-reset": str(reset)},
        json={"title": "Too Many Requests", "detail": "Too Many Requests"},
    )
    with pytest.raises(RateLimited) as caught:
        x().publish(recap())
    assert caught.value.retry_after == 900


@pytest.mark.parametrize(
    ("status", "payload", "kind", "words"),
    [
        (401, {"title": "Unauthorized", "detail": "Unauthorized"}, AuthError, "TERRAIN_X_API_KEY"),
        (
            403,
            {"detail": "You are not allowed to create a Tweet with duplicate content."},
            Rejected,
            "duplicate content",
        ),
        (
            403,
            {
                "detail": "Your client app is not configured with the appropriate oauth1 app "
                "permissions for this endpoint."
            },
            AuthError,
            "Read and write",
        ),
        (400, {"errors": [{"message": "text is too long"}]}, Rejected, "too long"),
        (500, {"title": "Internal Server Error"}, TransientError, "try again"),
        (503, {"title": "Service Unavailable"}, TransientError, "try again"),
    ],
)
def test_x_errors_map_to_what_a_retry_can_do(
    rsps: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    status: int,
    payload: dict[str, object],
    kind: type[Exception],
    words: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    rsps.post(TWEETS, status=status, json=payload)
    with pytest.raises(kind) as caught:
        x().publish(recap())
    assert type(caught.value) is kind
    assert words in str(caught.value)
    assert no_secret_leaks(caught.value, caplog.records) == []


@pytest.mark.parametrize(
    "failure", [requests.ConnectTimeout("slow"), requests.ConnectionError("reset by peer")]
)
def test_timeouts_and_dropped_connections_are_transient(
    rsps: responses.RequestsMock, failure: Exception
) -> None:
    rsps.post(TWEETS, body=failure)
    with pytest.raises(TransientError):
        x().publish(recap())


def test_every_request_has_a_timeout_and_none_waits_on_rate_limits(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(UPLOAD, json={"data": {"id": "1"}})
    rsps.post(METADATA, json={})
    rsps.post(TWEETS, status=201, json={"data": {"id": "1904", "text": "…"}})
    platform = x(storage, timeout=12)
    platform.publish(
        recap(media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="a")])
    )
    assert [c.request.req_kwargs["timeout"] for c in rsps.calls] == [(5.0, 12.0)] * 3  # type: ignore[attr-defined]
    assert platform._client.wait_on_rate_limit is False


def test_no_secret_reaches_a_log_line_even_at_debug_level(
    rsps: responses.RequestsMock, storage: DictStorage, caplog: pytest.LogCaptureFixture
) -> None:
    """requests_oauthlib logs the signed headers (with the access token) at debug level."""
    caplog.set_level(logging.DEBUG)
    rsps.post(UPLOAD, json={"data": {"id": "1"}})
    rsps.post(METADATA, json={})
    rsps.post(TWEETS, status=201, json={"data": {"id": "1905", "text": "…"}})
    x(storage).publish(
        recap(media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="a")])
    )
    assert any(r.name.startswith("requests_oauthlib") for r in caplog.records)
    assert no_secret_leaks(None, caplog.records) == []


def test_a_post_that_does_not_fit_is_rejected_before_any_call(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    with pytest.raises(Rejected, match="281"):
        x().publish(recap(text="a" * 281))
    too_many = [PostMedia(key=f"media/{i}.jpg", media_type="image/jpeg") for i in range(5)]
    with pytest.raises(Rejected, match="5 media"):
        x(storage).publish(recap(media=too_many))
    assert len(rsps.calls) == 0


def test_a_post_full_of_family_emoji_fits_x_and_is_sent_whole(
    rsps: responses.RequestsMock,
) -> None:
    """👨‍👩‍👧 is 5 code points but X counts 2: 100 of them and a sentence fit in 280."""
    rsps.post(TWEETS, status=201, json={"data": {"id": "1910", "text": "…"}})
    text = "Merci à toutes les familles venues ce soir ! " + "👨‍👩‍👧" * 100
    x().publish(recap(text=text))
    assert body(rsps.calls[0]) == {"text": text}


def test_an_alt_text_over_the_limit_is_refused_naming_the_limit_before_any_call(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    media = PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="a" * 1001)
    with pytest.raises(
        Rejected, match=r"alt text of 'media/ev-1/apero\.jpg' has 1001 .*at most 1000"
    ):
        x(storage).publish(recap(media=[media]))
    assert len(rsps.calls) == 0


def test_a_media_missing_from_the_storage_is_refused_naming_it(
    rsps: responses.RequestsMock,
) -> None:
    media = PostMedia(key="media/ev-1/gone.jpg", media_type="image/jpeg", alt_text="Le bar")
    with pytest.raises(Rejected, match=r"media/ev-1/gone\.jpg.*import it again"):
        x(DictStorage()).publish(recap(media=[media]))
    assert len(rsps.calls) == 0


def test_urls_count_23_and_wide_characters_count_2() -> None:
    assert weighted_length("voir https://terrain.fr/un/tres/long/chemin/vers/la/page") == 5 + 23
    assert weighted_length("会议") == 4
    assert weighted_length("a" * 280) == 280


def test_an_emoji_sequence_counts_2_as_on_x() -> None:
    assert weighted_length("👨‍👩‍👧") == 2
    assert weighted_length("❤️") == 2
    assert weighted_length("Merci 🙏🏽 !") == 6 + 2 + 2


def test_a_link_whose_domain_is_no_real_tld_counts_letter_by_letter() -> None:
    """twitter-text only shortens hosts ending in a real top-level domain."""
    text = "voir https://terrain.example/page"
    assert weighted_length(text) == len(text)


def test_find_reads_the_latest_posts_and_undoes_x_rewriting(
    rsps: responses.RequestsMock,
) -> None:
    post = recap(
        text="Apéro & talks ce soir", link="https://terrain.example/ev-1", thread=["La suite"]
    )
    rsps.get(
        f"https://api.twitter.com/2/users/{USER_ID}/tweets",
        json={
            "data": [
                {
                    "id": "3002",
                    "text": "La suite",
                    "referenced_tweets": [{"type": "replied_to", "id": "3001"}],
                    "created_at": "2026-03-01T21:05:00.000Z",
                },
                {
                    "id": "3001",
                    "text": "Apéro &amp; talks ce soir\nhttps://t.co/abc https://t.co/pic",
                    "created_at": "2026-03-01T21:04:00.000Z",
                    "entities": {
                        "urls": [
                            {
                                "url": "https://t.co/abc",
                                "expanded_url": "https://terrain.example/ev-1",
                            },
                            {
                                "url": "https://t.co/pic",
                                "expanded_url": "https://x.com/a/status/3001/photo/1",
                                "media_key": "3_1",
                            },
                        ]
                    },
                },
            ]
        },
    )
    receipt = x().find(post)
    assert receipt is not None
    assert (receipt.remote_id, receipt.part_ids) == ("3001", ("3002",))
    assert receipt.published_at.isoformat() == "2026-03-01T21:04:00+00:00"
    query = parse_qs(urlparse(str(rsps.calls[0].request.url)).query)
    assert query["max_results"] == ["20"]
    assert query["exclude"] == ["retweets"]


def test_find_returns_none_when_the_text_is_not_among_the_latest_posts(
    rsps: responses.RequestsMock,
) -> None:
    rsps.get(
        f"https://api.twitter.com/2/users/{USER_ID}/tweets",
        json={"data": [{"id": "1", "text": "autre chose"}]},
    )
    assert x().find(recap()) is None


def test_delete_removes_replies_last_first_then_the_post_and_tolerates_gone(
    rsps: responses.RequestsMock,
) -> None:
    rsps.delete(f"{TWEETS}/2003", json={"data": {"deleted": True}})
    rsps.delete(f"{TWEETS}/2002", status=404, json={"title": "Not Found Error"})
    rsps.delete(f"{TWEETS}/2001", json={"data": {"deleted": True}})
    receipt = Receipt(
        platform="x",
        post_id="post-x-apero",
        remote_id="2001",
        published_at=FIXED_NOW,
        part_ids=("2002", "2003"),
    )
    x().delete(receipt)
    assert [str(c.request.url).rsplit("/", 1)[-1] for c in rsps.calls] == ["2003", "2002", "2001"]


def test_missing_credentials_name_the_variable() -> None:
    environ = {k: v for k, v in SECRETS.items() if k != "TERRAIN_X_ACCESS_TOKEN_SECRET"}
    context = PlatformContext(settings={}, secrets=EnvSecrets(environ=environ))
    with pytest.raises(MissingSecret, match="TERRAIN_X_ACCESS_TOKEN_SECRET"):
        XFactory()(context)


def test_a_bad_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="timeout"):
        x(timeout="soon")


def test_importing_the_adapters_does_not_import_their_clients() -> None:
    code = (
        "import sys, terrain_adapters.x, terrain_adapters.facebook, terrain_adapters.instagram,"
        " terrain_adapters.storage.s3\n"
        "heavy = {'tweepy', 'facebook', 'boto3', 'botocore', 'requests'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
