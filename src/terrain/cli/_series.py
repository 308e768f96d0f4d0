"""``terrain series add|list|override|plan|ics``: recurring meetups."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from terrain.cli._event import ics_output_option
from terrain.cli._money import parse_day
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.events import Series
    from terrain.store import Workspace
    from terrain.workflows import SeriesPlan

__all__ = ["command"]


@click.group("series")
def command() -> None:
    """Recurring meetups: a rule (RRULE), per-date changes, calendar files."""


@command.command("add")
@click.argument("series_id")
@click.option("--title", required=True, help="Title of every date, e.g. 'Apéro des makers'.")
@click.option(
    "--rrule", "rule", required=True, help="When it recurs, e.g. 'FREQ=MONTHLY;BYDAY=1TH;COUNT=6'."
)
@click.option("--first", required=True, help="First date and time, e.g. '2026-02-05 19:00'.")
@click.option("--minutes", type=int, required=True, help="Length of each meetup in minutes.")
@click.option("--venue", "venue_id", default=None, help="Usual venue id.")
@click.option("--capacity", type=int, default=None, help="Places (default: the venue's).")
@click.option("--networking-minutes", type=int, default=0, show_default=True)
@fold_option
@json_option
@pass_workspace
def add(
    ws: Workspace,
    series_id: str,
    title: str,
    rule: str,
    first: str,
    minutes: int,
    venue_id: str | None,
    capacity: int | None,
    networking_minutes: int,
    as_json: bool,
) -> None:
    """Add series SERIES_ID (nothing is stored if the rule does not parse)."""
    from terrain._time import zone
    from terrain.events import Series

    # a series repeats the wall time of the community's zone: a first date given
    # with an offset is that instant, in the community's zone
    tz = zone(ws.community.timezone)
    series = Series(
        id=series_id,
        title=title,
        rule=rule,
        first_starts_at=parse_when(first, tz.key, option="--first").astimezone(tz),
        minutes=minutes,
        venue_id=venue_id,
        capacity=capacity,
        networking_minutes=networking_minutes,
    )
    ws.add(series)
    emit(series, as_json=as_json, human=lambda: _print_dates(series, tz.key))


def _dates(series: Series, zone: str) -> list[dict[str, object]]:
    from terrain.events import occurrences
    from terrain.serialization import datetime_text
    from terrain.workflows import series_limit

    limit = series_limit(series)
    out: list[dict[str, object]] = []
    for occ in occurrences(series, limit=limit, zone=zone):
        o = occ.override
        starts = o.starts_at if o is not None and o.starts_at is not None else occ.starts_at
        out.append(
            {
                "date": occ.starts_at.date().isoformat(),
                "starts_at": datetime_text(starts),
                "venue_id": (o.venue_id if o is not None and o.venue_id else series.venue_id),
                "cancelled": occ.cancelled,
                "note": o.note if o is not None else "",
            }
        )
    return out


def _print_dates(series: Series, zone: str) -> None:
    from terrain.serialization import parse_datetime
    from terrain.workflows import DEFAULT_SERIES_LIMIT

    click.echo(f"{series.title} ({series.id}): {series.rule}")
    for d in _dates(series, zone):
        when = parse_datetime(str(d["starts_at"]))
        if d["cancelled"]:
            status = "cancelled" + (f" ({d['note']})" if d["note"] else "")
        else:
            status = f"at {d['venue_id'] or 'no venue yet'}"
        click.echo(f"  {when:%a %Y-%m-%d %H:%M}  {status}")
    if series.is_endless:
        click.echo(f"  … (the rule never ends; the next {DEFAULT_SERIES_LIMIT} dates are shown)")


@command.command("list")
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the series and their dates."""
    from terrain.events import Series

    all_series = ws.list(Series)

    def human() -> None:
        if not all_series:
            click.echo("No series yet: add one with `terrain series add ID --rrule ...`.")
        for s in all_series:
            _print_dates(s, tz)

    tz = ws.community.timezone
    emit_list(
        [{"series": s, "dates": _dates(s, tz)} for s in all_series],
        as_json=as_json,
        as_csv=as_csv,
        table=flat_rows(all_series),
        human=human,
    )


@command.command("override")
@click.argument("series_id")
@click.option("--date", "day", required=True, help="The date of the series to change (2026-04-02).")
@click.option("--venue", "venue_id", default=None, help="Another venue for that date.")
@click.option("--starts", default=None, help="Another start time, e.g. '2026-04-02 18:30'.")
@click.option("--title", default=None, help="Another title for that date.")
@click.option("--capacity", type=int, default=None, help="Another capacity for that date.")
@click.option("--cancel", "cancelled", is_flag=True, help="Cancel that date.")
@click.option("--note", default="", help="Why (shown in the calendar for a cancellation).")
@fold_option
@json_option
@pass_workspace
def override(
    ws: Workspace,
    series_id: str,
    day: str,
    venue_id: str | None,
    starts: str | None,
    title: str | None,
    capacity: int | None,
    cancelled: bool,
    note: str,
    as_json: bool,
) -> None:
    """Move, change or cancel one date of series SERIES_ID (replaces an earlier change).

    When that date is already planned as an event, the event follows at once:
    a cancelled date takes no more RSVPs (the command says who to tell), and a
    smaller venue that leaves people going without a seat is reported.
    """
    from terrain.events import Override
    from terrain.workflows import change_series_date

    on = parse_day(day, option="--date")
    if not (cancelled or venue_id or starts or title or capacity is not None):
        raise click.UsageError(
            "say what changes: --venue, --starts, --title, --capacity or --cancel"
        )
    change = Override(
        on=on,
        cancelled=cancelled,
        venue_id=venue_id,
        starts_at=parse_when(starts, ws.community.timezone, option="--starts") if starts else None,
        title=title,
        capacity=capacity,
        note=note,
    )
    plan = change_series_date(ws, series_id, change)
    what = "cancelled" if cancelled else "changed"

    def human() -> None:
        click.echo(f"{plan.series.title}: {on} {what}.")
        _print_dates(plan.series, ws.community.timezone)
        _print_to_tell(plan)

    emit(
        {
            "series": plan.series,
            "cancelled": [c.event.id for c in plan.cancelled],
            "to_tell": {c.event.id: list(c.to_tell) for c in plan.cancelled if c.to_tell},
            "overbooked": plan.overbooked,
        },
        as_json=as_json,
        human=human,
    )


def _print_to_tell(plan: SeriesPlan) -> None:
    """Who to tell about a cancelled date, and the dates with more people than seats."""
    for c in plan.cancelled:
        if c.to_tell:
            people = ", ".join(c.names.get(m, m) for m in c.to_tell)
            click.echo(f"! {c.event.id} is cancelled: tell {people}.")
    for problem in plan.overbooked:
        click.echo(f"! {problem}")


@command.command("plan")
@click.argument("series_id")
@click.option(
    "--limit",
    type=int,
    default=None,
    help="At most N dates (default: all; 12 for an endless rule).",
)
@json_option
@pass_workspace
def plan(ws: Workspace, series_id: str, limit: int | None, as_json: bool) -> None:
    """Store the meetups of series SERIES_ID as events (ready for RSVPs).

    Run it again after an override: the events keep their ids
    (``<series>-<YYYYMMDD>``) and their date, time, venue, title and capacity
    follow the series; talks and description edited on an event since are
    kept. The event of a date cancelled since is marked cancelled (who
    answered is listed: tell them); events of dates the rule no longer has
    are listed as stale.
    """
    from terrain.workflows import plan_series

    done = plan_series(ws, series_id, limit=limit)

    def human() -> None:
        for e in done.events:
            click.echo(f"{e.id:<22} {e.starts_at:%Y-%m-%d %H:%M}  {e.venue_id or ''}")
        for c in done.cancelled:
            click.echo(f"{c.event.id:<22} {c.event.starts_at:%Y-%m-%d %H:%M}  cancelled")
        for event_id, answered in done.stale.items():
            click.echo(
                f"{event_id:<22} stale: this date is no longer in the series"
                + (f" ({answered} answered: tell them)" if answered else "")
            )
        _print_to_tell(done)

    emit(
        {
            "series_id": series_id,
            "events": done.events,
            "cancelled": [c.event.id for c in done.cancelled],
            "to_tell": {c.event.id: list(c.to_tell) for c in done.cancelled if c.to_tell},
            "stale": list(done.stale),
            "stale_answers": done.stale,
            "overbooked": done.overbooked,
        },
        as_json=as_json,
        human=human,
    )


@command.command("ics")
@click.argument("series_id")
@ics_output_option
@json_option
@pass_workspace
def ics(ws: Workspace, series_id: str, output: str, as_json: bool) -> None:
    """Write every date of series SERIES_ID as one iCalendar (.ics) file."""
    from terrain.cli._event import write_output
    from terrain.workflows import series_calendar

    write_output(series_calendar(ws, series_id, now=clock.now()), output, as_json=as_json)
