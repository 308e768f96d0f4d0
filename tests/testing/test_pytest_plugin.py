"""The fixtures plugin authors get through the pytest11 entry point (no conftest here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from terrain.plugins import PlatformContext, PluginManager, StorageContext
from terrain.posts import Post, PostMedia
from terrain.testing import InMemoryPlatform, InMemoryStorage


def test_sample_post_publishes_to_the_memory_platform(
    terrain_sample_post: Post, terrain_memory_platform: InMemoryPlatform
) -> None:
    receipt = terrain_memory_platform.publish(terrain_sample_post)
    assert receipt.post_id == terrain_sample_post.id
    assert terrain_memory_platform.find(terrain_sample_post) == receipt


def test_platform_context_holds_the_storage_and_a_fresh_root(
    terrain_platform_context: PlatformContext, terrain_storage: InMemoryStorage, tmp_path: Path
) -> None:
    assert terrain_platform_context.storage is terrain_storage
    assert terrain_platform_context.root == tmp_path
    assert dict(terrain_platform_context.settings) == {}


def test_sample_media_are_in_the_storage(
    terrain_sample_media: list[PostMedia], terrain_storage: InMemoryStorage
) -> None:
    assert len(terrain_sample_media) == 2
    for media in terrain_sample_media:
        assert terrain_storage.get(media.key).startswith(b"\x89PNG")


def test_storage_context_and_manager_start_empty(
    terrain_storage_context: StorageContext, terrain_plugin_manager: PluginManager
) -> None:
    assert terrain_storage_context.root is not None
    assert terrain_plugin_manager.plugin_infos() == []


def test_importing_the_test_kit_imports_neither_pytest_nor_hypothesis() -> None:
    script = (
        "import sys, terrain.testing\n"
        "terrain.testing.InMemoryPlatform()\n"
        "print([m for m in ('pytest', 'hypothesis') if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
