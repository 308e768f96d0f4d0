"""The one rule for storage keys, for every storage backend: built-in, a plugin's, or
the in-memory one of :mod:`terrain.testing`.

A key is a relative, ``/``-separated path (``media/ev-1/p-12.jpg``): not empty,
not absolute, no backslash, no empty, ``.`` or ``..`` segment, no control
character, at most :data:`MAX_KEY_BYTES` bytes in UTF-8 (S3's limit). The models
holding a key (``MediaFile.key``, ``Evidence.file_key``) apply the same rule.
"""

from __future__ import annotations

from terrain._validation import MAX_KEY_BYTES, key_problem
from terrain.errors import InvalidKey

__all__ = ["MAX_KEY_BYTES", "check_storage_key"]


def check_storage_key(key: str) -> str:
    """Return ``key`` if it is a safe storage key, else raise
    :class:`~terrain.errors.InvalidKey` naming the key and what to change."""
    problem = key_problem(key)
    if problem is not None:
        raise InvalidKey(problem)
    return key
