"""``terrain event add|list``: the meetups."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._when import fold_option, parse_when, shown

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("event")
def command() -> None:
    """Meetups: add them and their talks, check the format, export a calendar."""


@command.command("add")
@click.argument("event_id")
@click.option("--title", required=True, help="Title, e.g. 'Vélo & ville #12'.")
@click.option("--starts", required=True, help="Start, e.g. '2026-03-12 19:00' (community time).")
@click.option("--ends", required=True, help="End, e.g. '2026-03-12 22:00'.")
@click.option("--venue", "venue_id", default=None, help="Venue id (stored beforehand).")
@click.option("--capacity", type=click.IntRange(min=0), default=None, help="Number of places.")
@click.option("--networking-minutes", type=click.IntRange(min=0), default=0, show_default=True)
@fold_option
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
        human=lambda: click.echo(f"Added {title} ({event_id}), {shown(event.starts_at)}."),
    )


@command.command("list")
@json_option
@pass_workspace
def list_(ws: Workspace, as_json: bool) -> None:
    """List the meetups, oldest first."""
    from terrain import Event
    from terrain._time import instant

    events = sorted(ws.list(Event), key=lambda e: (instant(e.starts_at), e.id))

    def human() -> None:
        if not events:
            click.echo(
                "No event yet: add one with `terrain event add ID --title ... --starts ...`."
            )
        for e in events:
            click.echo(f"{e.id:<20} {shown(e.starts_at)}  {e.title}")

    emit(events, as_json=as_json, human=human)


@command.command("talk")
@click.argument("event_id")
@click.option("--title", required=True, help="Title of the talk.")
@click.option("--speaker", required=True, help="Who gives it.")
@click.option("--minutes", type=int, required=True, help="Talk length (20-30).")
@click.option("--qa", "qa_minutes", type=int, default=10, show_default=True, help="Minutes of Q&A.")
@click.option("--speaker-id", default=None, help="The speaker's member id, if a member.")
@json_option
@pass_workspace
def talk(
    ws: Workspace,
    event_id: str,
    title: str,
    speaker: str,
    minutes: int,
    qa_minutes: int,
    speaker_id: str | None,
    as_json: bool,
) -> None:
    """Add a talk to meetup EVENT_ID (then run `terrain event check`)."""
    import attrs

    from terrain import Event, Talk

    event = ws.get(Event, event_id)
    new = Talk(
        title=title, speaker=speaker, minutes=minutes, qa_minutes=qa_minutes, speaker_id=speaker_id
    )
    event = attrs.evolve(event, talks=(*event.talks, new))
    ws.put(event)
    emit(
        event,
        as_json=as_json,
        human=lambda: click.echo(
            f"Added talk {title!r} by {speaker} ({minutes} + {qa_minutes} min) to {event_id}; "
            f"{len(event.talks)} talk(s) now."
        ),
    )


@command.command("check")
@click.argument("event_id")
@click.option(
    "--max-talks",
    type=int,
    default=None,
    help="Most talks in one evening (default: [format] max_talks of terrain.toml, else 2).",
)
@click.option(
    "--max-talk-minutes",
    type=int,
    default=None,
    help="Longest talk (default: [format] max_talk_minutes of terrain.toml, else 30).",
)
@json_option
@pass_workspace
def check(
    ws: Workspace,
    event_id: str,
    max_talks: int | None,
    max_talk_minutes: int | None,
    as_json: bool,
) -> None:
    """Check meetup EVENT_ID against the format and print its running order.

    The format is the community's ``[format]`` table of terrain.toml (the
    field defaults without one); the options override it for this check.
    Exit code 1 when the format is broken (an error finding).
    """
    import sys

    import attrs

    from terrain import Event
    from terrain.cli._common import EXIT_FAILED
    from terrain.events import build_agenda, check_format

    event = ws.get(Event, event_id)
    changes: dict[str, int] = {}
    if max_talks is not None:
        changes["max_talks"] = max_talks
    if max_talk_minutes is not None:
        changes["max_talk_minutes"] = max_talk_minutes
    rules = attrs.evolve(ws.config.meetup_format, **changes)
    findings = check_format(event, rules=rules)
    agenda = build_agenda(event)

    def human() -> None:
        if not findings:
            click.echo(f"{event.title} follows the format.")
        for finding in findings:
            click.echo(str(finding))
        click.echo("")
        for slot in agenda:
            click.echo(str(slot))

    data = {"event_id": event_id, "findings": findings, "agenda": [str(s) for s in agenda]}
    emit(data, as_json=as_json, human=human)
    if any(f.is_error for f in findings):
        sys.exit(EXIT_FAILED)


#: ``-o/--output`` of the verbs that write a calendar (``event ics``, ``series ics``).
ics_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="-",
    show_default=True,
    help="File to write (- for the screen).",
)


@command.command("ics")
@click.argument("event_id")
@ics_output_option
@json_option
@pass_workspace
def ics(ws: Workspace, event_id: str, output: str, as_json: bool) -> None:
    """Write meetup EVENT_ID as an iCalendar (.ics) file any calendar imports."""

    from terrain import Event, Venue
    from terrain.events import event_ics

    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    data = event_ics(event, now=clock.now(), venue=venue)
    write_output(data, output, as_json=as_json)


def write_output(data: bytes, output: str, *, as_json: bool = False) -> None:
    """Write ``data`` to file ``output``, or to stdout when it is ``-``.

    With ``as_json``: ``{"output": path}`` once written, or ``{"ics": text}``
    for ``-``.
    """
    import json
    from pathlib import Path

    if output == "-":
        if as_json:
            click.echo(json.dumps({"ics": data.decode("utf-8")}, ensure_ascii=False, indent=2))
        else:
            click.echo(data, nl=False)
        return
    Path(output).write_bytes(data)
    if as_json:
        click.echo(json.dumps({"output": output, "bytes": len(data)}, indent=2))
    else:
        click.echo(f"Wrote {output}.", err=True)
