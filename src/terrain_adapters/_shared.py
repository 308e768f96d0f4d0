"""What the platform adapters share: the clock, the media reader, integer settings.

Every adapter reads a post's media from the workspace storage the same way
(:func:`read_media`): no storage is a :class:`~terrain.errors.ConfigError`
saying to configure one, a key missing from the storage is
:class:`~terrain.errors.Rejected` (import the file again; a retry cannot help).

:func:`read_media` is also the check at the way out: the bytes go through
:func:`terrain.media.clean_media`, so location and thumbnails are removed from
every media file that leaves, whatever way it reached the storage (copied by
hand, written by a plugin); a file terrain cannot clean (not a JPEG or a PNG,
corrupt) is :class:`~terrain.errors.Rejected`, never sent as it is.
:func:`check_media_clean` does the same for a platform that fetches the file
itself from a public URL (Instagram): it refuses a file that is not clean.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from terrain import clock
from terrain.errors import ConfigError, NotFound, PlatformError, Rejected
from terrain.secrets import redact

if TYPE_CHECKING:
    from terrain.plugins import Storage
    from terrain.posts import Post

__all__ = [
    "CONNECT_TIMEOUT",
    "Clock",
    "check_media_clean",
    "http_timeout",
    "instant",
    "int_setting",
    "read_media",
    "require_storage",
    "text_with_link",
    "traced",
    "utcnow",
]

#: Gives the time written on receipts (tests pass a fixed one).
Clock = Callable[[], datetime]

#: Seconds to wait for a platform's server to accept the connection. Short: with no
#: network (or a server that is down) a call fails in seconds, not after the whole
#: ``timeout``, and the runner's retries (and their "retrying" lines) start at once.
CONNECT_TIMEOUT = 5.0


def http_timeout(timeout: float) -> tuple[float, float]:
    """``(connect, read)`` seconds for ``requests``: connecting takes at most
    :data:`CONNECT_TIMEOUT`, an answer at most ``timeout``."""
    return (min(CONNECT_TIMEOUT, timeout), timeout)


def utcnow() -> datetime:
    """The current time in UTC (terrain's one clock): the clock adapters use unless given one."""
    return clock.now()


@contextmanager
def traced(logger: logging.Logger, platform: str, what: str) -> Iterator[None]:
    """Log a call to a platform at DEBUG: what is asked, then how it ended and how long
    it took (``terrain -vv`` shows them). ``what`` names the call, never a token;
    failures are logged as the :class:`~terrain.errors.PlatformError` they became,
    secrets masked."""
    logger.debug("%s: %s", platform, what)
    start = time.monotonic()
    try:
        yield
    except PlatformError as exc:
        elapsed = time.monotonic() - start
        failure = f"{type(exc).__name__}: {redact(exc)}"
        logger.debug("%s: %s failed after %.2fs: %s", platform, what, elapsed, failure)
        raise
    logger.debug("%s: %s done in %.2fs", platform, what, time.monotonic() - start)


def require_storage(storage: Storage | None, post: Post, *, platform: str) -> None:
    """Raise :class:`ConfigError` if ``post`` has media and there is no ``storage``.

    Adapters call it before their first request, so a post with media is never
    half-sent for want of a storage.
    """
    if post.media and storage is None:
        raise ConfigError(
            f"{platform}: post {post.id} has media but the workspace has no storage to read "
            "them from; configure [storage] in terrain.toml"
        )


def read_media(storage: Storage | None, key: str, *, platform: str) -> bytes:
    """The bytes of media ``key`` from the workspace ``storage``.

    No storage raises :class:`ConfigError`; a key the storage does not hold
    raises :class:`Rejected` naming it.
    """
    if storage is None:
        raise ConfigError(
            f"{platform}: media {key!r} cannot be read: the workspace has no storage; "
            "configure [storage] in terrain.toml"
        )
    try:
        data = storage.get(key)
    except NotFound:
        raise Rejected(
            f"{platform}: media {key!r} is not in the workspace storage; import it again",
            platform=platform,
        ) from None
    return _cleaned(data, key, platform)


def _cleaned(data: bytes, key: str, platform: str) -> bytes:
    from terrain.media import MediaRejected, clean_media

    try:
        return clean_media(data, name=key)
    except MediaRejected as exc:
        raise Rejected(f"{platform}: media {exc}", platform=platform) from None


def check_media_clean(storage: Storage, key: str, *, platform: str) -> None:
    """Raise :class:`Rejected` unless media ``key`` may leave as it is stored (for a
    platform that fetches it from a public URL, so terrain cannot clean it on the way)."""
    data = read_media(storage, key, platform=platform)  # cleaned, or Rejected
    if storage.get(key) != data:
        raise Rejected(
            f"{platform}: media {key!r} carries metadata that must not leave the workspace "
            "(location, a thumbnail…); it did not come through `terrain content import`: "
            "import the photo again, and use the imported one",
            platform=platform,
        )


def int_setting(
    settings: Mapping[str, Any], key: str, default: int, low: int, high: int, *, table: str
) -> int:
    """The whole number ``key`` of ``[platforms.<table>]`` (``default`` when absent),
    or :class:`ConfigError` saying the range to give."""
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"[platforms.{table}] {key} = {value!r}: give a whole number from {low} to {high}"
        )
    return value


def text_with_link(post: Post) -> str:
    """The text a network with in-text mentions shows: the text, ``@handle`` for
    each mention, then the link (when the text does not hold it already)."""
    return post.text_with_link()


def instant(value: object) -> datetime | None:
    """An ISO 8601 instant from an API (``…Z`` accepted), or ``None`` if it is not one
    or has no offset."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
