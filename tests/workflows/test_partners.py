"""A partner from a library: the pipeline and the in-kind ledger, one call each."""

from __future__ import annotations

from datetime import date

import pytest

from terrain.errors import NotFound, ValidationError
from terrain.events import Money
from terrain.partnerships import Contribution, Partnership, PartnershipStatus
from terrain.store import Workspace
from terrain.workflows import (
    add_partner,
    current_partnership,
    move_partner,
    record_contribution,
)


@pytest.fixture
def cave(ws: Workspace) -> Workspace:
    add_partner(ws, "cave", name="La Cave du Coin", on=date(2026, 1, 5), brings=["drinks"])
    return ws


def test_a_partnership_moves_step_by_step_and_says_where_it_was(cave: Workspace) -> None:
    before, after = move_partner(cave, "cave", "contacted", on=date(2026, 1, 12))
    assert (before.status, after.status) == (
        PartnershipStatus.PROSPECT,
        PartnershipStatus.CONTACTED,
    )
    assert cave.get(Partnership, "cave") == after


def test_an_ended_partnership_reopens_as_a_new_one_keeping_the_old(cave: Workspace) -> None:
    move_partner(cave, "cave", "ended", on=date(2026, 2, 1), note="no budget this year")
    ended, reopened = move_partner(cave, "cave", "prospect", on=date(2026, 9, 1))
    assert ended.status is PartnershipStatus.ENDED
    assert reopened.id == "cave-2"
    assert reopened.contributions == ended.contributions
    assert cave.ids(Partnership) == ["cave", "cave-2"]
    assert current_partnership(cave, "cave") == reopened


def test_a_step_the_pipeline_does_not_allow_changes_nothing(cave: Workspace) -> None:
    with pytest.raises(ValidationError, match="from 'prospect' it can go to"):
        move_partner(cave, "cave", "active", on=date(2026, 1, 12))
    assert cave.get(Partnership, "cave").status is PartnershipStatus.PROSPECT


def test_contributions_get_ids_of_their_own_and_the_events_date(cave: Workspace) -> None:
    first = record_contribution(cave, "cave", "ev-12", kind="drinks", value=Money(4000))
    second = record_contribution(
        cave, "cave", "ev-12", kind="drinks", value=Money(1500), on=date(2026, 3, 13)
    )
    assert (first.id, first.on) == ("cave-ev-12-drinks", date(2026, 3, 12))
    assert (second.id, second.on) == ("cave-ev-12-drinks-2", date(2026, 3, 13))
    assert cave.list(Contribution) == [first, second]


def test_a_contribution_to_an_unknown_event_is_refused(cave: Workspace) -> None:
    with pytest.raises(NotFound, match="no event with id 'nowhere'"):
        record_contribution(cave, "cave", "nowhere", kind="drinks", value=Money(4000))
    assert cave.list(Contribution) == []
