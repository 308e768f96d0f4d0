"""``terrain rsvp``, ``terrain checkin``, ``terrain attendance``: who comes to a meetup.

The capacity is the event's, else its venue's. When someone going cancels,
the first person waiting gets the seat, and the command says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, cast

import click

from terrain import clock
from terrain.cli._common import DefaultGroup, emit, json_option, pass_workspace
from terrain.cli._complete import complete_event_id, complete_member_id
from terrain.cli._importing import import_options, run_import
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.events import Attendance
    from terrain.store import Workspace

__all__ = ["checkin_command", "command", "rsvp_command"]

_PHRASES = {
    "going": "is going to",
    "waitlist": "is on the waitlist of",
    "cancelled": "cancelled for",
}

_AT_HELP = "When it happened, e.g. '2026-03-01 09:00' (default: now)."


def _at(ws: Workspace, value: str | None) -> datetime:
    return parse_when(value, ws.community.timezone, option="--at") if value else clock.now()


def _summary(answers: Attendance) -> dict[str, Any]:
    return {
        "event_id": answers.event_id,
        "capacity": answers.capacity,
        "seated": answers.seated,
        "seats_left": answers.seats_left,
        "waitlist": list(answers.waitlist),
        "rsvps": answers.rsvps,
    }


def _who(names: Mapping[str, str], member_ids: Iterable[str]) -> str:
    """``Léa Martin, Karim B.``: people by name (their id when the name is unknown)."""
    return ", ".join(names.get(m, m) for m in member_ids)


_RSVP_HELP = (
    "Record MEMBER_ID's answer for EVENT_ID: going (waitlisted when full), waitlist (wait "
    "for a seat), or cancel (the first person waiting gets the seat)."
)


@click.group(
    "rsvp",
    cls=DefaultGroup,
    default="answer",
    help=_RSVP_HELP + "\n\n`terrain rsvp EVENT_ID MEMBER_ID ANSWER` is short for `terrain rsvp "
    "answer ...`; `terrain rsvp import FILE` records the answers of an export (Meetup, Luma, "
    "Eventbrite, HelloAsso...).",
    short_help=_RSVP_HELP,
)
def rsvp_command() -> None:
    """Answers for a meetup, one by one or from a file."""


@rsvp_command.command("answer")
@click.argument("event_id", shell_complete=complete_event_id)
@click.argument("member_id", shell_complete=complete_member_id)
@click.argument("answer", type=click.Choice(["going", "waitlist", "cancel", "remove"]))
@click.option("--at", "at_text", default=None, help=_AT_HELP)
@fold_option
@json_option
@pass_workspace
def answer(
    ws: Workspace, event_id: str, member_id: str, answer: str, at_text: str | None, as_json: bool
) -> None:
    """Record MEMBER_ID's answer for EVENT_ID: going (waitlisted when full),
    waitlist (wait for a seat), or cancel (the first person waiting gets the seat);
    remove deletes an answer recorded by mistake (nothing of it stays in the list)."""
    if answer == "remove":
        from terrain.workflows import remove_rsvp

        removed = remove_rsvp(ws, event_id, member_id)
        emit(
            {**_summary(removed.after), "member_id": member_id, "status": None, "promoted": []},
            as_json=as_json,
            human=lambda: click.echo(f"Removed the answer of {member_id} for {event_id}."),
        )
        return
    from terrain.workflows import answer_rsvp

    choice = cast('Literal["going", "waitlist", "cancel"]', answer)
    done = answer_rsvp(ws, event_id, member_id, choice, at=_at(ws, at_text))
    after = done.attendance
    status = done.status.value
    data = {
        **_summary(after),
        "member_id": member_id,
        "status": status,
        "promoted": list(done.promoted),
    }

    def human() -> None:
        click.echo(f"{member_id} {_PHRASES.get(status, 'is ' + status + ' at')} {event_id}.")
        for m in done.promoted:
            click.echo(f"{m} moved from the waitlist to going: tell them a seat is free.")
        left = after.seats_left
        click.echo(
            f"{after.seated} going"
            + (f", {left} seat(s) left" if left is not None else "")
            + (f", {len(after.waitlist)} waiting" if after.waitlist else "")
            + "."
        )

    emit(data, as_json=as_json, human=human)


_EVENT_FOR_IMPORT = click.option(
    "--event",
    "event_id",
    default=None,
    shell_complete=complete_event_id,
    help="The event every row is about (default: each row's event column, by id or title).",
)
_ADD_MEMBERS = click.option(
    "--add-members", is_flag=True, help="Add the people who are not members yet (else refused)."
)


@rsvp_command.command("import")
@import_options
@_EVENT_FOR_IMPORT
@_ADD_MEMBERS
@pass_workspace
def rsvp_import(ws: Workspace, event_id: str | None, add_members: bool, **options: Any) -> None:
    """Record the answers listed in FILE (an attendee export, CSV or JSON), row by row.

    People are found by id, email or handle. The answers are read through the
    preset (Luma's approved is going, Eventbrite's Refunded is cancel...), as
    the service decided them. All or nothing: a refused row stores nothing,
    unless --skip-bad. Try it with --dry-run first.
    """
    from terrain.workflows import import_rsvps

    run_import(
        import_rsvps, ws=ws, event_id=event_id, add_members=add_members, at=clock.now(), **options
    )


_CHECKIN_HELP = "Check in MEMBER_IDS at the door of EVENT_ID (all or none)."


@click.group(
    "checkin",
    cls=DefaultGroup,
    default="in",
    help=_CHECKIN_HELP + "\n\n`terrain checkin EVENT_ID MEMBER_IDS...` is short for `terrain "
    "checkin in ...`; `terrain checkin import FILE` checks in who an export says came.",
    short_help=_CHECKIN_HELP,
)
def checkin_command() -> None:
    """The door of a meetup, person by person or from a file."""


@checkin_command.command("in")
@click.argument("event_id", shell_complete=complete_event_id)
@click.argument("member_ids", nargs=-1, required=True, shell_complete=complete_member_id)
@click.option("--walk-in", is_flag=True, help="Let in people who did not RSVP (if seats are free).")
@click.option(
    "--undo", is_flag=True, help="Take back their check-in (checked in by mistake)."
)
@click.option("--at", "at_text", default=None, help=_AT_HELP)
@fold_option
@json_option
@pass_workspace
def checkin_in(
    ws: Workspace,
    event_id: str,
    member_ids: tuple[str, ...],
    walk_in: bool,
    undo: bool,
    at_text: str | None,
    as_json: bool,
) -> None:
    """Check in MEMBER_IDS at the door of EVENT_ID (all or none).

    The door opens two hours before the start; half an hour after it, the
    seats of people going who have not arrived go to walk-ins and the waitlist.
    --undo takes a check-in back (people who answered are going again).
    """
    if undo:
        from terrain.workflows import undo_check_in

        answers = undo_check_in(ws, event_id, member_ids, at=_at(ws, at_text)).after
        said = f"Took back the check-in of {', '.join(member_ids)}"
    else:
        from terrain.workflows import check_in_members

        answers = check_in_members(
            ws, event_id, member_ids, at=_at(ws, at_text), walk_in=walk_in
        )
        said = f"Checked in {', '.join(member_ids)}"
    emit(
        _summary(answers),
        as_json=as_json,
        human=lambda: click.echo(f"{said}; {len(answers.checked_in)} here now."),
    )


@checkin_command.command("import")
@import_options
@_EVENT_FOR_IMPORT
@_ADD_MEMBERS
@pass_workspace
def checkin_import(
    ws: Workspace, event_id: str | None, add_members: bool, **options: Any
) -> None:
    """Check in the people FILE says came (a check-in time, or attended: yes).

    People are found by id, email or handle; someone with no RSVP comes in as
    a walk-in; rows with no check-in are ignored. All or nothing unless
    --skip-bad; try it with --dry-run first.
    """
    from terrain.workflows import import_checkins

    run_import(import_checkins, ws=ws, event_id=event_id, add_members=add_members, **options)


@click.command("attendance")
@click.argument("event_id", shell_complete=complete_event_id)
@click.option(
    "--close", "close_it", is_flag=True, help="After the event: mark who did not come as no-show."
)
@click.option(
    "--at",
    "at_text",
    default=None,
    help="Look from this moment, e.g. '2026-03-01 09:00'; with --close, when it ended"
    " (default: now).",
)
@fold_option
@json_option
@pass_workspace
def command(
    ws: Workspace, event_id: str, close_it: bool, at_text: str | None, as_json: bool
) -> None:
    """Who answered for EVENT_ID, the waitlist, no-shows, and how many to expect.

    For a meetup ahead, the forecast uses the no-show rate of the earlier
    meetups of the same series; for one that took place, who came.
    """
    from terrain.events import RsvpStatus
    from terrain.workflows import attendance_report

    now = _at(ws, at_text)
    report = attendance_report(ws, event_id, now=now, close_at=now if close_it else None)
    answers, event = report.attendance, report.event
    groups = {s.value: list(answers.with_status(s)) for s in RsvpStatus}
    data = {
        **_summary(answers),
        "by_status": groups,
        "cancelled": event.cancelled,
        "took_place": report.took_place,
        "came": report.came if report.took_place else None,
        "forecast": report.forecast,
        "over_capacity": report.over_capacity,
    }

    def human() -> None:
        cap = "no limit" if answers.capacity is None else f"{answers.capacity} places"
        state = ""
        if event.cancelled:
            why = f": {event.cancel_reason}" if event.cancel_reason else ""
            state = f", CANCELLED{why}"
        click.echo(f"{event.title} ({event_id}), {cap}{state}:")
        for status, members in groups.items():
            if members:
                click.echo(f"  {status:<11} {len(members):>3}  {_who(report.names, members)}")
        if not answers.rsvps:
            click.echo(f"  nobody answered yet: `terrain rsvp {event_id} MEMBER going`")
        if report.over_capacity:
            click.echo(
                f"! {answers.seated} people going for {answers.capacity} places: "
                f"{report.over_capacity} too many; tell them, or choose a bigger venue."
            )
        if event.cancelled:
            going = answers.with_status(RsvpStatus.GOING) + answers.waitlist
            if going:
                click.echo(f"Tell {_who(report.names, going)} that it is cancelled.")
        elif report.took_place:
            missed = len(answers.with_status(RsvpStatus.NO_SHOW))
            left = len(answers.with_status(RsvpStatus.GOING))
            line = f"Came: {report.came}"
            if missed:
                line += f" ({missed} no-show{'s' if missed != 1 else ''})"
            if left:
                line += (
                    f"; {left} still marked going: close the list with "
                    f"`terrain attendance {event_id} --close`"
                )
            click.echo(line + ".")
        elif report.forecast is not None:
            click.echo(f"Forecast: {report.forecast.explain()}.")

    emit(data, as_json=as_json, human=human)
