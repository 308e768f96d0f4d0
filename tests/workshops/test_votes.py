"""A workshop vote: one vote per idea, dot-voting, ranking, outcome, credit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.community import Member
from terrain.content import Content
from terrain.errors import Conflict, NotFound, ValidationError
from terrain.workshops import (
    Idea,
    Vote,
    VotingRules,
    Workshop,
    cast_vote,
    credit_line,
    rank,
    take_back,
    with_outcome,
)

WORKSHOP = Workshop(
    id="ws-square",
    title="Imaginer la place",
    brief="Que mettre sur la place du Marché ?",
    starts_at=datetime(2026, 3, 14, 14, tzinfo=UTC),
    participant_ids=["lea", "karim", "ines", "tom"],
    ideas=[
        Idea("bancs", "lea", "Des bancs à l'ombre"),
        Idea("jeux", "karim", "Un coin de jeux"),
        Idea("marche", "ines", "Un marché du soir"),
    ],
)


def test_a_workshop_vote_ranks_ideas_and_writes_the_outcome() -> None:
    votes: tuple[Vote, ...] = ()
    for member, idea in [
        ("lea", "marche"),
        ("karim", "marche"),
        ("ines", "bancs"),
        ("tom", "marche"),
        ("tom", "bancs"),
    ]:
        votes = cast_vote(WORKSHOP, votes, Vote("ws-square", idea, member))
    ranking = rank(WORKSHOP, votes)
    assert [(s.idea.id, s.points, s.rank) for s in ranking] == [
        ("marche", 3, 1),
        ("bancs", 2, 2),
        ("jeux", 0, 3),
    ]
    done = with_outcome(WORKSHOP, ranking, top=2)
    assert done.outcome.splitlines()[1] == "1. Un marché du soir (3 points, 3 voters)"
    assert "jeux" not in done.outcome


def test_dot_voting_spreads_n_dots_and_refuses_more() -> None:
    rules = VotingRules(dots=3)
    votes = cast_vote(WORKSHOP, (), Vote("ws-square", "jeux", "lea", dots=2), rules=rules)
    votes = cast_vote(WORKSHOP, votes, Vote("ws-square", "bancs", "lea"), rules=rules)
    with pytest.raises(ValidationError, match="used 3 of 3 dots"):
        cast_vote(WORKSHOP, votes, Vote("ws-square", "marche", "lea"), rules=rules)
    assert rank(WORKSHOP, votes, rules=rules)[0].idea.id == "jeux"


def test_a_dot_voting_workshop_applies_its_own_rule_unless_told_otherwise() -> None:
    import attrs

    dotted = attrs.evolve(WORKSHOP, dots=2)
    votes = cast_vote(dotted, (), Vote("ws-square", "jeux", "lea", dots=2))
    with pytest.raises(ValidationError, match="used 2 of 2 dots"):
        cast_vote(dotted, votes, Vote("ws-square", "bancs", "lea"))
    with pytest.raises(ValidationError, match="one vote per idea"):
        cast_vote(dotted, (), Vote("ws-square", "jeux", "lea", dots=2), rules=VotingRules())
    assert rank(dotted, votes)[0].points == 2


def test_a_vote_for_an_idea_of_another_workshop_is_refused() -> None:
    with pytest.raises(ValidationError, match="is not an idea of workshop 'ws-square'"):
        cast_vote(WORKSHOP, (), Vote("ws-square", "piste-cyclable", "lea"))
    with pytest.raises(ValidationError, match="is for workshop 'ws-other'"):
        cast_vote(WORKSHOP, (), Vote("ws-other", "bancs", "lea"))


def test_a_non_participant_or_a_second_vote_is_refused() -> None:
    with pytest.raises(ValidationError, match="only participants vote"):
        cast_vote(WORKSHOP, (), Vote("ws-square", "bancs", "zoe"))
    votes = cast_vote(WORKSHOP, (), Vote("ws-square", "bancs", "lea"))
    with pytest.raises(Conflict, match="already voted"):
        cast_vote(WORKSHOP, votes, Vote("ws-square", "bancs", "lea"))
    with pytest.raises(ValidationError, match="one vote per idea"):
        cast_vote(WORKSHOP, (), Vote("ws-square", "jeux", "lea", dots=2))


def test_credit_line_names_the_author_only() -> None:
    lea = Member(id="lea", display_name="Léa Martin")
    assert credit_line(WORKSHOP.ideas[0], lea) == "Idea: Léa Martin"
    sketch = Content(id="sketch", kind="photo", created_at=WORKSHOP.starts_at, author_id="lea")
    assert credit_line(sketch, lea) == "Photo: Léa Martin"
    with pytest.raises(ValidationError, match="credit its author"):
        credit_line(WORKSHOP.ideas[1], lea)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(WORKSHOP.participant_ids), st.sampled_from(["bancs", "jeux", "marche"])
        ),
        max_size=12,
        unique=True,
    )
)
def test_ranking_points_add_up_to_the_votes_and_ranks_follow_points(
    pairs: list[tuple[str, str]],
) -> None:
    votes = [Vote("ws-square", idea, member) for member, idea in pairs]
    ranking = rank(WORKSHOP, votes)
    assert sum(s.points for s in ranking) == len(votes)
    for a, b in itertools.pairwise(ranking):
        assert a.points >= b.points
        assert (a.rank == b.rank) == (a.points == b.points)


def test_a_member_takes_dots_back_to_give_them_to_another_idea() -> None:
    """The dot-voting refusal advised to "take dots back", which nothing could do."""
    dots = attrs.evolve(WORKSHOP, dots=3)
    votes = cast_vote(dots, [], Vote("ws-square", "bancs", "lea", 3))
    with pytest.raises(ValidationError, match=r"take dots back from another idea first"):
        cast_vote(dots, votes, Vote("ws-square", "jeux", "lea", 1))
    before, after = take_back(
        votes, workshop_id="ws-square", idea_id="bancs", member_id="lea", dots=1
    )
    assert (before.dots, after) == (3, Vote("ws-square", "bancs", "lea", 2))
    assert after is not None
    moved = cast_vote(dots, [after], Vote("ws-square", "jeux", "lea", 1))
    assert sum(v.dots for v in moved) == 3
    assert take_back(votes, workshop_id="ws-square", idea_id="bancs", member_id="lea")[1] is None
    with pytest.raises(NotFound, match="nothing to take back"):
        take_back(votes, workshop_id="ws-square", idea_id="jeux", member_id="lea")
    with pytest.raises(ValidationError, match="take back 1 to 3"):
        take_back(votes, workshop_id="ws-square", idea_id="bancs", member_id="lea", dots=4)


@given(given_dots=st.integers(1, 5), back=st.integers(1, 5))
def test_taking_back_never_leaves_more_dots_than_given(given_dots: int, back: int) -> None:
    vote = Vote("ws-square", "bancs", "lea", given_dots)
    if back > given_dots:
        with pytest.raises(ValidationError):
            take_back([vote], workshop_id="ws-square", idea_id="bancs", member_id="lea", dots=back)
        return
    _before, after = take_back(
        [vote], workshop_id="ws-square", idea_id="bancs", member_id="lea", dots=back
    )
    left = 0 if after is None else after.dots
    assert left == given_dots - back


def test_one_point_and_one_voter_are_singular() -> None:
    """The outcome read "(1 points, 1 voters)"."""
    votes = cast_vote(WORKSHOP, [], Vote("ws-square", "bancs", "lea"))
    done = with_outcome(WORKSHOP, rank(WORKSHOP, votes), top=1)
    assert done.outcome.splitlines()[1] == "1. Des bancs à l'ombre (1 point, 1 voter)"
