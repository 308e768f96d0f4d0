"""Riding out a store outage: wait for the database, say so once, carry on.

When the workspace database cannot be reached
(:class:`~terrain.errors.StoreUnavailable`: a PostgreSQL server stopped or
restarting, a dropped connection, a SQLite file locked by another program),
the runner's threads do not die: each calls :meth:`Outage.wait`, which polls
the store (:meth:`terrain.store.Database.ping`) with a growing, jittered
delay until it answers, then returns so the thread retries what it was doing
(every journal transition is guarded, so a retry is safe or detected). The
first thread to see an outage announces it, the first to see the store back
says so: one line each per outage, whatever the number of threads. A lost
connection to a store that answers at once (a connection killed, a stale one)
is retried without a word.

``max_outage`` lets an operator prefer exiting to waiting: past it, or when a
stop is asked during an outage, :meth:`Outage.wait` raises :class:`GaveUp`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from terrain.errors import StoreUnavailable

__all__ = ["GaveUp", "Outage"]

#: First and longest pause (seconds) between two looks at a store that is down.
FIRST_POLL = 0.25
LONGEST_POLL = 2.0
#: Each pause is stretched by up to this fraction, at random, so that workers
#: waiting for the same server do not all come back at the same instant.
JITTER = 0.5


class GaveUp(Exception):
    """The store stayed unreachable longer than ``max_outage``, or a stop was
    asked while waiting for it. ``error`` is the last
    :class:`~terrain.errors.StoreUnavailable`; ``stopped`` tells which."""

    def __init__(self, message: str, *, error: StoreUnavailable, stopped: bool) -> None:
        super().__init__(message)
        self.error = error
        self.stopped = stopped

    def as_error(self) -> StoreUnavailable:
        """This as the :class:`~terrain.errors.StoreUnavailable` a caller raises."""
        return StoreUnavailable(str(self))


def jittered(delay: float, random: Callable[[], float]) -> float:
    """``delay`` stretched by a random part of up to :data:`JITTER` of itself (never shortened:
    a ``Retry-After`` or a backoff is a minimum)."""
    return delay * (1.0 + JITTER * random())


class Outage:
    """The outage state shared by the threads of one run or worker.

    ``probe`` raises :class:`~terrain.errors.StoreUnavailable` while the store
    is down; ``notice`` receives the once-per-outage lines; ``sleep`` waits
    (returns early when ``stop`` is set); ``random`` draws the jitter (inject a
    seeded one in tests); ``clock`` measures how long an outage lasts.
    """

    def __init__(
        self,
        probe: Callable[[], None],
        *,
        notice: Callable[[str], None],
        random: Callable[[], float],
        sleep: Callable[[float], None],
        stop: threading.Event | None = None,
        max_outage: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.probe = probe
        self.notice = notice
        self.random = random
        self.sleep = sleep
        self.stop = stop
        self.max_outage = max_outage
        self.clock = clock
        self.lock = threading.Lock()
        self.since: float | None = None
        self.count = 0  #: outages seen so far
        self.last: StoreUnavailable | None = None

    @property
    def down(self) -> bool:
        """Whether an outage is going on (a thread saw the store fail and none saw it back)."""
        return self.since is not None

    def wait(self, error: StoreUnavailable) -> None:
        """Block until the store answers again after ``error``; raise :class:`GaveUp`
        past ``max_outage`` or when a stop is asked."""
        with self.lock:
            self.last = error
            ongoing = self.since is not None
        if not ongoing:
            # A connection dropped while the server stays up (or an error left over
            # from an outage another thread just saw end) is no outage: say nothing.
            try:
                self.probe()
            except StoreUnavailable as still:
                with self.lock:
                    self.last = still
            else:
                return
        with self.lock:
            if self.since is None:
                self.since = self.clock()
                self.count += 1
                limit = (
                    f", for {self.max_outage:g} s at most (--max-outage)"
                    if self.max_outage is not None
                    else ""
                )
                self.notice(
                    f"the store is unreachable: {error} -- waiting for it{limit}, looking "
                    "every few seconds; nothing is lost (what is in flight is recorded when "
                    "it is back)."
                )
        delay = FIRST_POLL
        while True:
            self._give_up_if_due()
            self.sleep(jittered(delay, self.random))
            self._give_up_if_due()
            try:
                self.probe()
            except StoreUnavailable as still:
                with self.lock:
                    self.last = still
                delay = min(delay * 2, LONGEST_POLL)
                continue
            with self.lock:
                if self.since is not None:
                    self.notice(
                        f"the store answers again after {self.clock() - self.since:.0f} s; "
                        "carrying on."
                    )
                    self.since = None
            return

    def _give_up_if_due(self) -> None:
        with self.lock:
            since, last = self.since, self.last or StoreUnavailable("the store is unreachable")
        if self.stop is not None and self.stop.is_set():
            raise GaveUp(
                f"stopped while the store was unreachable ({last}). Nothing is lost: posts "
                "this worker had claimed are taken over by another worker once their lease "
                "expires, and checked with find() first",
                error=last,
                stopped=True,
            )
        if since is None or self.max_outage is None:
            return
        elapsed = self.clock() - since
        if elapsed > self.max_outage:
            raise GaveUp(
                f"the store was unreachable for {elapsed:.0f} s, more than the "
                f"{self.max_outage:g} s allowed (--max-outage): {last}. Nothing is lost: posts "
                "in flight are taken over after their lease and checked with find() first; "
                "run the worker again once the store answers",
                error=last,
                stopped=False,
            )
