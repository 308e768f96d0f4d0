"""Workshops with a workspace: ideas, votes cast all or none, the ranking and the outcome.

:func:`add_idea` records an idea with the contents that go with it;
:func:`vote` records one member's votes for several ideas in one transaction
(with dot-voting, dots given to an idea add up); :func:`unvote` takes back a
vote or some of its dots, so a member who changed their mind can move their
dots to another idea. :func:`workshop_results` ranks the ideas, and
:func:`conclude_workshop` writes the outcome from the top ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from terrain.community import Member
from terrain.content import Content
from terrain.errors import NotFound
from terrain.store import record_key
from terrain.workshops import (
    Idea,
    IdeaScore,
    Vote,
    Workshop,
    cast_vote,
    rank,
    take_back,
    with_outcome,
)

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "WorkshopResults",
    "add_idea",
    "conclude_workshop",
    "unvote",
    "vote",
    "workshop_results",
]


def add_idea(
    ws: Workspace,
    workshop_id: str,
    idea_id: str,
    *,
    author_id: str,
    text: str,
    content_ids: Sequence[str] = (),
) -> Idea:
    """Add idea ``idea_id`` by ``author_id`` (a participant) to workshop ``workshop_id``,
    with the stored contents ``content_ids`` (sketches, photos) that go with it."""
    with ws.db.transaction():  # read and written in one go: no idea lost in between
        workshop = ws.get(Workshop, workshop_id)
        for content_id in content_ids:
            if not ws.exists(Content, content_id):
                raise NotFound(
                    f"idea {idea_id!r}: content {content_id!r} does not exist; import it "
                    "first with `terrain content import`"
                )
        idea = Idea(id=idea_id, author_id=author_id, text=text, content_ids=content_ids)
        ws.put(attrs.evolve(workshop, ideas=(*workshop.ideas, idea)))
    return idea


@attrs.frozen
class WorkshopResults:
    """A workshop's ideas ranked, favourite first (ties share a rank), with the names
    of the members (``names``: id -> display name) for printing."""

    workshop: Workshop
    ranking: tuple[IdeaScore, ...]
    names: Mapping[str, str]


def workshop_results(ws: Workspace, workshop_id: str) -> WorkshopResults:
    """The ranking of workshop ``workshop_id``'s ideas from the stored votes."""
    workshop = ws.get(Workshop, workshop_id)
    votes = [v for v in ws.list(Vote) if v.workshop_id == workshop_id]
    names = {m.id: m.display_name for m in ws.list(Member)}
    return WorkshopResults(workshop, rank(workshop, votes), names)


def conclude_workshop(ws: Workspace, workshop_id: str, *, top: int = 3) -> WorkshopResults:
    """Write workshop ``workshop_id``'s outcome from its ``top`` ideas (see
    :func:`terrain.workshops.with_outcome`); the results, with the workshop as stored."""
    with ws.db.transaction():
        found = workshop_results(ws, workshop_id)
        concluded = ws.put(with_outcome(found.workshop, found.ranking, top=top))
    return attrs.evolve(found, workshop=concluded)


def vote(
    ws: Workspace, workshop_id: str, member_id: str, idea_ids: Sequence[str], *, dots: int = 1
) -> tuple[Vote, ...]:
    """``member_id`` votes for ``idea_ids`` of ``workshop_id``, all or none.

    One vote per idea, or with dot-voting ``dots`` for each idea, added to what
    the member already gave it. Returns the votes as stored.
    """
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
    return tuple(votes)


def unvote(
    ws: Workspace,
    workshop_id: str,
    member_id: str,
    idea_ids: Sequence[str],
    *,
    dots: int | None = None,
) -> tuple[tuple[Vote, Vote | None], ...]:
    """``member_id`` takes back their votes for ``idea_ids`` (or ``dots`` of each), all or
    none. Returns, per idea, the vote as it was and what is left (``None``: nothing)."""
    ws.get(Workshop, workshop_id)
    votes = [v for v in ws.list(Vote) if v.workshop_id == workshop_id]
    changes = [
        take_back(votes, workshop_id=workshop_id, idea_id=i, member_id=member_id, dots=dots)
        for i in idea_ids
    ]
    with ws.db.transaction():
        for before, after in changes:
            if after is None:
                ws.remove(Vote, record_key(before))
            else:
                ws.put(after)
    return tuple(changes)
