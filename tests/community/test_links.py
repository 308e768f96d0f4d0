"""Community links: who met whom, the core, introductions, engagement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain.community import (
    CORE_TARGET,
    EngagementWeights,
    Member,
    co_attendance,
    core,
    core_members,
    engagement,
    introductions,
    meetups_that_took_place,
)
from terrain.errors import ValidationError
from terrain.events import Attendance, Event, check_in, mark_no_shows, rsvp_going
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
        a = rsvp_going(a, who, at=T0)
    a = mark_no_shows(check_in(a, "lea", at=T0), at=T0)
    scores = engagement([a], ideas=[Idea("i1", "karim", "Un marché du soir")])
    by = {e.member_id: e for e in scores}
    assert by["lea"].score == 4  # rsvp 1 + check-in 3
    assert by["karim"].score == 2  # rsvp 1 + no-show -1 + idea 2
    assert by["lea"].explain() == "lea: 4 = 1 rsvp × 1 + 1 check-in × 3"
    with pytest.raises(ValidationError, match="a check-in must weigh more than an RSVP"):
        EngagementWeights(rsvp=3, check_in=1)


def season() -> tuple[list[Event], dict[str, list[str]]]:
    """Four meetups with the same 20 regulars, then what a real calendar also holds:
    the eight dates of the series still ahead, a cancelled date, a test event."""
    regulars = [f"m{n}" for n in range(20)]
    events = [event(n) for n in range(12)]
    checkins = {f"ev-{n}": list(regulars) for n in range(4)}
    events.append(attrs.evolve(event(2), id="ev-cancelled", cancelled=True))
    checkins["ev-cancelled"] = []
    events.append(attrs.evolve(event(3), id="test", title="test"))
    return events, checkins


NOW = T0 + timedelta(days=28 * 3 + 10)  # ten days after the fourth meetup


def test_the_core_counts_only_the_meetups_that_took_place() -> None:
    """With future dates, a cancelled date and a test event in the last n, the season's
    20 regulars used to be a core of 0."""
    events, checkins = season()
    found = core(events, checkins, now=NOW, k=3, n=6)
    assert [e.id for e in found.events] == ["ev-0", "ev-1", "ev-2", "ev-3"]
    assert found.size == 20
    assert set(found.members.values()) == {4}
    assert core_members(events, checkins, k=3, n=6, now=NOW) == dict(found.members)
    assert [e.id for e in meetups_that_took_place(events, checkins, now=NOW)] == [
        "ev-0",
        "ev-1",
        "ev-2",
        "ev-3",
    ]


def test_the_core_says_how_it_compares_with_the_50_to_80_target() -> None:
    events, checkins = season()
    assert CORE_TARGET == (50, 80)
    assert core(events, checkins, now=NOW).compared_with_target() == (
        "below the 50–80 target of a field community (30 to go)"
    )
    big = {e: [f"m{n}" for n in range(60)] for e in ("ev-0", "ev-1", "ev-2")}
    assert "within the 50–80 target" in core(events, big, now=NOW).compared_with_target()
    huge = {e: [f"m{n}" for n in range(90)] for e in ("ev-0", "ev-1", "ev-2")}
    assert "above the 50–80 target" in core(events, huge, now=NOW).compared_with_target()


@settings(max_examples=60, deadline=None)
@given(
    extra=st.lists(
        st.tuples(st.sampled_from(["ahead", "cancelled", "nobody"]), st.integers(0, 30)),
        max_size=8,
    ),
    k=st.integers(1, 4),
    n=st.integers(4, 8),
)
def test_dates_that_did_not_take_place_never_change_the_core(
    extra: list[tuple[str, int]], k: int, n: int
) -> None:
    """Adding dates ahead, cancelled dates or events nobody came to changes nothing."""
    events, checkins = season()
    kept = [e for e in events if e.took_place(NOW) and checkins.get(e.id)]
    before = core(kept, checkins, now=NOW, k=k, n=n)
    more = list(events)
    more_checkins = dict(checkins)
    for i, (kind, days) in enumerate(extra):
        if kind == "ahead":
            start = NOW + timedelta(days=days + 1)
            more_checkins[f"x{i}"] = ["m0", "m1"]  # checked in early by mistake: still ahead
        else:
            start = NOW - timedelta(days=days + 1)
            more_checkins[f"x{i}"] = ["m0", "m1"] if kind == "cancelled" else []
        more.append(
            Event(
                id=f"x{i}",
                title="x",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                cancelled=kind == "cancelled",
            )
        )
    after = core(more, more_checkins, now=NOW, k=k, n=n)
    assert after.members == before.members
    assert after.events == before.events
