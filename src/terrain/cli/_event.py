"""``terrain event add|list``: the meetups."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._when import parse_when

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("event")
def command() -> None:
    """Add and list meetups."""


@command.command("add")
@click.argument("event_id")
@click.option("--title", required=True, help="Title, e.g. 'Vélo & ville #12'.")
@click.option("--starts", required=True, help="Start, e.g. '2026-03-12 19:00' (community time).")
@click.option("--ends", required=True, help="End, e.g. '2026-03-12 22:00'.")
@click.option("--venue", "venue_id", default=None, help="Venue id (stored beforehand).")
@click.option("--capacity", type=click.IntRange(min=0), default=None, help="Number of places.")
@click.option("--networking-minutes", type=click.IntRange(min=0), default=0, show_default=True)
@json_option
@pass_workspace
def add(
    ws: Workspace,
    event_id: str,
    title: str,
    starts: str,
    ends: str,
    venue_id: str | None,
    capacity: int | None,
    networking_minutes: int,
    as_json: bool,
) -> None:
    """Add meetup EVENT_ID."""
    from terrain import Event

    tz = ws.community.timezone
    event = Event(
        id=event_id,
        title=title,
        starts_at=parse_when(starts, tz, option="--starts"),
        ends_at=parse_when(ends, tz, option="--ends"),
        venue_id=venue_id,
        capacity=capacity,
        networking_minutes=networking_minutes,
    )
    ws.add(event)
    emit(
        event,
        as_json=as_json,
        human=lambda: click.echo(f"Added {title} ({event_id}), {event.starts_at:%Y-%m-%d %H:%M}."),
    )


@command.command("list")
@json_option
@pass_workspace
def list_(ws: Workspace, as_json: bool) -> None:
    """List the meetups, oldest first."""
    from terrain import Event

    events = sorted(ws.list(Event), key=lambda e: (e.starts_at, e.id))

    def human() -> None:
        if not events:
            click.echo(
                "No event yet: add one with `terrain event add ID --title ... --starts ...`."
            )
        for e in events:
            click.echo(f"{e.id:<20} {e.starts_at:%Y-%m-%d %H:%M}  {e.title}")

    emit(events, as_json=as_json, human=human)
