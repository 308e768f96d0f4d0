"""Finding platform and storage factories through the plugin manager."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, Literal

from terrain.errors import ConfigError, NotFound

__all__ = ["find_factory", "known_names"]

Kind = Literal["platform", "storage"]


def _factories(kind: Kind, environ: Mapping[str, str]) -> tuple[Any, dict[str, Any]]:
    from terrain.plugins import get_plugin_manager

    manager = get_plugin_manager(environ=environ)
    registry = manager.platforms() if kind == "platform" else manager.storages()
    factories = {name: registration.factory for name, registration in registry.items()}
    return manager, factories


def known_names(kind: Kind, environ: Mapping[str, str]) -> list[str]:
    """The names of every platform (or storage backend) the installed plugins offer."""
    return sorted(_factories(kind, environ)[1])


def find_factory(kind: Kind, name: str, environ: Mapping[str, str], table: str) -> Any:
    """The factory registered as ``name``; :class:`ConfigError` listing the known ones.

    Two plugins registering ``name`` raise the manager's
    :class:`~terrain.errors.PluginError`, which names both.
    """
    manager, factories = _factories(kind, environ)
    if name in factories:
        return factories[name]
    with contextlib.suppress(NotFound):  # raises PluginError when two plugins claim the name
        getattr(manager, f"{kind}_factory")(name)
    label = "storage backend" if kind == "storage" else kind
    names = ", ".join(sorted(factories)) or "none installed"
    raise ConfigError(
        f"unknown {label} {name!r} (in {table} of terrain.toml): known {label}s are {names}; "
        "fix the name or install the plugin that adds it (`terrain plugins` lists them)"
    )
