"""The public names of terrain are a contract: pin them (as httpx does)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import terrain

EXPECTED = {
    "Appearance",
    "AuthError",
    "Capabilities",
    "Community",
    "ConfigError",
    "Consent",
    "ConsentDenied",
    "ConsentLedger",
    "Content",
    "Decision",
    "Event",
    "MediaFile",
    "Member",
    "Mention",
    "Milestone",
    "NotFound",
    "Partner",
    "Partnership",
    "Platform",
    "PlatformError",
    "Post",
    "PostMedia",
    "Project",
    "PublishVetoed",
    "Purpose",
    "RateLimited",
    "Receipt",
    "Rejected",
    "Secret",
    "Storage",
    "Talk",
    "TerrainError",
    "TransientError",
    "ValidationError",
    "Venue",
    "Workshop",
    "Workspace",
    "__version__",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(terrain.__all__) == EXPECTED


def test_every_public_name_resolves_and_claims_to_be_public() -> None:
    for name in terrain.__all__:
        value = getattr(terrain, name)
        if isinstance(value, type):
            assert not value.__module__.startswith("terrain._"), name


def test_all_matches_the_lazy_export_table() -> None:
    assert set(terrain.__all__) == {*terrain._EXPORTS, "__version__"}


def test_unknown_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Nope"):
        terrain.Nope  # type: ignore[attr-defined]  # noqa: B018


HEAVY = ("tweepy", "facebook", "boto3", "botocore", "rich", "requests", "PIL", "psycopg", "cattrs")


def test_import_terrain_loads_no_heavy_module_and_no_plugin() -> None:
    code = (
        "import sys, terrain\n"
        "from terrain import Event, Member, Post\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
        "print(','.join(m for m in sys.modules if m.startswith('terrain_adapters')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["", ""], f"heavy modules loaded at import: {out}"


#: Names split out of the public module that re-exports them so that a lighter path
#: imports only them: (private module, public module, name).
SPLIT_OUT = [
    ("terrain._region", "terrain.content", "Region"),
    ("terrain.consent._purpose", "terrain.consent", "Purpose"),
    ("terrain._redact", "terrain.secrets", "redact"),
    ("terrain._redact", "terrain.secrets", "remember_secret"),
]


@pytest.mark.parametrize(("private", "public", "name"), SPLIT_OUT)
def test_a_name_split_out_is_the_public_modules_object_whichever_is_imported_first(
    private: str, public: str, name: str
) -> None:
    """Imported alone (as ``terrain log`` imports the region of a blur) a split-out
    name already reports its public module, and the public module serves that same
    object; pickling (which finds a class by its module) reads it back."""
    code = (
        "import importlib, json, pickle, sys\n"
        f"alone = getattr(importlib.import_module({private!r}), {name!r})\n"
        f"before = {public!r} in sys.modules and not {private!r}.startswith({public!r} + '.')\n"
        "module = alone.__module__\n"
        f"same = getattr(importlib.import_module({public!r}), {name!r}) is alone\n"
        "kept = pickle.loads(pickle.dumps(alone)) is alone\n"
        "print(json.dumps([before, module, same, kept]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    before, module, same, kept = json.loads(out)
    assert before is False  # the private module did not import the public one (its parent aside)
    assert module == public
    assert same
    assert kept
