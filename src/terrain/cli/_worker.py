"""``terrain worker``: a publisher worker draining the workspace's journal.

Run several (on one machine or several sharing a PostgreSQL workspace): each
claims due rows, publishes them (consent decided at each call) and sleeps
until the next due row. Rate limits and daily budgets hold across all
workers. SIGTERM or SIGINT stops a worker gracefully: the calls in flight
finish, rows claimed but not called go back to the journal, exit code 0.
Plan posts for the workers with ``terrain publish EV --to P --enqueue``.

A worker rides out a store outage (a server restarting, a dropped
connection, a locked SQLite file): it says so once on stderr, waits and
carries on; with ``--max-outage S`` it exits with code 75 instead after S
seconds of outage (nothing is lost: run it again). Exit codes: 0 drained or
stopped, 1 a post failed or a platform stopped, 2 bad input (nothing was
changed), 75 store unreachable. ``--json`` prints the report on every exit.
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    USAGE_ERRORS,
    emit,
    json_option,
    workspace_option,
)
from terrain.cli._complete import complete_platform
from terrain.errors import StoreUnavailable, TerrainError

if TYPE_CHECKING:
    from terrain.publishing import WorkerReport

__all__ = ["command", "exit_code", "report_data"]


def exit_code(report: WorkerReport) -> int:
    """The exit code a worker that ended with ``report`` leaves (see the module)."""
    if report.unreachable is not None:
        return EXIT_UNREACHABLE
    return EXIT_FAILED if report.failed else EXIT_OK


def report_data(report: WorkerReport) -> dict[str, Any]:
    """``report`` as plain data for ``--json`` (with the exit code it leads to)."""
    return {
        "owner": report.owner,
        "counts": dict(sorted(report.counts.items())),
        "reconciled": report.reconciled,
        "messages": list(report.messages),
        "stopped": report.stopped,
        "failed": report.failed,
        "outages": report.outages,
        "unreachable": report.unreachable,
        "error": report.error,
        "exit_code": exit_code(report),
    }


def _error_data(exc: TerrainError, code: int) -> dict[str, Any]:
    """The ``--json`` report of a worker that could not start (same keys as a report)."""
    unreachable = str(exc) if isinstance(exc, StoreUnavailable) else None
    return {
        "owner": None,
        "counts": {},
        "reconciled": 0,
        "messages": [],
        "stopped": False,
        "failed": True,
        "outages": 1 if unreachable else 0,
        "unreachable": unreachable,
        "error": None if unreachable else str(exc),
        "exit_code": code,
    }


def _print(report: WorkerReport) -> None:
    how = "stopped on request" if report.stopped else "nothing left to do"
    if report.unreachable is not None or report.error is not None:
        how = "ended early"
    counts = ", ".join(f"{n} {state}" for state, n in sorted(report.counts.items())) or "no post"
    click.echo(f"Worker {report.owner} {how}: {counts}.")
    if report.reconciled:
        click.echo(f"Took over {report.reconciled} post(s) left by a stopped worker.")
    if report.outages:
        click.echo(f"Rode out {report.outages} store outage(s).")
    for message in report.messages:
        click.echo(f"! {message}")


def _notice(message: str) -> None:
    click.echo(f"terrain worker: {message}", err=True)


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
@click.option(
    "--max-outage",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Exit with code 75 after this many seconds without the store (default: wait for it "
    "however long it takes).",
)
@json_option
@workspace_option
def command(
    workspace_dir: Path | None,
    platforms: tuple[str, ...],
    concurrency: int | None,
    drain: bool,
    poll: float,
    lease: float,
    max_outage: float | None,
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
            workspace_dir,
            list(platforms),
            now=clock.now,
            concurrency=concurrency,
            drain=drain,
            stop=stop,
            poll=poll,
            lease=timedelta(seconds=lease),
            max_outage=max_outage,
            on_notice=_notice,
        )
    except TerrainError as exc:
        if isinstance(exc, StoreUnavailable):
            code = EXIT_UNREACHABLE
        else:
            code = EXIT_USAGE if isinstance(exc, USAGE_ERRORS) else EXIT_FAILED
        if as_json:
            emit(_error_data(exc, code), as_json=True, human=lambda: None)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(code)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    emit(report_data(report), as_json=as_json, human=lambda: _print(report))
    for problem in (report.unreachable, report.error):
        if problem is not None:
            click.echo(f"Error: {problem}", err=True)
    sys.exit(exit_code(report))
