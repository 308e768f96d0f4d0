"""The S3 storage against moto: in-process (``mock_aws``) and as a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.server import ThreadedMotoServer

from terrain.errors import ConfigError, InvalidKey, NotFound, StorageError
from terrain.plugins import Storage, StorageContext, check_storage_key
from terrain_adapters.storage.s3 import S3Storage, S3StorageFactory

BUCKET = "terrain-media"
REGION = "eu-west-3"  # Paris: also spelled out where boto3-stubs want a literal


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials from the standard chain; never a real account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


@pytest.fixture
def s3() -> Iterator[None]:
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        yield


def storage(**settings: object) -> Storage:
    return S3StorageFactory()(
        StorageContext(settings={"bucket": BUCKET, "region": REGION, **settings})
    )


@pytest.mark.usefixtures("s3")
def test_bytes_round_trip_under_the_configured_prefix() -> None:
    store = storage(prefix="workspaces/lyon/")
    store.put("media/ev-1/apero.jpg", b"\xff\xd8jpeg")
    assert store.get("media/ev-1/apero.jpg") == b"\xff\xd8jpeg"
    assert store.exists("media/ev-1/apero.jpg")
    raw = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET)
    assert [o["Key"] for o in raw["Contents"]] == ["workspaces/lyon/media/ev-1/apero.jpg"]


@pytest.mark.usefixtures("s3")
def test_list_is_sorted_filtered_by_prefix_and_blind_to_other_prefixes() -> None:
    store = storage(prefix="lyon")
    other = storage(prefix="paris")
    for key in ("media/ev-2/b.jpg", "media/ev-1/z.jpg", "media/ev-1/a.jpg", "forms/c-7.pdf"):
        store.put(key, b"x")
    other.put("media/ev-1/elsewhere.jpg", b"y")
    assert list(store.list()) == [
        "forms/c-7.pdf",
        "media/ev-1/a.jpg",
        "media/ev-1/z.jpg",
        "media/ev-2/b.jpg",
    ]
    assert list(store.list("media/ev-1/")) == ["media/ev-1/a.jpg", "media/ev-1/z.jpg"]
    assert list(other.list()) == ["media/ev-1/elsewhere.jpg"]


@pytest.mark.usefixtures("s3")
def test_a_missing_key_is_not_found_and_deleting_it_does_nothing() -> None:
    store = storage()
    with pytest.raises(NotFound, match=f"s3://{BUCKET}/media/none.jpg"):
        store.get("media/none.jpg")
    assert not store.exists("media/none.jpg")
    store.delete("media/none.jpg")
    store.put("media/a.jpg", b"a")
    store.delete("media/a.jpg")
    assert not store.exists("media/a.jpg")


@pytest.mark.usefixtures("s3")
@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "media/../../secrets", "media/./a.jpg", "a\\b", "a//b", "a\x00b"]
)
def test_unsafe_keys_are_refused_before_any_call(key: str) -> None:
    store = storage()
    with pytest.raises(InvalidKey):
        store.put(key, b"x")
    with pytest.raises(InvalidKey):
        store.get(key)


@given(st.lists(st.sampled_from(["media", "ev-1", "..", ".", "", "a.jpg", "é"]), min_size=1))
@settings(max_examples=200)
def test_a_key_is_accepted_exactly_when_every_segment_is_a_plain_name(parts: list[str]) -> None:
    key = "/".join(parts)
    safe = all(part not in {"", ".", ".."} for part in parts)
    if safe:
        assert check_storage_key(key) == key
    else:
        with pytest.raises(InvalidKey):
            check_storage_key(key)


@pytest.mark.usefixtures("s3")
def test_public_url_is_a_presigned_get_that_expires() -> None:
    store = storage(prefix="lyon")
    store.put("media/ev-1/apero.jpg", b"jpeg")
    url = store.public_url("media/ev-1/apero.jpg", expires_in=600)
    assert url is not None
    parsed = urlparse(url)
    assert parsed.path.endswith("/lyon/media/ev-1/apero.jpg")
    query = parse_qs(parsed.query)
    assert query["X-Amz-Expires"] == ["600"]
    assert "X-Amz-Signature" in query
    with pytest.raises(ValueError, match="1 to 604800"):
        store.public_url("media/ev-1/apero.jpg", expires_in=8 * 24 * 3600)


def test_a_missing_bucket_says_so() -> None:
    with mock_aws():
        store = storage(bucket="no-such-bucket")
        with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
            store.put("media/a.jpg", b"a")


def test_settings_are_checked_when_the_storage_is_built() -> None:
    with pytest.raises(ConfigError, match="bucket"):
        S3StorageFactory()(StorageContext(settings={}))
    with pytest.raises(ConfigError, match="addressing_style"):
        storage(addressing_style="sideways")
    with pytest.raises(ConfigError, match="read_timeout"):
        storage(read_timeout=0)


def test_repr_names_the_bucket_and_prefix_only() -> None:
    with mock_aws():
        assert repr(storage(prefix="lyon/")) == "S3Storage(bucket='terrain-media', prefix='lyon/')"


def test_an_s3_compatible_server_is_reached_through_endpoint_url() -> None:
    """A real HTTP round trip to a local S3-compatible server (moto's), as with MinIO."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint).create_bucket(
            Bucket=BUCKET
        )
        store = storage(endpoint_url=endpoint, region="us-east-1", addressing_style="path")
        assert isinstance(store, S3Storage)
        store.put("media/ev-1/apero.jpg", b"\xff\xd8jpeg")
        assert list(store.list()) == ["media/ev-1/apero.jpg"]
        url = store.public_url("media/ev-1/apero.jpg")
        assert url is not None
        assert url.startswith(f"{endpoint}/{BUCKET}/")
        fetched = requests.get(url, timeout=10)
        assert fetched.status_code == 200
        assert fetched.content == b"\xff\xd8jpeg"
        store.delete("media/ev-1/apero.jpg")
        assert list(store.list()) == []
    finally:
        server.stop()
        # ThreadedMotoServer.stop() shuts the loop down but leaves the socket open
        if server._server is not None:
            server._server.server_close()


def test_an_unreachable_endpoint_is_a_storage_error() -> None:
    store = storage(endpoint_url="http://127.0.0.1:9", connect_timeout=1, read_timeout=1)
    with pytest.raises(StorageError, match="cannot reach"):
        store.get("media/a.jpg")
