"""The community from a library: introductions and engagement read from the workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from terrain import Member, Workshop
from terrain.community import EngagementWeights
from terrain.store import Workspace
from terrain.workflows import (
    add_idea,
    answer_rsvp,
    community_engagement,
    community_introductions,
    vote,
)

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_members_with_an_interest_in_common_who_never_met_are_introduced(ws: Workspace) -> None:
    ws.add(Member(id="ana", display_name="Ana", tags=["vélo", "jardin"]))
    ws.add(Member(id="sam", display_name="Sam", tags=["vélo"]))
    found = community_introductions(ws)
    assert [(i.a, i.b, set(i.shared)) for i in found] == [("ana", "sam", {"vélo"})]
    assert community_introductions(ws, min_shared=2) == ()


def test_engagement_counts_answers_ideas_and_votes_with_the_weights_given(
    ws: Workspace,
) -> None:
    ws.add(Member(id="sam", display_name="Sam"))
    ws.add(
        Workshop(
            id="parc",
            title="Parc",
            brief="?",
            starts_at=AT,
            participant_ids=("lea", "sam"),
        )
    )
    add_idea(ws, "parc", "jeux", author_id="sam", text="Jeux d'eau")
    vote(ws, "parc", "lea", ["jeux"])
    answer_rsvp(ws, "ev-12", "lea", "going", at=AT)
    scores = {e.member_id: e.score for e in community_engagement(ws)}
    assert scores == {"lea": 1.5, "sam": 2.0}  # rsvp 1 + vote 0.5; idea 2
    heavy = community_engagement(ws, weights=EngagementWeights(vote=10))
    assert {e.member_id: e.score for e in heavy}["lea"] == 11
