"""A publisher worker: a long-running loop over a journal shared with others.

Several workers (threads of one process, processes of one machine, machines
sharing one database) drain the same journal. Each loop of a worker thread:

1. every ``poll`` seconds, **takes over** rows whose claimer died or whose
   lease expired, and reconciles them with ``Platform.find`` before any
   retry (the same code as :func:`~terrain.publishing.publish` after a crash);
2. **claims** the oldest due ``planned`` row (an atomic ``UPDATE`` in a write
   transaction: two workers never take the same row);
3. **reserves a call slot** in the journal, so that the platform's rate and
   daily budget hold across every worker (see :meth:`Journal.reserve`),
   waits for it, asks **consent** at that instant, runs the hooks, calls the
   platform and records the receipt;
4. with nothing due, **sleeps** until the next due row (at most ``poll``).

A ``stop`` event (SIGTERM or SIGINT in ``terrain worker``) ends the loop
gracefully: a call in flight finishes and is recorded, a row claimed but not
yet called is released (planned again, for another worker), and
:func:`run_worker` returns. ``drain=True`` returns as soon as nothing is due or in
flight on the worker's platforms.

A worker outlives its database: when the store cannot be reached (a server
stopped or restarting, a connection dropped, a SQLite file locked by another
program), every thread waits for it, polling with a growing, jittered delay,
and carries on when it answers; the outage is announced once through
``on_notice``. Nothing is lost meanwhile: a receipt that came back during the
outage is recorded when the store is back, a row claimed but not called is
given back. ``max_outage`` makes the worker return instead, after that many
seconds of outage, with :attr:`WorkerReport.unreachable` saying so (the
rows it held are taken over by other workers after their lease). An
unexpected error in a thread stops the worker too, with
:attr:`WorkerReport.error` (and the traceback in the ``terrain.publishing``
log): the report is returned whatever ended the worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any

import attrs

from terrain.consent import DecisionRecord
from terrain.errors import StoreUnavailable
from terrain.plugins import Platform
from terrain.posts import Post
from terrain.publishing._approvals import ApprovalCheck
from terrain.publishing._journal import Journal, JournalRow, new_owner_id
from terrain.publishing._judge import Gate
from terrain.publishing._outage import GaveUp
from terrain.publishing._policy import DEFAULT_POLICIES, PlatformPolicy
from terrain.publishing._runner import _PlatformRun, _Runner, scrub

__all__ = ["WorkerReport", "run_worker"]

log = logging.getLogger("terrain.publishing")


@attrs.frozen
class WorkerReport:
    """What one worker did until it stopped.

    ``counts``: rows it brought to each final state (``confirmed``, ``held``,
    ``failed``) or put back (``planned``: a spent budget). ``reconciled``:
    rows it took over from a dead worker or an expired lease. ``messages``:
    platform-wide notes (a stopped platform starts with ``STOPPED``).
    ``stopped``: ``True`` when a stop was asked (a signal), ``False`` when it
    drained the journal. ``outages``: how many store outages it rode out (or
    was in when it ended). ``unreachable``: why it ended because the store
    could not be reached (longer than ``max_outage``, or stopped during an
    outage), ``None`` otherwise; nothing is lost then: run it again.
    ``error``: an unexpected error that ended it (a bug: its type and message).
    """

    owner: str
    counts: Mapping[str, int]
    reconciled: int
    messages: tuple[str, ...]
    stopped: bool
    outages: int = 0
    unreachable: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Whether a post failed, a platform stopped, or an unexpected error ended the worker."""
        return (
            bool(self.counts.get("failed"))
            or self.error is not None
            or any(m.startswith("STOPPED") for m in self.messages)
        )


class _Loop:
    """One worker's shared state: counters and when each platform was last reconciled."""

    def __init__(self, runner: _Runner, poll: float, drain: bool, max_wait: float) -> None:
        self.runner = runner
        self.poll = poll
        self.drain = drain
        self.max_wait = max_wait
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.reconciled = 0
        self.last_reconcile: dict[str, float] = {}
        self.unreachable: str | None = None
        self.error: str | None = None
        self.ended_itself = False  # a thread set the stop event: not a signal

    def count(self, row: JournalRow) -> None:
        with self.lock:
            self.counts[str(row.state)] += 1

    def reconcile_due(self, run: _PlatformRun) -> None:
        with self.lock:
            last = self.last_reconcile.get(run.name)
            now = time.monotonic()
            if last is not None and now - last < self.poll:
                return
            self.last_reconcile[run.name] = now
        taken = self.runner.reconcile(run, quiet=True)
        if taken:
            with self.lock:
                self.reconciled += taken

    def thread(self, run: _PlatformRun, stop: threading.Event) -> None:
        """One worker thread, until a stop, a drained journal, or an end it reports."""
        try:
            while not stop.is_set() and run.stopped is None:
                try:
                    if self.step(run, stop):
                        return
                except StoreUnavailable as exc:
                    self.runner.outage.wait(exc)
        except GaveUp as exc:
            with self.lock:
                self.unreachable = self.unreachable or str(exc)
                self.ended_itself = self.ended_itself or not exc.stopped
            stop.set()
        except Exception as exc:
            log.exception("terrain worker %s: a thread failed", self.runner.owner)
            with self.lock:
                self.error = self.error or scrub(
                    f"unexpected {type(exc).__name__} in a worker thread: {exc}; the posts "
                    "this worker held are taken over after their lease, checked with find() "
                    "first. Report it with the traceback from the log"
                )
                self.ended_itself = True
            stop.set()

    def step(self, run: _PlatformRun, stop: threading.Event) -> bool:
        """Claim and process one row, or wait for the next; ``True`` when drained."""
        runner = self.runner
        journal = runner.journal
        self.reconcile_due(run)
        now = runner.now_fn()
        row = journal.claim_ready(run.name, runner.owner, now=now, lease=runner.lease)
        if row is not None:
            runner.process(run, row)
            return False
        due = journal.next_due(run.name)
        _, in_flight = journal.open_rows(run.name, now=now)
        later = due is None or (due - now).total_seconds() > self.max_wait
        if self.drain and in_flight == 0 and later:
            return True
        pause = self.poll if due is None else (due - now).total_seconds()
        stop.wait(min(max(pause, 0.005), self.poll))
        return False


def run_worker(
    journal: Journal,
    platforms: Mapping[str, Platform] | Sequence[Platform],
    *,
    gate: Gate,
    now_fn: Callable[[], datetime],
    record_decision: Callable[[DecisionRecord], None] | None = None,
    hook: Any = None,
    policies: Mapping[str, PlatformPolicy] | None = None,
    concurrency: int | None = None,
    drain: bool = False,
    stop: threading.Event | None = None,
    poll: float = 1.0,
    lease: timedelta = timedelta(minutes=5),
    max_wait: float = 120.0,
    owner: str | None = None,
    on_progress: Callable[[JournalRow], None] | None = None,
    jitter: Callable[[], float] | None = None,
    max_outage: float | None = None,
    on_notice: Callable[[str], None] | None = None,
    approval: ApprovalCheck | None = None,
    egress: Callable[[Post], Post] | None = None,
) -> WorkerReport:
    """Publish the due rows of ``platforms`` from ``journal`` until ``stop`` is set.

    ``gate``, ``record_decision``, ``hook``, ``policies`` and ``lease`` are
    as for :func:`~terrain.publishing.publish`; nothing is planned here (plan
    with :meth:`Journal.plan` or ``terrain publish --enqueue``).
    ``concurrency`` overrides each platform's calls in flight in this worker
    (the rate and daily budget still hold across all workers). ``poll``:
    the longest sleep between looks at the journal. ``drain=True``: return
    when no row of these platforms is in flight and none is due within
    ``max_wait`` seconds. ``approval`` and ``egress`` are as for
    :func:`~terrain.publishing.publish`: with approval on, an unapproved post is
    held, never sent.

    A store outage is waited out however long it lasts, announced once
    through ``on_notice`` (default: a warning log) when it starts and when it
    ends; ``max_outage`` (seconds) ends the worker instead after that long
    (:attr:`WorkerReport.unreachable`). ``jitter`` draws numbers in ``[0, 1)``
    that spread retry delays and polls (default :func:`random.random`).
    """
    by_name = dict(platforms) if isinstance(platforms, Mapping) else {p.name: p for p in platforms}
    stop = stop if stop is not None else threading.Event()
    chosen = {**DEFAULT_POLICIES, **(policies or {})}
    runs = []
    for name, platform in by_name.items():
        policy = chosen.get(name, PlatformPolicy())
        if concurrency is not None:
            policy = attrs.evolve(policy, concurrency=max(1, concurrency))
        runs.append(_PlatformRun(platform, policy))
    me = owner or new_owner_id()

    def pause(seconds: float) -> None:
        stop.wait(seconds)

    counted: list[Callable[[JournalRow], None]] = []

    def progress(row: JournalRow) -> None:
        for callback in counted:
            callback(row)

    runner = _Runner(
        journal,
        gate=gate,
        record_decision=record_decision,
        hook=hook,
        now_fn=now_fn,
        sleep=pause,
        lease=lease,
        max_wait=max_wait,
        owner=me,
        on_progress=progress,
        stop=stop,
        jitter=jitter,
        max_outage=max_outage,
        on_notice=on_notice,
        approval=approval,
        egress=egress,
    )
    loop = _Loop(runner, poll, drain, max_wait)
    counted.append(loop.count)
    if on_progress is not None:
        counted.append(on_progress)
    slots = [r for r in runs for _ in range(max(1, r.policy.concurrency))]
    with ThreadPoolExecutor(max(1, len(slots)), thread_name_prefix="terrain-worker") as pool:
        futures = [pool.submit(loop.thread, r, stop) for r in slots]
        pending = set(futures)
        while pending:
            # Short waits keep the calling thread responsive to signals.
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    stop.set()
        for future in futures:
            future.result()
    return WorkerReport(
        owner=me,
        counts=dict(loop.counts),
        reconciled=loop.reconciled,
        messages=tuple(m for r in runs for m in r.messages),
        stopped=stop.is_set() and not loop.ended_itself,
        outages=runner.outage.count,
        unreachable=loop.unreachable,
        error=loop.error,
    )
