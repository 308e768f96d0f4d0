"""The layers of terrain hold in the code: imports go down only, whatever their form."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.imports import all_imports, modules, plant
from tests.architecture.layers import LAYERS, check, component_of, layer_of


def test_every_import_in_src_goes_down_the_layers() -> None:
    problems = check()
    assert not problems, "\n".join(problems)


def test_every_module_of_src_is_in_a_layer() -> None:
    for name in modules():
        component_of(name)  # LookupError names the module and the table to edit


@pytest.mark.parametrize(
    ("module", "code", "expected"),
    [
        (
            "terrain.store._db",
            "from terrain.workflows import import_media\n",
            "terrain.store._db imports terrain.workflows (at module level)",
        ),
        (
            "terrain.store._db",
            "def _later():\n    from terrain.publishing import Journal\n",
            "terrain.store._db imports terrain.publishing (in a function)",
        ),
        (
            "terrain.events._models",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from terrain.store import Workspace\n",
            "terrain.events._models imports terrain.store (under TYPE_CHECKING)",
        ),
        (
            "terrain.consent._ledger",
            "from terrain import Workspace\n",
            "terrain.consent._ledger imports terrain.store (at module level)",
        ),
        (
            "terrain.serialization",
            "import terrain.events\n",
            "terrain.serialization imports terrain.events",
        ),
        (
            "terrain_adapters.x",
            "def _f():\n    from terrain.store import Workspace\n",
            "terrain_adapters.x imports terrain.store (in a function)",
        ),
        (
            "terrain.errors",
            "from . import serialization\n",
            "terrain.errors imports terrain.serialization",
        ),
    ],
)
def test_an_upward_import_in_any_form_is_reported_with_its_place(
    planted: Path, module: str, code: str, expected: str
) -> None:
    plant(planted, module, code)
    problems = check(planted)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("src/") for p in problems)


def test_a_cycle_between_packages_of_one_layer_is_reported(planted: Path) -> None:
    plant(
        planted,
        "terrain.events._models",
        "def _f():\n    from terrain.partnerships import Partner\n",
    )
    problems = check(planted)
    assert any(
        "import cycle" in p and "terrain.events -> terrain.partnerships" in p for p in problems
    ), problems


def test_reading_the_clock_below_the_front_ends_is_reported(planted: Path) -> None:
    plant(planted, "terrain.workflows._meetups", "from terrain import clock\n")
    problems = check(planted)
    assert any("only front ends and adapters read the clock" in p for p in problems), problems


def test_importing_the_test_kit_from_the_library_is_reported(planted: Path) -> None:
    plant(planted, "terrain.publishing._runner", "from terrain.testing import InMemoryPlatform\n")
    assert any("nothing outside terrain.testing imports it" in p for p in check(planted))


def test_a_module_in_no_layer_is_reported(planted: Path) -> None:
    (planted / "terrain" / "gadgets.py").write_text("X = 1\n", encoding="utf-8")
    modules.cache_clear()
    try:
        assert "terrain.gadgets is in no layer" in "\n".join(check(planted))
    finally:
        modules.cache_clear()


def test_the_planted_copy_is_clean_before_planting(planted: Path) -> None:
    """The checks above fail because of what they plant, not because of the copy."""
    assert check(planted) == []


def test_layers_are_listed_top_down_with_distinct_packages() -> None:
    prefixes = [p for _, row in LAYERS for p in row]
    assert len(prefixes) == len(set(prefixes))
    assert layer_of("terrain.cli._common") < layer_of("terrain.workflows._meetups")  # type: ignore[operator]
    assert layer_of("terrain.store._db") < layer_of("terrain.plugins._manager")  # type: ignore[operator]
    assert layer_of("terrain.consent") < layer_of("terrain.community")  # type: ignore[operator]


def test_imports_inside_functions_and_type_checking_blocks_are_read() -> None:
    """The reader sees lazy imports (the ones a layer check most easily misses)."""
    kinds = {(i.nested, i.type_checking) for i in all_imports()}
    assert {(False, False), (True, False), (False, True)} <= kinds
