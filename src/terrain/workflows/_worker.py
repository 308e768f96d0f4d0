"""A publisher worker over a workspace: ``terrain worker``'s library side.

:func:`run_workspace_worker` builds the workspace's platforms, consent gate
(the ledger as stored at each call) and decision log, and runs
:func:`terrain.publishing.run_worker` on the workspace's journal until
``stop`` is set (or, with ``drain``, until nothing is left to do). It also
carries out the takedowns that withdrawals queued
(:func:`terrain.publishing.run_takedowns`): first, then every ``poll``
seconds while it runs (with ``drain``: once more at the end). Given a
folder rather than an open workspace, it opens it itself, waiting for a
store that is down when the worker starts as it would for one that goes down
later.

:func:`replan_unchecked` plans again the rows held because consent could not
be read (earlier versions of terrain held a post for good when the store
failed during its consent check).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import require_aware
from terrain.errors import ConfigError, NotFound, PluginError, StoreUnavailable, ValidationError
from terrain.plugins import Platform
from terrain.publishing import (
    GaveUp,
    JournalRow,
    Outage,
    PlatformPolicy,
    RowState,
    TakedownQueue,
    TakedownRun,
    WorkerReport,
    held_for_infrastructure,
    new_owner_id,
    run_takedowns,
    run_worker,
)
from terrain.workflows._publish import (
    clock_from,
    configured_policies,
    journal_of,
    plugin_hook,
    runner_rules,
    workspace_gate,
)

if TYPE_CHECKING:
    from terrain.store import Workspace

log = logging.getLogger("terrain.worker")

__all__ = ["replan_unchecked", "run_queued_takedowns", "run_workspace_worker", "worker_platforms"]


def worker_platforms(ws: Workspace) -> list[str]:
    """The platforms a worker serves by default: those with a
    ``[platforms.<name>]`` table in terrain.toml and those with rows planned
    or in flight in the journal."""
    configured = list(ws.config.platforms)
    open_rows = journal_of(ws).rows(states=(RowState.PLANNED, RowState.CLAIMED, RowState.SENT))
    return sorted(set(configured) | {r.platform for r in open_rows})


def run_workspace_worker(
    ws: Workspace | Path | None,
    platforms: Sequence[str] = (),
    *,
    now: datetime | Callable[[], datetime],
    concurrency: int | None = None,
    drain: bool = False,
    stop: threading.Event | None = None,
    poll: float = 1.0,
    lease: timedelta = timedelta(minutes=5),
    hook: Any = None,
    policies: Mapping[str, PlatformPolicy] | None = None,
    on_progress: Callable[[JournalRow], None] | None = None,
    max_outage: float | None = None,
    on_notice: Callable[[str], None] | None = None,
    jitter: Callable[[], float] | None = None,
) -> WorkerReport:
    """Drain the workspace's journal for ``platforms`` (default:
    :func:`worker_platforms`) until ``stop`` is set, or with ``drain`` until
    nothing is due or in flight. ``hook``: ``None`` uses the installed
    plugins' hooks, ``False`` runs none. Queued takedowns are carried out
    first, then every ``poll`` seconds (:func:`run_queued_takedowns`); the
    report's ``counts`` say how they ended (``taken down``, ``to remove by
    hand``) and its ``messages`` what must be removed by hand.

    ``ws`` is an open workspace, or its folder (``None``: found as the
    command line finds it, :meth:`Workspace.find <terrain.Workspace.find>`),
    which is then opened here and closed at the end; a store that cannot be
    reached at that moment is waited for like an outage during the run.
    ``max_outage`` (seconds, ``None`` for no limit) and ``on_notice`` are as
    for :func:`~terrain.publishing.run_worker`; an outage at the start that
    lasts longer raises :class:`~terrain.errors.StoreUnavailable`.
    """
    clock = clock_from(now)  # a naive datetime: ValidationError before anything runs
    if ws is None or isinstance(ws, Path):
        stop = stop if stop is not None else threading.Event()
        opened = _open_waiting(ws, stop=stop, max_outage=max_outage, on_notice=on_notice)
        with opened:
            return run_workspace_worker(
                opened,
                platforms,
                now=clock,
                concurrency=concurrency,
                drain=drain,
                stop=stop,
                poll=poll,
                lease=lease,
                hook=hook,
                policies=policies,
                on_progress=on_progress,
                max_outage=max_outage,
                on_notice=on_notice,
                jitter=jitter,
            )
    names = list(dict.fromkeys(platforms)) or worker_platforms(ws)
    queue = TakedownQueue(ws.db)
    if not names and not queue.open_count():
        raise ValidationError(
            "no platform to work for: name one with --platform, or configure "
            "[platforms.<name>] in terrain.toml, or plan posts with "
            "`terrain publish EV --to NAME --enqueue`"
        )
    built: dict[str, Platform | str] = {}
    runs: list[TakedownRun] = []

    def takedowns() -> None:
        try:
            runs.append(run_queued_takedowns(ws, now=clock, lease=lease, built=built))
        except StoreUnavailable:
            # the publishing loop says the outage (once) and rides it out or gives up
            # as asked; the queued takedowns stay queued, and a row claimed when the
            # store went away comes back after its lease
            log.debug("takedown queue not reachable; it is tried again later")

    takedowns()
    if not names:
        return _with_takedowns(WorkerReport(new_owner_id(), {}, 0, (), False), runs)
    objects = {name: ws.platform(name) for name in names}
    built.update(objects)
    done = threading.Event()
    poller = None
    if not drain:

        def poll_takedowns() -> None:
            while not done.wait(poll):
                takedowns()

        poller = threading.Thread(target=poll_takedowns, name="terrain-takedowns", daemon=True)
        poller.start()
    try:
        report = _publish(
            ws,
            names,
            objects,
            clock,
            hook,
            policies,
            concurrency,
            drain,
            stop,
            poll,
            lease,
            on_progress,
            {"max_outage": max_outage, "on_notice": on_notice, "jitter": jitter},
        )
    finally:
        done.set()
        if poller is not None:
            poller.join()
    takedowns()
    return _with_takedowns(report, runs)


def _with_takedowns(report: WorkerReport, runs: Sequence[TakedownRun]) -> WorkerReport:
    counts = dict(report.counts)
    messages = list(report.messages)
    for run in runs:
        for row in run.done:
            key = "taken down" if row.outcome == "deleted" else "to remove by hand"
            counts[key] = counts.get(key, 0) + 1
            if row.outcome != "deleted":
                messages.append(f"takedown of post {row.post_id} on {row.platform}: {row.message}")
    return attrs.evolve(report, counts=counts, messages=tuple(messages))


def run_queued_takedowns(
    ws: Workspace,
    *,
    now: datetime | Callable[[], datetime],
    lease: timedelta = timedelta(minutes=5),
    built: dict[str, Platform | str] | None = None,
) -> TakedownRun:
    """Carry out the takedowns withdrawals queued in ``ws`` (each platform built once,
    from terrain.toml; one that cannot be built makes its takedowns ``manual``)."""
    clock = clock_from(now)
    queue = TakedownQueue(ws.db)
    platforms = {} if built is None else built
    for row in queue.rows(states=("queued", "claimed")):
        if row.platform not in platforms:
            try:
                platforms[row.platform] = ws.platform(row.platform)
            except (ConfigError, PluginError, NotFound) as exc:
                platforms[row.platform] = str(exc)
    return run_takedowns(
        queue,
        journal_of(ws),
        platforms,
        now_fn=clock,
        record_decision=ws.record_decision,
        lease=lease,
    )


def _publish(
    ws: Workspace,
    names: list[str],
    objects: dict[str, Any],
    clock: Callable[[], datetime],
    hook: Any,
    policies: Mapping[str, PlatformPolicy] | None,
    concurrency: int | None,
    drain: bool,
    stop: threading.Event | None,
    poll: float,
    lease: timedelta,
    on_progress: Callable[[JournalRow], None] | None,
    outages: Mapping[str, Any],
) -> WorkerReport:
    return run_worker(
        journal_of(ws),
        objects,
        gate=workspace_gate(ws),
        now_fn=clock,
        record_decision=ws.record_decision,
        hook=plugin_hook(ws) if hook is None else hook,
        policies={**configured_policies(ws, names), **(policies or {})},
        concurrency=concurrency,
        drain=drain,
        stop=stop,
        poll=poll,
        lease=lease,
        on_progress=on_progress,
        **outages,
        **runner_rules(ws),
    )


def _open_waiting(
    folder: Path | None,
    *,
    stop: threading.Event,
    max_outage: float | None,
    on_notice: Callable[[str], None] | None,
) -> Workspace:
    """The workspace in ``folder``, opened once its store answers."""
    from terrain.store import Workspace

    def open_it() -> Workspace:
        return Workspace.open(folder) if folder is not None else Workspace.find()

    def probe() -> None:
        open_it().close()

    def pause(seconds: float) -> None:
        stop.wait(seconds)

    outage = Outage(
        probe,
        notice=on_notice or (lambda message: None),
        random=random.random,
        sleep=pause,
        stop=stop,
        max_outage=max_outage,
    )
    while True:
        try:
            return open_it()
        except StoreUnavailable as exc:
            try:
                outage.wait(exc)
            except GaveUp as gave_up:
                raise gave_up.as_error() from None


def replan_unchecked(
    ws: Workspace, platforms: Sequence[str] = (), *, now: datetime
) -> list[JournalRow]:
    """Plan again the rows of ``platforms`` (default: all) held only because the
    store or the network failed while their consent was read ("consent could
    not be checked: StorageError…"); the rows as planned now.

    Rows held by a refusal, a plugin's veto or any other reason stay held.
    Nothing is sent here, and no consent is assumed: each row is judged again
    at its call, by the next ``terrain worker`` or ``terrain publish``.
    """
    require_aware(now, "replan_unchecked: now")
    journal = journal_of(ws)
    wanted = set(platforms)
    out = []
    for row in journal.rows(states=(RowState.HELD,)):
        if wanted and row.platform not in wanted:
            continue
        if held_for_infrastructure(row.reasons) and journal.replan_held(row, now=now):
            again = journal.get(row.post_id, row.platform)
            if again is not None:
                out.append(again)
    return out
