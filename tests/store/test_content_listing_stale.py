"""A content's listing in the index goes stale, by the database's own word, when its
record is written by anyone but terrain (migration 18's triggers): the listing then
reads that content's JSON, on SQLite and PostgreSQL, and a store migrated with a
listing made from another JSON lists what its JSON says."""

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

from terrain import Content, Event
from terrain.content import ContentKind, ContentSummary, ListedContent
from terrain.serialization import to_json
from terrain.store import Database, Workspace
from terrain.store._schema import LISTED_KINDS, record_digest, summary_row
from tests._photos import reviewed_photo
from tests.store._velo import T0, velo

MEMBERS = [f"m{i}" for i in range(4)]


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url, members=len(MEMBERS)) as w:
        w.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
        yield w


def _whole(ws: Workspace, event_id: str | None = None) -> list[ListedContent]:
    """The listing as the contents read whole say it (of the contents the index puts
    in event ``event_id``, as :meth:`Workspace.contents_of_event` finds them)."""
    whole = ws.list(Content) if event_id is None else ws.contents_of_event(event_id)
    return [ListedContent.of(c) for c in whole]


def _sql(ws: Workspace, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``sql`` on the store as a hand edit or another tool would: not through terrain."""
    with ws.db.transaction() as tx:
        tx.execute(sql, params)


def _digest(ws: Workspace, content_id: str) -> str | None:
    (row,) = [r for r in ws.db.content_listing() if r[0] == content_id]
    return row[5]


@pytest.mark.migrated_postgres
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
    assert ws.content_listing() == _whole(ws)
    assert ws.content_listing("ev") == [ListedContent("p1", "photo", "Retouché", False, "m1")]
    assert ws.content_listing_lines() == [listed.line() for listed in _whole(ws)]
    ws.put(attrs.evolve(edited, title="Corrigé"))
    assert _digest(ws, "p1") == record_digest(ws.db.get_record("content", "p1") or "")
    assert ws.content_listing("ev") == [ListedContent("p1", "photo", "Corrigé", False, "m1")]


@pytest.mark.migrated_postgres
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


@pytest.mark.migrated_postgres
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


@pytest.mark.migrated_postgres
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
    assert ws.content_listing() == _whole(ws)
    assert ws.content_listing("ev") == _whole(ws, "ev")
    assert ws.content_listing_lines() == [listed.line() for listed in _whole(ws)]
    assert ws.content_listing_lines("ev") == [listed.line() for listed in _whole(ws, "ev")]


def test_migration_18_lists_what_the_json_says_of_a_content_edited_before_it(
    tmp_path: Path, store_url: str
) -> None:
    """A store whose listing was made from another JSON (a record edited by hand before
    the triggers existed) lists what the JSON says once migrated, with the digest of
    that JSON; from then on an edit by hand makes the listing stale."""
    db = Database.connect(store_url, create=True, migrate=False)
    db.migrate(up_to=17)
    before = reviewed_photo("p1", "m1", event_id="ev")
    after = attrs.evolve(before, title="Retouché à la main", people_reviewed=False)
    kept = reviewed_photo("p2", "m2", event_id="ev")
    with db.transaction() as tx:
        for content in (before, kept):
            data = to_json(content)
            tx.execute("INSERT INTO records (kind, id, data, rev) VALUES ('content', ?, ?, 1)",
                       (content.id, data))
            tx.execute(
                "INSERT INTO content_index (content_id, event_id, kind, title, reviewed, people, "
                "digest) VALUES (?, 'ev', ?, ?, ?, ?, ?)",
                (content.id, *summary_row(ContentSummary.of(content), data)[:5]),
            )
        tx.execute("UPDATE records SET data = ? WHERE kind = 'content' AND id = 'p1'",
                   (to_json(after),))
    assert db.content_listing("ev")[0][2] == ""  # the stale listing, before migrating
    db.migrate()
    assert [row[:5] for row in db.content_listing("ev")] == [
        ("p1", "photo", "Retouché à la main", 0, "m1"),
        ("p2", "photo", "", 1, "m2"),
    ]
    assert [row[5] for row in db.content_listing("ev")] == [
        record_digest(to_json(after)), record_digest(to_json(kept))
    ]
    assert db.content_lines("ev", kinds=LISTED_KINDS) == [
        ("p1", ListedContent("p1", "photo", "Retouché à la main", False, "m1").line()),
        ("p2", ListedContent("p2", "photo", "", True, "m2").line()),
    ]
    with db.transaction() as tx:
        tx.execute("UPDATE records SET data = ? WHERE kind = 'content' AND id = 'p2'",
                   (to_json(attrs.evolve(kept, title="Encore")),))
    assert [row[5] for row in db.content_listing("ev")] == [record_digest(to_json(after)), None]
    db.close()
