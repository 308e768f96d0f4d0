"""Community links: who met whom, the core, introductions, engagement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from terrain.community import (
    EngagementWeights,
    Member,
    co_attendance,
    core_members,
    engagement,
    introductions,
)
from terrain.errors import ValidationError
from terrain.events import Attendance, Event, check_in, close, rsvp
from terrain.workshops import Idea

T0 = datetime(2026, 1, 8, 18, tzinfo=UTC)


def event(n: int) -> Event:
    start = T0 + timedelta(days=28 * n)
    return Event(
        id=f"ev-{n}", title=f"Apéro {n}", starts_at=start, ends_at=start + timedelta(hours=3)
    )


CHECKINS = {
    "ev-0": ["lea", "karim", "ines"],
    "ev-1": ["lea", "karim"],
    "ev-2": ["lea", "tom"],
    "ev-3": ["lea", "karim", "tom"],
}


def test_co_attendance_says_who_met_whom_where() -> None:
    graph = co_attendance(CHECKINS)
    assert graph.events_together("lea", "karim") == ("ev-0", "ev-1", "ev-3")
    assert graph.have_met("tom", "karim")
    assert not graph.have_met("ines", "tom")
    assert graph.contacts("ines") == {"lea", "karim"}


def test_core_is_members_attending_k_of_the_last_n_events() -> None:
    events = [event(n) for n in range(4)]
    assert core_members(events, CHECKINS, k=2, n=3) == {"lea": 3, "karim": 2, "tom": 2}
    assert core_members(events, CHECKINS, k=3, n=4) == {"lea": 4, "karim": 3}
    with pytest.raises(ValidationError, match="1 <= k <= n"):
        core_members(events, CHECKINS, k=5, n=4)


def test_introductions_pair_shared_interests_who_never_met() -> None:
    members = [
        Member(id="ines", display_name="Inès", tags={"vélo", "compost"}),
        Member(id="tom", display_name="Tom", tags={"vélo", "compost", "jazz"}),
        Member(id="karim", display_name="Karim", tags={"vélo"}),
        Member(id="zoe", display_name="Zoé", tags={"jazz"}),
        Member(id="kid", display_name="Kid", tags={"jazz"}, is_minor=True, guardian_ids=["tom"]),
    ]
    found = introductions(members, co_attendance(CHECKINS))
    pairs = [(i.a, i.b, set(i.shared)) for i in found]
    assert pairs[0] == ("ines", "tom", {"vélo", "compost"})
    assert ("tom", "zoe", {"jazz"}) in pairs
    assert all("kid" not in (a, b) for a, b, _ in pairs)
    assert all(not (a == "karim" and b == "tom") for a, b, _ in pairs)  # they met


def test_engagement_weighs_a_check_in_more_than_an_rsvp_and_explains_it() -> None:
    a = Attendance("ev-0")
    for who in ("lea", "karim"):
        a = rsvp(a, who, at=T0)
    a = close(check_in(a, "lea", at=T0), at=T0)
    scores = engagement([a], ideas=[Idea("i1", "karim", "Un marché du soir")])
    by = {e.member_id: e for e in scores}
    assert by["lea"].score == 4  # rsvp 1 + check-in 3
    assert by["karim"].score == 2  # rsvp 1 + no-show -1 + idea 2
    assert by["lea"].explain() == "lea: 4 = 1 rsvp × 1 + 1 check-in × 3"
    with pytest.raises(ValidationError, match="check_in must weigh more"):
        EngagementWeights(rsvp=3, check_in=1)
