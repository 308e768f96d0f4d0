"""``terrain community core|intros|engagement``: the links inside the community.

Everything starts from check-ins (who actually came to which meetup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("community")
def command() -> None:
    """The core, introductions worth making, engagement scores."""


@command.command("core")
@click.option(
    "-k",
    "k",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Came at least k times…",
)
@click.option(
    "-n",
    "n",
    type=click.IntRange(min=1),
    default=6,
    show_default=True,
    help="…out of the last n meetups that took place.",
)
@json_option
@pass_workspace
def core(ws: Workspace, k: int, n: int, as_json: bool) -> None:
    """The members who came to at least K of the last N meetups (target: 50-80).

    Only meetups that took place count: not a cancelled date, not a date
    still ahead, not an event where nobody was checked in.
    """
    from terrain import Member
    from terrain._language import count
    from terrain.community import CORE_TARGET
    from terrain.errors import ValidationError
    from terrain.workflows import community_core

    if k > n:
        raise ValidationError(f"-k {k} is more than -n {n}: nobody can come {k} times out of {n}")
    found = community_core(ws, now=clock.now(), k=k, n=n)
    names = {  # the core's members only (one erased since keeps their id)
        i: ws.get(Member, i).display_name for i in found.members if ws.exists(Member, i)
    }
    counted = len(found.events)

    def human() -> None:
        out_of = f"the last {count(n, 'meetup')}"
        if counted < n:
            out_of += f" (only {counted} took place)" if counted else " (none took place yet)"
        click.echo(
            f"Core: {count(found.size, 'member')} came to at least {k} of {out_of}: "
            f"{found.compared_with_target()}."
        )
        for member_id, times in found.members.items():
            who = f"{names.get(member_id, member_id)} ({member_id})"
            click.echo(f"  {who:<32} {times} of {counted}")

    emit(
        {
            "k": k,
            "n": n,
            "core": dict(found.members),
            "size": found.size,
            "target": list(CORE_TARGET),
            "compared_with_target": found.compared_with_target(),
            "events": [e.id for e in found.events],
        },
        as_json=as_json,
        human=human,
    )


@command.command("intros")
@click.option(
    "--min-shared",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Interests in common.",
)
@json_option
@pass_workspace
def intros(ws: Workspace, min_shared: int, as_json: bool) -> None:
    """Members with shared interests (member tags) who never came to the same meetup."""
    from terrain.workflows import community_introductions

    found = community_introductions(ws, min_shared=min_shared)

    def human() -> None:
        if not found:
            click.echo(
                "No introduction to suggest (tag members' interests with "
                "`terrain member add ID --tag vélo`)."
            )
        for intro in found:
            click.echo(str(intro))

    emit(found, as_json=as_json, human=human)


@command.command("engagement")
@click.option("--explain", is_flag=True, help="Show how each score is computed.")
@click.option("--rsvp", "w_rsvp", type=float, default=1.0, show_default=True)
@click.option("--check-in", "w_check_in", type=float, default=3.0, show_default=True)
@click.option("--no-show", "w_no_show", type=float, default=-1.0, show_default=True)
@click.option("--idea", "w_idea", type=float, default=2.0, show_default=True)
@click.option("--vote", "w_vote", type=float, default=0.5, show_default=True)
@click.option(
    "--reaction",
    "w_reaction",
    type=float,
    default=0.1,
    show_default=True,
    help="Points per like, repost or reply drawn by a published post of content the "
    "member made (the metrics of `terrain stats`).",
)
@json_option
@pass_workspace
def engagement_(
    ws: Workspace,
    explain: bool,
    w_rsvp: float,
    w_check_in: float,
    w_no_show: float,
    w_idea: float,
    w_vote: float,
    w_reaction: float,
    as_json: bool,
) -> None:
    """Each member's engagement score, highest first, with weights you can change."""
    from terrain.community import EngagementWeights
    from terrain.workflows import community_engagement

    weights = EngagementWeights(
        rsvp=w_rsvp,
        check_in=w_check_in,
        no_show=w_no_show,
        idea=w_idea,
        vote=w_vote,
        reaction=w_reaction,
    )
    scores = community_engagement(ws, weights=weights)

    def human() -> None:
        if not scores:
            click.echo(
                "No engagement yet: RSVPs, check-ins, ideas, votes and the reactions to "
                "what members made count."
            )
        for e in scores:
            click.echo(e.explain() if explain else f"{e.member_id:<20} {e.score:g}")

    data = [{"member_id": e.member_id, "score": e.score, "explain": e.explain()} for e in scores]
    emit({"weights": weights, "scores": data}, as_json=as_json, human=human)
