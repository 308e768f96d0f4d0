"""terrain: field community management, published only with consent.

The models, the errors and the entry points most code needs are importable
from here; everything else lives in its package (``terrain.workflows`` for what
a community manager does, ``terrain.store``, ``terrain.consent``,
``terrain.publishing``, ``terrain.plugins``, ``terrain.testing``…). Names load
on first use, so that ``import terrain`` stays light (no platform client, no
plugin, no I/O).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from terrain._lazy import exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Appearance": "terrain.content",
    "AuthError": "terrain.errors",
    "Capabilities": "terrain.posts",
    "Community": "terrain.community",
    "ConfigError": "terrain.errors",
    "Consent": "terrain.consent",
    "ConsentDenied": "terrain.errors",
    "ConsentLedger": "terrain.consent",
    "Content": "terrain.content",
    "Decision": "terrain.consent",
    "Event": "terrain.events",
    "MediaFile": "terrain.content",
    "Member": "terrain.community",
    "Mention": "terrain.posts",
    "Milestone": "terrain.projects",
    "NotFound": "terrain.errors",
    "Partner": "terrain.partnerships",
    "Partnership": "terrain.partnerships",
    "Platform": "terrain.plugins",
    "PlatformError": "terrain.errors",
    "Post": "terrain.posts",
    "PostMedia": "terrain.posts",
    "Project": "terrain.projects",
    "PublishVetoed": "terrain.errors",
    "Purpose": "terrain.consent",
    "RateLimited": "terrain.errors",
    "Receipt": "terrain.posts",
    "Rejected": "terrain.errors",
    "Secret": "terrain.secrets",
    "Storage": "terrain.plugins",
    "Talk": "terrain.events",
    "TerrainError": "terrain.errors",
    "TransientError": "terrain.errors",
    "ValidationError": "terrain.errors",
    "Venue": "terrain.events",
    "Workshop": "terrain.workshops",
    "Workspace": "terrain.store",
    "get_plugin_manager": "terrain.plugins",
    "hookimpl": "terrain.hookspecs",
    "hookspec": "terrain.hookspecs",
}

__all__ = [
    "Appearance",
    "AuthError",
    "Capabilities",
    "Community",
    "ConfigError",
    "Consent",
    "ConsentDenied",
    "ConsentLedger",
    "Content",
    "Decision",
    "Event",
    "MediaFile",
    "Member",
    "Mention",
    "Milestone",
    "NotFound",
    "Partner",
    "Partnership",
    "Platform",
    "PlatformError",
    "Post",
    "PostMedia",
    "Project",
    "PublishVetoed",
    "Purpose",
    "RateLimited",
    "Receipt",
    "Rejected",
    "Secret",
    "Storage",
    "Talk",
    "TerrainError",
    "TransientError",
    "ValidationError",
    "Venue",
    "Workshop",
    "Workspace",
    "__version__",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
]


if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(__name__, _EXPORTS)


if TYPE_CHECKING:
    from terrain.community import Community, Member
    from terrain.consent import Consent, ConsentLedger, Decision, Purpose
    from terrain.content import Appearance, Content, MediaFile
    from terrain.errors import (
        AuthError,
        ConfigError,
        ConsentDenied,
        NotFound,
        PlatformError,
        PublishVetoed,
        RateLimited,
        Rejected,
        TerrainError,
        TransientError,
        ValidationError,
    )
    from terrain.events import Event, Talk, Venue
    from terrain.hookspecs import hookimpl, hookspec
    from terrain.partnerships import Partner, Partnership
    from terrain.plugins import Platform, Storage, get_plugin_manager
    from terrain.posts import Capabilities, Mention, Post, PostMedia, Receipt
    from terrain.projects import Milestone, Project
    from terrain.secrets import Secret
    from terrain.store import Workspace
    from terrain.workshops import Workshop
