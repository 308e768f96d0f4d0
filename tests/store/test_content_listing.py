"""`terrain content list` reads what it prints from the content index (migrations 13
and 18), and that listing is exactly what the stored contents say, after any change,
by terrain or straight in SQL (the database marks a listing stale: migration 18)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Content, Event, Member
from terrain.content import (
    ContentKind,
    ContentSummary,
    ListedContent,
    PeopleReview,
    change_people,
)
from terrain.errors import DeserializationError
from terrain.serialization import to_json
from terrain.store import Database, Workspace
from terrain.store._schema import LISTED_KINDS, record_digest
from terrain.testing.strategies import contents, ids
from tests._photos import reviewed_photo
from tests.store._velo import T0, velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

MEMBERS = [f"m{i}" for i in range(6)]


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url, members=len(MEMBERS)) as w:
        w.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
        yield w


def _from_the_model(ws: Workspace, event_id: str | None = None) -> list[ListedContent]:
    """The listing as the whole contents say it (the slow path, read in full)."""
    whole = ws.list(Content) if event_id is None else ws.contents_of_event(event_id)
    return [ListedContent.of(c) for c in whole]


@st.composite
def _stored_contents(draw: st.DrawFn, content_id: str) -> Content:
    """A content the velo workspace can hold: its people and author are members, its
    event is ``ev`` or none, and its last review confirms its people now or not."""
    content = draw(contents(member_ids=MEMBERS, content_id=content_id))
    content = attrs.evolve(content, event_id=draw(st.sampled_from([None, "ev"])),
                           project_id=None, workshop_id=None)
    if draw(st.booleans()):  # a last review of exactly the people shown, in any order
        people = draw(st.permutations(list(content.people)))
        review = PeopleReview(by="Camille", at=T0, people=people)
        content = attrs.evolve(content, reviews=(*content.reviews, review))
    return content


_CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["put", "put", "people", "title", "remove"]),
        st.sampled_from(["c1", "c2", "c3", "c4"]),
        st.data(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=_CHANGES)
def test_the_listing_is_what_the_stored_contents_say_after_any_changes(
    ws: Workspace, changes: list[tuple[str, str, Any]]
) -> None:
    """Whatever is stored, edited or removed, the index's listing (and the summaries)
    equals what the contents read whole say, for every content and for an event."""
    for content_id in ws.ids(Content):
        ws.remove(Content, content_id, force=True)
    for action, content_id, data in changes:
        stored = content_id in ws.ids(Content)
        if action == "put" or not stored:
            ws.put(data.draw(_stored_contents(content_id)))
        elif action == "people":
            before = ws.get(Content, content_id)
            ws.put(change_people(before, add=data.draw(st.lists(st.sampled_from(MEMBERS))),
                                 remove=[], reviewed=data.draw(st.booleans()),
                                 by="Camille", at=T0))
        elif action == "title":
            title = data.draw(st.sampled_from(["", "Atelier vélo", "Ça roule 🚲", "a  b"]))
            ws.put(attrs.evolve(ws.get(Content, content_id), title=title))
        else:
            ws.remove(Content, content_id, force=True)
    assert ws.content_listing() == _from_the_model(ws)
    assert ws.content_listing("ev") == _from_the_model(ws, "ev")
    assert ws.content_summaries() == [ContentSummary.of(c) for c in ws.list(Content)]
    assert ws.content_listing_lines() == _lines(ws)
    assert ws.content_listing_lines("ev") == _lines(ws, "ev")


def _lines(ws: Workspace, event_id: str | None = None) -> list[str]:
    """The lines of the listing as the whole contents say it (formatted in Python)."""
    return [listed.line() for listed in _from_the_model(ws, event_id)]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), content_ids=st.lists(ids(), max_size=6, unique=True))
def test_the_lines_the_store_makes_are_the_lines_of_the_whole_contents(
    ws: Workspace, data: Any, content_ids: list[str]
) -> None:
    """The line the index keeps of each content is the line of the whole content, for
    any id, kind, title and people (on either backend), listed in the store's order."""
    for content_id in ws.ids(Content):
        ws.remove(Content, content_id, force=True)
    for content_id in content_ids:
        ws.put(data.draw(_stored_contents(content_id)))
    rows = ws.db.content_lines(None, kinds=LISTED_KINDS)
    assert all(line is not None for _, line in rows)  # each one kept by the store
    assert ws.content_listing_lines() == _lines(ws)
    assert ws.content_listing_lines("ev") == _lines(ws, "ev")


def test_the_kinds_a_listing_may_name_are_the_kinds_of_content() -> None:
    """Were a kind missing, its contents would be read from their JSON at each listing."""
    assert sorted(LISTED_KINDS) == sorted(k.value for k in ContentKind)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_listing_terrain_writes_holds_the_digest_of_the_json_stored_with_it(
    ws: Workspace, data: Any
) -> None:
    """For any content terrain adds or replaces, on either backend, the index's listing
    keeps the digest of the JSON stored (terrain writes it after the record, which the
    triggers of migration 18 would mark stale): the listing is the one used (were it
    not, a listing would read every JSON again, and still look right)."""
    for content_id in ("c1", "c2"):
        ws.put(data.draw(_stored_contents(content_id)))
    ws.put(data.draw(_stored_contents("c1")))
    rows = ws.db.content_listing()
    texts = ws.db.get_records("content", [r[0] for r in rows])
    assert [r[5] for r in rows] == [record_digest(texts[r[0]]) for r in rows]
    lines = ws.db.content_lines(None, kinds=LISTED_KINDS)
    assert len(lines) == len(rows) == 2
    assert all(line is not None for _, line in lines)


def test_a_photo_lists_its_people_sorted_and_whether_their_review_is_current(
    ws: Workspace,
) -> None:
    ws.add(reviewed_photo("p1", "m3", "m1", event_id="ev"))
    ws.add(attrs.evolve(reviewed_photo("p2"), title="Vélo & ville", people_reviewed=False))
    assert ws.content_listing() == [
        ListedContent("p1", "photo", "", True, "m1 m3"),
        ListedContent("p2", "photo", "Vélo & ville", False, ""),
    ]
    assert ws.content_listing("ev") == [ListedContent("p1", "photo", "", True, "m1 m3")]
    ws.put(change_people(ws.get(Content, "p1"), add=["m2"]))  # the review is reset
    assert ws.content_listing("ev") == [
        ListedContent("p1", "photo", "", False, "m1 m2 m3")
    ]


def test_an_erased_persons_name_and_id_leave_the_listing(ws: Workspace) -> None:
    """The erasure scrubs the stored records; the index lists what they say after it."""
    from terrain.workflows import erase_member

    ws.put(Member(id="m2", display_name="Samira Benali"))
    ws.add(attrs.evolve(reviewed_photo("p1", "m2", "m1"), title="Samira Benali au guidon"))
    erase_member(ws, "m2", now=T0, hook=False)
    (listed,) = ws.content_listing()
    assert listed == _from_the_model(ws)[0]
    assert "Samira" not in listed.title
    assert "m2" not in listed.member_ids
    assert len(listed.member_ids) == 2


def _behind_terrains_back(ws: Workspace, content_id: str, data: dict[str, Any]) -> None:
    """Store a content's JSON as an older terrain or a hand edit would: no listing."""
    with ws.db.transaction() as tx:
        tx.execute("INSERT INTO records (kind, id, data, rev) VALUES ('content', ?, ?, 0)",
                   (content_id, json.dumps(data)))


def test_a_content_the_index_does_not_list_is_read_from_its_json(ws: Workspace) -> None:
    ws.add(reviewed_photo("p1", "m1"))
    _behind_terrains_back(ws, "p2", json.loads(to_json(reviewed_photo("p2", "m4", "m3"))))
    assert ws.content_listing() == [
        ListedContent("p1", "photo", "", True, "m1"),
        ListedContent("p2", "photo", "", True, "m3 m4"),
    ]
    assert ws.content_listing_lines() == [
        "p1                   photo  reviewed   m1  ",
        "p2                   photo  reviewed   m3, m4  ",
    ]


def test_a_content_not_in_the_shape_terrain_writes_is_reported_as_a_full_read_reports_it(
    ws: Workspace,
) -> None:
    ws.add(reviewed_photo("p1", "m1"))
    bad = {**json.loads(to_json(reviewed_photo("p2", "m1"))), "people_reviewed": "yes"}
    _behind_terrains_back(ws, "p2", bad)
    with pytest.raises(DeserializationError, match="'p2'"):
        ws.content_listing()
    with pytest.raises(DeserializationError, match="'p2'"):
        ws.content_listing_lines()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_migration_13_lists_the_contents_already_stored(tmp_path: Path, store_url: str) -> None:
    """Contents stored before the listing columns get them from their JSON; one not
    in the shape terrain writes gets none (and is read whole when listed)."""
    db = Database.open(tmp_path / "old.db", create=True, migrate=False)
    db.migrate(up_to=12)
    good = reviewed_photo("p1", "m2", "m1", event_id="ev")
    bad = {**json.loads(to_json(reviewed_photo("p2"))), "kind": "painting"}
    with db.transaction() as tx:
        for content_id, data in (("p1", to_json(good)), ("p2", json.dumps(bad))):
            tx.execute("INSERT INTO records (kind, id, data, rev) VALUES ('content', ?, ?, 1)",
                       (content_id, data))
            tx.execute("INSERT INTO content_index (content_id, event_id) VALUES (?, 'ev')",
                       (content_id,))
    db.migrate()
    assert [row[:6] for row in db.content_listing("ev")] == [
        ("p1", "photo", "", 1, "m1 m2", record_digest(to_json(good))),
        ("p2", None, None, None, None, None),
    ]
    db.close()


@pytest.mark.parametrize(
    ("change", "listed"),
    [
        ({"kind": "video"}, ListedContent("p1", "video", "", True, "m1")),
        ({"title": "Retouché à la main"},
         ListedContent("p1", "photo", "Retouché à la main", True, "m1")),
        ({"people_reviewed": False}, ListedContent("p1", "photo", "", False, "m1")),
    ],
)
def test_a_content_edited_behind_terrains_back_is_listed_as_its_json_says(
    ws: Workspace, change: dict[str, Any], listed: ListedContent
) -> None:
    """The index's listing holds the digest of the JSON it was made from: once the JSON
    changed (a hand edit, a buggy tool), the listing is read from the JSON."""
    ws.add(reviewed_photo("p1", "m1"))
    with ws.db.transaction() as tx:
        tx.execute("UPDATE records SET data = ? WHERE kind = 'content' AND id = 'p1'",
                   (to_json(attrs.evolve(ws.get(Content, "p1"), **change)),))
    assert ws.content_listing() == [listed]
    assert ws.content_listing_lines() == [listed.line()]


@pytest.mark.parametrize("kind", ["painting", "Photo", ""])
def test_a_listing_of_a_kind_terrain_does_not_write_is_read_from_the_json(
    ws: Workspace, kind: str
) -> None:
    """A listing naming no kind of content (its index row edited by hand) is not
    printed: the content is read from its JSON."""
    ws.add(reviewed_photo("p1", "m1"))
    with ws.db.transaction() as tx:
        tx.execute("UPDATE content_index SET kind = ? WHERE content_id = 'p1'", (kind,))
    assert ws.content_listing() == [ListedContent("p1", "photo", "", True, "m1")]
    assert ws.content_listing_lines() == ["p1                   photo  reviewed   m1  "]


def test_a_stored_media_key_leaving_the_storage_is_refused_by_the_listing(
    ws: Workspace,
) -> None:
    ws.add(reviewed_photo("p1", "m1"))
    data = json.loads(to_json(ws.get(Content, "p1")))
    data["media"][0]["key"] = "../../etc/passwd"
    with ws.db.transaction() as tx:
        tx.execute("UPDATE records SET data = ? WHERE kind = 'content' AND id = 'p1'",
                   (json.dumps(data),))
    with pytest.raises(DeserializationError, match="'p1'"):
        ws.content_listing()
    with pytest.raises(DeserializationError, match="'p1'"):
        ws.content_listing_lines()


def _sql(ws: Workspace, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``sql`` on the store as a hand edit or another tool would: not through terrain."""
    with ws.db.transaction() as tx:
        tx.execute(sql, params)


def _digest(ws: Workspace, content_id: str) -> str | None:
    (row,) = [r for r in ws.db.content_listing() if r[0] == content_id]
    return row[5]


def test_a_contents_json_updated_in_sql_makes_its_listing_stale(ws: Workspace) -> None:
    """An UPDATE of the record, straight in SQL, is caught by the listing; terrain's
    next write of the content makes its listing fresh again."""
    ws.add(reviewed_photo("p1", "m1", event_id="ev"))
    ws.add(reviewed_photo("p2", "m2"))
    edited = attrs.evolve(ws.get(Content, "p1"), title="Retouché", people_reviewed=False)
    _sql(ws, "UPDATE records SET data = ? WHERE kind = 'content' AND id = 'p1'",
         (to_json(edited),))
    assert _digest(ws, "p1") is None
    assert _digest(ws, "p2") is not None  # the others' listings are untouched
    assert ws.content_listing() == _from_the_model(ws)
    assert ws.content_listing("ev") == [ListedContent("p1", "photo", "Retouché", False, "m1")]
    assert ws.content_listing_lines() == [listed.line() for listed in _from_the_model(ws)]
    ws.put(attrs.evolve(edited, title="Corrigé"))
    assert _digest(ws, "p1") == record_digest(ws.db.get_record("content", "p1") or "")
    assert ws.content_listing("ev") == [ListedContent("p1", "photo", "Corrigé", False, "m1")]


def test_a_content_deleted_and_stored_again_in_sql_is_listed_as_its_json_says(
    ws: Workspace,
) -> None:
    """A DELETE then INSERT behind terrain's back leaves the index row of the content
    that was there: the insertion makes it stale."""
    ws.add(reviewed_photo("p1", "m1", event_id="ev"))
    other = json.loads(to_json(attrs.evolve(reviewed_photo("p1", "m3"), kind="video")))
    _sql(ws, "DELETE FROM records WHERE kind = 'content' AND id = 'p1'")
    _sql(ws, "INSERT INTO records (kind, id, data, rev) VALUES ('content', 'p1', ?, 0)",
         (json.dumps(other),))
    assert ws.content_listing() == [ListedContent("p1", "video", "", True, "m3")]
    assert ws.content_listing_lines() == [ListedContent("p1", "video", "", True, "m3").line()]


def test_another_record_written_in_sql_leaves_the_listings_fresh(ws: Workspace) -> None:
    """Only a content's record makes a listing stale: a member of the same id does not."""
    ws.add(reviewed_photo("m1", "m1"))
    member = ws.db.get_record("member", "m1") or ""
    _sql(ws, "UPDATE records SET data = ? WHERE kind = 'member' AND id = 'm1'",
         (member.replace("Member 1", "Membre 1"),))
    assert _digest(ws, "m1") is not None


_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["put", "sql update", "sql delete", "sql insert", "sql kind"]),
        st.sampled_from(["c1", "c2", "c3"]),
        st.sampled_from([k.value for k in ContentKind]),
        st.sampled_from(["", "Atelier vélo", "Ça roule 🚲"]),
        st.lists(st.sampled_from(MEMBERS), max_size=3),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_the_listing_is_what_the_json_says_after_any_writes_by_terrain_or_by_hand(
    ws: Workspace, edits: list[tuple[str, str, str, str, list[str], bool]]
) -> None:
    """Whatever terrain writes and whatever is written straight in SQL, in any order,
    each content is listed as its JSON says (the index's listing or the JSON read)."""
    for content_id in ws.ids(Content):
        ws.remove(Content, content_id, force=True)
    for action, content_id, kind, title, people, reviewed in edits:
        content = attrs.evolve(reviewed_photo(content_id, *sorted(set(people)), event_id="ev"),
                               kind=kind, title=title, people_reviewed=reviewed)
        stored = ws.db.get_record("content", content_id)
        if action == "put" or (stored is None and action != "sql insert"):
            ws.put(content)
        elif action == "sql insert":
            _sql(ws, "DELETE FROM records WHERE kind = 'content' AND id = ?", (content_id,))
            _sql(ws, "INSERT INTO records (kind, id, data, rev) VALUES ('content', ?, ?, 0)",
                 (content_id, to_json(content)))
        elif action == "sql delete":
            _sql(ws, "DELETE FROM records WHERE kind = 'content' AND id = ?", (content_id,))
        elif action == "sql kind":  # the record's kind, not its JSON: no longer a content
            _sql(ws, "UPDATE records SET kind = 'note' WHERE kind = 'content' AND id = ?",
                 (content_id,))
            _sql(ws, "DELETE FROM records WHERE kind = 'note'")
        else:
            _sql(ws, "UPDATE records SET data = ? WHERE kind = 'content' AND id = ?",
                 (to_json(content), content_id))
    assert ws.content_listing() == _from_the_model(ws)
    assert ws.content_listing("ev") == _from_the_model(ws, "ev")
    assert ws.content_listing_lines() == [listed.line() for listed in _from_the_model(ws)]
    assert ws.content_listing_lines("ev") == [listed.line() for listed in _from_the_model(ws, "ev")]
