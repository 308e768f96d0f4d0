"""``terrain takedown --subject MEMBER [--event EV]``: a withdrawal, carried out.

Withdraws the member's consent (or uses a withdrawal already recorded),
deletes every published post it covered through its platform, and lists what
must be removed by hand (with the URL). Exit code 1 when something is still
online.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import EXIT_FAILED, emit, json_option, pass_workspace
from terrain.cli._complete import complete_member_id, only_event_option

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.workflows import TakedownResult

__all__ = ["command", "print_result", "result_data"]


def result_data(result: TakedownResult) -> dict[str, Any]:
    """``result`` as plain data for ``--json``."""
    from terrain.serialization import unstructure

    return {
        "subject_id": result.subject_id,
        "at": unstructure(result.at),
        "withdrawn": list(result.withdrawn),
        "content_ids": list(result.content_ids),
        "entries": [unstructure(e) for e in result.entries],
        "failed": result.failed,
    }


def print_result(
    result: TakedownResult,
    echo: Callable[[str], None] = click.echo,
    *,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print ``result`` for people (``labels`` names contents by id)."""
    if result.withdrawn:
        echo(f"Withdrew consent {', '.join(result.withdrawn)} of {result.subject_id}.")
    else:
        echo(f"{result.subject_id}'s consent was already withdrawn; taking down what it covered.")
    if result.content_ids:
        names = ", ".join((labels or {}).get(c, c) for c in result.content_ids)
        echo(f"Content showing them: {names}.")
    if not result.entries:
        echo("Nothing published involves them: nothing to take down.")
    for entry in result.entries:
        mark = {"deleted": "deleted", "manual": "REMOVE BY HAND", "failed": "NOT DELETED"}
        echo(f"  {entry.platform:<10} {entry.post_id:<26} {mark[entry.outcome]}: {entry.message}")
    if result.to_remove_by_hand:
        echo("\nStill online, remove by hand:")
        for entry in result.to_remove_by_hand:
            echo(f"  {entry.url or entry.remote_id}")


@click.command("takedown")
@click.option(
    "--subject",
    "subject_id",
    required=True,
    shell_complete=complete_member_id,
    help="The member who withdraws.",
)
@only_event_option
@json_option
@pass_workspace
def command(ws: Workspace, subject_id: str, event_id: str | None, as_json: bool) -> None:
    """Withdraw MEMBER's consent and take down what it covered."""
    from terrain.workflows import takedown

    result = takedown(ws, subject_id, event_id=event_id, now=clock.now())
    emit(result_data(result), as_json=as_json, human=lambda: print_result(result))
    if result.failed:
        sys.exit(EXIT_FAILED)
