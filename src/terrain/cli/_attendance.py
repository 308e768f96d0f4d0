"""``terrain rsvp``, ``terrain checkin``, ``terrain attendance``: who comes to a meetup.

The capacity is the event's, else its venue's. When someone going cancels,
the first person waiting gets the seat, and the command says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.events import Attendance, Forecast
    from terrain.store import Workspace

__all__ = ["checkin_command", "command", "forecast_of", "load_attendance", "rsvp_command"]

_PHRASES = {
    "going": "is going to",
    "waitlist": "is on the waitlist of",
    "cancelled": "cancelled for",
}

_AT_HELP = "When it happened, e.g. '2026-03-01 09:00' (default: now)."


def _at(ws: Workspace, value: str | None) -> datetime:
    return parse_when(value, ws.community.timezone, option="--at") if value else clock.now()


def load_attendance(ws: Workspace, event_id: str) -> Attendance:
    """The RSVPs of ``event_id`` (empty if none yet), with the current capacity."""
    import attrs

    from terrain import Event, Venue
    from terrain.events import Attendance, capacity_of

    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    capacity = capacity_of(event, venue)
    if ws.exists(Attendance, event_id):
        return attrs.evolve(ws.get(Attendance, event_id), capacity=capacity)
    return Attendance(event_id, capacity=capacity)


def forecast_of(ws: Workspace, answers: Attendance) -> Forecast:
    """How many people to expect at ``answers``' event, from the no-show rate of
    the earlier meetups of its series (none: everyone going comes)."""
    from terrain import Event
    from terrain._time import instant
    from terrain.events import Attendance, forecast_attendance

    event = ws.get(Event, answers.event_id)
    past = []
    if event.series_id is not None:
        starts = instant(event.starts_at)
        earlier = [
            e
            for e in ws.list(Event)
            if e.series_id == event.series_id and instant(e.starts_at) < starts
        ]
        past = [ws.get(Attendance, e.id) for e in earlier if ws.exists(Attendance, e.id)]
    return forecast_attendance(answers, past)


def _summary(answers: Attendance) -> dict[str, Any]:
    return {
        "event_id": answers.event_id,
        "capacity": answers.capacity,
        "seated": answers.seated,
        "seats_left": answers.seats_left,
        "waitlist": list(answers.waitlist),
        "rsvps": answers.rsvps,
    }


@click.command("rsvp")
@click.argument("event_id")
@click.argument("member_id")
@click.argument("answer", type=click.Choice(["going", "waitlist", "cancel"]))
@click.option("--at", "at_text", default=None, help=_AT_HELP)
@fold_option
@json_option
@pass_workspace
def rsvp_command(
    ws: Workspace, event_id: str, member_id: str, answer: str, at_text: str | None, as_json: bool
) -> None:
    """Record MEMBER_ID's answer for EVENT_ID: going (waitlisted when full),
    waitlist (wait for a seat), or cancel (the first person waiting gets the seat)."""
    import attrs

    from terrain.errors import Conflict
    from terrain.events import Rsvp, RsvpStatus, cancel, promote, rsvp

    at = _at(ws, at_text)
    before = load_attendance(ws, event_id)
    current = promote(before, at=at)  # a capacity raised since: seats go to those waiting
    if answer == "going":
        after = rsvp(current, member_id, at=at)
    elif answer == "cancel":
        after = cancel(current, member_id, at=at)
    else:
        if any(r.member_id == member_id for r in current.rsvps):
            if current.status_of(member_id) is not RsvpStatus.CANCELLED:
                raise Conflict(
                    f"{member_id!r} already answered for event {event_id!r} "
                    f"({current.status_of(member_id).value}); cancel first to change the answer"
                )
            current = attrs.evolve(
                current, rsvps=tuple(r for r in current.rsvps if r.member_id != member_id)
            )
        after = attrs.evolve(
            current, rsvps=(*current.rsvps, Rsvp(member_id, RsvpStatus.WAITLIST, at))
        )
    ws.put(after)
    promoted = [
        m for m in after.with_status(RsvpStatus.GOING) if m != member_id and m in before.waitlist
    ]
    status = after.status_of(member_id).value
    data = {**_summary(after), "member_id": member_id, "status": status, "promoted": promoted}

    def human() -> None:
        click.echo(f"{member_id} {_PHRASES.get(status, 'is ' + status + ' at')} {event_id}.")
        for m in promoted:
            click.echo(f"{m} moved from the waitlist to going: tell them a seat is free.")
        left = after.seats_left
        click.echo(
            f"{after.seated} going"
            + (f", {left} seat(s) left" if left is not None else "")
            + (f", {len(after.waitlist)} waiting" if after.waitlist else "")
            + "."
        )

    emit(data, as_json=as_json, human=human)


@click.command("checkin")
@click.argument("event_id")
@click.argument("member_ids", nargs=-1, required=True)
@click.option("--walk-in", is_flag=True, help="Let in people who did not RSVP (if seats are free).")
@click.option("--at", "at_text", default=None, help=_AT_HELP)
@fold_option
@json_option
@pass_workspace
def checkin_command(
    ws: Workspace,
    event_id: str,
    member_ids: tuple[str, ...],
    walk_in: bool,
    at_text: str | None,
    as_json: bool,
) -> None:
    """Check in MEMBER_IDS at the door of EVENT_ID (all or none)."""
    from terrain.events import check_in

    at = _at(ws, at_text)
    answers = load_attendance(ws, event_id)
    for member_id in member_ids:
        answers = check_in(answers, member_id, at=at, walk_in=walk_in)
    ws.put(answers)
    emit(
        _summary(answers),
        as_json=as_json,
        human=lambda: click.echo(
            f"Checked in {', '.join(member_ids)}; {len(answers.checked_in)} here now."
        ),
    )


@click.command("attendance")
@click.argument("event_id")
@click.option(
    "--close", "close_it", is_flag=True, help="After the event: mark who did not come as no-show."
)
@click.option("--at", "at_text", default=None, help=_AT_HELP)
@fold_option
@json_option
@pass_workspace
def command(
    ws: Workspace, event_id: str, close_it: bool, at_text: str | None, as_json: bool
) -> None:
    """Who answered for EVENT_ID, the waitlist, no-shows, and how many to expect.

    The forecast uses the no-show rate of the earlier meetups of the same series.
    """
    from terrain import Event
    from terrain.events import RsvpStatus, close

    answers = load_attendance(ws, event_id)
    if close_it:
        answers = close(answers, at=_at(ws, at_text))
        ws.put(answers)
    event = ws.get(Event, event_id)
    forecast = forecast_of(ws, answers)
    groups = {s.value: list(answers.with_status(s)) for s in RsvpStatus}
    data = {**_summary(answers), "by_status": groups, "forecast": forecast}

    def human() -> None:
        cap = "no limit" if answers.capacity is None else f"{answers.capacity} places"
        click.echo(f"{event.title} ({event_id}), {cap}:")
        for status, members in groups.items():
            if members:
                click.echo(f"  {status:<11} {len(members):>3}  {', '.join(members)}")
        if not answers.rsvps:
            click.echo("  nobody answered yet: `terrain rsvp EVENT MEMBER going`")
        click.echo(f"Forecast: {forecast.explain()}.")

    emit(data, as_json=as_json, human=human)
