"""Plugins: the hooks, the plugin manager, and the Platform/Storage protocols."""

from typing import TYPE_CHECKING

from terrain._public import claim, deprecated
from terrain.hookspecs import hookimpl, hookspec
from terrain.plugins._capabilities import capability_problems, check_capabilities
from terrain.plugins._keys import MAX_KEY_BYTES, check_storage_key
from terrain.plugins._manager import (
    ENTRY_POINT_GROUP,
    LOAD_PLUGINS_ENV_VAR,
    MODULES_ENV_VAR,
    PluginInfo,
    PluginManager,
    Registration,
    get_plugin_manager,
)
from terrain.plugins._protocols import (
    Platform,
    PlatformContext,
    PlatformFactory,
    Storage,
    StorageContext,
    StorageFactory,
    SupportsMetrics,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "LOAD_PLUGINS_ENV_VAR",
    "MAX_KEY_BYTES",
    "MODULES_ENV_VAR",
    "Platform",
    "PlatformContext",
    "PlatformFactory",
    "PluginInfo",
    "PluginManager",
    "Registration",
    "Storage",
    "StorageContext",
    "StorageFactory",
    "SupportsMetrics",
    "capability_problems",
    "check_capabilities",
    "check_storage_key",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
]

claim(__name__, globals())

# Renamed after 0.1.0 (three modules had an ENV_VAR): served until the next release.
if not TYPE_CHECKING:
    __getattr__ = deprecated(__name__, {"ENV_VAR": "LOAD_PLUGINS_ENV_VAR"}, globals())
