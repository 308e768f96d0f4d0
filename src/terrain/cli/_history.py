"""``terrain history [KIND [ID]]``: who changed what, when, from what to what."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import emit_list, list_options, pass_workspace
from terrain.cli._complete import KINDS, complete_record_id

if TYPE_CHECKING:
    from terrain.store import Change, Workspace

__all__ = ["command"]

_COLUMNS = ["seq", "at", "who", "action", "kind", "id", "fields", "note"]


def _short(value: Any) -> str:
    text = "—" if value in (None, "", [], {}) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _row(change: Change, zone: str) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    return {
        "seq": change.seq,
        "at": change.at.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds"),
        "who": change.who,
        "action": change.action,
        "kind": change.kind,
        "id": change.record_id,
        "fields": "; ".join(f.field for f in change.fields),
        "note": change.note,
    }


@click.command("history")
@click.argument("kind", type=click.Choice(KINDS), required=False)
@click.argument("record_id", required=False, shell_complete=complete_record_id)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the latest N.")
@list_options
@pass_workspace
def command(
    ws: Workspace,
    kind: str | None,
    record_id: str | None,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Who changed what, when, from what to what: every record (or those of KIND, or
    record RECORD_ID of KIND), oldest first.

    Who is `terrain --by NAME`, else $TERRAIN_USER, else your user name.
    """
    from terrain.store import KIND_TYPES

    cls = KIND_TYPES[kind] if kind is not None else None
    changes = ws.history(cls, record_id, limit=limit)
    zone = ws.community.timezone

    def human() -> None:
        if not changes:
            click.echo("No change recorded" + (f" for {kind} {record_id}" if record_id else "")
                       + ".")
        for change in changes:
            row = _row(change, zone)
            click.echo(
                f"{row['at']}  {change.who:<12} {change.action:<6} {change.kind} "
                f"{change.record_id}" + (f"  ({change.note})" if change.note else "")
            )
            if change.action == "edit":
                for field in change.fields:
                    before, after = _short(field.before), _short(field.after)
                    click.echo(f"    {field.field}: {before} -> {after}")

    data = [
        {
            **_row(c, zone),
            "fields": [
                {"field": f.field, "before": f.before, "after": f.after} for f in c.fields
            ],
        }
        for c in changes
    ]
    emit_list(
        data,
        as_json=as_json,
        as_csv=as_csv,
        table=(_COLUMNS, [_row(c, zone) for c in changes]),
        human=human,
    )
