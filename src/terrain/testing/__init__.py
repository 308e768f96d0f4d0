"""Test kit for terrain and for plugin authors.

- :mod:`terrain.testing.strategies`: Hypothesis strategies that build valid
  instances of every model.
- :class:`InMemoryPlatform` and :class:`InMemoryStorage`: a platform and a
  storage in memory, with configurable capabilities, latency and scripted
  failures (:class:`Failure`).
- :mod:`terrain.testing.contract`: the pytest suite a plugin author runs
  against their platform or storage factory.
- :mod:`terrain.testing.pytest_plugin`: fixtures (``terrain_storage``,
  ``terrain_platform_context``, ``terrain_sample_post``…), opt-in:
  ``pytest_plugins = ["terrain.testing.pytest_plugin"]`` in a top-level
  ``conftest.py``, or ``pytest -p terrain.testing.pytest_plugin``.

Submodules load on first use, so importing :mod:`terrain.testing` does not
import pytest or Hypothesis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from terrain._public import claim
from terrain.testing._memory import (
    DEFAULT_CAPABILITIES,
    Call,
    Failure,
    InMemoryPlatform,
    InMemoryStorage,
    check_capabilities,
)

__all__ = [
    "DEFAULT_CAPABILITIES",
    "Call",
    "Failure",
    "InMemoryPlatform",
    "InMemoryStorage",
    "check_capabilities",
    "contract",
    "strategies",
]

_SUBMODULES = {"contract", "strategies"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"terrain.testing.{name}")
    raise AttributeError(f"module 'terrain.testing' has no attribute {name!r}")


if TYPE_CHECKING:
    from terrain.testing import contract, strategies

claim(__name__, globals())
