"""Every change of a record is in the history (who, when, before, after); deleting a
record others rely on is refused with what to change, or forced and recorded. On
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from terrain import Community, Content, Event, Member, Venue
from terrain.consent import Evidence, Scope
from terrain.content import Appearance, MediaFile
from terrain.errors import Conflict, NotFound
from terrain.events import Attendance, Rsvp
from terrain.partnerships import Contribution, Partner
from terrain.store import Workspace
from terrain.store._copy import TABLES
from tests.conftest import workspace_store

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

NOW = "2026-03-01T09:00:00+00:00"
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
VELO = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")
ZINC = Venue(id="zinc", name="Le Zinc", kind="bar", capacity=30)
APERO = Event(
    id="apero",
    title="Apéro",
    starts_at=datetime(2026, 3, 5, 18, tzinfo=UTC),
    ends_at=datetime(2026, 3, 5, 21, tzinfo=UTC),
    venue_id="zinc",
)


@pytest.fixture
def ws(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    monkeypatch.setenv("TERRAIN_NOW", NOW)
    monkeypatch.setenv("TERRAIN_USER", "camille")
    workspace = Workspace.init(
        tmp_path / "velo", community=VELO, store_url=workspace_store(store_url)
    )
    workspace.add(ZINC)
    workspace.add(APERO)
    workspace.add(Member(id="lea", display_name="Léa Martin", email="lea@velo.fr"))
    yield workspace
    workspace.close()


def _photo(ws: Workspace, *people: str) -> Content:
    key = "media/apero/p-1.jpg"
    ws.storage.put(key, b"jpeg bytes")
    photo = Content(
        id="p-1",
        kind="photo",
        created_at=T0,
        media=[MediaFile(id="m1", key=key, media_type="image/jpeg", size=10, checksum="a" * 64)],
        appearances=[Appearance(member_id=p, media_id="m1", reviewed=True) for p in people],
        people_reviewed=True,
        event_id="apero",
    )
    ws.add(photo)
    return photo


def test_the_history_table_is_copied_with_the_store() -> None:
    assert "history" in TABLES


def test_an_addition_an_edit_and_a_deletion_are_recorded_with_who_when_before_and_after(
    ws: Workspace,
) -> None:
    lea = ws.get(Member, "lea")
    ws.put(Member(id="lea", display_name="Léa Martin", email="lea.martin@velo.fr"))
    ws.remove(Member, "lea")
    changes = ws.history(Member, "lea")
    assert [c.action for c in changes] == ["add", "edit", "delete"]
    assert {c.who for c in changes} == {"camille"}
    assert all(timedelta(0) <= c.at - T0 < timedelta(minutes=1) for c in changes)  # the clock
    added, edited, deleted = changes
    assert added.before is None
    assert json.loads(added.after or "")["email"] == "lea@velo.fr"
    assert [(f.field, f.before, f.after) for f in edited.fields] == [
        ("email", "lea@velo.fr", "lea.martin@velo.fr")
    ]
    assert deleted.after is None
    assert json.loads(deleted.before or "")["email"] == "lea.martin@velo.fr"
    assert lea.email == "lea@velo.fr"


def test_storing_a_record_unchanged_records_nothing(ws: Workspace) -> None:
    before = len(ws.history())
    ws.put(ws.get(Member, "lea"))
    ws.put(ws.get(Event, "apero"))
    assert len(ws.history()) == before


def test_who_is_the_name_the_workspace_was_opened_with_before_terrain_user(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_url = ws.config.store_url
    ws.close()
    with Workspace.open(ws.root, actor="dominique") as other:
        assert other.config.store_url == config_url
        other.put(Member(id="lea", display_name="Léa M."))
        assert other.history(Member, "lea")[-1].who == "dominique"
    monkeypatch.delenv("TERRAIN_USER")
    with Workspace.open(ws.root) as third:
        assert third.actor not in ("", "camille", "dominique")  # the OS user


def test_the_history_keeps_the_latest_changes_when_limited(ws: Workspace) -> None:
    for n in range(5):
        ws.put(Member(id="lea", display_name=f"Léa {n}"))
    latest = ws.history(Member, "lea", limit=2)
    assert [json.loads(c.after or "")["display_name"] for c in latest] == ["Léa 3", "Léa 4"]


def test_a_failed_write_records_no_history(ws: Workspace) -> None:
    before = len(ws.history())
    with pytest.raises(Conflict):
        ws.add(Member(id="lea", display_name="Another Léa"))
    with pytest.raises(NotFound):
        ws.put(Event(**{**_fields(APERO), "venue_id": "nowhere"}))
    assert len(ws.history()) == before


def _fields(event: Event) -> dict[str, object]:
    return {name: getattr(event, name) for name in ("id", "title", "starts_at", "ends_at")}


def test_deleting_a_member_a_photo_shows_is_refused_naming_the_photo_and_the_command(
    ws: Workspace,
) -> None:
    _photo(ws, "lea")
    with pytest.raises(Conflict) as refused:
        ws.remove(Member, "lea")
    message = str(refused.value)
    assert "content p-1 shows them" in message
    assert "terrain content people p-1 --remove lea" in message
    assert ws.exists(Member, "lea")


def test_deleting_a_venue_an_event_is_held_at_is_refused_even_with_force(ws: Workspace) -> None:
    with pytest.raises(Conflict, match="event apero is held there"):
        ws.remove(Venue, "zinc", force=True)


def test_deleting_a_member_whose_consent_is_recorded_needs_force_and_says_so(
    ws: Workspace,
) -> None:
    ledger = ws.ledger()
    ledger.grant("lea", purposes=["publish"], at=T0, evidence=Evidence(kind="verbal", witness="K"))
    ws.save_ledger(ledger)
    with pytest.raises(Conflict, match="terrain member erase lea"):
        ws.remove(Member, "lea")
    removal = ws.remove(Member, "lea", force=True)
    assert [d.kind for d in removal.forced] == ["consent"]
    (deleted,) = [c for c in ws.history(Member, "lea") if c.action == "delete"]
    assert "forced past consent c-1" in deleted.note


def test_deleting_an_event_with_a_consent_scoped_to_it_and_rsvps_names_both(
    ws: Workspace,
) -> None:
    ws.put(Attendance("apero", rsvps=[Rsvp("lea", "going", T0)]))
    ledger = ws.ledger()
    ledger.grant(
        "lea",
        purposes=["publish"],
        at=T0,
        evidence=Evidence(kind="verbal", witness="K"),
        scope=Scope(kind="event", ref="apero"),
    )
    ws.save_ledger(ledger)
    with pytest.raises(Conflict) as refused:
        ws.remove(Event, "apero", force=True)
    assert "attendance apero holds its RSVPs" in str(refused.value)
    ws.remove(Attendance, "apero")
    with pytest.raises(Conflict, match="consent c-1 of lea covers this event"):
        ws.remove(Event, "apero")
    ws.remove(Event, "apero", force=True)
    assert not ws.exists(Event, "apero")


def test_deleting_a_photo_deletes_its_file_and_its_index_rows(ws: Workspace) -> None:
    photo = _photo(ws, "lea")
    assert ws.contents_showing("lea") == [photo]
    removal = ws.remove(Content, "p-1")
    assert removal.files == ("media/apero/p-1.jpg",)
    assert not ws.storage.exists("media/apero/p-1.jpg")
    assert ws.contents_showing("lea") == []
    assert ws.find_media("a" * 64) is None


def test_a_contribution_and_a_vote_are_still_deleted_as_before(ws: Workspace) -> None:
    ws.add(Partner(id="fournil", name="Le Fournil"))
    from datetime import date

    from terrain.events import Money

    ws.add(
        Contribution(
            id="c1",
            partner_id="fournil",
            event_id="apero",
            kind="food",
            value=Money(3000),
            on=date(2026, 3, 5),
        )
    )
    ws.remove(Contribution, "c1")
    assert not ws.exists(Contribution, "c1")
    with pytest.raises(NotFound, match="no contribution with id 'c1'"):
        ws.remove(Contribution, "c1")
