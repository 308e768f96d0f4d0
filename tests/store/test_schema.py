"""The migrations list: numbered 1, 2, 3… and applied once, in order, on every backend."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from terrain.store._db import Database
from terrain.store._schema import MIGRATIONS, latest_version


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_a_new_database_is_at_the_latest_version_and_reopening_applies_nothing(
    store_url: str,
) -> None:
    db = Database.connect(store_url, create=True)
    assert db.schema_version() == latest_version()
    db.close()
    again = Database.connect(store_url)
    assert again.migrate() == []
    again.close()


def test_opening_without_migrating_leaves_the_migrations_to_migrate(store_url: str) -> None:
    db = Database.connect(store_url, create=True, migrate=False)
    try:
        assert db.schema_version() == 0
        assert db.migrate() == [m.version for m in MIGRATIONS]
        assert db.schema_version() == latest_version()
    finally:
        db.close()


def test_threads_opening_a_fresh_database_at_once_apply_each_migration_once(
    store_url: str,
) -> None:
    Database.connect(store_url, create=True, migrate=False).close()  # the empty file / database
    errors: list[BaseException] = []
    applied: list[list[int]] = []

    def open_it() -> None:
        try:
            db = Database.connect(store_url, migrate=False)
            applied.append(db.migrate())
            db.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(v for versions in applied for v in versions) == [m.version for m in MIGRATIONS]
    db = Database.connect(store_url)
    assert db.query("SELECT COUNT(*) FROM schema_version") == [(len(MIGRATIONS),)]
    db.close()


def test_processes_opening_a_fresh_database_at_once_all_succeed(store_url: str) -> None:
    Database.connect(store_url, create=True, migrate=False).close()
    code = (
        "import sys; from terrain.store import Database;"
        "db = Database.connect(sys.argv[1]); print(db.schema_version()); db.close()"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    assert [out.strip() for out, _ in outs] == [str(latest_version())] * 3


def test_migration_statements_carry_no_sqlite_only_syntax() -> None:
    """The same scripts run on SQLite and PostgreSQL."""
    for migration in MIGRATIONS:
        sql = migration.sql.upper()
        for word in ("AUTOINCREMENT", "WITHOUT ROWID", "PRAGMA", "?", "%"):
            assert word not in sql


def test_a_thread_s_sqlite_connection_closes_when_the_thread_ends(tmp_path: Path) -> None:
    """A long-running worker starts thread pools again and again: no connection piles up."""
    import gc

    db = Database.open(tmp_path / "t.db", create=True)
    backend = db.backend

    def read() -> None:
        db.query("SELECT 1")

    for _ in range(5):
        t = threading.Thread(target=read)
        t.start()
        t.join()
    gc.collect()
    assert len(backend._held) == 1  # type: ignore[attr-defined]  # the opening thread's
    db.close()


def test_sqlite_writers_of_this_machine_queue_on_a_lock_file(tmp_path: Path) -> None:
    """flock hands the write lock over at once (SQLite's busy handler sleeps and polls)."""
    import fcntl
    import os

    db = Database.open(tmp_path / "t.db", create=True)
    lock = tmp_path / "t.db.lock"
    assert lock.is_file()
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free between transactions
        fcntl.flock(fd, fcntl.LOCK_UN)
        with db.transaction():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held_by_other = False
            except BlockingIOError:
                held_by_other = True
        assert held_by_other
    finally:
        os.close(fd)
        db.close()
