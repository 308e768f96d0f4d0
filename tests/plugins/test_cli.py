"""``terrain plugins``: what is loaded, what it adds, and what failed to load."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from terrain.cli import main
from tests.plugins.conftest import MakeDist


def run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["plugins", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_plugins_lists_the_built_ins_with_their_version() -> None:
    code, out, _ = run(env={"TERRAIN_LOAD_PLUGINS": ""})
    assert code == 0
    assert "terrain_adapters (terrain-field 0.1.0)" in out
    assert "outbox" in out
    assert "filesystem" in out


def test_plugins_json_names_each_plugin_its_platforms_and_storages() -> None:
    code, out, _ = run("--json", env={"TERRAIN_LOAD_PLUGINS": ""})
    assert code == 0
    data = json.loads(out)
    (builtin,) = data["plugins"]
    assert builtin["name"] == "terrain_adapters"
    assert builtin["distribution"] == "terrain-field"
    assert "outbox" in builtin["platforms"]
    assert "filesystem" in builtin["storages"]
    assert data["errors"] == []


def test_a_broken_plugin_is_reported_and_exits_1_while_the_others_are_listed(
    make_dist: MakeDist, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_dist(
        "terrain-broken",
        "0.1",
        modules={"terrain_broken": "raise RuntimeError('needs Python 4')\n"},
        entry_points={"broken": "terrain_broken"},
    )
    code, out, err = run(env={"TERRAIN_LOAD_PLUGINS": "terrain-broken"})
    assert code == 1
    assert "terrain_adapters (terrain-field 0.1.0)" in out
    assert "Error: plugin 'broken' (distribution terrain-broken 0.1) failed to import" in err
    assert "needs Python 4" in err
