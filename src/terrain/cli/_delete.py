"""``terrain delete KIND ID``: delete a record nothing relies on, the deletion in the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import KINDS, complete_record_id

if TYPE_CHECKING:
    from terrain.store import Removal, Workspace


def print_removal(removal: Removal, *, as_json: bool) -> None:
    """What a deletion did: the record, what was forced, the files deleted or left."""

    def human() -> None:
        files = f" and {len(removal.files)} file(s)" if removal.files else ""
        click.echo(f"Deleted {removal.kind} {removal.id}{files}.")
        for dependent in removal.forced:
            click.echo(f"! forced: {dependent}", err=True)
        for key in removal.files_left:
            click.echo(f"! the storage kept {key}: delete it by hand", err=True)

    emit(
        {
            "kind": removal.kind,
            "id": removal.id,
            "forced": [str(d) for d in removal.forced],
            "files": list(removal.files),
            "files_left": list(removal.files_left),
        },
        as_json=as_json,
        human=human,
    )


def delete_command(
    group: click.Group,
    kind: str,
    doc: str,
    *,
    complete: Callable[..., Any] | None = None,
    force: str | None = None,
) -> click.Command:
    """Add ``delete ID`` to ``group`` (``terrain member delete``…): :func:`delete_record
    <terrain.workflows.delete_record>` of ``kind``, with ``--force`` when ``force`` says
    what it overrides."""

    def delete(ws: Workspace, record_id: str, as_json: bool, force: bool = False) -> None:
        from terrain.workflows import delete_record

        print_removal(delete_record(ws, kind, record_id, force=force), as_json=as_json)

    delete.__doc__ = doc
    command = pass_workspace(json_option(delete))
    if force is not None:
        command = click.option("--force", is_flag=True, help=force)(command)
    command = click.argument(
        "record_id", metavar=f"{kind.upper()}_ID", shell_complete=complete
    )(command)
    return group.command("delete")(command)

__all__ = ["command", "delete_command", "print_removal"]


@click.command("delete")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("record_id", shell_complete=complete_record_id)
@click.option(
    "--force",
    is_flag=True,
    help="Delete even if consent records or posts online rely on it (recorded in the history).",
)
@json_option
@pass_workspace
def command(ws: Workspace, kind: str, record_id: str, force: bool, as_json: bool) -> None:
    """Delete record RECORD_ID of KIND (a content's files go with it).

    Refused while other records point to it: the message names them and the
    command that changes each. Refused while a consent record or a post online
    relies on it, unless --force. The consent log, the decisions and the
    publication journal are never edited; to forget a person, use `terrain
    member erase`.
    """
    from terrain.workflows import delete_record

    print_removal(delete_record(ws, kind, record_id, force=force), as_json=as_json)
