"""Field records in the workspace: series, attendance, contributions, votes, project photos."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community, Content, Event, Member, Venue
from terrain.content import MediaFile
from terrain.errors import Conflict, NotFound, ValidationError
from terrain.events import Attendance, Override, Series, rsvp_going
from terrain.partnerships import Contribution, Partner
from terrain.projects import Project, ProjectPhoto
from terrain.store import Workspace, record_key
from terrain.workshops import Idea, Vote, Workshop
from tests.conftest import workspace_store

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
VELO = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")
ZINC = Venue(id="zinc", name="Le Zinc", kind="bar", capacity=30, cost_model="each-pays-own")
APERO = Event(
    id="apero-mars",
    title="Apéro",
    starts_at=datetime(2026, 3, 5, 18, tzinfo=UTC),
    ends_at=datetime(2026, 3, 5, 21, tzinfo=UTC),
    venue_id="zinc",
)


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    """A workspace on each backend: SQLite, then PostgreSQL."""
    workspace = Workspace.init(
        tmp_path / "velo", community=VELO, store_url=workspace_store(store_url)
    )
    workspace.add(ZINC)
    workspace.add(APERO)
    for member in ("lea", "karim", "ines"):
        workspace.add(Member(id=member, display_name=member.title()))
    yield workspace
    workspace.close()


def _records(ws: Workspace) -> list[tuple[object, ...]]:
    return ws.db.query("SELECT kind, id, data FROM records ORDER BY kind, id")


def _workshops(ws: Workspace) -> None:
    ws.add(
        Workshop(
            id="atelier-parc",
            title="Le parc",
            brief="Que faire du parc ?",
            starts_at=NOW,
            participant_ids=["lea", "karim"],
            ideas=[Idea("bancs", "lea", "Des bancs"), Idea("potager", "karim", "Un potager")],
        )
    )
    ws.add(
        Workshop(
            id="atelier-rue",
            title="La rue",
            brief="Que faire de la rue ?",
            starts_at=NOW,
            participant_ids=["lea"],
            ideas=[Idea("pietonne", "lea", "Rue piétonne")],
        )
    )


def test_a_series_with_overrides_round_trips(ws: Workspace) -> None:
    ws.add(Venue(id="friche", name="La Friche", kind="public", capacity=80))
    series = Series(
        id="apero",
        title="Apéro",
        rule="FREQ=MONTHLY;BYDAY=1TH;COUNT=6",
        first_starts_at=datetime(2026, 2, 5, 18, tzinfo=UTC),
        minutes=150,
        venue_id="zinc",
        overrides=[Override(on=date(2026, 4, 2), venue_id="friche")],
    )
    ws.add(series)
    assert ws.get(Series, "apero") == series


def test_a_series_override_at_an_unknown_venue_is_refused(ws: Workspace) -> None:
    before = _records(ws)
    series = Series(
        id="apero",
        title="Apéro",
        rule="FREQ=MONTHLY;COUNT=3",
        first_starts_at=datetime(2026, 2, 5, 18, tzinfo=UTC),
        minutes=150,
        overrides=[Override(on=date(2026, 3, 5), venue_id="nowhere")],
    )
    with pytest.raises(NotFound, match="series 'apero' on 2026-03-05: venue 'nowhere'"):
        ws.add(series)
    assert _records(ws) == before


def test_attendance_is_stored_under_its_event(ws: Workspace) -> None:
    answers = rsvp_going(Attendance("apero-mars", capacity=30), "lea", at=NOW)
    ws.put(answers)
    assert record_key(answers) == "apero-mars"
    assert ws.get(Attendance, "apero-mars") == answers


def test_attendance_of_an_unknown_member_or_event_is_refused(ws: Workspace) -> None:
    before = _records(ws)
    with pytest.raises(NotFound, match="member 'ghost'"):
        ws.put(rsvp_going(Attendance("apero-mars"), "ghost", at=NOW))
    with pytest.raises(NotFound, match="event 'apero-avril'"):
        ws.put(Attendance("apero-avril"))
    assert _records(ws) == before


def test_a_contribution_needs_its_partner_and_event(ws: Workspace) -> None:
    from terrain.events import Money

    drinks = Contribution(
        id="c1",
        partner_id="cave",
        event_id="apero-mars",
        kind="drinks",
        value=Money(4000),
        on=date(2026, 3, 5),
    )
    with pytest.raises(NotFound, match="partner 'cave'"):
        ws.add(drinks)
    ws.add(Partner(id="cave", name="La Cave", kind="local-shop"))
    ws.add(drinks)
    assert ws.list(Contribution) == [drinks]


def test_a_vote_for_an_idea_of_another_workshop_is_refused(ws: Workspace) -> None:
    _workshops(ws)
    before = _records(ws)
    with pytest.raises(ValidationError, match="it is an idea of workshop 'atelier-rue'"):
        ws.add(Vote("atelier-parc", "pietonne", "lea"))
    assert _records(ws) == before


def test_a_vote_by_someone_who_was_not_there_is_refused(ws: Workspace) -> None:
    _workshops(ws)
    with pytest.raises(ValidationError, match="did not take part"):
        ws.add(Vote("atelier-parc", "bancs", "ines"))


def test_voting_twice_for_the_same_idea_is_a_conflict(ws: Workspace) -> None:
    _workshops(ws)
    ws.add(Vote("atelier-parc", "bancs", "karim"))
    with pytest.raises(Conflict):
        ws.add(Vote("atelier-parc", "bancs", "karim"))
    assert ws.list(Vote) == [Vote("atelier-parc", "bancs", "karim")]


def test_a_workshop_with_an_unknown_participant_is_refused(ws: Workspace) -> None:
    with pytest.raises(NotFound, match="participant 'ghost'"):
        ws.add(Workshop(id="w", title="W", brief="B", starts_at=NOW, participant_ids=["ghost"]))


def _project_photo_content(ws: Workspace, project_id: str | None) -> Content:
    content = Content(
        id="p1",
        kind="photo",
        created_at=NOW,
        project_id=project_id,
        media=[
            MediaFile(
                id="m1",
                key="photos/p1.jpg",
                media_type="image/jpeg",
                size=10,
                checksum="a" * 64,
            )
        ],
    )
    ws.add(content)
    return content


def test_a_project_photo_round_trips_and_points_at_stored_media(ws: Workspace) -> None:
    ws.add(Project(id="place", title="Place du Marché", started_on=date(2026, 1, 5)))
    _project_photo_content(ws, "place")
    photo = ProjectPhoto("p1", "m1", "photos/p1.jpg", date(2026, 1, 10), "before", "fontaine")
    ws.add(photo)
    assert ws.get(ProjectPhoto, "p1/m1") == photo
    with pytest.raises(ValidationError, match="has no media 'm9'"):
        ws.add(ProjectPhoto("p1", "m9", "photos/p1.jpg", date(2026, 1, 10), "before"))


def test_a_photo_of_no_project_cannot_join_a_timeline(ws: Workspace) -> None:
    _project_photo_content(ws, None)
    with pytest.raises(ValidationError, match="belongs to no project"):
        ws.add(ProjectPhoto("p1", "m1", "photos/p1.jpg", date(2026, 1, 10), "before"))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(st.sampled_from(["lea", "karim", "ines"]), unique=True))
def test_attendance_round_trips_whatever_the_answers(ws: Workspace, members: list[str]) -> None:
    answers = Attendance("apero-mars", capacity=1)
    for member in members:
        answers = rsvp_going(answers, member, at=NOW)
    ws.put(answers)
    assert ws.get(Attendance, "apero-mars") == answers
