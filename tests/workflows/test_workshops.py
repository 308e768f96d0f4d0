"""A workshop from a library: ideas, votes, the ranking and the outcome, one call each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from terrain import Member, Workshop
from terrain.errors import NotFound, ValidationError
from terrain.store import Workspace
from terrain.workflows import add_idea, conclude_workshop, vote, workshop_results


@pytest.fixture
def park(ws: Workspace) -> Workspace:
    ws.add(Member(id="karim", display_name="Karim B."))
    ws.add(
        Workshop(
            id="parc",
            title="Le parc de demain",
            brief="Que faire du parc ?",
            starts_at=datetime(2026, 4, 18, 12, tzinfo=UTC),
            participant_ids=("lea", "karim"),
        )
    )
    return ws


def test_ideas_are_added_and_ranked_by_votes_with_their_authors_names(park: Workspace) -> None:
    add_idea(park, "parc", "bancs", author_id="lea", text="Des bancs à l'ombre")
    add_idea(park, "parc", "jeux", author_id="karim", text="Des jeux d'eau")
    vote(park, "parc", "lea", ["jeux"])
    vote(park, "parc", "karim", ["jeux"])
    results = workshop_results(park, "parc")
    assert [(s.idea.id, s.points, s.rank) for s in results.ranking] == [
        ("jeux", 2, 1),
        ("bancs", 0, 2),
    ]
    assert results.names["karim"] == "Karim B."
    assert park.get(Workshop, "parc").outcome == ""  # reading the results writes nothing


def test_concluding_writes_the_outcome_from_the_top_ideas(park: Workspace) -> None:
    add_idea(park, "parc", "jeux", author_id="karim", text="Des jeux d'eau")
    vote(park, "parc", "lea", ["jeux"])
    done = conclude_workshop(park, "parc", top=1)
    assert "Des jeux d'eau" in done.workshop.outcome
    assert park.get(Workshop, "parc") == done.workshop


def test_an_idea_with_a_content_never_imported_is_refused_and_nothing_is_stored(
    park: Workspace,
) -> None:
    with pytest.raises(NotFound, match="content 'croquis' does not exist"):
        add_idea(park, "parc", "jeux", author_id="karim", text="Jeux", content_ids=["croquis"])
    assert park.get(Workshop, "parc").ideas == ()


def test_an_idea_by_someone_who_is_not_a_participant_is_refused(park: Workspace) -> None:
    park.add(Member(id="nadia", display_name="Nadia"))
    with pytest.raises(ValidationError, match="not a participant"):
        add_idea(park, "parc", "jeux", author_id="nadia", text="Jeux")
    assert park.get(Workshop, "parc").ideas == ()


def test_concluding_before_any_vote_says_so_and_changes_nothing(park: Workspace) -> None:
    add_idea(park, "parc", "jeux", author_id="karim", text="Des jeux d'eau")
    with pytest.raises(ValidationError, match="no votes yet"):
        conclude_workshop(park, "parc")
    assert park.get(Workshop, "parc").outcome == ""
