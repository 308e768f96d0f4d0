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
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any

import attrs

from terrain.consent._decide import DecisionRecord
from terrain.plugins import Platform
from terrain.publishing._journal import Journal, JournalRow, new_owner_id
from terrain.publishing._policy import DEFAULT_POLICIES, PlatformPolicy
from terrain.publishing._runner import Gate, _PlatformRun, _Runner

__all__ = ["WorkerReport", "run_worker"]


@attrs.frozen
class WorkerReport:
    """What one worker did until it stopped.

    ``counts``: rows it brought to each final state (``confirmed``, ``held``,
    ``failed``) or put back (``planned``: a spent budget). ``reconciled``:
    rows it took over from a dead worker or an expired lease. ``messages``:
    platform-wide notes (a stopped platform starts with ``STOPPED``).
    ``stopped``: ``True`` when a stop was asked (a signal), ``False`` when it
    drained the journal.
    """

    owner: str
    counts: Mapping[str, int]
    reconciled: int
    messages: tuple[str, ...]
    stopped: bool

    @property
    def failed(self) -> bool:
        """Whether a post failed or a platform stopped."""
        return bool(self.counts.get("failed")) or any(
            m.startswith("STOPPED") for m in self.messages
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
        runner = self.runner
        journal = runner.journal
        while not stop.is_set() and run.stopped is None:
            self.reconcile_due(run)
            now = runner.now_fn()
            row = journal.claim_ready(run.name, runner.owner, now=now, lease=runner.lease)
            if row is not None:
                runner.process(run, row)
                continue
            due = journal.next_due(run.name)
            _, in_flight = journal.open_rows(run.name, now=now)
            later = due is None or (due - now).total_seconds() > self.max_wait
            if self.drain and in_flight == 0 and later:
                return
            pause = self.poll if due is None else (due - now).total_seconds()
            stop.wait(min(max(pause, 0.005), self.poll))


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
) -> WorkerReport:
    """Publish the due rows of ``platforms`` from ``journal`` until ``stop`` is set.

    ``gate``, ``record_decision``, ``hook``, ``policies`` and ``lease`` are
    as for :func:`~terrain.publishing.publish`; nothing is planned here (plan
    with :meth:`Journal.plan` or ``terrain publish --enqueue``).
    ``concurrency`` overrides each platform's calls in flight in this worker
    (the rate and daily budget still hold across all workers). ``poll``:
    the longest sleep between looks at the journal. ``drain=True``: return
    when no row of these platforms is in flight and none is due within
    ``max_wait`` seconds.
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
        stopped=stop.is_set(),
    )
