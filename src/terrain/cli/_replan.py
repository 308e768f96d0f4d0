"""``terrain replan``: plan again the posts held because consent could not be read.

Earlier versions of terrain held a post for good when the store or the network failed
while its consent was being checked ("held back: consent could not be checked:
StorageError …"), and workers skip held posts. This plans those rows again;
consent is decided afresh at the call by the next ``terrain worker`` or
``terrain publish``. Posts held by a refusal or a plugin's veto stay held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import complete_platform

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.command("replan")
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    shell_complete=complete_platform,
    help="Only rows of this platform (repeat). Default: every platform.",
)
@json_option
@pass_workspace
def command(ws: Workspace, platforms: tuple[str, ...], as_json: bool) -> None:
    """Plan again the posts held because a store or network failure stopped their consent check."""
    from terrain.publishing import outcome_of
    from terrain.workflows import replan_unchecked

    rows = replan_unchecked(ws, list(platforms), now=clock.now())
    data = {"replanned": [outcome_of(r) for r in rows]}

    def human() -> None:
        if not rows:
            click.echo("No post is held for a store or network failure: nothing to plan again.")
            return
        click.echo(f"Planned again {len(rows)} post(s) held for a store or network failure:")
        for row in rows:
            click.echo(f"  {row.post_id} on {row.platform}")
        click.echo("Start `terrain worker` (or run `terrain publish` again) to send them.")

    emit(data, as_json=as_json, human=human)
