"""``terrain event add|list|edit|cancel|talk|talk-edit|drop-talk|delete|check|ics|interview``:
the meetups."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import (
    emit,
    emit_list,
    flat_rows,
    json_option,
    list_options,
    pass_workspace,
)
from terrain.cli._complete import complete_event_id, complete_member_id
from terrain.cli._delete import delete_command
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
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the meetups, oldest first (cancelled ones say so)."""
    from terrain import Event
    from terrain._time import instant

    events = sorted(ws.list(Event), key=lambda e: (instant(e.starts_at), e.id))

    def human() -> None:
        if not events:
            click.echo(
                "No event yet: add one with `terrain event add ID --title ... --starts ...`."
            )
        for e in events:
            state = ""
            if e.cancelled:
                state = "  CANCELLED" + (f" ({e.cancel_reason})" if e.cancel_reason else "")
            click.echo(f"{e.id:<20} {shown(e.starts_at)}  {e.title}{state}")

    emit_list(events, as_json=as_json, as_csv=as_csv, table=flat_rows(events), human=human)


@command.command("talk")
@click.argument("event_id", shell_complete=complete_event_id)
@click.option("--title", required=True, help="Title of the talk.")
@click.option("--speaker", required=True, help="Who gives it.")
@click.option("--minutes", type=int, required=True, help="Talk length (20-30).")
@click.option("--qa", "qa_minutes", type=int, default=10, show_default=True, help="Minutes of Q&A.")
@click.option(
    "--speaker-id",
    default=None,
    shell_complete=complete_member_id,
    help="The speaker's member id, if a member.",
)
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
    from terrain import Talk
    from terrain.workflows import add_talk

    new = Talk(
        title=title, speaker=speaker, minutes=minutes, qa_minutes=qa_minutes, speaker_id=speaker_id
    )
    event = add_talk(ws, event_id, new)
    emit(
        event,
        as_json=as_json,
        human=lambda: click.echo(
            f"Added talk {title!r} by {speaker} ({minutes} + {qa_minutes} min) to {event_id}; "
            f"{len(event.talks)} talk(s) now."
        ),
    )


@command.command("edit")
@click.argument("event_id", shell_complete=complete_event_id)
@click.option("--title", default=None, help="Another title.")
@click.option("--starts", default=None, help="Another start, e.g. '2026-03-12 19:00'.")
@click.option("--ends", default=None, help="Another end, e.g. '2026-03-12 22:30'.")
@click.option("--venue", "venue_id", default=None, help="Another venue id.")
@click.option("--capacity", type=click.IntRange(min=0), default=None, help="Number of places.")
@click.option("--networking-minutes", type=click.IntRange(min=0), default=None)
@click.option("--description", default=None, help="Another description.")
@click.option("--no-venue", is_flag=True, help="The event has no venue (yet).")
@click.option("--no-capacity", is_flag=True, help="Its capacity is the venue's (or no limit).")
@fold_option
@json_option
@pass_workspace
def edit(
    ws: Workspace,
    event_id: str,
    title: str | None,
    starts: str | None,
    ends: str | None,
    venue_id: str | None,
    capacity: int | None,
    networking_minutes: int | None,
    description: str | None,
    no_venue: bool,
    no_capacity: bool,
    as_json: bool,
) -> None:
    """Change meetup EVENT_ID: its title, times, venue, capacity or networking time.

    Says when a smaller venue or capacity leaves more people going than seats.
    """
    from terrain.workflows import edit_event

    tz = ws.community.timezone
    event, overbooked = edit_event(
        ws,
        event_id,
        title=title,
        starts_at=parse_when(starts, tz, option="--starts") if starts else None,
        ends_at=parse_when(ends, tz, option="--ends") if ends else None,
        venue_id=venue_id,
        capacity=capacity,
        networking_minutes=networking_minutes,
        description=description,
        clear=[f for f, on in (("venue_id", no_venue), ("capacity", no_capacity)) if on],
    )

    def human() -> None:
        click.echo(
            f"Changed {event.title} ({event_id}): {event.starts_at:%Y-%m-%d %H:%M}-"
            f"{event.ends_at:%H:%M}, {event.networking_minutes} min of networking."
        )
        for problem in overbooked:
            click.echo(f"! {problem}", err=True)

    emit({"event": event, "overbooked": overbooked}, as_json=as_json, human=human)


@command.command("talk-edit")
@click.argument("event_id", shell_complete=complete_event_id)
@click.argument("talk")
@click.option("--title", default=None, help="Another title.")
@click.option("--speaker", default=None, help="Another speaker.")
@click.option("--minutes", type=click.IntRange(min=1), default=None, help="Another length.")
@click.option("--qa", "qa_minutes", type=click.IntRange(min=0), default=None, help="Q&A minutes.")
@click.option(
    "--speaker-id",
    default=None,
    shell_complete=complete_member_id,
    help="The speaker's member id ('' when not a member).",
)
@json_option
@pass_workspace
def talk_edit(
    ws: Workspace,
    event_id: str,
    talk: str,
    title: str | None,
    speaker: str | None,
    minutes: int | None,
    qa_minutes: int | None,
    speaker_id: str | None,
    as_json: bool,
) -> None:
    """Change TALK of meetup EVENT_ID (its number in `terrain event check`, or its title)."""
    from terrain.workflows import edit_talk

    done = edit_talk(
        ws, event_id, talk, title=title, speaker=speaker, minutes=minutes,
        qa_minutes=qa_minutes, speaker_id=speaker_id,
    )
    emit(
        done.after,
        as_json=as_json,
        human=lambda: click.echo(f"Changed talk {talk} of {event_id}."),
    )


delete_command(
    command,
    "event",
    """Delete meetup EVENT_ID, added by mistake (to call it off, `terrain event cancel`).

    Refused while photos, answers or contributions belong to it (the message
    says how to move or delete each).
    """,
    complete=complete_event_id,
    force='Delete even if consents or its recap online rely on it.',
)


@command.command("drop-talk")
@click.argument("event_id", shell_complete=complete_event_id)
@click.argument("talk")
@json_option
@pass_workspace
def drop_talk(ws: Workspace, event_id: str, talk: str, as_json: bool) -> None:
    """Remove TALK from meetup EVENT_ID: its number in `terrain event check`, or its title."""
    from terrain.workflows import drop_talk as remove

    changed, removed = remove(ws, event_id, talk)
    emit(
        changed,
        as_json=as_json,
        human=lambda: click.echo(
            f"Removed talk {removed.title!r} by {removed.speaker} from {event_id}; "
            f"{len(changed.talks)} talk(s) now."
        ),
    )


@command.command("cancel")
@click.argument("event_id", shell_complete=complete_event_id)
@click.option("--reason", default="", help="Why, to tell the people who answered.")
@click.option("--undo", is_flag=True, help="The event takes place after all.")
@json_option
@pass_workspace
def cancel(ws: Workspace, event_id: str, reason: str, undo: bool, as_json: bool) -> None:
    """Cancel meetup EVENT_ID: it takes no RSVP or check-in, and says who to tell.

    The event and its answers stay stored. For a date of a series, prefer
    `terrain series override SERIES --date DAY --cancel`, which the series keeps.
    """
    from terrain.workflows import cancel_event

    done = cancel_event(ws, event_id, reason=reason, restore=undo)

    def human() -> None:
        if undo:
            click.echo(f"{done.event.title} ({event_id}) takes place after all.")
        else:
            click.echo(f"Cancelled {done.event.title} ({event_id}).")
        if done.to_tell:
            people = ", ".join(done.names.get(m, m) for m in done.to_tell)
            click.echo(f"Tell {people}.")

    emit({"event": done.event, "to_tell": list(done.to_tell)}, as_json=as_json, human=human)


@command.command("check")
@click.argument("event_id", shell_complete=complete_event_id)
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

    from terrain.cli._common import EXIT_FAILED
    from terrain.workflows import check_event

    checked = check_event(ws, event_id, max_talks=max_talks, max_talk_minutes=max_talk_minutes)
    event, findings, agenda = checked.event, checked.findings, checked.agenda

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
    if checked.broken:
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
@click.argument("event_id", shell_complete=complete_event_id)
@ics_output_option
@json_option
@pass_workspace
def ics(ws: Workspace, event_id: str, output: str, as_json: bool) -> None:
    """Write meetup EVENT_ID as an iCalendar (.ics) file any calendar imports."""
    from terrain.workflows import event_calendar

    write_output(event_calendar(ws, event_id, now=clock.now()), output, as_json=as_json)


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


def interview_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``CONTENT_ID --member M --text T [--title T] [--on WHEN]``: what every verb that
    records a micro-interview takes (``event interview``, ``project interview``)."""
    options = [
        click.argument("content_id"),
        click.option(
            "--member",
            "member_id",
            required=True,
            shell_complete=complete_member_id,
            help="Who was interviewed (member id).",
        ),
        click.option("--text", "body", required=True, help="The transcript (first line quoted)."),
        click.option("--title", default="", help="E.g. 'Nadia, boulangère'."),
        click.option(
            "--on",
            "on_text",
            default=None,
            help="When it was said, e.g. '2026-04-20' or '2026-04-20 10:30' (default: now); "
            "an update quotes only what was said by the end of its month.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def record_and_print(
    ws: Workspace,
    content_id: str,
    *,
    member_id: str,
    body: str,
    title: str,
    on_text: str | None,
    as_json: bool,
    event_id: str | None = None,
    project_id: str | None = None,
) -> None:
    """Record the micro-interview given by :func:`interview_options` and say so."""
    from zoneinfo import ZoneInfo

    from terrain.workflows import record_interview

    tz = ws.community.timezone
    at = parse_when(on_text, tz, option="--on") if on_text else clock.now()
    content = record_interview(
        ws,
        content_id,
        member_id=member_id,
        body=body,
        title=title,
        at=at,
        event_id=event_id,
        project_id=project_id,
    )
    day = content.created_at.astimezone(ZoneInfo(tz))
    emit(
        content,
        as_json=as_json,
        human=lambda: click.echo(
            f"Recorded micro-interview {content_id} of {member_id}, {day:%Y-%m-%d}."
        ),
    )


@command.command("interview")
@click.argument("event_id", shell_complete=complete_event_id)
@interview_options
@json_option
@pass_workspace
def interview(
    ws: Workspace,
    event_id: str,
    content_id: str,
    member_id: str,
    body: str,
    title: str,
    on_text: str | None,
    as_json: bool,
) -> None:
    """Record micro-interview CONTENT_ID of MEMBER at meetup EVENT_ID.

    The recap publishes it whole (title and text) once the member gave their
    ``interview`` consent (`terrain consent grant MEMBER --purpose interview ...`).
    """
    record_and_print(
        ws,
        content_id,
        member_id=member_id,
        body=body,
        title=title,
        on_text=on_text,
        as_json=as_json,
        event_id=event_id,
    )
