"""A publisher worker over a workspace: ``terrain worker``'s library side.

:func:`run_workspace_worker` builds the workspace's platforms, consent gate
(the ledger as stored at each call) and decision log, and runs
:func:`terrain.publishing.run_worker` on the workspace's journal until
``stop`` is set (or, with ``drain``, until nothing is left to do).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from terrain.errors import ValidationError
from terrain.publishing import (
    JournalRow,
    PlatformPolicy,
    RowState,
    WorkerReport,
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

__all__ = ["run_workspace_worker", "worker_platforms"]


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
    plugins' hooks, ``False`` runs none."""
    clock = clock_from(now)  # a naive datetime: ValidationError before anything runs
    names = list(dict.fromkeys(platforms)) or worker_platforms(ws)
    if not names:
        raise ValidationError(
            "no platform to work for: name one with --platform, or configure "
            "[platforms.<name>] in terrain.toml, or plan posts with "
            "`terrain publish EV --to NAME --enqueue`"
        )
    objects = {name: ws.platform(name) for name in names}
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
