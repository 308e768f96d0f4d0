"""docs/reference/errors.rst documents every TerrainError subclass and the exit codes."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import terrain
import terrain_adapters
from terrain.cli._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, USAGE_ERRORS
from terrain.errors import TerrainError

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "reference" / "errors.rst").read_text(encoding="utf-8")


def _every_error_class() -> list[type[TerrainError]]:
    """TerrainError and its subclasses, once every module of terrain is imported."""
    for package in (terrain, terrain_adapters):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    found: list[type[TerrainError]] = []
    todo: list[type[TerrainError]] = [TerrainError]
    while todo:
        cls = todo.pop()
        if cls.__module__.split(".")[0] in {"terrain", "terrain_adapters"} and cls not in found:
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


ERRORS = _every_error_class()


def test_the_search_finds_errors_outside_terrain_errors() -> None:
    names = {cls.__name__ for cls in ERRORS}
    assert {"TerrainError", "RateLimited", "DeserializationError", "MediaRejected"} <= names


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_has_its_entry_saying_what_to_do(cls: type[TerrainError]) -> None:
    entry = re.search(rf"^``{cls.__name__}``\n((?:    .*\n|\n)+)", PAGE, flags=re.MULTILINE)
    assert entry is not None, (
        f"{cls.__module__}.{cls.__name__} is not documented in docs/reference/errors.rst: "
        "add an entry (what it means, what to do, the exit code)"
    )
    assert len(entry[1].split()) >= 12, f"the entry of {cls.__name__} is too short to help"


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_is_in_the_drawn_tree(cls: type[TerrainError]) -> None:
    tree = PAGE.split("The tree", 1)[1].split("What each means", 1)[0]
    assert re.search(rf"[─ ]{cls.__name__}\b", tree), f"{cls.__name__} is missing from the tree"


def test_the_exit_codes_are_the_ones_the_cli_uses() -> None:
    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE) == (0, 1, 2)
    for code in (EXIT_OK, EXIT_FAILED, EXIT_USAGE):
        assert f"**{code}**" in PAGE


@pytest.mark.parametrize("cls", USAGE_ERRORS, ids=lambda c: c.__name__)
def test_errors_that_exit_with_2_are_listed_under_2(cls: type[TerrainError]) -> None:
    row = PAGE.split("**2**", 1)[1].split("======", 1)[0]
    assert f"``{cls.__name__}``" in row, f"{cls.__name__} exits with 2: say so in the table"
