"""The one rule for storage keys, shared by every built-in storage backend.

A key is a relative, ``/``-separated path (``media/ev-1/p-12.jpg``): not empty,
not absolute, no backslash, no empty, ``.`` or ``..`` segment, no control
character, at most 1024 bytes in UTF-8 (S3's limit). Anything else raises
:class:`~terrain.errors.InvalidKey` naming the key and what to change. The rule
itself is :func:`terrain._validation.key_problem`, which the models holding a
key (``MediaFile.key``, ``Evidence.file_key``) apply too.
"""

from __future__ import annotations

from terrain._validation import MAX_KEY_BYTES, key_problem
from terrain.errors import InvalidKey

__all__ = ["MAX_KEY_BYTES", "check_key"]


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe storage key, else raise :class:`InvalidKey`."""
    problem = key_problem(key)
    if problem is not None:
        raise InvalidKey(problem)
    return key
