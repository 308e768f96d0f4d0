"""The store after a connection loss: a clear error to retry on, never a raw driver error;
stale connections replaced; the connection pool's chatter kept at debug level.

Unit tests of what :mod:`terrain.store._postgres` makes of psycopg's errors, then
a real server whose connections are terminated under the store's feet.
"""

from __future__ import annotations

import inspect
import logging
import random
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import StorageError, StoreUnavailable
from terrain.store import Database

psycopg = pytest.importorskip("psycopg")
errors = psycopg.errors

from terrain.store._postgres import connection_lost, quiet_driver_logs  # noqa: E402

#: Every psycopg error class that carries a SQLSTATE.
WITH_STATE = sorted(
    (
        c
        for c in vars(errors).values()
        if inspect.isclass(c) and issubclass(c, psycopg.Error) and getattr(c, "sqlstate", None)
    ),
    key=lambda c: c.sqlstate,
)


def test_a_connection_cut_by_the_server_is_a_lost_connection() -> None:
    assert connection_lost(psycopg.OperationalError("server closed the connection"), psycopg)
    assert connection_lost(errors.AdminShutdown("terminating connection"), psycopg)
    assert connection_lost(errors.CannotConnectNow("the database system is starting up"), psycopg)
    assert connection_lost(errors.TooManyConnections("sorry, too many clients"), psycopg)
    assert connection_lost(psycopg.InterfaceError("the connection is closed"), psycopg)


def test_a_wrong_statement_is_not_a_lost_connection() -> None:
    assert not connection_lost(errors.UniqueViolation("duplicate key"), psycopg)
    assert not connection_lost(errors.UndefinedTable("no such table"), psycopg)
    assert not connection_lost(errors.DiskFull("no space left"), psycopg)
    assert not connection_lost(errors.InsufficientPrivilege("permission denied"), psycopg)
    assert not connection_lost(ValueError("not a driver error"), psycopg)


@given(kind=st.sampled_from(WITH_STATE))
def test_only_connection_and_shutdown_states_are_lost_connections(kind: type) -> None:
    state: str = kind.sqlstate  # type: ignore[attr-defined]
    expected = state.startswith("08") or state in {"57P01", "57P02", "57P03", "53300"}
    assert connection_lost(kind("x"), psycopg) is expected


def test_the_pools_reconnection_warnings_are_demoted_to_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_driver_logs()
    quiet_driver_logs()  # idempotent
    with caplog.at_level(logging.DEBUG, logger="psycopg.pool"):
        logging.getLogger("psycopg.pool").warning("error connecting in 'terrain-store': refused")
    (record,) = caplog.records
    assert record.levelno == logging.DEBUG
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="psycopg.pool"):
        logging.getLogger("psycopg.pool").warning("error connecting in 'terrain-store': refused")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# -- a real server -----------------------------------------------------------------------


def terminate_others(url: str) -> int:
    """End every other connection to the database, and wait until each has ended
    (PostgreSQL 14+): its client has been told, as after a restart."""
    with psycopg.connect(url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.postgres
def test_stale_pooled_connections_are_replaced_not_used(postgres_database: str) -> None:
    """After a server restart (here: every connection terminated), the next statement
    runs on a fresh connection instead of failing on a dead one."""
    db = Database.connect(postgres_database, pool_size=3)
    try:
        for _ in range(3):
            assert db.schema_version() >= 1
        assert terminate_others(postgres_database) >= 1
        assert db.schema_version() >= 1
        db.ping()
    finally:
        db.close()


@pytest.mark.postgres
def test_a_connection_the_server_said_nothing_on_is_handed_out_without_a_round_trip(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool checked every connection with a round trip before each statement (a
    read took two). Now only a connection the server said something on (it ended
    it) is asked: the stale ones are still replaced, the others are not asked."""
    import psycopg_pool

    asked: list[object] = []
    check = psycopg_pool.ConnectionPool.check_connection

    def counted(conn: object) -> None:
        asked.append(conn)
        check(conn)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg_pool.ConnectionPool, "check_connection", staticmethod(counted))
    db = Database.connect(postgres_database, pool_size=3)
    try:
        for _ in range(20):
            assert db.schema_version() >= 1
        assert asked == []
        assert terminate_others(postgres_database) >= 1
        assert db.schema_version() >= 1  # on a new connection
        assert asked  # the ended one was asked, failed and was dropped
    finally:
        db.close()


@pytest.mark.postgres
def test_the_pool_draws_nothing_from_the_shared_random_generator(postgres_database: str) -> None:
    """psycopg_pool jitters each new connection's lifetime with a random draw, made in
    its worker threads whenever they connect. Terrain's pool draws it from a generator
    of its own: a program that seeds ``random`` to reproduce a run gets the same
    sequence whatever the pool does meanwhile (and Hypothesis, which refuses a draw
    during which the shared generator moved, no longer fails a test at random)."""
    random.seed(17)
    before = random.getstate()
    db = Database.connect(postgres_database, pool_size=4)
    try:
        start = threading.Barrier(4)

        def read() -> None:
            start.wait()
            for _ in range(3):
                db.query("SELECT pg_sleep(0.05)")

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pool = db.backend._pool  # type: ignore[attr-defined]
        assert pool.get_stats()["connections_num"] >= 2  # it grew: connected in its threads
    finally:
        db.close()
    assert random.getstate() == before


@pytest.mark.postgres
def test_a_statement_cut_mid_flight_raises_store_unavailable(postgres_database: str) -> None:
    db = Database.connect(postgres_database)
    try:
        caught: list[BaseException] = []

        def slow_query() -> None:
            try:
                db.query("SELECT pg_sleep(30)")
            except BaseException as exc:
                caught.append(exc)

        sleeper = threading.Thread(target=slow_query)
        sleeper.start()
        deadline = time.monotonic() + 60
        while terminate_others(postgres_database) == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        sleeper.join(timeout=60)
        (error,) = caught
        assert isinstance(error, StoreUnavailable)
        assert isinstance(error, StorageError)  # code catching StorageError keeps working
        assert "lost the connection to the store" in str(error)
        assert "pg_isready" in str(error)
        assert db.schema_version() >= 1  # and the store is usable again at once
    finally:
        db.close()


def test_a_server_that_does_not_answer_is_unavailable_not_misconfigured() -> None:
    """Nothing listens on the port: the store is unreachable (75), not a bad URL (2)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreUnavailable, match=r"cannot reach the store .*pg_isready"):
        Database.connect(f"postgresql://terrain@127.0.0.1:{port}/nowhere")
