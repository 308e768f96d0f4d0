"""``terrain community core|intros|engagement``: the links inside the community.

Everything starts from check-ins (who actually came to which meetup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import emit, json_option, pass_workspace

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("community")
def command() -> None:
    """The core, introductions worth making, engagement scores."""


def _checkins(ws: Workspace) -> dict[str, tuple[str, ...]]:
    from terrain.events import Attendance

    return {a.event_id: a.checked_in for a in ws.list(Attendance)}


@command.command("core")
@click.option("-k", "k", type=int, default=3, show_default=True, help="Came at least k times…")
@click.option("-n", "n", type=int, default=6, show_default=True, help="…out of the last n events.")
@json_option
@pass_workspace
def core(ws: Workspace, k: int, n: int, as_json: bool) -> None:
    """The members who came to at least K of the last N meetups (target: 50-80)."""
    from terrain import Event
    from terrain.community import core_members

    members = core_members(ws.list(Event), _checkins(ws), k=k, n=n)

    def human() -> None:
        click.echo(f"Core: {len(members)} member(s) came to at least {k} of the last {n} events.")
        for member_id, count in members.items():
            click.echo(f"  {member_id:<20} {count} of {n}")

    emit({"k": k, "n": n, "core": members}, as_json=as_json, human=human)


@command.command("intros")
@click.option("--min-shared", type=int, default=1, show_default=True, help="Interests in common.")
@json_option
@pass_workspace
def intros(ws: Workspace, min_shared: int, as_json: bool) -> None:
    """Members with shared interests (member tags) who never came to the same meetup."""
    from terrain import Member
    from terrain.community import co_attendance, introductions

    found = introductions(ws.list(Member), co_attendance(_checkins(ws)), min_shared=min_shared)

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
    as_json: bool,
) -> None:
    """Each member's engagement score, highest first, with weights you can change."""
    from terrain.community import EngagementWeights, engagement
    from terrain.events import Attendance
    from terrain.workshops import Vote, Workshop

    weights = EngagementWeights(
        rsvp=w_rsvp, check_in=w_check_in, no_show=w_no_show, idea=w_idea, vote=w_vote
    )
    scores = engagement(
        ws.list(Attendance),
        ideas=[i for w in ws.list(Workshop) for i in w.ideas],
        votes=ws.list(Vote),
        weights=weights,
    )

    def human() -> None:
        if not scores:
            click.echo("No engagement yet: RSVPs, check-ins, ideas and votes count.")
        for e in scores:
            click.echo(e.explain() if explain else f"{e.member_id:<20} {e.score:g}")

    data = [{"member_id": e.member_id, "score": e.score, "explain": e.explain()} for e in scores]
    emit({"weights": weights, "scores": data}, as_json=as_json, human=human)
