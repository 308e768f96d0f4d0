"""``terrain worker``: a publisher worker draining the workspace's journal.

Run several (on one machine or several sharing a PostgreSQL workspace): each
claims due rows, publishes them (consent decided at each call) and sleeps
until the next due row. Rate limits and daily budgets hold across all
workers. SIGTERM or SIGINT stops a worker gracefully: the calls in flight
finish, rows claimed but not called go back to the journal, exit code 0.
Plan posts for the workers with ``terrain publish EV --to P --enqueue``.
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import EXIT_FAILED, emit, json_option, pass_workspace
from terrain.cli._complete import complete_platform

if TYPE_CHECKING:
    from terrain.publishing import WorkerReport
    from terrain.store import Workspace

__all__ = ["command", "report_data"]


def report_data(report: WorkerReport) -> dict[str, Any]:
    """``report`` as plain data for ``--json``."""
    return {
        "owner": report.owner,
        "counts": dict(sorted(report.counts.items())),
        "reconciled": report.reconciled,
        "messages": list(report.messages),
        "stopped": report.stopped,
        "failed": report.failed,
    }


def _print(report: WorkerReport) -> None:
    how = "stopped on request" if report.stopped else "nothing left to do"
    counts = ", ".join(f"{n} {state}" for state, n in sorted(report.counts.items())) or "no post"
    click.echo(f"Worker {report.owner} {how}: {counts}.")
    if report.reconciled:
        click.echo(f"Took over {report.reconciled} post(s) left by a stopped worker.")
    for message in report.messages:
        click.echo(f"! {message}")


@click.command("worker")
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    shell_complete=complete_platform,
    help="A platform to work for (repeat). Default: those in terrain.toml and the journal.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Calls in flight per platform in this worker (rate limits still hold across workers).",
)
@click.option("--drain", is_flag=True, help="Exit when nothing is planned or in flight.")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.01, max=60.0),
    default=1.0,
    show_default=True,
    help="Longest sleep, in seconds, between looks at the journal.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1.0),
    default=300.0,
    show_default=True,
    help="Seconds a claimed post stays this worker's before another may take it over.",
)
@json_option
@pass_workspace
def command(
    ws: Workspace,
    platforms: tuple[str, ...],
    concurrency: int | None,
    drain: bool,
    poll: float,
    lease: float,
    as_json: bool,
) -> None:
    """Publish planned posts until stopped (SIGTERM/SIGINT: finish calls, release the rest)."""
    from terrain.workflows import run_workspace_worker

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        report = run_workspace_worker(
            ws,
            list(platforms),
            now=clock.now,
            concurrency=concurrency,
            drain=drain,
            stop=stop,
            poll=poll,
            lease=timedelta(seconds=lease),
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    emit(report_data(report), as_json=as_json, human=lambda: _print(report))
    if report.failed:
        sys.exit(EXIT_FAILED)
