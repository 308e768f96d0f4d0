"""``import terrain`` loads no plugin and no heavy client library."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["tweepy", "facebook", "boto3", "botocore", "rich", "requests", "PIL"]

SCRIPT = """
import json, sys
import terrain
terrain.Post, terrain.Receipt, terrain.hookimpl, terrain.Platform
heavy = [m for m in {heavy!r} if m in sys.modules]
loaded = [m for m in sys.modules if m.startswith(("terrain_adapters", "pluggy"))]
print(json.dumps({{"heavy": heavy, "loaded": loaded}}))
"""


def run(script: str) -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, list[str]] = json.loads(out.stdout)
    return result


def test_import_terrain_loads_no_plugin_and_no_heavy_module() -> None:
    result = run(SCRIPT.format(heavy=HEAVY))
    assert result["heavy"] == []
    assert [m for m in result["loaded"] if m.startswith("terrain_adapters")] == []


def test_building_a_plugin_manager_loads_no_client_library() -> None:
    """Plugins register lazy factories: listing them imports no client."""
    script = (
        "import json, sys, terrain\n"
        "manager = terrain.get_plugin_manager()\n"
        "manager.platforms(); manager.storages()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []
