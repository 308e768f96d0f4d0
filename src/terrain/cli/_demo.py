"""``terrain demo``: the whole flow with no account anywhere.

Until the publishing flow lands, the demo builds a sample community and
meetup with the models and prints it as JSON.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

__all__ = ["command"]


@click.command("demo")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the demo workspace (default: a new temporary folder).",
)
def command(workspace: Path | None) -> None:
    """Build a sample community and meetup, and show it."""
    from terrain import Community, Event, Member, Talk, Venue
    from terrain.serialization import to_json

    paris = ZoneInfo("Europe/Paris")
    community = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")
    members = [
        Member(id="lea", display_name="Léa Martin", handles={"x": "lea_m"}),
        Member(id="tom", display_name="Tom Martin", is_minor=True, guardian_ids=["sophie"]),
        Member(id="sophie", display_name="Sophie Martin"),
    ]
    venue = Venue(id="le-zinc", name="Le Zinc", kind="bar", capacity=40, cost_model="each-pays-own")
    event = Event(
        id="ev-2026-03",
        title="Vélo & ville #12",
        starts_at=datetime(2026, 3, 12, 19, 0, tzinfo=paris),
        ends_at=datetime(2026, 3, 12, 22, 0, tzinfo=paris),
        venue_id=venue.id,
        talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25, qa_minutes=10)],
        networking_minutes=120,
    )
    for obj in (community, *members, venue, event):
        click.echo(to_json(obj, indent=True))
