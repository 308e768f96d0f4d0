"""Every error terrain raises on purpose.

Catch :class:`TerrainError` to handle them all. Each subclass also derives from
the builtin exception that says what it is, so ``except ValueError`` keeps
working for code that does not know terrain::

    TerrainError
    ├── ValidationError(ValueError)          a model or input value is invalid
    │   └── DeserializationError             JSON/TOML that does not fit a model
    ├── ConfigError(ValueError)              terrain.toml is malformed or incomplete
    │   └── MissingSecret(LookupError)       a token is not in the environment
    ├── NotFound(LookupError)                an id that does not exist
    ├── Conflict(ValueError)                 an id that already exists, a duplicate
    ├── ConsentError(ValueError)             a consent record that cannot be recorded
    ├── ConsentDenied(PermissionError)       publishing would break someone's consent
    ├── PublishVetoed(PermissionError)       a plugin's before-publish hook said no
    ├── LinkRefused(PermissionError)         a web link forged, expired, used or revoked
    ├── AccessDenied(PermissionError)        the review desk: not logged in, or not allowed
    ├── ComposeError(ValueError)             a post cannot fit a platform as asked
    ├── PluginError(RuntimeError)            a plugin failed to load or register
    ├── StorageError(OSError)                a storage backend failed
    │   ├── StoreUnavailable                 the database cannot be reached now; retry
    │   └── InvalidKey(ValueError)           a storage key is unsafe (traversal…)
    └── PlatformError(RuntimeError)          a platform call failed
        ├── RateLimited                      slow down; ``retry_after`` seconds
        ├── TransientError                   try again later (5xx, timeout)
        ├── AuthError(PermissionError)       fix the credentials, retrying won't help
        └── Rejected                         the platform refused this content

Messages say what was wrong, where, and what to do. They never contain a
secret: adapters redact tokens before raising.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AuthError",
    "ComposeError",
    "ConfigError",
    "Conflict",
    "ConsentDenied",
    "ConsentError",
    "DeserializationError",
    "InvalidKey",
    "LinkRefused",
    "MissingSecret",
    "NotFound",
    "PlatformError",
    "PluginError",
    "PublishVetoed",
    "RateLimited",
    "Rejected",
    "StorageError",
    "StoreUnavailable",
    "TerrainError",
    "TransientError",
    "ValidationError",
]


class TerrainError(Exception):
    """Root of every error terrain raises on purpose."""


class ValidationError(TerrainError, ValueError):
    """A value does not satisfy a model's rules.

    ``field`` names the offending field as ``Model.field`` when known.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DeserializationError(ValidationError):
    """Serialized data (JSON, a dict) does not fit the model it is read as.

    ``errors`` lists one readable line per problem, each ending with the path
    of the offending value (``@ $.talks[1].minutes``).
    """

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = list(errors or [])


class ConfigError(TerrainError, ValueError):
    """``terrain.toml`` (or another configuration source) is wrong."""


class MissingSecret(ConfigError, LookupError):
    """A required secret is absent; the message names the variable to set."""


class NotFound(TerrainError, LookupError):
    """An id that names nothing (a member, an event, a plugin…)."""


class Conflict(TerrainError, ValueError):
    """Something with that id (or content) exists already."""


class ConsentError(TerrainError, ValueError):
    """A consent record or request that cannot be recorded as given."""


class ConsentDenied(TerrainError, PermissionError):
    """Publishing would show or tag someone without a valid consent.

    ``decision`` holds the :class:`terrain.Decision` with the reasons.
    """

    def __init__(self, message: str, *, decision: object | None = None) -> None:
        super().__init__(message)
        self.decision = decision


class PublishVetoed(TerrainError, PermissionError):
    """A ``terrain_before_publish`` hook refused a post; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LinkRefused(TerrainError, PermissionError):
    """A member's web link (``terrain serve``) cannot be used: forged, for
    another purpose, expired, already used, or revoked. ``reason`` says which
    (for logs and tests; the page shows every visitor the same words)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class AccessDenied(TerrainError, PermissionError):
    """The review desk refuses: a wrong account name or password, a session that
    ended, or an account whose role (or the four-eyes rule) does not allow what it
    asked. ``reason`` says which (``login``, ``session``, ``expired``, ``role``,
    ``four-eyes``)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ComposeError(TerrainError, ValueError):
    """A post cannot be made to fit a platform (too long, too many media…)."""


class PluginError(TerrainError, RuntimeError):
    """A plugin could not be loaded, or registered something it may not."""


class StorageError(TerrainError, OSError):
    """A storage backend could not read, write or delete."""


class StoreUnavailable(StorageError):
    """The workspace database cannot be reached right now: the server is down or
    restarting, the connection was lost, or the SQLite file is locked by another
    program. Nothing stored is lost; what was being written is either fully
    saved or not at all. Retry once the store answers (``terrain worker`` waits
    for it by itself; the command line exits with code 75).
    """


class InvalidKey(StorageError, ValueError):
    """A storage key is empty, absolute, or escapes its root (``..``)."""


class PlatformError(TerrainError, RuntimeError):
    """A call to a platform failed.

    ``retryable`` tells the publishing runner whether trying again can help.
    ``platform`` names the platform when known.
    """

    retryable: bool = False

    def __init__(self, message: str, *, platform: str | None = None) -> None:
        super().__init__(message)
        self.platform = platform


class RateLimited(PlatformError):
    """The platform asks to slow down; retry after ``retry_after`` seconds."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, platform: str | None = None
    ) -> None:
        super().__init__(message, platform=platform)
        self.retry_after = retry_after


class TransientError(PlatformError):
    """A failure that may pass: a 5xx answer, a timeout, a dropped connection."""

    retryable = True


class AuthError(PlatformError, PermissionError):
    """The credentials are missing, wrong or expired; retrying won't help."""


class Rejected(PlatformError):
    """The platform refused this content (policy, duplicate, format)."""
