"""Plugins: the hooks, the plugin manager, and the Platform/Storage protocols."""

from terrain.plugins._protocols import (
    Platform,
    PlatformContext,
    PlatformFactory,
    Storage,
    StorageContext,
    StorageFactory,
)

__all__ = [
    "Platform",
    "PlatformContext",
    "PlatformFactory",
    "Storage",
    "StorageContext",
    "StorageFactory",
]
