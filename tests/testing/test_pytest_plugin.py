"""The fixtures plugin authors get from terrain.testing.pytest_plugin, which is opt-in
(tests/conftest.py enables it for this suite, as a plugin author's conftest does)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

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


EXAMPLE = Path(__file__).parents[2] / "examples" / "terrain-example-platform"
#: A plugin author's test, in a folder of its own (no conftest, no terrain configuration).
AUTHOR_TEST = """
def test_uses_a_terrain_fixture(terrain_storage):
    terrain_storage.put("a.txt", b"hello")
    assert terrain_storage.get("a.txt") == b"hello"
"""


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a child process, in ``folder``, configured by ``folder`` alone."""
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installing_terrain_registers_no_pytest_plugin() -> None:
    pytest11 = [
        ep
        for ep in importlib.metadata.entry_points(group="pytest11")
        if ep.value.startswith(("terrain.", "terrain_adapters"))
    ]
    assert pytest11 == []


def test_a_test_session_does_not_get_the_fixtures_unless_it_opts_in(tmp_path: Path) -> None:
    (tmp_path / "test_author.py").write_text(AUTHOR_TEST, encoding="utf-8")
    without = _pytest(tmp_path)
    assert without.returncode == pytest.ExitCode.TESTS_FAILED, without.stdout
    assert "fixture 'terrain_storage' not found" in without.stdout


def test_the_fixtures_load_with_the_p_option(tmp_path: Path) -> None:
    (tmp_path / "test_author.py").write_text(AUTHOR_TEST, encoding="utf-8")
    opted_in = _pytest(tmp_path, "-p", "terrain.testing.pytest_plugin")
    assert opted_in.returncode == pytest.ExitCode.OK, opted_in.stdout + opted_in.stderr


def test_the_fixtures_load_with_pytest_plugins_in_a_conftest(tmp_path: Path) -> None:
    (tmp_path / "test_author.py").write_text(AUTHOR_TEST, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["terrain.testing.pytest_plugin"]\n', encoding="utf-8"
    )
    opted_in = _pytest(tmp_path)
    assert opted_in.returncode == pytest.ExitCode.OK, opted_in.stdout + opted_in.stderr


def test_the_example_plugins_own_tests_pass_with_their_conftest_opting_in() -> None:
    """As its README says: ``pytest examples/terrain-example-platform/tests``."""
    pytest.importorskip("terrain_example_platform", reason="run `make test`: it installs examples/")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", str(EXAMPLE / "tests")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    assert "test_the_sample_post_is_published_once_and_found_again PASSED" in run.stdout
