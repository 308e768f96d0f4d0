"""A worker's claim reads the next row, not every planned row (counted, not timed)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given, settings

from terrain.posts import Post
from terrain.publishing import Journal
from terrain.publishing import _sql as sql
from terrain.publishing._journal import ts
from terrain.store._schema import MIGRATIONS

NOW = datetime(2026, 3, 12, 21, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
CLAIM_INDEX = "publication_journal_claim_due"


def _plan(journal: Journal, rows: list[tuple[str, str, int, int | None]]) -> None:
    """Rows ``(post id, platform, planned minutes after NOW, due minutes after NOW)``."""
    for post_id, platform, planned, due in rows:
        when = None if due is None else NOW + timedelta(minutes=due)
        journal.plan([Post(id=post_id, platform=platform, text="t")],
                     now=NOW + timedelta(minutes=planned), at=when)


def _drain(journal: Journal, platform: str, now: datetime) -> list[str]:
    taken = []
    while (row := journal.claim_ready(platform, "w", now=now, lease=LEASE)) is not None:
        taken.append(row.post_id)
    return taken


def test_claiming_walks_the_planned_rows_in_order_through_an_index(tmp_path: Path) -> None:
    """No sort of every planned row per claim: draining a deep queue stays linear."""
    journal = Journal(tmp_path / "journal.db", create=True)
    journal.plan([Post(id=f"p-{i:05d}", platform="x", text="t") for i in range(300)], now=NOW)
    plan = journal.db.query("EXPLAIN QUERY PLAN " + sql.SELECT_READY, ("x", "2027"))
    details = [str(row[-1]) for row in plan]
    assert any(f"USING INDEX {CLAIM_INDEX} " in d for d in details), details
    assert not any("TEMP B-TREE" in d for d in details), details
    journal.close()


def test_rows_not_due_yet_are_skipped_in_the_claim_index_not_read_from_the_table(
    tmp_path: Path,
) -> None:
    """The index the claim walks holds next_attempt_at after the order: a planned row not
    due yet (a retry backing off, a scheduled post) ahead of the oldest due one is
    passed over without a lookup of its table row (5,000 of them: 2.9 ms a claim)."""
    journal = Journal(tmp_path / "journal.db", create=True)
    plan = journal.db.query("EXPLAIN QUERY PLAN " + sql.SELECT_READY, ("x", ts(NOW)))
    assert [str(row[-1]) for row in plan] == [
        f"SEARCH publication_journal USING INDEX {CLAIM_INDEX} (platform=? AND state=?)"
    ]
    columns = [row[2] for row in journal.db.query(f"PRAGMA index_info({CLAIM_INDEX})")]
    assert columns == ["platform", "state", "planned_at", "post_id", "next_attempt_at"]
    journal.close()


def _indexes(db: object, dialect: str) -> set[str]:
    if dialect == "sqlite":
        query = ("SELECT name FROM sqlite_master WHERE type = 'index' "
                 "AND tbl_name = 'publication_journal'")
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'publication_journal'"
    return {str(row[0]) for row in db.query(query)}  # type: ignore[attr-defined]


def test_the_claim_index_migration_replaces_the_old_index_and_keeps_the_rows(
    store_url: str,
) -> None:
    """A store made before the migration gets the new index and loses the one it
    replaces (one index to keep up on every write, not two); its rows are claimed as
    before, on SQLite and PostgreSQL."""
    from terrain.store._db import Database

    (migration,) = [m for m in MIGRATIONS if CLAIM_INDEX in m.sql]
    db = Database.connect(store_url, create=True, migrate=False)
    db.migrate(up_to=migration.version - 1)
    dialect = db.backend.dialect
    before = _indexes(db, dialect)
    assert "publication_journal_claim" in before
    assert CLAIM_INDEX not in before
    db.close()
    journal = Journal(store_url, create=False)  # opening migrates
    after = _indexes(journal.db, dialect)
    assert CLAIM_INDEX in after
    assert "publication_journal_claim" not in after
    assert after - {CLAIM_INDEX} == before - {"publication_journal_claim"}
    _plan(journal, [("a", "x", 0, 30), ("b", "x", 1, None), ("c", "x", 2, -5)])
    assert _drain(journal, "x", NOW + timedelta(minutes=10)) == ["b", "c"]
    journal.close()


def test_the_oldest_due_row_is_claimed_past_rows_not_due_yet(store_url: str) -> None:
    """Rows backing off or scheduled for later wait; the oldest due row goes first, and
    the waiting rows go in their planned order once due (SQLite and PostgreSQL)."""
    journal = Journal(store_url, create=True)
    rows = [(f"later-{i:02d}", "x", 0, 60) for i in range(20)]
    rows += [("due-b", "x", 1, None), ("due-a", "x", 2, -1), ("other", "y", 0, None)]
    _plan(journal, rows)
    assert _drain(journal, "x", NOW + timedelta(minutes=10)) == ["due-b", "due-a"]
    assert _drain(journal, "x", NOW + timedelta(minutes=61)) == [
        f"later-{i:02d}" for i in range(20)
    ]
    assert _drain(journal, "y", NOW) == ["other"]
    journal.close()


_ROWS = st.lists(
    st.tuples(st.sampled_from(["x", "y"]), st.integers(0, 4),
              st.one_of(st.none(), st.integers(-3, 8))),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(rows=_ROWS, at=st.integers(0, 10))
def test_claims_take_exactly_the_due_rows_oldest_first(
    rows: list[tuple[str, int, int | None]], at: int
) -> None:
    """Whatever mix of due and not-yet-due rows, platforms and planning instants: the
    claims of one platform at an instant take exactly its due rows (no schedule, or
    a schedule at or before the instant), in planned order, then ``None``."""
    named = [(f"p{i:02d}", platform, planned, due)
             for i, (platform, planned, due) in enumerate(rows)]
    now = NOW + timedelta(minutes=at)
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder) / "journal.db", create=True)
        _plan(journal, named)
        expected = sorted(
            ((planned, post_id) for post_id, platform, planned, due in named
             if platform == "x" and (due is None or due <= at)),
        )
        assert _drain(journal, "x", now) == [post_id for _, post_id in expected]
        journal.close()
