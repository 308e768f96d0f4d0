"""TERRAIN_PLUGINS: extra plugin modules loaded by name, like pytest's PYTEST_PLUGINS,
so that a worker process gets a platform without installing a distribution."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from terrain import Community
from terrain.plugins import MODULES_ENV_VAR, get_plugin_manager
from terrain.store import Workspace
from terrain.testing.http import FakePlatformServer, HTTPPlatform

WITH_HTTP = {"TERRAIN_LOAD_PLUGINS": "", MODULES_ENV_VAR: "terrain.testing.http"}


def test_a_module_named_in_terrain_plugins_adds_its_platforms_next_to_the_built_ins() -> None:
    manager = get_plugin_manager(environ=WITH_HTTP)
    assert manager.load_errors == []
    platforms = manager.platforms()
    assert {"fake-http", "outbox"} <= set(platforms)
    assert platforms["fake-http"].plugin.name == "terrain.testing.http"
    assert platforms["fake-http"].plugin.module == "terrain.testing.http"


def test_without_terrain_plugins_the_module_is_not_loaded() -> None:
    manager = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": ""})
    assert "fake-http" not in manager.platforms()


def test_a_module_listed_twice_is_loaded_once() -> None:
    environ = {**WITH_HTTP, MODULES_ENV_VAR: "terrain.testing.http, terrain.testing.http,"}
    manager = get_plugin_manager(environ=environ)
    assert manager.load_errors == []
    assert "fake-http" in manager.platforms()


def test_a_module_that_does_not_import_is_reported_and_the_others_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_terrain_plugin.py").write_text("raise RuntimeError('half-installed')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    environ = {
        **WITH_HTTP,
        MODULES_ENV_VAR: "no_such_module,broken_terrain_plugin,terrain.testing.http",
    }
    manager = get_plugin_manager(environ=environ)
    errors = [str(e) for e in manager.load_errors]
    assert len(errors) == 2
    assert "no_such_module" in errors[0]
    assert MODULES_ENV_VAR in errors[0]
    assert "half-installed" in errors[1]
    assert "fake-http" in manager.platforms()
    sys.modules.pop("broken_terrain_plugin", None)


def test_a_workspace_builds_the_platform_from_its_terrain_toml_table(tmp_path: Path) -> None:
    with FakePlatformServer() as server:
        with Workspace.init(
            tmp_path / "ville",
            community=Community(id="ville", name="Ville"),
            platforms={"fake-http": {"base_url": server.url, "timeout": 2.5}},
            environ=WITH_HTTP,
        ) as ws:
            platform = ws.platform("fake-http")
        assert isinstance(platform, HTTPPlatform)
        assert platform.base_url == server.url
        assert platform.timeout == 2.5
