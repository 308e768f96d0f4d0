"""The public names of terrain are a contract: pin them (as httpx does)."""

from __future__ import annotations

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
