"""The full contract kit, fault suite included, on the LinkedIn, Mastodon and Bluesky adapters.

Each adapter runs its real ``requests`` code over a socket against a fake of
its network's API (``_fake_networks.py``); ``fail_next`` scripts the fake, so
the 429s, 5xx, timeouts (real ones: the fake does not answer before the
adapter's timeout), 401s and 422s are the network's own answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from terrain.plugins import PlatformFactory
from terrain.testing.contract import FailNext, PlatformContract
from terrain_adapters.bluesky import BlueskyFactory
from terrain_adapters.linkedin import LinkedInFactory
from terrain_adapters.mastodon import MastodonFactory

from ._fake_networks import (
    BLUESKY_PASSWORD,
    LINKEDIN_TOKEN,
    MASTODON_TOKEN,
    FakeBluesky,
    FakeLinkedIn,
    FakeMastodon,
)
from ._fake_server import FakeNetwork
from ._fakes import fixed_clock

#: short enough for the fault suite's timeouts to be quick, long for a loaded machine
TIMEOUT = 0.6


class _AgainstAFake(PlatformContract):
    @pytest.fixture
    def fail_next(self, fake: FakeNetwork) -> FailNext:
        return fake.fail_next


class TestMastodonContract(_AgainstAFake):
    @pytest.fixture
    def fake(self) -> Iterator[FakeNetwork]:
        with FakeMastodon(now=fixed_clock) as fake:
            yield fake

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        return MastodonFactory(clock=fixed_clock, sleep=lambda _: None)

    @pytest.fixture
    def settings(self, fake: FakeNetwork) -> dict[str, Any]:
        return {"instance": fake.url, "timeout": TIMEOUT, "max_characters": 500}

    @pytest.fixture
    def secret_env(self) -> Mapping[str, str]:
        return {"TERRAIN_MASTODON_TOKEN": MASTODON_TOKEN}


class TestBlueskyContract(_AgainstAFake):
    @pytest.fixture
    def fake(self) -> Iterator[FakeNetwork]:
        with FakeBluesky(now=fixed_clock) as fake:
            yield fake

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        return BlueskyFactory(clock=fixed_clock)

    @pytest.fixture
    def settings(self, fake: FakeNetwork) -> dict[str, Any]:
        return {"handle": "velolyon.bsky.social", "service": fake.url, "timeout": TIMEOUT}

    @pytest.fixture
    def secret_env(self) -> Mapping[str, str]:
        return {"TERRAIN_BLUESKY_APP_PASSWORD": BLUESKY_PASSWORD}


class TestLinkedInContract(_AgainstAFake):
    @pytest.fixture
    def fake(self) -> Iterator[FakeNetwork]:
        with FakeLinkedIn(now=fixed_clock) as fake:
            yield fake

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        return LinkedInFactory(clock=fixed_clock)

    @pytest.fixture
    def settings(self, fake: FakeNetwork) -> dict[str, Any]:
        return {"organization_id": "2414183", "base_url": fake.url, "timeout": TIMEOUT}

    @pytest.fixture
    def secret_env(self) -> Mapping[str, str]:
        return {"TERRAIN_LINKEDIN_TOKEN": LINKEDIN_TOKEN}
