"""``terrain workshop add|list|join|leave|idea|vote|unvote|results``: co-creation with a
handful of members."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain._language import count
from terrain.cli._common import (
    emit,
    emit_list,
    flat_rows,
    json_option,
    list_options,
    pass_workspace,
)
from terrain.cli._complete import complete_content_id, complete_member_id
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("workshop")
def command() -> None:
    """Workshops: brief, participants, ideas, votes and the ranking."""


@command.command("add")
@click.argument("workshop_id")
@click.option("--title", required=True, help="Title, e.g. 'Le parc de demain'.")
@click.option("--brief", required=True, help="The question the workshop works on.")
@click.option("--starts", required=True, help="When, e.g. '2026-04-18 14:00'.")
@fold_option
@click.option(
    "--participant", "participants", multiple=True, help="Member id of a participant (repeat)."
)
@click.option("--project", "project_id", default=None, help="Project it feeds, if any.")
@click.option(
    "--dots",
    type=int,
    default=None,
    help="Dot-voting: each participant spreads N dots (default: one vote per idea).",
)
@json_option
@pass_workspace
def add(
    ws: Workspace,
    workshop_id: str,
    title: str,
    brief: str,
    starts: str,
    participants: tuple[str, ...],
    project_id: str | None,
    dots: int | None,
    as_json: bool,
) -> None:
    """Add workshop WORKSHOP_ID with its participants."""
    from terrain.workshops import Workshop

    workshop = Workshop(
        id=workshop_id,
        title=title,
        brief=brief,
        starts_at=parse_when(starts, ws.community.timezone, option="--starts"),
        participant_ids=participants,
        project_id=project_id,
        dots=dots,
    )
    ws.add(workshop)
    emit(
        workshop,
        as_json=as_json,
        human=lambda: click.echo(
            f"Added {title} ({workshop_id}), {len(participants)} participant(s)."
        ),
    )


@command.command("list")
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the workshops."""
    from terrain.workshops import Workshop

    workshops = ws.list(Workshop)

    def human() -> None:
        if not workshops:
            click.echo("No workshop yet: add one with `terrain workshop add ID --title ...`.")
        for w in workshops:
            click.echo(
                f"{w.id:<16} {w.starts_at:%Y-%m-%d}  {w.title}  "
                f"({count(len(w.participant_ids), 'participant')}, {count(len(w.ideas), 'idea')})"
            )

    emit_list(workshops, as_json=as_json, as_csv=as_csv, table=flat_rows(workshops), human=human)


@command.command("join")
@click.argument("workshop_id")
@click.argument("member_ids", nargs=-1, required=True, shell_complete=complete_member_id)
@json_option
@pass_workspace
def join(ws: Workspace, workshop_id: str, member_ids: tuple[str, ...], as_json: bool) -> None:
    """Add MEMBER_IDS to the participants of WORKSHOP_ID."""
    from terrain.workflows import set_participants

    done = set_participants(ws, workshop_id, add=member_ids)
    emit(done.after, as_json=as_json, human=lambda: click.echo(
        f"{workshop_id}: {len(done.after.participant_ids)} participant(s)."))


@command.command("leave")
@click.argument("workshop_id")
@click.argument("member_ids", nargs=-1, required=True, shell_complete=complete_member_id)
@json_option
@pass_workspace
def leave(ws: Workspace, workshop_id: str, member_ids: tuple[str, ...], as_json: bool) -> None:
    """Take MEMBER_IDS out of WORKSHOP_ID (refused while ideas or votes are theirs)."""
    from terrain.workflows import set_participants

    done = set_participants(ws, workshop_id, remove=member_ids)
    emit(done.after, as_json=as_json, human=lambda: click.echo(
        f"{workshop_id}: {len(done.after.participant_ids)} participant(s)."))


@command.command("idea")
@click.argument("workshop_id")
@click.argument("idea_id")
@click.option(
    "--author",
    "author_id",
    required=True,
    shell_complete=complete_member_id,
    help="Member id of who brought it.",
)
@click.option("--text", "text", required=True, help="The idea, in their words.")
@click.option(
    "--content",
    "content_ids",
    multiple=True,
    shell_complete=complete_content_id,
    help="Content id of a sketch or photo.",
)
@json_option
@pass_workspace
def idea(
    ws: Workspace,
    workshop_id: str,
    idea_id: str,
    author_id: str,
    text: str,
    content_ids: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add idea IDEA_ID to WORKSHOP_ID (its author must be a participant)."""
    from terrain.workflows import add_idea

    new = add_idea(
        ws, workshop_id, idea_id, author_id=author_id, text=text, content_ids=content_ids
    )
    emit(new, as_json=as_json, human=lambda: click.echo(f"Added idea {idea_id} by {author_id}."))


@command.command("vote")
@click.argument("workshop_id")
@click.argument("member_id", shell_complete=complete_member_id)
@click.argument("idea_ids", nargs=-1, required=True)
@click.option(
    "--dots", type=int, default=1, show_default=True, help="Dots given to each idea (dot-voting)."
)
@json_option
@pass_workspace
def vote(
    ws: Workspace,
    workshop_id: str,
    member_id: str,
    idea_ids: tuple[str, ...],
    dots: int,
    as_json: bool,
) -> None:
    """MEMBER_ID votes for IDEA_IDS of WORKSHOP_ID, all or none.

    One vote per idea, or with dot-voting (``workshop add --dots N``) --dots
    for each idea, added to what the member already gave it.
    """
    from terrain.workflows import vote as cast

    votes = cast(ws, workshop_id, member_id, idea_ids, dots=dots)
    emit(
        votes,
        as_json=as_json,
        human=lambda: click.echo(
            f"{member_id} voted for "
            + ", ".join(v.idea_id + (f" ({v.dots} dots)" if v.dots > 1 else "") for v in votes)
            + "."
        ),
    )


@command.command("unvote")
@click.argument("workshop_id")
@click.argument("member_id", shell_complete=complete_member_id)
@click.argument("idea_ids", nargs=-1, required=True)
@click.option(
    "--dots",
    type=click.IntRange(min=1),
    default=None,
    help="Dots taken back from each idea (dot-voting; default: all of them).",
)
@json_option
@pass_workspace
def unvote(
    ws: Workspace,
    workshop_id: str,
    member_id: str,
    idea_ids: tuple[str, ...],
    dots: int | None,
    as_json: bool,
) -> None:
    """MEMBER_ID takes back their votes (or --dots of them) for IDEA_IDS, all or none."""
    from terrain.workflows import unvote as take_back

    changes = take_back(ws, workshop_id, member_id, idea_ids, dots=dots)

    def human() -> None:
        for before, after in changes:
            left = f"{after.dots} dot(s) left" if after is not None else "nothing left"
            click.echo(f"{member_id} took back their vote for {before.idea_id} ({left}).")

    emit([{"before": b, "after": a} for b, a in changes], as_json=as_json, human=human)


@command.command("results")
@click.argument("workshop_id")
@click.option("--conclude", is_flag=True, help="Write the outcome from the top ideas.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Ideas kept by --conclude.",
)
@json_option
@pass_workspace
def results(ws: Workspace, workshop_id: str, conclude: bool, top: int, as_json: bool) -> None:
    """The ranking of WORKSHOP_ID's ideas, favourite first (ties share a rank)."""
    from terrain.workflows import conclude_workshop, workshop_results

    found = (
        conclude_workshop(ws, workshop_id, top=top)
        if conclude
        else workshop_results(ws, workshop_id)
    )
    workshop, ranking, names = found.workshop, found.ranking, found.names

    def human() -> None:
        click.echo(f"{workshop.title}: {workshop.brief}")
        for s in ranking:
            click.echo(
                f"  {s.rank}. {s.idea.text}  ({count(s.points, 'point')}, "
                f"{count(s.voters, 'voter')}, "
                f"by {names.get(s.idea.author_id, s.idea.author_id)})"
            )
        if workshop.outcome:
            click.echo("\n" + workshop.outcome)

    emit({"ranking": ranking, "outcome": workshop.outcome}, as_json=as_json, human=human)
