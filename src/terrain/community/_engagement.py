"""The engagement score: what each member did, with weights anyone can read and change.

It adds up RSVPs, check-ins, no-shows, ideas, votes and the reactions to the
published posts of what members made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from terrain.errors import ValidationError

if TYPE_CHECKING:
    from terrain.events import Attendance
    from terrain.workshops import Idea, Vote

__all__ = ["Engagement", "EngagementWeights", "engagement"]


@attrs.frozen
class EngagementWeights:
    """Points per action. A check-in (coming) weighs more than an RSVP (saying so)."""

    rsvp: float = 1.0
    check_in: float = 3.0
    no_show: float = -1.0
    idea: float = 2.0
    vote: float = 0.5
    #: per like, repost, reply… on a published post of content the member made
    reaction: float = 0.1

    def __attrs_post_init__(self) -> None:
        if self.check_in <= self.rsvp:
            raise ValidationError(
                "EngagementWeights: a check-in must weigh more than an RSVP (coming counts "
                "more than saying you will come)",
                field="EngagementWeights.check_in",
            )


@attrs.frozen
class Engagement:
    """A member's engagement: the score and, for each action, count × weight."""

    member_id: str
    score: float
    lines: tuple[tuple[str, int, float], ...]

    def explain(self) -> str:
        """How the score was computed, readable by the member themselves."""
        parts = [f"{count} {what} × {weight:g}" for what, count, weight in self.lines if count]
        return f"{self.member_id}: {self.score:g} = " + (" + ".join(parts) or "nothing yet")


def engagement(
    attendances: Iterable[Attendance],
    *,
    ideas: Iterable[Idea] = (),
    votes: Iterable[Vote] = (),
    weights: EngagementWeights | None = None,
    reactions: Mapping[str, int] | None = None,
) -> tuple[Engagement, ...]:
    """The engagement score of every member seen, highest first.

    An RSVP counts once per event whatever became of it; checking in and not
    showing up count on top of it. ``reactions`` maps a member to the
    interactions (likes, reposts, replies…) that published posts of content
    they made (their own photos, the words of their interviews) drew online,
    from the metrics ``terrain stats`` pulled back; each counts ``reaction``
    points. Public metrics never say who reacted, so nobody is scored for
    liking a post.
    """
    from terrain.events import RsvpStatus

    w = weights or EngagementWeights()
    counts: dict[str, dict[str, int]] = {}
    kinds = ("rsvp", "check-in", "no-show", "idea", "vote", "reaction")

    def bump(member_id: str, what: str, by: int = 1) -> None:
        row = counts.setdefault(member_id, dict.fromkeys(kinds, 0))
        row[what] += by

    for attendance in attendances:
        for r in attendance.rsvps:
            bump(r.member_id, "rsvp")
            if r.status is RsvpStatus.CHECKED_IN:
                bump(r.member_id, "check-in")
            elif r.status is RsvpStatus.NO_SHOW:
                bump(r.member_id, "no-show")
    for idea in ideas:
        bump(idea.author_id, "idea")
    for vote in votes:
        bump(vote.member_id, "vote")
    for member_id, number in sorted((reactions or {}).items()):
        if number > 0:
            bump(member_id, "reaction", number)
    weight_of = {
        "rsvp": w.rsvp,
        "check-in": w.check_in,
        "no-show": w.no_show,
        "idea": w.idea,
        "vote": w.vote,
        "reaction": w.reaction,
    }
    result = []
    for member_id, row in counts.items():
        lines = tuple((what, row[what], weight_of[what]) for what in weight_of)
        score = sum(count * weight for _, count, weight in lines)
        result.append(Engagement(member_id, score, lines))
    return tuple(sorted(result, key=lambda e: (-e.score, e.member_id)))
