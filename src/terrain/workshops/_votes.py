"""Votes on workshop ideas, the ranking, the outcome, and credit for UGC.

Two ways to vote: one member, one vote per idea (``VotingRules()``), or
dot-voting where each member spreads ``dots`` over the ideas
(``VotingRules(dots=5)``); by default, the workshop's own rule
(``Workshop.dots``). Only participants vote, only on ideas of this workshop.
Reusing a member's idea or photo outside the workshop needs their
``reuse-ugc`` consent (checked by :func:`terrain.consent.decide`) and a credit
line (:func:`credit_line`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import attrs

from terrain._language import count
from terrain._validation import at_least, identifier, optional
from terrain.content import Content
from terrain.errors import Conflict, ValidationError
from terrain.workshops._models import Idea, Workshop

__all__ = [
    "Credited",
    "IdeaScore",
    "Vote",
    "VotingRules",
    "cast_vote",
    "credit_line",
    "rank",
    "take_back",
    "with_outcome",
]


@attrs.frozen
class Vote:
    """Member ``member_id`` gives ``dots`` to idea ``idea_id`` of workshop ``workshop_id``."""

    workshop_id: str = attrs.field(validator=identifier())
    idea_id: str = attrs.field(validator=identifier())
    member_id: str = attrs.field(validator=identifier())
    dots: int = attrs.field(default=1, validator=at_least(1))


@attrs.frozen
class VotingRules:
    """``dots=None``: one vote per idea; ``dots=N``: dot-voting with N dots each."""

    dots: int | None = attrs.field(default=None, validator=optional(at_least(1)))


def _check(workshop: Workshop, votes: tuple[Vote, ...], vote: Vote, rules: VotingRules) -> None:
    if vote.workshop_id != workshop.id:
        raise ValidationError(
            f"vote by {vote.member_id!r} is for workshop {vote.workshop_id!r}, not "
            f"{workshop.id!r}; record it with its own workshop"
        )
    ideas = {i.id for i in workshop.ideas}
    if vote.idea_id not in ideas:
        raise ValidationError(
            f"idea {vote.idea_id!r} is not an idea of workshop {workshop.id!r} "
            f"(its ideas: {', '.join(sorted(ideas)) or 'none yet'}); vote on this workshop's "
            "ideas only"
        )
    if vote.member_id not in workshop.participant_ids:
        raise ValidationError(
            f"{vote.member_id!r} did not take part in workshop {workshop.id!r}; only "
            "participants vote (add them to the workshop's participants if they were there)"
        )
    mine = [v for v in votes if v.member_id == vote.member_id]
    if rules.dots is None:
        if vote.dots != 1:
            raise ValidationError(
                f"{vote.member_id!r} gives {vote.dots} votes to {vote.idea_id!r}: one vote per "
                "idea in this workshop (dot-voting is chosen when the workshop is added, "
                "with its number of dots)"
            )
        if any(v.idea_id == vote.idea_id for v in mine):
            raise Conflict(f"{vote.member_id!r} already voted for idea {vote.idea_id!r}")
    elif sum(v.dots for v in mine) + vote.dots > rules.dots:
        used = sum(v.dots for v in mine)
        raise ValidationError(
            f"{vote.member_id!r} has used {used} of {rules.dots} dots; {vote.dots} more is too "
            "many: take dots back from another idea first (`terrain workshop unvote`)"
        )


def take_back(
    votes: Iterable[Vote],
    *,
    workshop_id: str,
    idea_id: str,
    member_id: str,
    dots: int | None = None,
) -> tuple[Vote, Vote | None]:
    """Take back ``dots`` (default: all) of ``member_id``'s vote for ``idea_id``.

    Returns the vote as it was and what is left of it (``None`` when nothing
    is left). :class:`~terrain.errors.NotFound` if the member gave that idea
    nothing; taking back more dots than given is a :class:`ValidationError`.
    """
    from terrain.errors import NotFound

    found = next(
        (
            v
            for v in votes
            if (v.workshop_id, v.idea_id, v.member_id) == (workshop_id, idea_id, member_id)
        ),
        None,
    )
    if found is None:
        raise NotFound(
            f"{member_id!r} gave nothing to idea {idea_id!r} of workshop {workshop_id!r}; "
            "nothing to take back"
        )
    if dots is None or dots == found.dots:
        return found, None
    if not 1 <= dots <= found.dots:
        raise ValidationError(
            f"{member_id!r} gave {found.dots} dot(s) to {idea_id!r}: take back 1 to {found.dots}"
        )
    return found, attrs.evolve(found, dots=found.dots - dots)


def cast_vote(
    workshop: Workshop,
    votes: Iterable[Vote],
    vote: Vote,
    *,
    rules: VotingRules | None = None,
) -> tuple[Vote, ...]:
    """The votes with ``vote`` added, after checking it (nothing changes on error).

    ``rules`` default to the workshop's own (:attr:`Workshop.dots`).
    """
    current = tuple(votes)
    _check(workshop, current, vote, rules or VotingRules(dots=workshop.dots))
    return (*current, vote)


@attrs.frozen
class IdeaScore:
    """An idea's place in the ranking: ``rank`` 1 is the favourite (ties share a rank)."""

    idea: Idea
    points: int
    voters: int
    rank: int


def rank(
    workshop: Workshop, votes: Iterable[Vote], *, rules: VotingRules | None = None
) -> tuple[IdeaScore, ...]:
    """Every idea of ``workshop`` by points, most first; ties keep the ideas' order.

    The votes are checked again, one by one, as :func:`cast_vote` would.
    """
    rules = rules or VotingRules(dots=workshop.dots)
    accepted: tuple[Vote, ...] = ()
    for vote in votes:
        accepted = cast_vote(workshop, accepted, vote, rules=rules)
    points = {i.id: 0 for i in workshop.ideas}
    voters: dict[str, set[str]] = {i.id: set() for i in workshop.ideas}
    for vote in accepted:
        points[vote.idea_id] += vote.dots
        voters[vote.idea_id].add(vote.member_id)
    order = sorted(workshop.ideas, key=lambda i: -points[i.id])
    scores: list[IdeaScore] = []
    for n, idea in enumerate(order, 1):
        tied = scores and scores[-1].points == points[idea.id]
        place = scores[-1].rank if tied else n
        scores.append(IdeaScore(idea, points[idea.id], len(voters[idea.id]), place))
    return tuple(scores)


def with_outcome(workshop: Workshop, ranking: Iterable[IdeaScore], *, top: int = 3) -> Workshop:
    """``workshop`` with its outcome written from the ``top`` ideas of ``ranking``."""
    if top < 1:
        raise ValidationError(f"with_outcome: top is {top}; keep at least 1 idea")
    chosen = [s for s in ranking if s.points > 0][:top]
    if not chosen:
        raise ValidationError(f"workshop {workshop.id!r} has no votes yet; vote before concluding")
    lines = [
        f"{s.rank}. {s.idea.text} ({count(s.points, 'point')}, {count(s.voters, 'voter')})"
        for s in chosen
    ]
    return attrs.evolve(workshop, outcome="Selected ideas:\n" + "\n".join(lines))


class Credited(Protocol):
    """Who a credit line names: a :class:`terrain.Member`, or any object with its ``id``
    and ``display_name``.

    (Workshops know members by id only; the community sits above them and counts
    their ideas and votes in its engagement score.)
    """

    @property
    def id(self) -> str:
        """The member id the idea or content names as its author."""

    @property
    def display_name(self) -> str:
        """The name printed in the credit."""


def credit_line(item: Idea | Content, member: Credited) -> str:
    """The credit to print with a member's idea or content when it is reused.

    ``member`` must be its author. The ``reuse-ugc`` consent is checked
    separately, by the consent gate, right before publishing.
    """
    author = item.author_id
    if author != member.id:
        raise ValidationError(
            f"{type(item).__name__.lower()} {item.id!r} is by {author!r}, not {member.id!r}; "
            "credit its author"
        )
    what = "Idea" if isinstance(item, Idea) else item.kind.value.replace("-", " ").capitalize()
    return f"{what}: {member.display_name}"
