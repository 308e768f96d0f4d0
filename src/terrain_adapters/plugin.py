"""terrain's built-in adapters, registered as a plugin like any third-party one.

Declared in terrain's ``pyproject.toml``::

    [project.entry-points.terrain]
    terrain_adapters = "terrain_adapters.plugin"

Each line of :data:`PLATFORMS` / :data:`STORAGES` adds one adapter as
``lazy(name, "module:FactoryClass")``: the module (and its client library,
tweepy, facebook-sdk, boto3) is imported only when the adapter is built, so
loading plugins stays fast and works without the optional extras.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs

from terrain.hookspecs import hookimpl

__all__ = [
    "PLATFORMS",
    "STORAGES",
    "LazyFactory",
    "lazy",
    "terrain_detect_faces",
    "terrain_register_platforms",
    "terrain_register_storages",
]


@attrs.frozen
class LazyFactory:
    """A factory called ``name`` that imports ``target`` (``"module:Class"``),
    instantiates the class with no argument and calls it with the context."""

    name: str
    target: str

    def load(self) -> Any:
        """The real factory (imports its module)."""
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)()

    def __call__(self, context: Any) -> Any:
        """Build the platform or storage for ``context``."""
        return self.load()(context)

    def capabilities_for(self, settings: Any) -> Any:
        """The real factory's ``capabilities_for(settings)``, or ``None`` if it has none
        (then terrain builds the platform to learn them)."""
        method = getattr(self.load(), "capabilities_for", None)
        return None if method is None else method(settings)


def lazy(name: str, target: str) -> LazyFactory:
    """A factory for adapter ``name`` whose code lives at ``target`` (``"module:Class"``)."""
    return LazyFactory(name, target)


#: The built-in platforms: one line each.
PLATFORMS: list[LazyFactory] = [
    lazy("outbox", "terrain_adapters.outbox:OutboxFactory"),
    lazy("x", "terrain_adapters.x:XFactory"),
    lazy("facebook", "terrain_adapters.facebook:FacebookPageFactory"),
    lazy("instagram", "terrain_adapters.instagram:InstagramFactory"),
    lazy("linkedin", "terrain_adapters.linkedin:LinkedInFactory"),
    lazy("mastodon", "terrain_adapters.mastodon:MastodonFactory"),
    lazy("bluesky", "terrain_adapters.bluesky:BlueskyFactory"),
]

#: The built-in storage backends: one line each.
STORAGES: list[LazyFactory] = [
    lazy("filesystem", "terrain_adapters.storage.filesystem:FilesystemStorageFactory"),
    lazy("s3", "terrain_adapters.storage.s3:S3StorageFactory"),
]


@hookimpl
def terrain_register_platforms(register: Callable[[Any], None]) -> None:
    """Register every built-in platform."""
    for factory in PLATFORMS:
        register(factory)


@hookimpl
def terrain_register_storages(register: Callable[[Any], None]) -> None:
    """Register every built-in storage backend."""
    for factory in STORAGES:
        register(factory)


@hookimpl(trylast=True)
def terrain_detect_faces(image: Any) -> Any:
    """terrain's own face detector (OpenCV's Haar cascade, the ``faces`` extra), asked
    after every plugin's; ``None`` when OpenCV is not installed."""
    from terrain_adapters.faces import haar_faces

    return haar_faces(image)
