"""``terrain edit KIND ID --set FIELD=VALUE``: change any record, the change in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import KINDS, complete_record_id

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


def _assignments(values: tuple[str, ...]) -> dict[str, str]:
    changes = {}
    for value in values:
        field, sep, text = value.partition("=")
        if not sep or not field.strip():
            raise click.BadParameter(
                f"{value!r} is not FIELD=VALUE, e.g. capacity=40", param_hint="--set"
            )
        changes[field.strip()] = text
    return changes


@click.command("edit")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("record_id", shell_complete=complete_record_id)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field and its new value (repeat): capacity=40, starts_at='2026-03-12 19:30', "
    "handles='x=lea_m;instagram=lea', value='12.50 EUR'; FIELD= clears an optional field.",
)
@json_option
@pass_workspace
def command(
    ws: Workspace, kind: str, record_id: str, assignments: tuple[str, ...], as_json: bool
) -> None:
    """Change fields of record RECORD_ID of KIND, checked as a new record would be.

    Values are read by the field's type: a date and time in the community's
    time zone, an amount, a list (a;b), or JSON for nested values. Every change
    is in `terrain history KIND RECORD_ID`. Friendlier verbs exist for the
    usual edits (`terrain member edit`, `terrain event edit`...).
    """
    from terrain.workflows import edit_record

    done = edit_record(ws, kind, record_id, _assignments(assignments))
    emit(
        {"record": done.after, "changed": list(done.changed)},
        as_json=as_json,
        human=lambda: click.echo(
            f"Changed {', '.join(done.changed)} of {kind} {record_id}."
            if done.changed
            else f"Nothing changed for {kind} {record_id}."
        ),
    )
