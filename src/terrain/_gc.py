"""Pausing the cyclic garbage collector while terrain builds many lasting objects.

Reading a workspace's consent history for a publication (ten thousand stored
events), or the photos of an event, makes tens of thousands of objects that all
outlive the read. The collector counts them as they are made and, once enough
survive, scans the whole heap (every module, class and record the process
holds) for cycles that are not there: measured on the benchmark's workspace,
the consent read-ahead of a 200-post publication took 175-190 ms with the
collector paused (one collection) and 250-330 ms with it running (~190
collections, two of them full scans).

``with collector_paused():`` pauses it for the block and turns it back on after,
only if it was on: code that turned it off before keeps it off. The switch is
the process's, not the thread's: other threads run with it paused for as long,
and code that turns it off in another thread while such a block runs finds it
on again after (as with any code that pauses the collector). Nothing is lost
while it is paused: an object is still freed when its last reference goes, and
a cycle made meanwhile is found at the next collection.
"""

from __future__ import annotations

import gc
from types import TracebackType

__all__ = ["collector_paused"]


class collector_paused:  # named as a function: it is used as one, ``with collector_paused():``
    """The cyclic garbage collector, paused for a ``with`` block (see the module)."""

    __slots__ = ("_paused",)

    def __enter__(self) -> None:
        self._paused = gc.isenabled()
        if self._paused:
            gc.disable()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._paused:
            gc.enable()
