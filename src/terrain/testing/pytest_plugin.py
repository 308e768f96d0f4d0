"""pytest fixtures for plugin authors, opt-in.

Installing terrain loads nothing into pytest: a test suite that wants these
fixtures enables the plugin in its top-level ``conftest.py``::

    pytest_plugins = ["terrain.testing.pytest_plugin"]

or for one run with ``pytest -p terrain.testing.pytest_plugin``. It gives:

``terrain_storage``
    an empty :class:`~terrain.testing.InMemoryStorage`.
``terrain_sample_media``
    ``terrain_storage`` holding two small PNG images; the fixture is the list
    of :class:`~terrain.PostMedia` pointing at them.
``terrain_platform_context``
    a :class:`~terrain.plugins.PlatformContext` with no settings,
    ``terrain_storage`` and a temporary workspace folder as ``root``.
``terrain_storage_context``
    a :class:`~terrain.plugins.StorageContext` rooted in a temporary folder.
``terrain_sample_post``
    a :class:`~terrain.Post` for the platform ``"memory"``: the recap of a meetup.
``terrain_plugin_manager``
    a plugin manager with no plugin loaded (register yours with ``register``).
``terrain_memory_platform``
    a fresh :class:`~terrain.testing.InMemoryPlatform`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from terrain.plugins import PlatformContext, PluginManager, StorageContext, get_plugin_manager
from terrain.posts import Mention, Post, PostMedia
from terrain.testing._memory import InMemoryPlatform, InMemoryStorage


@pytest.fixture
def terrain_storage() -> InMemoryStorage:
    """An empty in-memory storage."""
    return InMemoryStorage()


@pytest.fixture
def terrain_sample_media(terrain_storage: InMemoryStorage) -> list[PostMedia]:
    """Two PNG images stored in ``terrain_storage``, as post media with alt texts."""
    from terrain.testing.contract import SAMPLE_MEDIA

    media = []
    for index, (key, data) in enumerate(sorted(SAMPLE_MEDIA.items()), start=1):
        terrain_storage.put(key, data)
        media.append(PostMedia(key=key, media_type="image/png", alt_text=f"photo {index}"))
    return media


@pytest.fixture
def terrain_platform_context(terrain_storage: InMemoryStorage, tmp_path: Path) -> PlatformContext:
    """A platform context: no settings, ``terrain_storage``, a temporary root."""
    return PlatformContext(storage=terrain_storage, root=tmp_path)


@pytest.fixture
def terrain_storage_context(tmp_path: Path) -> StorageContext:
    """A storage context rooted in a temporary folder."""
    return StorageContext(root=tmp_path)


@pytest.fixture
def terrain_sample_post() -> Post:
    """The recap of a meetup, for the ``memory`` platform, with one mention."""
    return Post(
        id="recap-ev-2026-03-12",
        platform="memory",
        text="Jeudi au Café du Port : deux talks, des questions, et surtout des rencontres.",
        mentions=[Mention(handle="cafeduport", partner_id="partner-cafe-du-port")],
        event_id="ev-2026-03-12",
    )


@pytest.fixture
def terrain_plugin_manager() -> PluginManager:
    """A plugin manager with terrain's hooks and no plugin loaded."""
    return get_plugin_manager(load_entrypoints=False)


@pytest.fixture
def terrain_memory_platform() -> InMemoryPlatform:
    """A fresh in-memory platform called ``memory``."""
    return InMemoryPlatform()
