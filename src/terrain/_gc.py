"""Pausing the cyclic garbage collector while terrain builds many lasting objects.

Reading a workspace's consent history for a publication (ten thousand stored
events), or the photos of an event, makes tens of thousands of objects that all
outlive the read. The collector counts them as they are made and, once enough
survive, scans the whole heap (every module, class and record the process
holds) for cycles that are not there: measured on the benchmark's workspace,
the consent read-ahead of a 200-post publication took 150 ms with the
collector paused and 250-300 ms with it running (two full scans).

:func:`collector_paused` pauses it for one call and turns it back on after,
only if it was on: code that turned it off before the call keeps it off. The
switch is the process's, not the thread's: other threads run with it paused for
as long, and code that turns it off in another thread while such a call runs
finds it on again after (as with any code that pauses the collector). Nothing
is lost while it is paused: an object is still freed when its last reference
goes, and a cycle made meanwhile is found at the next collection.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["collector_paused"]

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(f: Callable[P, R]) -> Callable[P, R]:
    """``f``, run with the cyclic garbage collector paused (see the module)."""

    @functools.wraps(f)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return f(*args, **kwargs)
        gc.disable()
        try:
            return f(*args, **kwargs)
        finally:
            gc.enable()

    return paused
