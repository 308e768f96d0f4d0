"""Every hookspec is documented and called by a test (as datasette checks its hooks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from terrain import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name
    for name in dir(hookspecs)
    if name.startswith("terrain_") and hasattr(getattr(hookspecs, name), "terrain_spec")
)


def test_the_hooks_are_the_six_of_the_design() -> None:
    assert HOOKS == [
        "terrain_after_publish",
        "terrain_before_publish",
        "terrain_consent_withdrawn",
        "terrain_detect_faces",
        "terrain_register_platforms",
        "terrain_register_storages",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_its_section_in_the_hook_reference(hook: str) -> None:
    page = (ROOT / "docs" / "reference" / "hooks.rst").read_text(encoding="utf-8")
    assert f".. autofunction:: terrain.hookspecs.{hook}" in page, (
        f"docs/reference/hooks.rst has no section for {hook}; add one with autofunction"
    )
    assert getattr(hookspecs, hook).__doc__, f"{hook} has no docstring: it is the reference"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_called_by_a_test(hook: str) -> None:
    call = re.compile(rf"hook\.{hook}\(")
    callers = [
        path
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != Path(__file__).name and call.search(path.read_text(encoding="utf-8"))
    ]
    assert callers, f"no test calls manager.hook.{hook}(...); add one in tests/plugins/"
