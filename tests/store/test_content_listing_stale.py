"""A store migrated to schema 18 with a content listing made from another JSON (a
record edited by hand before the triggers existed) lists what the JSON says, on SQLite
and PostgreSQL (the triggers themselves: tests/store/test_content_listing.py)."""

from __future__ import annotations

from pathlib import Path

import attrs

from terrain.content import ContentSummary, ListedContent
from terrain.serialization import to_json
from terrain.store import Database
from terrain.store._schema import LISTED_KINDS, record_digest, summary_row
from tests._photos import reviewed_photo


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
