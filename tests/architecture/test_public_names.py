"""Public names say where they live, and nothing reaches into another package's privates."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

import pytest

from tests.architecture.imports import plant
from tests.architecture.public import check, is_private, public_modules

#: Private imports in a file the issue-15 branch (consent, in flight) rewrites: cleared
#: when it lands. Nothing may be added here.
PENDING: set[str] = set()


def test_no_module_imports_a_private_module_of_another_package() -> None:
    problems = [p for p in check() if p.split(":")[0] not in PENDING]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", public_modules())
def test_every_exported_class_and_function_reports_its_public_module(name: str) -> None:
    module = importlib.import_module(name)
    for exported in module.__all__:
        obj = getattr(module, exported)
        if not (isinstance(obj, type) or inspect.isfunction(obj)):
            continue
        home = obj.__module__
        assert not is_private(home), f"{name}.{exported} says it lives in {home}"
        assert getattr(sys.modules[home], obj.__name__) is obj, f"{name}.{exported}"


@pytest.mark.parametrize(
    ("module", "code", "expected"),
    [
        (
            "terrain.workflows._meetups",
            "from terrain.store._db import Database\n",
            "terrain.workflows._meetups imports terrain.store._db, private to terrain.store",
        ),
        (
            "terrain.cli._member",
            "def _f():\n    from terrain.workflows._import import too_large\n",
            "imports terrain.workflows._import, private to terrain.workflows",
        ),
        (
            "terrain_adapters.x",
            "from terrain._time import instant\n",
            "terrain_adapters.x imports terrain._time, private to terrain",
        ),
        (
            "terrain_adapters.outbox",
            "from terrain.events import Event\n",
            "the built-in adapters use only what a third-party plugin can",
        ),
    ],
)
def test_a_planted_private_import_is_reported_with_its_place(
    planted: Path, module: str, code: str, expected: str
) -> None:
    assert not [p for p in check(planted) if p.split(":")[0] not in PENDING]
    plant(planted, module, code)
    assert any(expected in p for p in check(planted)), check(planted)


#: Where one name on purpose stands for different things: the strategies are named
#: after what they build (``project_photos()`` builds ProjectPhoto values), and a hook
#: implementation carries its specification's name.
SAME_NAME_ON_PURPOSE = {"terrain.testing.strategies", "terrain.testing.http"}


def test_no_two_public_modules_give_one_name_to_different_things() -> None:
    """``from terrain.x import Outcome`` and ``from terrain.y import Outcome`` must not
    be two different classes: a reader (and a star import) cannot tell them apart."""
    found: dict[str, dict[int, str]] = {}
    for name in public_modules():
        if name in SAME_NAME_ON_PURPOSE:
            continue
        module = importlib.import_module(name)
        for exported in module.__all__:
            found.setdefault(exported, {})[id(getattr(module, exported))] = name
    clashes = {name: sorted(where.values()) for name, where in found.items() if len(where) > 1}
    assert not clashes, clashes


RENAMED = [
    ("terrain.events", "rsvp", "rsvp_going"),
    ("terrain.events", "cancel", "cancel_rsvp"),
    ("terrain.events", "promote", "promote_waitlist"),
    ("terrain.events", "close", "mark_no_shows"),
    ("terrain.events", "revise", "raise_sequence"),
    ("terrain.clock", "ENV_VAR", "NOW_ENV_VAR"),
    ("terrain.store", "ENV_VAR", "WORKSPACE_ENV_VAR"),
    ("terrain.store", "redact", "redact_password"),
    ("terrain.plugins", "ENV_VAR", "LOAD_PLUGINS_ENV_VAR"),
    ("terrain.publishing", "Outcome", "PostOutcome"),
    ("terrain.consent", "Outcome", "DecisionOutcome"),
    ("terrain.consent", "Takedown", "TakedownTarget"),
    ("terrain.publishing", "TakedownEntry", "TakedownLogEntry"),
    ("terrain.workflows", "TakedownResult", "TakedownReport"),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_an_old_name_works_for_one_more_release_with_a_warning_naming_the_new_one(
    module: str, old: str, new: str
) -> None:
    public = importlib.import_module(module)
    expected = rf"{module}\.{old} is deprecated: use {module}\.{new} "
    with pytest.warns(DeprecationWarning, match=expected):
        alias = getattr(public, old)
    assert alias is getattr(public, new)
    assert old not in public.__all__
    assert new in public.__all__
