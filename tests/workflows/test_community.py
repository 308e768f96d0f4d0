"""The community from a library: introductions and engagement read from the workspace."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community, Event, Member, Workshop
from terrain.community import EngagementWeights, core
from terrain.events import Attendance, Rsvp, RsvpStatus
from terrain.store import Workspace
from terrain.workflows import (
    add_idea,
    answer_rsvp,
    community_core,
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


_START = datetime(2026, 1, 5, 19, tzinfo=UTC)


@st.composite
def _season(draw: st.DrawFn) -> tuple[list[Event], list[Attendance], datetime, int, int]:
    """Meetups (some cancelled, some ahead, some sharing a start), their check-ins
    (some nobody came to, some never taken), an instant, and k <= n."""
    count = draw(st.integers(0, 12))
    events = [
        Event(
            id=f"ev-{i:02d}",
            title=f"#{i}",
            starts_at=_START + timedelta(days=draw(st.integers(0, 20))),
            ends_at=_START + timedelta(days=30),
            cancelled=draw(st.booleans()),
        )
        for i in range(count)
    ]
    attendances = []
    for event in events:
        if draw(st.booleans()):
            statuses = draw(st.lists(
                st.sampled_from([RsvpStatus.CHECKED_IN, RsvpStatus.GOING, None]),
                min_size=4, max_size=4,
            ))
            attendances.append(Attendance(event_id=event.id, rsvps=[
                Rsvp(member_id=f"m{j}", status=status, at=_START)
                for j, status in enumerate(statuses) if status is not None
            ]))
    now = _START + timedelta(days=draw(st.integers(0, 22)), hours=draw(st.integers(0, 23)))
    n = draw(st.integers(1, 6))
    return events, attendances, now, draw(st.integers(1, n)), n


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(season=_season())
def test_the_core_read_from_a_workspace_is_the_core_of_every_event_and_check_in(
    season: tuple[list[Event], list[Attendance], datetime, int, int],
) -> None:
    """The workflow reads only the check-ins of the last meetups that took place:
    the answer is still the pure function's over every event and every check-in."""
    events, attendances, now, k, n = season
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        Workspace.init(root, community=Community(id="velo", name="Vélo")).close()
        with Workspace.open(root) as ws:
            for j in range(4):
                ws.add(Member(id=f"m{j}", display_name=f"M{j}"))
            for record in [*events, *attendances]:
                ws.add(record)
            found = community_core(ws, now=now, k=k, n=n)
    checkins = {a.event_id: a.checked_in for a in attendances}
    assert found == core(events, checkins, now=now, k=k, n=n)
