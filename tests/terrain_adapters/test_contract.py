"""terrain's contract suite, run on the real adapters as a plugin author would run it.

X, Facebook and Instagram run the real tweepy / facebook-sdk code against
stateful fakes of their HTTP APIs (``responses``); S3 runs against moto.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import boto3
import pytest
import responses
from moto import mock_aws
from moto.server import ThreadedMotoServer

from terrain.plugins._protocols import (
    Platform,
    PlatformContext,
    PlatformFactory,
    Storage,
    StorageContext,
    StorageFactory,
)
from terrain.posts import Post, PostMedia
from terrain.testing.contract import SAMPLE_MEDIA, FailNext, PlatformContract, StorageContract
from terrain_adapters.facebook import FacebookPageFactory
from terrain_adapters.instagram import InstagramFactory
from terrain_adapters.storage.s3 import S3StorageFactory
from terrain_adapters.x import XFactory

from ._fake_apis import FakeGraph, FakeX
from ._fakes import JPEG, DictStorage, fixed_clock

PAGE, IG, USER = "1029384756", "17841400000000001", "1460000000000000001"
ENV = {
    "TERRAIN_X_API_KEY": "contract-api-key",
    "TERRAIN_X_API_SECRET": "contract-api-key-secret",
    "TERRAIN_X_ACCESS_TOKEN": f"{USER}-contract-token",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "contract-token-secret",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "contract-page-token",
}


class _FakedHTTP(PlatformContract):
    """Builds the platform inside a ``responses`` mock holding the fake APIs; the fault
    suite scripts the fake of the platform's API."""

    settings_for: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return dict(self.settings_for)

    @pytest.fixture
    def secret_env(self) -> Mapping[str, str]:
        return ENV

    @pytest.fixture
    def fakes(self) -> Iterator[tuple[FakeX, FakeGraph]]:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            yield FakeX(rsps, USER), FakeGraph(rsps, page_id=PAGE, ig_user_id=IG)

    @pytest.fixture
    def platform(
        self, factory: PlatformFactory, context: PlatformContext, fakes: tuple[FakeX, FakeGraph]
    ) -> Platform:
        return factory(context)

    @pytest.fixture
    def fail_next(self, fakes: tuple[FakeX, FakeGraph]) -> FailNext:
        x, graph = fakes
        return x.faults.fail_next if self.settings_for == {} else graph.faults.fail_next


class TestXContract(_FakedHTTP):
    @pytest.fixture
    def factory(self) -> PlatformFactory:
        return XFactory(clock=fixed_clock)


class TestFacebookContract(_FakedHTTP):
    settings_for: ClassVar[dict[str, Any]] = {"page_id": PAGE}

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        return FacebookPageFactory(clock=fixed_clock)


class TestInstagramContract(_FakedHTTP):
    """Instagram needs an image (JPEG) in every post and a storage with public URLs."""

    settings_for: ClassVar[dict[str, Any]] = {"ig_user_id": IG}

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        return InstagramFactory(clock=fixed_clock, sleep=lambda _: None)

    @pytest.fixture
    def storage(self) -> Storage:
        store = DictStorage(public_base="https://media.example/pub")
        for key, data in {**SAMPLE_MEDIA, "contract/photo.jpg": JPEG}.items():
            store.put(key, data)
        return store

    def make_post(self, platform: Platform, **changes: Any) -> Post:
        changes.setdefault(
            "media", [PostMedia(key="contract/photo.jpg", media_type="image/jpeg", alt_text="x")]
        )
        return super().make_post(platform, **changes)


class TestS3Contract(StorageContract):
    @pytest.fixture
    def factory(self) -> StorageFactory:
        return S3StorageFactory()

    @pytest.fixture
    def storage(
        self, factory: StorageFactory, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[Storage]:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="terrain-contract")
            yield factory(
                StorageContext(
                    settings={"bucket": "terrain-contract", "region": "us-east-1", "prefix": "ws"}
                )
            )

    def test_readers_never_see_half_an_overwrite(  # type: ignore[override]
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Run against moto's HTTP server: its in-process mock closes an object's
        buffer while another thread still reads it (a moto artefact; an S3 PUT is
        atomic), over HTTP each GET gets the whole body."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint).create_bucket(
                Bucket="terrain-contract"
            )
            remote = S3StorageFactory()(
                StorageContext(
                    settings={
                        "bucket": "terrain-contract",
                        "region": "us-east-1",
                        "endpoint_url": endpoint,
                        "addressing_style": "path",
                    }
                )
            )
            super().test_readers_never_see_half_an_overwrite(remote)
        finally:
            server.stop()
            if server._server is not None:  # stop() leaves the listening socket open
                server._server.server_close()
