"""``terrain venue add|list|edit|delete|suggest``: the places that host meetups."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import (
    emit,
    emit_list,
    flat_rows,
    json_option,
    list_options,
    pass_workspace,
)
from terrain.cli._delete import delete_command
from terrain.cli._money import parse_money

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]

_KINDS = ["bar", "agency", "workplace", "public", "other"]
_COSTS = ["free", "each-pays-own", "host-pays", "partner-pays", "rental-fee"]


@click.group("venue")
def command() -> None:
    """Add venues, list them, find the ones that fit a crowd."""


@command.command("add")
@click.argument("venue_id")
@click.option("--name", required=True, help="Name people know, e.g. 'Le Zinc'.")
@click.option("--kind", type=click.Choice(_KINDS), required=True, help="What kind of place.")
@click.option("--capacity", type=int, default=None, help="How many people fit.")
@click.option(
    "--cost",
    "cost_model",
    type=click.Choice(_COSTS),
    default="free",
    show_default=True,
    help="Who pays: each-pays-own is the bar where everyone pays their drinks.",
)
@click.option("--fee", default=None, help="Rental fee, e.g. 150.00 or '150 EUR'.")
@click.option("--address", default="", help="Street address.")
@click.option("--notes", default="", help="Anything worth remembering (access, contact).")
@json_option
@pass_workspace
def add(
    ws: Workspace,
    venue_id: str,
    name: str,
    kind: str,
    capacity: int | None,
    cost_model: str,
    fee: str | None,
    address: str,
    notes: str,
    as_json: bool,
) -> None:
    """Add venue VENUE_ID."""
    from terrain.events import Venue

    venue = Venue(
        id=venue_id,
        name=name,
        kind=kind,
        capacity=capacity,
        cost_model=cost_model,
        fee=parse_money(fee, option="--fee") if fee else None,
        address=address,
        notes=notes,
    )
    ws.add(venue)
    emit(venue, as_json=as_json, human=lambda: click.echo(f"Added {name} ({venue_id})."))


@command.command("list")
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the venues."""
    from terrain.events import Venue

    venues = ws.list(Venue)

    def human() -> None:
        if not venues:
            click.echo("No venue yet: add one with `terrain venue add ID --name ... --kind bar`.")
        for v in venues:
            places = f"{v.capacity} places" if v.capacity is not None else "capacity unknown"
            click.echo(f"{v.id:<16} {v.name}  ({v.kind.value}, {places}, {v.cost_model.value})")

    emit_list(venues, as_json=as_json, as_csv=as_csv, table=flat_rows(venues), human=human)


@command.command("edit")
@click.argument("venue_id")
@click.option("--name", default=None, help="Another name.")
@click.option("--kind", type=click.Choice(_KINDS), default=None, help="Another kind of place.")
@click.option("--capacity", type=int, default=None, help="How many people fit.")
@click.option("--cost", "cost_model", type=click.Choice(_COSTS), default=None, help="Who pays.")
@click.option("--fee", default=None, help="Rental fee, e.g. 150.00 ('' for none).")
@click.option("--address", default=None, help="Street address.")
@click.option("--notes", default=None, help="Notes.")
@json_option
@pass_workspace
def edit(ws: Workspace, venue_id: str, as_json: bool, **given: str | int | None) -> None:
    """Change venue VENUE_ID: what is given changes, the rest stays."""
    from terrain.workflows import edit_record

    changes = {k: str(v) for k, v in given.items() if v is not None}
    if changes.get("fee"):
        money = parse_money(changes["fee"], option="--fee")
        changes["fee"] = f"{money.cents / 100:.2f} {money.currency}"
    done = edit_record(ws, "venue", venue_id, changes)
    emit(
        done.after,
        as_json=as_json,
        human=lambda: click.echo(f"Changed {', '.join(done.changed) or 'nothing'} of {venue_id}."),
    )


delete_command(
    command,
    "venue",
    """Delete venue VENUE_ID (refused while an event or a series is held there).""",
    complete=None,
    force=None,
)


@command.command("suggest")
@click.option("--attendance", type=int, required=True, help="How many people you expect.")
@click.option(
    "--margin", type=float, default=0.1, show_default=True, help="Spare room wanted (0.1 = 10%)."
)
@json_option
@pass_workspace
def suggest(ws: Workspace, attendance: int, margin: float, as_json: bool) -> None:
    """The venues that hold --attendance people, snuggest first."""
    from terrain.events import Venue, suggest_venues

    found = suggest_venues(ws.list(Venue), attendance=attendance, margin=margin)

    def human() -> None:
        if not found:
            click.echo(
                f"No stored venue holds {attendance} people with a {margin:.0%} margin "
                "(venues without a capacity are left out)."
            )
        for s in found:
            click.echo(f"{s.venue.id:<16} {s.fill:>4.0%} full  {s.reason}")

    emit(found, as_json=as_json, human=human)
