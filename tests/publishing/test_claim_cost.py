"""A worker's claim reads the next row, not every planned row (counted, not timed)."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from terrain.posts import Post, Receipt
from terrain.publishing import Journal
from terrain.publishing import _sql as sql
from terrain.publishing._journal import ts
from terrain.serialization import to_json

NOW = datetime(2026, 3, 12, 21, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
CLAIM_INDEX = "publication_journal_awake"  #: the awake planned rows (migration 17)
WAKE_INDEX = "publication_journal_asleep"  #: the sleeping ones, by wake_at


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


def test_rows_not_due_yet_sleep_outside_the_index_the_claim_walks(tmp_path: Path) -> None:
    """A planned row waiting for its next attempt (a retry backing off, a scheduled post)
    sleeps: it is not in the index of the awake planned rows, which the claim walks in
    planned order; the wake seeks the sleepers due by now in an index of their own."""
    journal = Journal(tmp_path / "journal.db", create=True)
    plan = journal.db.query("EXPLAIN QUERY PLAN " + sql.SELECT_READY, ("x", ts(NOW)))
    assert [str(row[-1]) for row in plan] == [
        f"SEARCH publication_journal USING INDEX {CLAIM_INDEX} (platform=?)"
    ]
    plan = journal.db.query("EXPLAIN QUERY PLAN " + sql.WAKE, ("x", ts(NOW)))
    assert [str(row[-1]) for row in plan] == [
        f"SEARCH publication_journal USING INDEX {WAKE_INDEX} (platform=? AND wake_at<?)"
    ]
    for index, columns in ((CLAIM_INDEX, ["platform", "planned_at", "post_id",
                                          "next_attempt_at"]),
                           (WAKE_INDEX, ["platform", "wake_at"])):
        assert [row[2] for row in journal.db.query(f"PRAGMA index_info({index})")] == columns
    partial = {str(row[1]): int(row[4]) for row in journal.db.query(
        "PRAGMA index_list(publication_journal)")}
    assert partial[CLAIM_INDEX] == partial[WAKE_INDEX] == 1
    journal.close()


@pytest.mark.postgres
def test_on_postgresql_too_the_claim_reads_the_awake_rows_in_order(
    postgres_database: str,
) -> None:
    """PostgreSQL's plans (statistics taken): the claim reads the index of the awake
    planned rows in planned order, locking the first it keeps (no sort of the queue);
    the wake seeks the sleepers due by now in theirs."""
    journal = Journal(postgres_database, create=True)
    for prefix, platform, at in (("later", "x", NOW + timedelta(hours=1)), ("due", "x", None),
                                 ("other", "y", None)):
        journal.plan([Post(id=f"{prefix}-{i:04d}", platform=platform, text="t")
                      for i in range(400)], now=NOW, at=at)
    journal.db.execute("ANALYZE publication_journal")

    def explain(statement: str) -> list[str]:
        with journal.db.transaction(exclusive=False) as tx:
            return [str(r[0]).strip() for r in tx.query("EXPLAIN " + statement,
                                                          ("x", ts(NOW)))]

    claim = explain(sql.skip_locked(sql.SELECT_READY, "postgresql"))
    assert [line.split("  (")[0] for line in claim[:3]] == [
        "Limit", "->  LockRows", f"->  Index Scan using {CLAIM_INDEX} on publication_journal",
    ], claim
    assert claim[3] == "Index Cond: (platform = 'x'::text)", claim
    wake = explain(sql.WAKE)
    assert wake[1].startswith(f"->  Index Scan using {WAKE_INDEX} on publication_journal"), wake
    assert wake[2].startswith("Index Cond: ((platform = 'x'::text) AND (wake_at <= "), wake
    assert not [line for line in claim + wake if "Sort" in line]
    journal.close()


def _claim_steps(path: Path, now: datetime) -> int:
    """SQLite virtual machine steps of one claim's wake and select at ``now`` (rolled
    back): the work, counted, not timed."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.set_progress_handler(count, 1)
        conn.execute(sql.WAKE, ("x", ts(now)))
        found = conn.execute(sql.SELECT_READY, ("x", ts(now))).fetchone()
        conn.set_progress_handler(None, 1)
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    assert found is not None
    assert str(found[0]).startswith("due-"), found
    return steps


def _behind_waiting_rows(folder: Path, waiting: int) -> Path:
    """A journal where ``waiting`` rows backing off (claimed, then released to a later
    instant) and ``waiting`` rows scheduled for later were planned before 5 due rows."""
    folder.mkdir()
    journal = Journal(folder / "journal.db", create=True)
    _plan(journal, [(f"retry-{i:04d}", "x", 0, None) for i in range(waiting)])
    _plan(journal, [(f"later-{i:04d}", "x", 1, 60) for i in range(waiting)])
    for _ in range(waiting):
        row = journal.claim_ready("x", "w", now=NOW, lease=LEASE)
        assert row is not None
        assert row.post_id.startswith("retry-")
        assert journal.release(row, "w", now=NOW, next_attempt_at=NOW + timedelta(hours=1),
                               error="503", attempted=True)
    _plan(journal, [(f"due-{i}", "x", 2, None) for i in range(5)])
    journal.close()
    return folder / "journal.db"


def test_a_claim_does_not_step_over_the_rows_not_due_yet(tmp_path: Path) -> None:
    """Counted in SQLite's steps: a claim behind 400 rows backing off and 400 scheduled
    for later does the same work as behind 10 of each (issue 17: 3.6-5.1x the time
    behind 5,000 with migration 16's index, which held them in the claim's order)."""
    few = _claim_steps(_behind_waiting_rows(tmp_path / "few", 10), NOW + timedelta(minutes=5))
    many = _claim_steps(_behind_waiting_rows(tmp_path / "many", 400), NOW + timedelta(minutes=5))
    assert many == few


def _fallen_due(folder: Path, backlog: int) -> Path:
    """A journal where ``backlog`` rows released to one instant (an outage's retries)
    fall due together, behind 5 due rows planned after them and 5 never tried; a first
    claim at that instant already woke them (and took the oldest)."""
    folder.mkdir()
    journal = Journal(folder / "journal.db", create=True)
    _plan(journal, [(f"due-retry-{i:04d}", "x", 0, None) for i in range(backlog)])
    for _ in range(backlog):
        row = journal.claim_ready("x", "w", now=NOW, lease=LEASE)
        assert row is not None
        assert journal.release(row, "w", now=NOW, next_attempt_at=NOW + timedelta(minutes=30),
                               error="outage", attempted=False)
    _plan(journal, [(f"due-{i}", "x", 2, None) for i in range(5)])
    first = journal.claim_ready("x", "w", now=NOW + timedelta(minutes=30), lease=LEASE)
    assert first is not None
    assert first.post_id == "due-retry-0000"
    journal.close()
    return folder / "journal.db"


def test_a_backlog_falling_due_at_once_is_woken_once_then_claimed_in_order(
    tmp_path: Path,
) -> None:
    """The first claim after a backlog of retries falls due wakes it (each row once);
    every later claim takes the oldest without sorting it: 400 rows, the work of 10."""
    at = NOW + timedelta(minutes=31)
    few = _claim_steps(_fallen_due(tmp_path / "few", 10), at)
    many = _claim_steps(_fallen_due(tmp_path / "many", 400), at)
    assert many == few


def _indexes(db: object, dialect: str) -> set[str]:
    if dialect == "sqlite":
        query = ("SELECT name FROM sqlite_master WHERE type = 'index' "
                 "AND tbl_name = 'publication_journal'")
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'publication_journal'"
    return {str(row[0]) for row in db.query(query)}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("version", "replaced", "made"), [
    (16, {"publication_journal_claim"}, {"publication_journal_claim_due"}),
    (17, {"publication_journal_claim_due"}, {CLAIM_INDEX, WAKE_INDEX}),
])
def test_a_claim_index_migration_replaces_the_old_index_and_keeps_the_rows(
    store_url: str, version: int, replaced: set[str], made: set[str]
) -> None:
    """A store made before the migration gets the new indexes and loses the one they
    replace (one index to keep up on every write, not two); its rows, planned, scheduled
    and backing off before, are claimed as before, on SQLite and PostgreSQL."""
    from terrain.store._db import Database

    db = Database.connect(store_url, create=True, migrate=False)
    db.migrate(up_to=version - 1)
    dialect = db.backend.dialect
    before = _indexes(db, dialect)
    assert replaced <= before
    assert not made & before
    with db.transaction() as tx:  # rows as the old code left them
        for post_id, planned, due in (("a", 0, 30), ("b", 1, None), ("c", 2, -5), ("d", 3, 3)):
            tx.execute(
                "INSERT INTO publication_journal (post_id, platform, post_json, state, "
                "next_attempt_at, planned_at, updated_at) VALUES (?, 'x', ?, 'planned', ?, ?, ?)",
                (post_id, to_json(Post(id=post_id, platform="x", text="t")),
                 None if due is None else ts(NOW + timedelta(minutes=due)),
                 ts(NOW + timedelta(minutes=planned)), ts(NOW)),
            )
    db.migrate(up_to=version)
    after = _indexes(db, dialect)
    assert made <= after
    assert not replaced & after
    assert after - made == before - replaced
    db.close()
    journal = Journal(store_url, create=False)  # opening migrates to the latest
    assert _drain(journal, "x", NOW + timedelta(minutes=10)) == ["b", "c", "d"]
    assert _drain(journal, "x", NOW + timedelta(minutes=30)) == ["a"]
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


_MINUTE = st.integers(-2, 8)
_OPS = st.lists(
    st.one_of(
        # plan post N (planned at minute M; scheduled at minute S, or not)
        st.tuples(st.just("plan"), st.integers(0, 5), st.integers(0, 4),
                  st.one_of(st.none(), _MINUTE)),
        # claim at minute M; then release to minute R (None: due at once), or send it
        st.tuples(st.just("claim"), st.integers(0, 8),
                  st.one_of(st.none(), _MINUTE, st.just("sent"))),
        st.tuples(st.just("move"), st.integers(0, 5), _MINUTE),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
    ),
    max_size=40,
)


def test_a_row_due_at_the_claim_s_instant_is_taken(tmp_path: Path) -> None:
    """Due at 21:05 means due at 21:05: the claim at that instant wakes and takes it."""
    journal = Journal(tmp_path / "journal.db", create=True)
    _plan(journal, [("a", "x", 0, 5)])
    assert _drain(journal, "x", NOW + timedelta(minutes=4)) == []
    assert _drain(journal, "x", NOW + timedelta(minutes=5)) == ["a"]
    journal.close()


def test_a_row_woken_later_is_not_taken_by_a_claim_at_an_earlier_instant(
    tmp_path: Path,
) -> None:
    """A claim at 21:10 wakes the row due at 21:05 (and takes an older one); a claim
    whose clock says 21:00 (another machine's, behind) leaves it: it is awake, not due."""
    journal = Journal(tmp_path / "journal.db", create=True)
    _plan(journal, [("old", "x", 0, None), ("a", "x", 1, 5)])
    first = journal.claim_ready("x", "w", now=NOW + timedelta(minutes=10), lease=LEASE)
    assert first is not None
    assert first.post_id == "old"
    assert _drain(journal, "x", NOW) == []
    assert _drain(journal, "x", NOW + timedelta(minutes=5)) == ["a"]
    journal.close()


@settings(max_examples=100, deadline=None)
@given(ops=_OPS)
def test_every_claim_takes_the_oldest_due_row_whatever_came_before(
    ops: list[tuple[Any, ...]],
) -> None:
    """Rows planned, scheduled, moved, cancelled and planned again, claimed and released
    to retry later or at once, at instants going back and forth (a clock set back): each
    claim takes the row a plain reading of the journal says is the oldest due one (no
    next attempt, or one at or before the claim's instant), or ``None`` when none is.
    Posts of a second platform are never taken."""
    planned: dict[str, int | None] = {}  # planned post -> its next attempt (minute)
    first: dict[str, int] = {}  # every post planned once -> the minute it was planned
    held: set[str] = set()

    def minute(m: int) -> datetime:
        return NOW + timedelta(minutes=m)

    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder) / "journal.db", create=True)
        _plan(journal, [("other", "y", 0, None)])
        for op in ops:
            if op[0] == "plan":
                _, n, at, due = op
                post_id = f"p{n}"
                _plan(journal, [(post_id, "x", at, due)])
                if post_id not in first:  # a new row
                    first[post_id] = at
                    planned[post_id] = None
                elif post_id in held:  # planned afresh; a planned row keeps its next attempt
                    held.discard(post_id)
                    planned[post_id] = None
                if post_id in planned and due is not None:  # a sent one is left alone
                    planned[post_id] = due
            elif op[0] == "claim":
                _, at, then = op
                due_rows = sorted((first[post_id], post_id) for post_id, due in planned.items()
                                  if due is None or due <= at)
                row = journal.claim_ready("x", "w", now=minute(at), lease=LEASE)
                assert (row and row.post_id) == (due_rows[0][1] if due_rows else None)
                if row is None:
                    continue
                del planned[row.post_id]
                if then == "sent":
                    receipt = Receipt(platform="x", post_id=row.post_id, remote_id="1",
                                      published_at=minute(at))
                    assert journal.mark_sent(row, "w", receipt, now=minute(at), confirmed=True)
                else:
                    assert journal.release(row, "w", now=minute(at),
                                           next_attempt_at=None if then is None else minute(then))
                    planned[row.post_id] = then
            elif op[0] == "move":
                _, n, due = op
                moved = journal.move(f"p{n}", "x", at=minute(due), now=NOW)
                assert moved == (f"p{n}" in planned)
                if moved:
                    planned[f"p{n}"] = due
            else:
                post_id = f"p{op[1]}"
                cancelled = journal.cancel(post_id, "x", reason="later", now=NOW)
                assert cancelled == (post_id in planned)
                if cancelled:
                    del planned[post_id]
                    held.add(post_id)
        journal.close()
