"""``terrain workshop add|list|idea|vote|results``: co-creation with a handful of members."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import emit, json_option, pass_workspace
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
@json_option
@pass_workspace
def list_(ws: Workspace, as_json: bool) -> None:
    """List the workshops."""
    from terrain.workshops import Workshop

    workshops = ws.list(Workshop)

    def human() -> None:
        if not workshops:
            click.echo("No workshop yet: add one with `terrain workshop add ID --title ...`.")
        for w in workshops:
            click.echo(
                f"{w.id:<16} {w.starts_at:%Y-%m-%d}  {w.title}  "
                f"({len(w.participant_ids)} participants, {len(w.ideas)} ideas)"
            )

    emit(workshops, as_json=as_json, human=human)


@command.command("idea")
@click.argument("workshop_id")
@click.argument("idea_id")
@click.option("--author", "author_id", required=True, help="Member id of who brought it.")
@click.option("--text", "text", required=True, help="The idea, in their words.")
@click.option("--content", "content_ids", multiple=True, help="Content id of a sketch or photo.")
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
    import attrs

    from terrain import Content
    from terrain.errors import NotFound
    from terrain.workshops import Idea, Workshop

    workshop = ws.get(Workshop, workshop_id)
    for content_id in content_ids:
        if not ws.exists(Content, content_id):
            raise NotFound(
                f"idea {idea_id!r}: content {content_id!r} does not exist; import it first "
                "with `terrain content import`"
            )
    new = Idea(id=idea_id, author_id=author_id, text=text, content_ids=content_ids)
    changed = attrs.evolve(workshop, ideas=(*workshop.ideas, new))
    ws.put(changed)
    emit(new, as_json=as_json, human=lambda: click.echo(f"Added idea {idea_id} by {author_id}."))


@command.command("vote")
@click.argument("workshop_id")
@click.argument("member_id")
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
    from terrain.store import record_key
    from terrain.workshops import Vote, Workshop, cast_vote

    workshop = ws.get(Workshop, workshop_id)
    stored = {record_key(v): v for v in ws.list(Vote)}
    votes = []
    with ws.db.transaction():
        for idea_id in idea_ids:
            new = Vote(workshop_id, idea_id, member_id, dots)
            earlier = stored.get(record_key(new))
            if earlier is not None and workshop.dots is not None:
                # checked as "dots more" first, so the message counts what was used
                mine = [v for v in stored.values() if v.workshop_id == workshop_id]
                cast_vote(workshop, mine, new)
                new = Vote(workshop_id, idea_id, member_id, earlier.dots + dots)
                ws.put(new)
            else:
                ws.add(new)
            stored[record_key(new)] = new
            votes.append(new)
    emit(
        votes,
        as_json=as_json,
        human=lambda: click.echo(
            f"{member_id} voted for "
            + ", ".join(v.idea_id + (f" ({v.dots} dots)" if v.dots > 1 else "") for v in votes)
            + "."
        ),
    )


@command.command("results")
@click.argument("workshop_id")
@click.option("--conclude", is_flag=True, help="Write the outcome from the top ideas.")
@click.option("--top", type=int, default=3, show_default=True, help="Ideas kept by --conclude.")
@json_option
@pass_workspace
def results(ws: Workspace, workshop_id: str, conclude: bool, top: int, as_json: bool) -> None:
    """The ranking of WORKSHOP_ID's ideas, favourite first (ties share a rank)."""
    from terrain.workshops import Vote, Workshop, rank, with_outcome

    workshop = ws.get(Workshop, workshop_id)
    ranking = rank(workshop, [v for v in ws.list(Vote) if v.workshop_id == workshop_id])
    if conclude:
        workshop = with_outcome(workshop, ranking, top=top)
        ws.put(workshop)

    def human() -> None:
        click.echo(f"{workshop.title}: {workshop.brief}")
        for s in ranking:
            click.echo(
                f"  {s.rank}. {s.idea.text}  ({s.points} points, {s.voters} voters, "
                f"by {s.idea.author_id})"
            )
        if workshop.outcome:
            click.echo("\n" + workshop.outcome)

    emit({"ranking": ranking, "outcome": workshop.outcome}, as_json=as_json, human=human)
