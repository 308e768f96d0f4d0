"""The two things a plugin can add: platforms and storage backends.

Both are small protocols (like httpx's transport base): a plugin registers a
*factory* with a ``name``; terrain calls the factory with a context built from
``terrain.toml`` when a workspace needs that platform or storage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from terrain.posts import Capabilities, Metrics, Post, Receipt
from terrain.secrets import EnvSecrets, SecretSource

__all__ = [
    "Platform",
    "PlatformContext",
    "PlatformFactory",
    "Storage",
    "StorageContext",
    "StorageFactory",
    "SupportsMetrics",
]


@runtime_checkable
class Storage(Protocol):
    """Bytes by key: where media files and consent forms live.

    Keys are relative, ``/``-separated paths (``media/ev-1/p-12.jpg``); an
    empty key, an absolute one or one with ``..`` raises
    :class:`~terrain.errors.InvalidKey`. A missing key raises
    :class:`~terrain.errors.NotFound` from :meth:`get`; :meth:`delete` of a
    missing key does nothing.
    """

    name: str

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically (readers never see half a file)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is absent."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, sorted."""
        ...

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        ...

    def public_url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """A URL a platform can fetch ``key`` from (Instagram needs one), or
        ``None`` when this storage cannot serve files publicly."""
        ...


@runtime_checkable
class Platform(Protocol):
    """A place posts go: X, a Facebook page, Instagram, the outbox…

    ``publish`` returns a :class:`~terrain.Receipt` or raises a
    :class:`~terrain.errors.PlatformError` subclass saying whether a retry can
    help. ``find`` looks for a post already made from the same ``Post.id``, so
    an interrupted run reconciles instead of posting twice. ``delete`` removes
    what a receipt names (and its parts).

    A platform whose API gives public metrics may also have the optional
    method ``metrics(receipt) -> Metrics`` (:class:`SupportsMetrics`):
    ``terrain stats`` calls it for each published post. It returns a
    :class:`~terrain.posts.Metrics` with the counts the platform gives
    (``likes``, ``reposts``, ``replies``, ``impressions``…), ``gone=True``
    when the post no longer exists there, and raises the same
    :class:`~terrain.errors.PlatformError` subclasses as ``publish``
    (``RateLimited`` with its ``retry_after``). The contract suite checks it
    when it is there.
    """

    name: str
    capabilities: Capabilities

    def publish(self, post: Post) -> Receipt:
        """Publish ``post`` and return the platform's receipt."""
        ...

    def delete(self, receipt: Receipt) -> None:
        """Delete the post (and its parts) named by ``receipt``."""
        ...

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if it is already published, else ``None``."""
        ...


@runtime_checkable
class SupportsMetrics(Protocol):
    """A platform that can say how its published posts are doing (optional)."""

    name: str

    def metrics(self, receipt: Receipt) -> Metrics:
        """The public metrics of the post ``receipt`` names, now (``gone=True`` if it
        was deleted on the platform)."""
        ...


@attrs.frozen
class PlatformContext:
    """What a platform factory gets to build a platform.

    ``settings`` is the platform's table from ``terrain.toml``
    (``[platforms.x]``) without the keys the publishing runner reads for
    itself (``rate``, ``daily_budget``, ``concurrency``, ``max_attempts``,
    ``backoff``, ``max_backoff``), never secrets; ``secrets`` gives tokens
    from the environment or the credentials file; ``storage`` holds the media
    the posts refer to; ``root`` is the workspace folder (for platforms that
    write files, such as the outbox).
    """

    settings: Mapping[str, Any] = attrs.field(factory=dict)
    secrets: SecretSource = attrs.field(factory=EnvSecrets)
    storage: Storage | None = None
    root: Path | None = None


@attrs.frozen
class StorageContext:
    """What a storage factory gets: its ``[storage]`` settings and the workspace root."""

    settings: Mapping[str, Any] = attrs.field(factory=dict)
    root: Path | None = None
    secrets: SecretSource = attrs.field(factory=EnvSecrets)


class PlatformFactory(Protocol):
    """Registered by plugins: a ``name`` and a call that builds the platform.

    terrain calls it with a :class:`PlatformContext` each time a workspace
    needs the platform (a publish run, a takedown, each worker process); it
    checks the settings, looks the secrets up and returns the platform,
    without calling the network. The platform it returns may be called from
    several threads at once when the platform's policy ``concurrency`` is
    above 1: a platform that can take it says ``thread_safe = True`` (the
    contract kit checks it).

    A factory may also have a method ``capabilities_for(settings) ->
    Capabilities``: what the platform it would build from the
    ``[platforms.<name>]`` ``settings`` accepts, answered without secrets,
    storage or network. ``terrain publish --dry-run`` uses it (through
    :meth:`Workspace.capabilities <terrain.Workspace.capabilities>`) to compose
    and check consent without the platform's tokens. It is optional: for a
    factory without it (or whose ``capabilities_for`` answers ``None``, as a
    wrapper that cannot tell does), terrain builds the platform to read its
    ``capabilities``, so a dry run then needs what building needs (the
    tokens, for most platforms). The contract suite checks that it agrees
    with the built platform.
    """

    name: str

    def __call__(self, context: PlatformContext) -> Platform: ...


class StorageFactory(Protocol):
    """Registered by plugins: a ``name`` and a call that builds the storage."""

    name: str

    def __call__(self, context: StorageContext) -> Storage: ...
