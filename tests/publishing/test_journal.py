"""The journal: its schema matches the workspace migration, claims are atomic,
transitions are guarded by the claimer, timestamps sort like instants.

Every test taking ``store_url`` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.publishing import Journal, RowState
from terrain.publishing._journal import ts
from terrain.store._schema import latest_version

from .helpers import START, posts

LEASE = timedelta(minutes=5)


@pytest.fixture
def journal(store_url: str) -> Iterator[Journal]:
    """A journal on a fresh store (SQLite, then PostgreSQL), closed afterwards."""
    opened = Journal(store_url, create=True)
    yield opened
    opened.close()


def test_a_journal_on_a_bare_database_gets_the_workspace_schema(store_url: str) -> None:
    journal = Journal(store_url, create=True)
    try:
        assert journal.db.schema_version() == latest_version()
        assert journal.db.backend.table_exists("publication_journal")
        assert journal.db.backend.table_exists("takedown_log")
    finally:
        journal.close()


def test_a_journal_given_a_path_is_a_sqlite_file(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db", create=True)
    assert journal.db.dialect == "sqlite"
    assert journal.path == tmp_path / "j.db"
    journal.close()


def test_planning_twice_keeps_one_row_per_post_and_platform(journal: Journal) -> None:
    journal.plan(posts(3), now=START)
    journal.plan(posts(3), now=START + timedelta(hours=1))
    assert len(journal.rows()) == 3
    assert {r.state for r in journal.rows()} == {RowState.PLANNED}


def test_only_one_claimer_wins_each_row(store_url: str) -> None:
    first = Journal(store_url, create=True)
    first.plan(posts(30), now=START)
    first.close()
    won: list[str] = []
    lock = threading.Lock()

    def claim_all(owner: str) -> None:
        journal = Journal(store_url, create=False)
        while (row := journal.claim_ready("fake", owner, now=START, lease=LEASE)) is not None:
            with lock:
                won.append(row.post_id)
        journal.close()

    threads = [threading.Thread(target=claim_all, args=(f"h:{i}:x",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == sorted(p.id for p in posts(30))


def test_threads_sharing_one_journal_never_take_the_same_row(store_url: str) -> None:
    journal = Journal(store_url, create=True)
    journal.plan(posts(40), now=START)
    won: list[str] = []
    lock = threading.Lock()

    def claim_all(owner: str) -> None:
        while (row := journal.claim_ready("fake", owner, now=START, lease=LEASE)) is not None:
            with lock:
                won.append(row.post_id)

    threads = [threading.Thread(target=claim_all, args=(f"h:{i}:y",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    journal.close()
    assert sorted(won) == sorted(p.id for p in posts(40))


_CLAIMER = """
import sys
from datetime import timedelta
from terrain.publishing import Journal
from tests.publishing.helpers import START
journal = Journal(sys.argv[1], create=False)
owner = f"proc:{sys.argv[2]}:z"
while (row := journal.claim_ready("fake", owner, now=START, lease=timedelta(minutes=5))):
    print(row.post_id, flush=True)
journal.close()
"""


def test_processes_claiming_at_once_never_take_the_same_row(store_url: str) -> None:
    """Workers on several machines: separate processes drain one journal."""
    journal = Journal(store_url, create=True)
    journal.plan(posts(60), now=START)
    journal.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CLAIMER, store_url, str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    outs = [p.communicate(timeout=90) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    won = [line for out, _ in outs for line in out.split()]
    assert sorted(won) == sorted(p.id for p in posts(60))  # each row once, none lost


def test_a_run_that_lost_its_claim_cannot_overwrite_the_new_owner(journal: Journal) -> None:
    journal.plan(posts(1), now=START)
    row = journal.claim_ready("fake", "old:1:a", now=START, lease=LEASE)
    assert row is not None
    taken, busy = journal.claim_abandoned("fake", "new:2:b", now=START + 2 * LEASE, lease=LEASE)
    assert [r.post_id for r in taken] == [row.post_id]
    assert busy == []
    assert not journal.mark_held(row, "old:1:a", ["late"], now=START + 2 * LEASE)
    current = journal.get(row.post_id, "fake")
    assert current is not None
    assert current.claimed_by == "new:2:b"
    assert current.state is RowState.CLAIMED


def test_held_and_failed_rows_are_planned_again_sent_ones_never(journal: Journal) -> None:
    a, b = posts(2)
    journal.plan([a, b], now=START)
    ra = journal.claim_ready("fake", "o:1:a", now=START, lease=LEASE)
    rb = journal.claim_ready("fake", "o:1:a", now=START, lease=LEASE)
    assert ra is not None
    assert rb is not None
    journal.mark_held(ra, "o:1:a", ["Samir refused"], now=START)
    from terrain.posts import Receipt

    receipt = Receipt(platform="fake", post_id=rb.post_id, remote_id="r1", published_at=START)
    journal.mark_sent(rb, "o:1:a", receipt, now=START)
    journal.plan([a, b], now=START + LEASE)
    states = {r.post_id: r.state for r in journal.rows()}
    assert states == {a.id: RowState.PLANNED, b.id: RowState.SENT}


def test_a_receipt_and_the_next_claim_are_one_commit(journal: Journal) -> None:
    from terrain.posts import Receipt

    a, b, c = posts(3)
    journal.plan([a, b, c], now=START)
    row = journal.claim_ready("fake", "o:1:a", now=START, lease=LEASE)
    assert row is not None
    receipt = Receipt(platform="fake", post_id=row.post_id, remote_id="r1", published_at=START)
    commits = journal.db.backend.commits
    sent, following = journal.mark_sent_then_claim(
        row, "o:1:a", receipt, now=START + timedelta(seconds=1), lease=LEASE
    )
    assert journal.db.backend.commits == commits + 1
    assert sent
    assert following is not None
    assert following.post_id != row.post_id
    assert following.state is RowState.CLAIMED
    assert following.claimed_by == "o:1:a"
    assert following.lease_until == START + timedelta(seconds=1) + LEASE
    stored = {r.post_id: r for r in journal.rows()}
    assert stored[row.post_id].state is RowState.CONFIRMED
    assert stored[row.post_id].receipt == receipt
    assert stored[following.post_id].state is RowState.CLAIMED
    assert stored[following.post_id].claimed_by == "o:1:a"
    # a claim another worker holds is neither marked nor followed by a claim
    other = journal.claim_ready("fake", "o:2:b", now=START, lease=LEASE)
    assert other is not None
    assert journal.mark_sent_then_claim(
        attrs.evolve(other, claimed_by="o:1:a"), "o:1:a",
        Receipt(platform="fake", post_id=other.post_id, remote_id="r2", published_at=START),
        now=START, lease=LEASE,
    ) == (False, None)
    assert {r.post_id: r.state for r in journal.rows()}[other.post_id] is RowState.CLAIMED
    # nothing left to claim: the receipt alone
    last = journal.claim_ready("fake", "o:1:a", now=START, lease=LEASE)
    assert last is None
    sent, following2 = journal.mark_sent_then_claim(
        following, "o:1:a",
        Receipt(platform="fake", post_id=following.post_id, remote_id="r3", published_at=START),
        now=START, lease=LEASE,
    )
    assert sent
    assert following2 is None
    assert {r.post_id: r.state for r in journal.rows()}[following.post_id] is RowState.CONFIRMED


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5))]
        ),
    ),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_stored_timestamps_sort_like_the_instants_they_name(a: datetime, b: datetime) -> None:
    assert (ts(a) < ts(b)) == (a < b)
    assert datetime.fromisoformat(ts(a)) == a


def test_a_dead_pid_counts_only_on_this_machine_and_pid_namespace() -> None:
    """Containers sharing a host name have their own pids: never take over their rows early."""
    import socket

    from terrain.publishing._journal import _owner_is_dead, new_owner_id

    machine = new_owner_id().split(":")[0]
    gone = 2**22 + 12345  # above Linux's pid_max: no such process here
    assert _owner_is_dead(f"{machine}:{gone}:ab12cd34")
    assert not _owner_is_dead(f"{socket.gethostname()}~4026531999:{gone}:ab12cd34")
    assert not _owner_is_dead(f"other-host:{gone}:ab12cd34")
    assert not _owner_is_dead(new_owner_id()), "this very process is alive"


# -- opening: a mistyped path is refused, never made into an empty journal -----------


def test_a_mistyped_journal_path_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    from terrain.errors import NotFound

    Journal(tmp_path / "journal.db", create=True).close()
    with pytest.raises(NotFound, match=r"there is no journal at .*jounral\.db.*create=True"):
        Journal(tmp_path / "jounral.db")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("jounral")]


def test_an_existing_journal_opens_without_create(tmp_path: Path) -> None:
    first = Journal(tmp_path / "journal.db", create=True)
    first.plan(posts(2), now=START)
    first.close()
    again = Journal(tmp_path / "journal.db")
    try:
        assert [r.post_id for r in again.rows()] == ["p-000", "p-001"]
    finally:
        again.close()


def test_a_database_without_terrain_data_is_refused_without_create(store_url: str) -> None:
    """An empty PostgreSQL database, or a SQLite file of something else."""
    from terrain.errors import NotFound
    from terrain.store import Database

    bare = Database.connect(store_url, create=True, migrate=False)
    bare.close()
    with pytest.raises(NotFound, match="holds no terrain data"):
        Journal(store_url)
    untouched = Database.connect(store_url, migrate=False)
    try:
        assert untouched.schema_version() == 0  # nothing was written
    finally:
        untouched.close()


def test_a_store_as_issue_19_left_it_gets_only_the_typed_handle_index(tmp_path: Path) -> None:
    """Migration 8 is the history of record changes (issue 19), already in stores:
    the typed-handle index comes after it, as 9, and fills the index of the posts
    published before it."""
    from terrain.posts import Post, Receipt
    from terrain.store import Database
    from terrain.store._schema import MIGRATIONS

    assert [(m.version, m.name) for m in MIGRATIONS[7:9]] == [
        (8, "history of record changes"),
        (9, "publication refs: the @handles typed in each post"),
    ]
    journal = Journal(tmp_path / "j.db", create=True)
    journal.plan([Post(id="p-typed", platform="x", text="Merci @lea_m")], now=START)
    row = journal.claim_ready("x", "o:1:x", now=START, lease=timedelta(minutes=5))
    assert row is not None
    journal.mark_sent(row, "o:1:x", Receipt(platform="x", post_id="p-typed", remote_id="1",
                                            published_at=START), now=START)
    with journal.db.transaction() as tx:  # as a store at version 8 holds it
        tx.execute("DELETE FROM publication_refs WHERE ref LIKE 'handle:%'")
        tx.execute("DELETE FROM schema_version WHERE version >= 9")
    journal.close()

    db = Database.connect(f"sqlite:///{tmp_path / 'j.db'}", migrate=False)
    try:
        assert db.schema_version() == 8
        assert db.migrate() == [m.version for m in MIGRATIONS if m.version >= 9]
    finally:
        db.close()
    again = Journal(tmp_path / "j.db")
    try:
        assert [r.post_id for r in again.published_drawing_on(handles=["lea_m"])] == ["p-typed"]
    finally:
        again.close()


@given(name=st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20))
def test_no_path_that_does_not_exist_is_made_into_a_journal(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    from terrain.errors import NotFound

    folder = tmp_path_factory.mktemp("j")
    with pytest.raises(NotFound):
        Journal(folder / f"{name}.db")
    assert list(folder.iterdir()) == []
def test_the_handles_typed_in_a_post_are_indexed_for_takedowns(tmp_path: Path) -> None:
    """A member's @handle typed in a post's text tags them: a takedown of their tag must
    find the post through the index, in any platform's syntax; stores migrated before
    the index existed get it filled (migration 9)."""
    from terrain.posts import Post
    from terrain.store._schema import _backfill_refs, post_refs

    post = Post(id="p-typed", platform="x", text="Merci @Lea_M et @samir@piaille.fr.",
                thread=("Bravo @ana.bsky.social !",))
    assert post_refs({"text": post.text, "thread": post.thread}) == {
        "handle:lea_m", "handle:samir@piaille.fr", "handle:samir", "handle:ana.bsky.social",
        # the finder may end a match before a final full stop, or include it (a handle
        # on record is not checked for one): the index holds both
        "handle:samir@piaille.fr.",
    }
    journal = Journal(tmp_path / "j.db", create=True)
    journal.plan([post], now=START)
    row = journal.claim_ready("x", "o:1:x", now=START, lease=timedelta(minutes=5))
    assert row is not None
    from terrain.posts import Receipt

    journal.mark_sent(row, "o:1:x", Receipt(platform="x", post_id="p-typed", remote_id="1",
                                            published_at=START), now=START)
    assert [r.post_id for r in journal.published_drawing_on(handles=["lea_m"])] == ["p-typed"]
    assert [r.post_id for r in journal.published_drawing_on(handles=["samir"])] == ["p-typed"]
    assert journal.published_drawing_on(handles=["lea"]) == []

    with journal.db.transaction() as tx:  # a store from before migration 9
        tx.execute("DELETE FROM publication_refs WHERE ref LIKE 'handle:%'")
    assert journal.published_drawing_on(handles=["lea_m"]) == []
    with journal.db.transaction() as tx:
        _backfill_refs(tx)
        _backfill_refs(tx)  # safe to run again
    assert [r.post_id for r in journal.published_drawing_on(handles=["LEA_M"])] == ["p-typed"]
