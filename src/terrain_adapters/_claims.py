"""Which terrain post each remote post belongs to, as far as this process knows.

``find`` matches a post by its exact text: two posts with the same text (the
same recap planned twice, a test that reuses a sentence) would otherwise both
"find" the first one. Each adapter remembers the remote ids it published or
found for a post id, and ``find`` skips a remote post already claimed by
another post. After a restart nothing is remembered, and the exact text is
the only evidence left (X refuses a duplicate text anyway).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["Claims"]

T = TypeVar("T")


class Claims:
    """remote id → post id, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: dict[str, str] = {}

    def claim(self, remote_id: str, post_id: str) -> None:
        """Record that ``remote_id`` is the platform's copy of ``post_id``."""
        with self._lock:
            self._owner[remote_id] = post_id

    def forget(self, remote_id: str) -> None:
        """``remote_id`` was deleted."""
        with self._lock:
            self._owner.pop(remote_id, None)

    def pick(
        self, post_id: str, candidates: Iterable[T], remote_id: Callable[[T], str]
    ) -> T | None:
        """The candidate claimed by ``post_id``, else the first one nobody claimed."""
        free: T | None = None
        with self._lock:
            for candidate in candidates:
                owner = self._owner.get(remote_id(candidate))
                if owner == post_id:
                    return candidate
                if owner is None and free is None:
                    free = candidate
        return free
