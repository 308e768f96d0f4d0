"""The contract suite runs green on terrain's own in-memory platform and storage."""

from __future__ import annotations

import pytest

from terrain.plugins import PlatformContext, StorageContext
from terrain.posts import Capabilities
from terrain.testing import InMemoryPlatform, InMemoryStorage
from terrain.testing.contract import PlatformContract, StorageContract


class MemoryPlatformFactory:
    name = "memory"

    def __init__(self, capabilities: Capabilities | None = None) -> None:
        self.capabilities = capabilities

    def __call__(self, context: PlatformContext) -> InMemoryPlatform:
        if self.capabilities is None:
            return InMemoryPlatform()
        return InMemoryPlatform(capabilities=self.capabilities)


class MemoryStorageFactory:
    name = "memory"

    def __call__(self, context: StorageContext) -> InMemoryStorage:
        return InMemoryStorage()


class TestInMemoryPlatform(PlatformContract):
    @pytest.fixture
    def factory(self) -> MemoryPlatformFactory:
        return MemoryPlatformFactory()


class TestInMemoryPlatformLikeInstagram(PlatformContract):
    """A tight platform: no threads, no delete, few characters."""

    @pytest.fixture
    def factory(self) -> MemoryPlatformFactory:
        return MemoryPlatformFactory(Capabilities(max_text_length=120, max_media=1))


class TestInMemoryStorage(StorageContract):
    @pytest.fixture
    def factory(self) -> MemoryStorageFactory:
        return MemoryStorageFactory()
