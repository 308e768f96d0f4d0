"""Co-creation workshops with a handful of members.

A workshop has a brief, participants, the ideas they bring (with the author,
who keeps the rights: reusing an idea's media needs their ``reuse-ugc``
consent and credit) and an outcome. Votes, the ranking and the credit line
are pure functions beside the models.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.workshops._models import Idea, Workshop
    from terrain.workshops._votes import (
        Credited,
        IdeaScore,
        Vote,
        VotingRules,
        cast_vote,
        credit_line,
        rank,
        take_back,
        with_outcome,
    )

__all__ = [
    "Credited",
    "Idea",
    "IdeaScore",
    "Vote",
    "VotingRules",
    "Workshop",
    "cast_vote",
    "credit_line",
    "rank",
    "take_back",
    "with_outcome",
]

if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(__name__, __file__)
