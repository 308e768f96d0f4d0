"""Group commit on SQLite: writers of several threads share one synced COMMIT, and
each still returns only once its own writes are committed, or raises.

The publishing runner's threads claim rows and record receipts through group
transactions (``Database.transaction(group=True)``): a claim must be durable
before the platform is called and a receipt before it is reported, so a
shared commit may save time but never an outcome. Counted, not timed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain.store import Database
from terrain.store._backend import SQLiteBackend


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "t.db", create=True, migrate=False)
    with database.transaction() as tx:
        tx.execute("CREATE TABLE item (id TEXT PRIMARY KEY)")
    try:
        yield database
    finally:
        database.close()


def _stored(path: Path) -> set[str]:
    """What another connection (another process) sees: only committed rows."""
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM item")}
    finally:
        conn.close()


def _wait_until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the other writer never came")
        time.sleep(0.001)


def test_a_writer_that_leaves_its_commit_to_the_next_returns_only_once_it_is_committed(
    db: Database, tmp_path: Path
) -> None:
    backend = db.backend
    assert isinstance(backend, SQLiteBackend)
    before = backend.synced_commits
    second = threading.Thread(target=lambda: _insert(db, "b"))
    with db.transaction(group=True) as tx:
        tx.execute("INSERT INTO item VALUES ('a')")
        second.start()
        _wait_until(lambda: backend._waiting == 1)  # b waits to write: a passes it on
    # a's block has returned: its row is committed (by b's commit, which holds both)
    assert "a" in _stored(tmp_path / "t.db")
    second.join()
    assert _stored(tmp_path / "t.db") == {"a", "b"}
    assert backend.synced_commits - before == 1
    assert backend.commits >= 2


def _insert(db: Database, item: str, *, fail: bool = False) -> None:
    with db.transaction(group=True) as tx:
        tx.execute("INSERT INTO item VALUES (?)", (item,))
        if fail:
            raise RuntimeError(f"block {item} failed")


def test_a_block_that_raises_undoes_only_its_own_writes_in_a_shared_commit(
    db: Database, tmp_path: Path
) -> None:
    backend = db.backend
    assert isinstance(backend, SQLiteBackend)
    errors: list[BaseException] = []

    def failing() -> None:
        try:
            _insert(db, "bad", fail=True)
        except RuntimeError as exc:
            errors.append(exc)

    other = threading.Thread(target=failing)
    with db.transaction(group=True) as tx:
        tx.execute("INSERT INTO item VALUES ('good')")
        other.start()
        _wait_until(lambda: backend._waiting == 1)
    other.join()
    assert [str(e) for e in errors] == ["block bad failed"]
    assert _stored(tmp_path / "t.db") == {"good"}


def test_a_transaction_that_does_not_ask_for_group_commit_commits_at_its_end(
    db: Database, tmp_path: Path
) -> None:
    backend = db.backend
    assert isinstance(backend, SQLiteBackend)
    second = threading.Thread(target=lambda: _insert(db, "b"))
    with db.transaction() as tx:
        tx.execute("INSERT INTO item VALUES ('a')")
        second.start()
        _wait_until(lambda: backend._waiting == 1)
        assert _stored(tmp_path / "t.db") == set()
    assert "a" in _stored(tmp_path / "t.db")
    second.join()
    assert _stored(tmp_path / "t.db") == {"a", "b"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(outcomes=st.lists(st.booleans(), min_size=1, max_size=8))
def test_concurrent_group_writers_each_keep_exactly_their_successful_writes(
    tmp_path_factory: pytest.TempPathFactory, outcomes: list[bool]
) -> None:
    """Whatever the interleaving, a block that returned has its rows committed,
    and a block that raised has none; nothing is committed twice."""
    path = tmp_path_factory.mktemp("group") / "t.db"
    db = Database.open(path, create=True, migrate=False)
    try:
        with db.transaction() as tx:
            tx.execute("CREATE TABLE item (id TEXT PRIMARY KEY)")
        returned: set[str] = set()
        raised: set[str] = set()
        start = threading.Barrier(len(outcomes))

        def writer(i: int, fail: bool) -> None:
            start.wait()
            try:
                _insert(db, f"w{i}", fail=fail)
            except RuntimeError:
                raised.add(f"w{i}")
                return
            assert f"w{i}" in _stored(path)  # committed before the block returned
            returned.add(f"w{i}")

        threads = [
            threading.Thread(target=writer, args=(i, fail)) for i, fail in enumerate(outcomes)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert returned == {f"w{i}" for i, fail in enumerate(outcomes) if not fail}
        assert raised == {f"w{i}" for i, fail in enumerate(outcomes) if fail}
        assert _stored(path) == returned
        backend = db.backend
        assert isinstance(backend, SQLiteBackend)
        assert backend._group == 0  # nothing left open
    finally:
        db.close()
