"""A publisher worker over a workspace: ``terrain worker``'s library side.

:func:`run_workspace_worker` builds the workspace's platforms, consent gate
(the ledger as stored at each call) and decision log, and runs
:func:`terrain.publishing.run_worker` on the workspace's journal until
``stop`` is set (or, with ``drain``, until nothing is left to do). It also
carries out the takedowns that withdrawals queued
(:func:`terrain.publishing.run_takedowns`): first, then every ``poll``
seconds while it runs (with ``drain``: once more at the end).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from terrain.errors import ConfigError, NotFound, PluginError, ValidationError
from terrain.plugins import Platform
from terrain.publishing import (
    JournalRow,
    PlatformPolicy,
    RowState,
    TakedownQueue,
    TakedownRun,
    WorkerReport,
    new_owner_id,
    run_takedowns,
    run_worker,
)
from terrain.workflows._publish import (
    clock_from,
    configured_policies,
    journal_of,
    plugin_hook,
    workspace_gate,
)

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["run_queued_takedowns", "run_workspace_worker", "worker_platforms"]


def worker_platforms(ws: Workspace) -> list[str]:
    """The platforms a worker serves by default: those with a
    ``[platforms.<name>]`` table in terrain.toml and those with rows planned
    or in flight in the journal."""
    configured = list(ws.config.platforms)
    open_rows = journal_of(ws).rows(states=(RowState.PLANNED, RowState.CLAIMED, RowState.SENT))
    return sorted(set(configured) | {r.platform for r in open_rows})


def run_workspace_worker(
    ws: Workspace,
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
) -> WorkerReport:
    """Drain the workspace's journal for ``platforms`` (default:
    :func:`worker_platforms`) until ``stop`` is set, or with ``drain`` until
    nothing is due or in flight. ``hook``: ``None`` uses the installed
    plugins' hooks, ``False`` runs none. Queued takedowns are carried out
    first, then every ``poll`` seconds (:func:`run_queued_takedowns`); the
    report's ``counts`` say how they ended (``taken down``, ``to remove by
    hand``) and its ``messages`` what must be removed by hand."""
    clock = clock_from(now)  # a naive datetime: ValidationError before anything runs
    names = list(dict.fromkeys(platforms)) or worker_platforms(ws)
    queue = TakedownQueue(ws.db)
    if not names and not queue.open_count():
        raise ValidationError(
            "no platform to work for: name one with --platform, or configure "
            "[platforms.<name>] in terrain.toml, or plan posts with "
            "`terrain publish EV --to NAME --enqueue`"
        )
    built: dict[str, Platform | str] = {}
    runs = [run_queued_takedowns(ws, now=clock, lease=lease, built=built)]
    if not names:
        return _with_takedowns(WorkerReport(new_owner_id(), {}, 0, (), False), runs)
    objects = {name: ws.platform(name) for name in names}
    built.update(objects)
    done = threading.Event()
    poller = None
    if not drain:
        def poll_takedowns() -> None:
            while not done.wait(poll):
                runs.append(run_queued_takedowns(ws, now=clock, lease=lease, built=built))

        poller = threading.Thread(target=poll_takedowns, name="terrain-takedowns", daemon=True)
        poller.start()
    try:
        report = _publish(ws, names, objects, clock, hook, policies, concurrency, drain, stop,
                          poll, lease, on_progress)
    finally:
        done.set()
        if poller is not None:
            poller.join()
    runs.append(run_queued_takedowns(ws, now=clock, lease=lease, built=built))
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
        queue, journal_of(ws), platforms, now_fn=clock, record_decision=ws.record_decision,
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
    )
