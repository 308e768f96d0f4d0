"""The Facebook Page adapter, running the real facebook-sdk against faked Graph answers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
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
from terrain_adapters.facebook import FacebookPage, FacebookPageFactory, message_of

from ._fakes import FIXED_NOW, JPEG, PNG, SENTINEL, DictStorage, fixed_clock, form_of, leaks

GRAPH = "https://graph.facebook.com/v23.0"
PAGE = "1029384756"


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


def page(storage: DictStorage | None = None, **settings: object) -> FacebookPage:
    context = PlatformContext(
        settings={"page_id": PAGE, **settings},
        secrets=EnvSecrets(environ={"TERRAIN_FACEBOOK_PAGE_TOKEN": SENTINEL}),
        storage=storage,
    )
    platform = FacebookPageFactory(clock=fixed_clock)(context)
    assert isinstance(platform, FacebookPage)
    return platform


def recap(**kwargs: object) -> Post:
    fields: dict[str, object] = {
        "id": "post-apero-lyon",
        "platform": "facebook",
        "text": "Merci à toutes et tous pour l'apéro-meetup d'hier au Bistrot du Rhône !",
    }
    fields.update(kwargs)
    return Post(**fields)  # type: ignore[arg-type]


def test_text_post_goes_to_the_page_feed_with_the_page_token(
    rsps: responses.RequestsMock,
) -> None:
    rsps.post(f"{GRAPH}/{PAGE}/feed", json={"id": f"{PAGE}_555"})
    receipt = page().publish(recap(link="https://terrain.example/ev-1"))
    sent = form_of(rsps.calls[0].request)
    assert sent["message"] == recap().text
    assert sent["link"] == "https://terrain.example/ev-1"
    assert sent["access_token"] == SENTINEL  # in the POST body, as facebook-sdk does
    assert receipt == Receipt(
        platform="facebook",
        post_id="post-apero-lyon",
        remote_id=f"{PAGE}_555",
        published_at=FIXED_NOW,
        url=f"https://www.facebook.com/{PAGE}_555",
    )


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_feed_post(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(f"{GRAPH}/{PAGE}/photos", json={"id": "9001"})
    rsps.post(f"{GRAPH}/{PAGE}/photos", json={"id": "9002"})
    rsps.post(f"{GRAPH}/{PAGE}/feed", json={"id": f"{PAGE}_777"})
    post = recap(
        media=[
            PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="Le comptoir"),
            PostMedia(key="media/ev-1/talk.png", media_type="image/png", alt_text="Léa au micro"),
        ]
    )
    receipt = page(storage).publish(post)

    first, second, feed = (call.request for call in rsps.calls)
    for request, data, alt in ((first, JPEG, "Le comptoir"), (second, PNG, "Léa au micro")):
        fields = form_of(request)
        assert fields["published"] == "false"
        assert fields["alt_text_custom"] == alt
        assert fields["source"] == data
    fields = form_of(feed)
    assert fields["message"] == post.text
    assert json.loads(str(fields["attached_media[0]"])) == {"media_fbid": "9001"}
    assert json.loads(str(fields["attached_media[1]"])) == {"media_fbid": "9002"}
    assert receipt.remote_id == f"{PAGE}_777"
    assert receipt.part_ids == ("9001", "9002")


def test_one_photo_is_published_directly_and_the_receipt_names_post_and_photo(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(f"{GRAPH}/{PAGE}/photos", json={"id": "9001", "post_id": f"{PAGE}_31"})
    post = recap(
        media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="Apéro")],
        mentions=[Mention(handle="bistrotdurhone", partner_id="partner-bistrot")],
    )
    receipt = page(storage).publish(post)
    fields = form_of(rsps.calls[0].request)
    assert fields["published"] == "true"
    assert fields["message"] == message_of(post)
    assert str(fields["message"]).endswith("@bistrotdurhone")
    assert (receipt.remote_id, receipt.part_ids) == (f"{PAGE}_31", ("9001",))


def test_a_failed_feed_post_deletes_the_unpublished_photos_again(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    rsps.post(f"{GRAPH}/{PAGE}/photos", json={"id": "9001"})
    rsps.post(f"{GRAPH}/{PAGE}/photos", json={"id": "9002"})
    rsps.post(
        f"{GRAPH}/{PAGE}/feed",
        status=500,
        json={"error": {"message": "Service temporarily unavailable", "code": 2}},
    )
    rsps.delete(f"{GRAPH}/9001", json={"success": True})
    rsps.delete(f"{GRAPH}/9002", json={"success": True})
    post = recap(
        media=[
            PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg"),
            PostMedia(key="media/ev-1/talk.png", media_type="image/png"),
        ]
    )
    with pytest.raises(TransientError):
        page(storage).publish(post)
    assert [c.request.method for c in rsps.calls][-2:] == ["DELETE", "DELETE"]


def test_the_graph_version_is_set_after_construction_and_configurable(
    rsps: responses.RequestsMock,
) -> None:
    rsps.post(f"https://graph.facebook.com/v24.0/{PAGE}/feed", json={"id": f"{PAGE}_1"})
    page(graph_version="v24.0").publish(recap())
    assert urlparse(str(rsps.calls[0].request.url)).path == f"/v24.0/{PAGE}/feed"


@pytest.mark.parametrize("version", ["23.0", "v2", "latest", 23])
def test_a_malformed_graph_version_is_a_config_error(version: object) -> None:
    with pytest.raises(ConfigError, match="graph_version"):
        page(graph_version=version)


def test_every_request_carries_a_timeout(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{GRAPH}/{PAGE}/feed", json={"id": f"{PAGE}_1"})
    page(timeout=7).publish(recap())
    sent = rsps.calls[0].request
    assert sent.req_kwargs["timeout"] == (5.0, 7.0)  # type: ignore[attr-defined]


def test_a_missing_page_id_or_token_says_what_to_set() -> None:
    with pytest.raises(ConfigError, match="page_id"):
        FacebookPageFactory()(PlatformContext(settings={}, secrets=EnvSecrets(environ={})))
    with pytest.raises(MissingSecret, match="TERRAIN_FACEBOOK_PAGE_TOKEN"):
        FacebookPageFactory()(
            PlatformContext(settings={"page_id": PAGE}, secrets=EnvSecrets(environ={}))
        )


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (190, 400, AuthError),
        (200, 403, AuthError),
        (4, 400, RateLimited),
        (17, 400, RateLimited),
        (32, 400, RateLimited),
        (613, 400, RateLimited),
        (1, 500, TransientError),
        (2, 503, TransientError),
        (100, 400, Rejected),
        (368, 400, Rejected),
    ],
)
def test_graph_error_codes_map_to_what_a_retry_can_do(
    rsps: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    code: int,
    status: int,
    kind: type[Exception],
) -> None:
    caplog.set_level(logging.DEBUG)
    message = f"(#{code}) Graph says no for access_token={SENTINEL}"
    rsps.post(
        f"{GRAPH}/{PAGE}/feed",
        status=status,
        json={"error": {"message": message, "type": "OAuthException", "code": code}},
    )
    with pytest.raises(kind) as caught:
        page().publish(recap())
    assert type(caught.value) is kind
    assert "Graph says no" in str(caught.value)
    assert leaks(SENTINEL, caught.value, caplog.records) == []


def test_an_expired_token_says_to_renew_the_page_token(rsps: responses.RequestsMock) -> None:
    rsps.post(
        f"{GRAPH}/{PAGE}/feed",
        status=400,
        json={"error": {"message": "Session has expired", "code": 190, "error_subcode": 463}},
    )
    with pytest.raises(AuthError, match=r"page token expired.*TERRAIN_FACEBOOK_PAGE_TOKEN"):
        page().publish(recap())


def test_rate_limit_retry_after_comes_from_the_business_use_case_header(
    rsps: responses.RequestsMock,
) -> None:
    usage = {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 12}]}
    rsps.post(
        f"{GRAPH}/{PAGE}/feed",
        status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        json={"error": {"message": "User request limit reached", "code": 17}},
    )
    with pytest.raises(RateLimited) as caught:
        page().publish(recap())
    assert caught.value.retry_after == 12 * 60


def test_a_server_error_page_that_is_not_json_is_transient(rsps: responses.RequestsMock) -> None:
    rsps.post(
        f"{GRAPH}/{PAGE}/feed",
        status=502,
        body="<html>Bad gateway</html>",
        content_type="text/html",
    )
    with pytest.raises(TransientError):
        page().publish(recap())


@pytest.mark.parametrize(
    "failure",
    [
        requests.Timeout(f"read timed out: {GRAPH}/{PAGE}/published_posts?access_token={SENTINEL}"),
        requests.ConnectionError(
            f"Max retries exceeded with url: /v23.0/{PAGE}/published_posts?access_token={SENTINEL}"
        ),
        requests.RequestException(f"weird: access_token={SENTINEL}"),
    ],
)
def test_network_failures_are_transient_and_never_show_the_token_from_the_url(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture, failure: Exception
) -> None:
    caplog.set_level(logging.DEBUG)
    rsps.get(f"{GRAPH}/{PAGE}/published_posts", body=failure)
    with pytest.raises(TransientError) as caught:
        page().find(recap())
    assert leaks(SENTINEL, caught.value, caplog.records) == []


def test_the_token_goes_in_the_query_string_of_reads_and_is_masked_in_log_lines(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    """facebook-sdk puts the token in GET URLs; a log line quoting that URL is masked."""
    caplog.set_level(logging.DEBUG)
    rsps.get(f"{GRAPH}/{PAGE}/published_posts", json={"data": []})
    page().find(recap())
    url = str(rsps.calls[0].request.url)
    assert parse_qs(urlparse(url).query)["access_token"] == [SENTINEL]
    logging.getLogger("urllib3.connectionpool").debug('"GET %s HTTP/1.1" 200 2', url)
    assert leaks(SENTINEL, None, caplog.records) == []
    assert "access_token=***" in caplog.records[-1].getMessage()


def test_find_matches_the_exact_message_among_the_latest_page_posts(
    rsps: responses.RequestsMock,
) -> None:
    post = recap()
    rsps.get(
        f"{GRAPH}/{PAGE}/published_posts",
        json={
            "data": [
                {
                    "id": f"{PAGE}_9",
                    "message": "Autre chose",
                    "created_time": "2026-03-02T18:00:00+0000",
                },
                {
                    "id": f"{PAGE}_8",
                    "message": post.text,
                    "created_time": "2026-03-01T21:04:11+0000",
                    "attachments": {
                        "data": [
                            {
                                "subattachments": {
                                    "data": [{"target": {"id": "9001"}}, {"target": {"id": "9002"}}]
                                }
                            }
                        ]
                    },
                },
            ]
        },
    )
    receipt = page().find(post)
    assert receipt is not None
    assert receipt.remote_id == f"{PAGE}_8"
    assert receipt.part_ids == ("9001", "9002")
    assert receipt.published_at.isoformat() == "2026-03-01T21:04:11+00:00"
    assert parse_qs(urlparse(str(rsps.calls[0].request.url)).query)["limit"] == ["25"]


def test_find_returns_none_when_no_recent_post_has_the_message(
    rsps: responses.RequestsMock,
) -> None:
    rsps.get(f"{GRAPH}/{PAGE}/published_posts", json={"data": [{"id": "1_2", "message": "x"}]})
    assert page().find(recap()) is None


def test_delete_removes_the_post_then_its_photos_and_tolerates_already_gone(
    rsps: responses.RequestsMock,
) -> None:
    rsps.delete(f"{GRAPH}/{PAGE}_777", json={"success": True})
    rsps.delete(f"{GRAPH}/9001", json={"success": True})
    rsps.delete(
        f"{GRAPH}/9002",
        status=400,
        json={"error": {"message": "Object with ID '9002' does not exist", "code": 100}},
    )
    receipt = Receipt(
        platform="facebook",
        post_id="post-apero-lyon",
        remote_id=f"{PAGE}_777",
        published_at=FIXED_NOW,
        part_ids=("9001", "9002"),
    )
    page().delete(receipt)
    assert [c.request.method for c in rsps.calls] == ["DELETE"] * 3


def test_photos_without_a_storage_is_a_config_error() -> None:
    post = recap(media=[PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg")])
    with pytest.raises(ConfigError, match="storage"):
        page(None).publish(post)


def test_the_platform_repr_shows_no_token() -> None:
    assert SENTINEL not in repr(page())
    assert SENTINEL not in repr(page()._graph)


def test_a_credentials_file_readable_by_others_is_refused_with_what_to_do(
    tmp_path: Path,
) -> None:
    credentials = tmp_path / "credentials.toml"
    credentials.write_text(f'TERRAIN_FACEBOOK_PAGE_TOKEN = "{SENTINEL}"\n', encoding="utf-8")
    credentials.chmod(0o644)
    secrets = EnvSecrets(environ={}, credentials_file=credentials)
    with pytest.raises(ConfigError, match="chmod 600") as caught:
        FacebookPageFactory()(PlatformContext(settings={"page_id": PAGE}, secrets=secrets))
    assert SENTINEL not in str(caught.value)


def test_an_alt_text_over_the_limit_is_refused_naming_the_limit_before_any_call(
    rsps: responses.RequestsMock, storage: DictStorage
) -> None:
    photo = PostMedia(key="media/ev-1/apero.jpg", media_type="image/jpeg", alt_text="é" * 1001)
    with pytest.raises(Rejected, match="1001 characters, at most 1000"):
        page(storage).publish(recap(media=[photo]))
    assert len(rsps.calls) == 0


def test_a_photo_missing_from_the_storage_is_refused_naming_it(
    rsps: responses.RequestsMock,
) -> None:
    photo = PostMedia(key="media/ev-1/gone.jpg", media_type="image/jpeg", alt_text="Le bar")
    with pytest.raises(Rejected, match=r"media/ev-1/gone\.jpg.*import it again"):
        page(DictStorage()).publish(recap(media=[photo]))
    assert len(rsps.calls) == 0
