"""``terrain takedown --subject MEMBER [--event EV] [--purpose P] [--platform X]``.

Withdraws the member's consent — all of it, or one purpose, platform or
scope — (or uses a withdrawal already recorded), deletes every published
post it covers through its platform, lists what must be removed by hand
(with the URL), and says what stays online and why. Exit code 1 when
something that should come down is still online, or a plugin could not react.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import EXIT_FAILED, emit, json_option, pass_workspace
from terrain.cli._complete import (
    complete_content_id,
    complete_member_id,
    complete_platform,
    only_event_option,
)

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.workflows import TakedownReport

__all__ = ["command", "print_result", "result_data"]


def result_data(result: TakedownReport) -> dict[str, Any]:
    """``result`` as plain data for ``--json``."""
    from terrain.serialization import unstructure

    return {
        "subject_id": result.subject_id,
        "at": unstructure(result.at),
        "withdrawn": list(result.withdrawn),
        "content_ids": list(result.content_ids),
        "covers": result.covers,
        "recorded": result.recorded,
        "entries": [unstructure(e) for e in result.entries],
        "stays": [
            {"post_id": s.post_id, "platform": s.receipt.platform, "url": s.receipt.url,
             "reason": s.reason}
            for s in result.stays
        ],
        "hook_errors": list(result.hook_errors),
        "failed": result.failed,
    }


def print_result(
    result: TakedownReport,
    echo: Callable[[str], None] = click.echo,
    *,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print ``result`` for people (``labels`` names contents by id)."""
    if result.recorded:
        ids = f" {', '.join(result.withdrawn)}" if result.withdrawn else ""
        part = "" if result.covers == "everything" else f" for {result.covers}"
        echo(f"Withdrew consent{ids} of {result.subject_id}{part}.")
    else:
        part = "" if result.covers == "everything" else f" ({result.covers})"
        echo(f"{result.subject_id}'s consent was already withdrawn{part}; taking down what it "
             "covered.")
    if result.content_ids:
        names = ", ".join((labels or {}).get(c, c) for c in result.content_ids)
        echo(f"Content showing them: {names}.")
    if not result.entries:
        echo("Nothing published that the withdrawal covers: nothing to take down.")
    for entry in result.entries:
        mark = {"deleted": "deleted", "manual": "REMOVE BY HAND", "failed": "NOT DELETED"}
        echo(f"  {entry.platform:<10} {entry.post_id:<26} {mark[entry.outcome]}: {entry.message}")
    if result.stays:
        echo("\nStays online:")
        for staying in result.stays:
            where = staying.receipt.url or staying.post_id
            echo(f"  {staying.receipt.platform:<10} {where}: {staying.reason}")
    if result.to_remove_by_hand:
        echo("\nStill online, remove by hand:")
        for entry in result.to_remove_by_hand:
            echo(f"  {entry.url or entry.remote_id}")
    for error in result.hook_errors:
        echo(f"\nWarning: {error}")


@click.command("takedown")
@click.option(
    "--subject",
    "subject_id",
    required=True,
    shell_complete=complete_member_id,
    help="The member who withdraws.",
)
@only_event_option
@click.option("--project", "project_id", default=None, help="Only the content of this project.")
@click.option("--content", "content_id", default=None, shell_complete=complete_content_id,
              help="Only this content.")
@click.option(
    "--purpose",
    "purposes",
    multiple=True,
    type=click.Choice(("publish", "tag", "archive", "reuse-ugc", "interview")),
    help="Only these purposes (e.g. tag: posts that tag them come down, the rest stays).",
)
@click.option("--platform", "platforms", multiple=True, shell_complete=complete_platform,
              help="Only these platforms.")
@json_option
@pass_workspace
def command(
    ws: Workspace,
    subject_id: str,
    event_id: str | None,
    project_id: str | None,
    content_id: str | None,
    purposes: tuple[str, ...],
    platforms: tuple[str, ...],
    as_json: bool,
) -> None:
    """Withdraw MEMBER's consent (or part of it) and take down what it covered."""
    from terrain.workflows import takedown

    result = takedown(
        ws,
        subject_id,
        event_id=event_id,
        project_id=project_id,
        content_id=content_id,
        purposes=purposes or None,
        on_platforms=platforms or None,
        now=clock.now(),
    )
    emit(result_data(result), as_json=as_json, human=lambda: print_result(result))
    if result.failed:
        sys.exit(EXIT_FAILED)
