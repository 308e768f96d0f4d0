"""The one rule for storage keys, shared by every built-in storage backend.

A key is a relative, ``/``-separated path (``media/ev-1/p-12.jpg``): not empty,
not absolute, no backslash, no empty, ``.`` or ``..`` segment, no control
character, at most 1024 bytes in UTF-8 (S3's limit). Anything else raises
:class:`~terrain.errors.InvalidKey` naming the key and what to change.
"""

from __future__ import annotations

from terrain.errors import InvalidKey

__all__ = ["MAX_KEY_BYTES", "check_key"]

MAX_KEY_BYTES = 1024


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe storage key, else raise :class:`InvalidKey`."""
    if not isinstance(key, str) or not key:
        raise InvalidKey(f"storage key {key!r}: give a non-empty relative path like 'media/a.jpg'")
    if key.startswith("/"):
        raise InvalidKey(f"storage key {key!r} is absolute; drop the leading '/'")
    if "\\" in key:
        raise InvalidKey(f"storage key {key!r} contains '\\'; separate folders with '/'")
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise InvalidKey(f"storage key {key!r} contains a control character; remove it")
    for segment in key.split("/"):
        if segment in {"", ".", ".."}:
            raise InvalidKey(
                f"storage key {key!r} has an empty, '.' or '..' segment; "
                "give a plain path inside the store"
            )
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidKey(f"storage key {key[:40]!r}… is over {MAX_KEY_BYTES} bytes; shorten it")
    return key
