"""Finding platform and storage factories through the plugin manager."""

from __future__ import annotations

import importlib
from typing import Any

from terrain.errors import ConfigError, PluginError

__all__ = ["platform_factories", "storage_factories"]


def _collect(hook_name: str) -> dict[str, Any]:
    plugins = importlib.import_module("terrain.plugins")
    get_manager = getattr(plugins, "get_plugin_manager", None)
    if get_manager is None:
        return {}
    manager = get_manager()
    factories: dict[str, Any] = {}

    def register(factory: Any) -> None:
        name = getattr(factory, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"a plugin registered {factory!r}, which has no name")
        if name in factories:
            raise PluginError(f"two plugins register the name {name!r}")
        factories[name] = factory

    getattr(manager.hook, hook_name)(register=register)
    return factories


def platform_factories() -> dict[str, Any]:
    """Every platform factory the installed plugins register, by name."""
    return _collect("terrain_register_platforms")


def storage_factories() -> dict[str, Any]:
    """Every storage factory the installed plugins register, by name.

    Until the plugin manager is available, ``filesystem`` comes straight from
    :mod:`terrain_adapters.storage.filesystem`.
    """
    factories = _collect("terrain_register_storages")
    if "filesystem" not in factories:
        try:
            module = importlib.import_module("terrain_adapters.storage.filesystem")
        except ImportError:
            return factories
        factory_class = getattr(module, "FilesystemStorageFactory", None)
        if factory_class is not None:
            factories["filesystem"] = factory_class()
    return factories


def unknown(kind: str, name: str, known: dict[str, Any], table: str) -> ConfigError:
    """The error for a platform or storage nobody registered."""
    names = ", ".join(sorted(known)) or "none installed"
    return ConfigError(
        f"unknown {kind} {name!r} (in {table} of terrain.toml): known {kind}s are {names}; "
        f"fix the name or install the plugin that adds it (`terrain plugins` lists them)"
    )
