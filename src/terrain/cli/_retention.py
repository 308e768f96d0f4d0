"""``terrain retention``: delete the photos never published, past the time terrain.toml sets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@json_option
@pass_workspace
def command(ws: Workspace, dry_run: bool, as_json: bool) -> None:
    """Delete the photos never published, older than [retention] unpublished_photos_days.

    A photo published once (even taken down since) is kept; so is one a
    project timeline or a workshop idea points to (the output says which).
    """
    from terrain.workflows import apply_retention

    done = apply_retention(ws, now=clock.now(), dry_run=dry_run)

    def human() -> None:
        if done.days is None:
            click.echo(
                "No retention is set: add [retention] unpublished_photos_days = 365 to "
                "terrain.toml to delete the photos never published after a year."
            )
            return
        verb = "Would delete" if dry_run else "Deleted"
        click.echo(
            f"{verb} {len(done.deleted)} photo(s) never published and older than {done.days} "
            "days" + (": " + ", ".join(done.deleted) if done.deleted else "") + "."
        )
        for content_id, why in done.kept:
            click.echo(f"  kept {content_id}: {why}")

    emit(
        {
            "days": done.days,
            "dry_run": dry_run,
            "deleted": list(done.deleted),
            "kept": [{"content": c, "why": w} for c, w in done.kept],
            "files": list(done.files),
        },
        as_json=as_json,
        human=human,
    )
