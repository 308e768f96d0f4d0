"""Workshop votes with a workspace: cast them all or none, take them back.

:func:`vote` records one member's votes for several ideas in one transaction
(with dot-voting, dots given to an idea add up); :func:`unvote` takes back a
vote or some of its dots, so a member who changed their mind can move their
dots to another idea.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from terrain.store import record_key
from terrain.workshops import Vote, Workshop, cast_vote, take_back

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["unvote", "vote"]


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
