"""``terrain partner add|list|edit|delete|move|contribute|budget|report``: the partners.

A partner (a brand, a local shop) has one partnership that moves through the
pipeline prospect → contacted → proposed → active → ended. What they bring to
each meetup is recorded in the in-kind ledger; the report is the argument
that recurrence and format win the next partner.
"""

from __future__ import annotations

from datetime import date
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
from terrain.cli._complete import complete_event_id
from terrain.cli._delete import delete_command
from terrain.cli._money import parse_day, parse_money

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]

_KINDS = ["brand", "local-shop", "association", "institution", "company", "other"]
_STAGES = ["prospect", "contacted", "proposed", "active", "ended"]
_BRINGS = ["food", "drinks", "venue", "money", "goods"]


def _day(ws: Workspace, value: str | None, option: str) -> date:
    if value:
        return parse_day(value, option=option)
    return clock.today(ws.community.timezone)


@click.group("partner")
def command() -> None:
    """Partners: the pipeline, what they bring, an event's budget, their report."""


@command.command("add")
@click.argument("partner_id")
@click.option("--name", required=True, help="Name, e.g. 'La Cave du Coin'.")
@click.option("--kind", type=click.Choice(_KINDS), default="other", show_default=True)
@click.option("--contact", default="", help="Who to talk to, how.")
@click.option(
    "--handle",
    "handles",
    multiple=True,
    help="PLATFORM=HANDLE, e.g. x=cave_du_coin: recaps thank them by mention there (repeat).",
)
@click.option("--brings", multiple=True, type=click.Choice(_BRINGS), help="What they could bring.")
@click.option("--on", "on_text", default=None, help="Date of first contact idea (default: today).")
@click.option("--note", default="", help="How you met them.")
@json_option
@pass_workspace
def add(
    ws: Workspace,
    partner_id: str,
    name: str,
    kind: str,
    contact: str,
    handles: tuple[str, ...],
    brings: tuple[str, ...],
    on_text: str | None,
    note: str,
    as_json: bool,
) -> None:
    """Add partner PARTNER_ID, as a prospect of the pipeline."""
    from terrain.cli._member import parse_handles
    from terrain.workflows import add_partner

    partner, partnership = add_partner(
        ws,
        partner_id,
        name=name,
        kind=kind,
        contact=contact,
        handles=parse_handles(handles),
        brings=brings,
        on=_day(ws, on_text, "--on"),
        note=note,
    )
    emit(
        {"partner": partner, "partnership": partnership},
        as_json=as_json,
        human=lambda: click.echo(f"Added {name} ({partner_id}), prospect."),
    )


@command.command("list")
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the partners and where each partnership stands."""
    from terrain.partnerships import Partner, Partnership

    partners = ws.list(Partner)
    ships = ws.list(Partnership)
    pairs = [(p, [s for s in ships if s.partner_id == p.id]) for p in partners]

    def human() -> None:
        if not partners:
            click.echo("No partner yet: add one with `terrain partner add ID --name NAME`.")
        for p, mine in pairs:
            stages = [f"{s.status.value} since {s.history[-1].on}" for s in mine]
            click.echo(f"{p.id:<16} {p.name}  ({p.kind.value}; {', '.join(stages) or 'no deal'})")

    rows = [{"partner": p, "partnerships": mine} for p, mine in pairs]
    columns, flat = flat_rows(partners)
    for row, (_p, mine) in zip(flat, pairs, strict=True):
        row["partnerships"] = "; ".join(f"{s.id}: {s.status.value}" for s in mine)
    emit_list(
        rows, as_json=as_json, as_csv=as_csv, table=([*columns, "partnerships"], flat), human=human
    )


@command.command("edit")
@click.argument("partner_id")
@click.option("--name", default=None, help="Another name.")
@click.option("--kind", type=click.Choice(_KINDS), default=None, help="Another kind.")
@click.option("--contact", default=None, help="Who to call there.")
@click.option("--website", default=None, help="Their website.")
@click.option("--handle", "handles", multiple=True, help="PLATFORM=HANDLE to add or replace.")
@click.option("--drop-handle", "drop_handles", multiple=True, help="A platform to forget.")
@json_option
@pass_workspace
def edit(
    ws: Workspace,
    partner_id: str,
    handles: tuple[str, ...],
    drop_handles: tuple[str, ...],
    as_json: bool,
    **given: str | None,
) -> None:
    """Change partner PARTNER_ID: name, kind, contact, website, handles (to thank them)."""
    from terrain.cli._member import parse_handles
    from terrain.workflows import edit_partner

    done = edit_partner(
        ws,
        partner_id,
        handles=parse_handles(handles),
        drop_handles=drop_handles,
        **{k: v for k, v in given.items() if v is not None},
    )
    emit(
        done.after,
        as_json=as_json,
        human=lambda: click.echo(
            f"Changed {', '.join(done.changed) or 'nothing'} of {partner_id}."
        ),
    )


delete_command(
    command,
    "partner",
    """Delete partner PARTNER_ID (refused while partnerships or contributions are theirs).""",
    complete=None,
    force=None,
)


@command.command("move")
@click.argument("partner_id")
@click.argument("stage", type=click.Choice(_STAGES))
@click.option("--reason", "--note", "note", default="", help="Why or how (needed to end early).")
@click.option("--on", "on_text", default=None, help="When (default: today).")
@json_option
@pass_workspace
def move(
    ws: Workspace, partner_id: str, stage: str, note: str, on_text: str | None, as_json: bool
) -> None:
    """Move PARTNER_ID's partnership to STAGE (valid steps only).

    Once a partnership has ended, ``move PARTNER_ID prospect`` opens a new one
    (the old one stays in the history).
    """
    from terrain.workflows import move_partner

    partnership, moved = move_partner(
        ws, partner_id, stage, on=_day(ws, on_text, "--on"), note=note
    )
    emit(
        moved,
        as_json=as_json,
        human=lambda: click.echo(
            f"{partner_id}: {partnership.status.value} → {moved.status.value} "
            f"on {moved.history[-1].on}."
        ),
    )


@command.command("contribute")
@click.argument("partner_id")
@click.argument("event_id", shell_complete=complete_event_id)
@click.option("--kind", type=click.Choice(_BRINGS), required=True, help="What they brought.")
@click.option("--value", required=True, help="Estimated value, e.g. 40 or '40.50 EUR'.")
@click.option("--description", default="", help="E.g. '2 cases of local beer'.")
@click.option("--on", "on_text", default=None, help="Date (default: the event's date).")
@json_option
@pass_workspace
def contribute(
    ws: Workspace,
    partner_id: str,
    event_id: str,
    kind: str,
    value: str,
    description: str,
    on_text: str | None,
    as_json: bool,
) -> None:
    """Record that PARTNER_ID brought something to EVENT_ID (the in-kind ledger)."""
    from terrain.workflows import record_contribution

    line = record_contribution(
        ws,
        partner_id,
        event_id,
        kind=kind,
        value=parse_money(value, option="--value"),
        description=description,
        on=parse_day(on_text, option="--on") if on_text else None,
    )
    emit(
        line,
        as_json=as_json,
        human=lambda: click.echo(
            f"Recorded {line.id}: {partner_id} brought {kind} ({line.value})."
        ),
    )


@command.command("budget")
@click.argument("event_id", shell_complete=complete_event_id)
@click.option(
    "--per-person",
    default=None,
    help="Food/drinks per person, e.g. 3.50 (default 0 where everyone pays their own drinks "
    "or the host offers them; needed elsewhere).",
)
@click.option("--own", default="0", show_default=True, help="The community's own small budget.")
@click.option(
    "--people",
    type=click.IntRange(min=0),
    default=None,
    help="Head count (default: who came, for a meetup that took place; else the forecast).",
)
@json_option
@pass_workspace
def budget(
    ws: Workspace,
    event_id: str,
    per_person: str | None,
    own: str,
    people: int | None,
    as_json: bool,
) -> None:
    """The budget of EVENT_ID: people × per person, the venue's fee, partners, own budget."""
    from terrain.workflows import meetup_budget

    unit = parse_money(per_person, option="--per-person") if per_person is not None else None
    result = meetup_budget(
        ws,
        event_id,
        now=clock.now(),
        per_person=unit,
        own=parse_money(own, option="--own", currency=unit.currency if unit else "EUR"),
        people=people,
    )

    def human() -> None:
        click.echo(result.explain() + ".")
        for line in result.lines:
            click.echo(f"  {line.partner_id:<16} {line.kind.value:<7} {line.value}")

    data = {
        "budget": result,
        "covered": result.covered,
        "shortfall": result.shortfall,
        "surplus": result.surplus,
    }
    emit(data, as_json=as_json, human=human)


@command.command("report")
@click.argument("partner_id")
@json_option
@pass_workspace
def report(ws: Workspace, partner_id: str, as_json: bool) -> None:
    """What PARTNER_ID's support achieved: meetups, people, posts that thanked them."""
    from terrain.workflows import partner_report_of

    result = partner_report_of(ws, partner_id)

    def human() -> None:
        click.echo(result.summary())
        for e in result.events:
            brought = ", ".join(k.value for k in e.brought)
            click.echo(f"  {e.on}  {e.title:<28} {brought:<14} {e.value}  {e.attendance} came")
        for receipt in result.posts:
            click.echo(f"  thanked on {receipt.platform}: {receipt.url or receipt.remote_id}")

    emit(result, as_json=as_json, human=human)
