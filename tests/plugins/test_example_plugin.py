"""The example plugin package, installed in the venv (``make test`` does it), passes the
contract suite through the real entry point, exactly as a third party's would."""

from __future__ import annotations

import importlib.metadata

import pytest

from terrain.plugins import PlatformFactory, get_plugin_manager
from terrain.testing.contract import PlatformContract

DISTRIBUTION = "terrain-example-platform"


def installed() -> bool:
    try:
        importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not installed(),
    reason=f"{DISTRIBUTION} is not installed: run `make test` (it installs examples/)",
)


def test_the_example_plugin_is_loaded_from_its_entry_point() -> None:
    manager = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": DISTRIBUTION})
    assert manager.load_errors == []
    registration = manager.platforms()["example-journal"]
    assert registration.plugin.name == "example_journal"
    assert registration.plugin.distribution == DISTRIBUTION
    assert registration.plugin.version == "0.1.0"


def test_the_example_plugin_is_left_out_when_not_listed() -> None:
    manager = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": ""})
    assert "example-journal" not in manager.platforms()


class TestExamplePluginContract(PlatformContract):
    @pytest.fixture
    def factory(self) -> PlatformFactory:
        manager = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": DISTRIBUTION})
        return manager.platform_factory("example-journal")
