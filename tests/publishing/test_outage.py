"""Riding out a store outage: wait, say so once, carry on (or give up when asked).

:class:`~terrain.publishing._outage.Outage` alone with a scripted probe, then
workers on a real store: a SQLite file locked by another program for longer
than the busy timeout, and PostgreSQL connections cut under the workers' feet
(the in-process half of ``tests/reliability/test_outages.py``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from terrain.consent import ConsentLedger
from terrain.errors import StoreUnavailable
from terrain.publishing import Journal, PlatformPolicy, RowState, run_worker
from terrain.publishing._outage import GaveUp, Outage
from terrain.store import Database
from terrain.testing import InMemoryPlatform

from .helpers import ledger_gate, posts


class FakeTime:
    """A monotonic clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def outage(
    failures: int, *, max_outage: float | None = None, stop: threading.Event | None = None
) -> tuple[Outage, list[str], FakeTime]:
    left = [failures]
    notices: list[str] = []
    clock = FakeTime()

    def probe() -> None:
        if left[0] > 0:
            left[0] -= 1
            raise StoreUnavailable("connection refused")

    return (
        Outage(
            probe,
            notice=notices.append,
            random=lambda: 0.0,
            sleep=clock.sleep,
            stop=stop,
            max_outage=max_outage,
            clock=clock,
        ),
        notices,
        clock,
    )


def test_an_outage_is_waited_out_and_announced_once_at_each_end() -> None:
    watch, notices, clock = outage(5)
    watch.wait(StoreUnavailable("server closed the connection"))
    assert len(notices) == 2
    assert notices[0].startswith("the store is unreachable: server closed the connection")
    assert "nothing is lost" in notices[0]
    assert notices[1].startswith("the store answers again after")
    assert not watch.down
    assert watch.count == 1
    # a first look at once, then polls that grow up to a cap: 0.25, 0.5, 1, 2, 2
    assert clock.slept == [0.25, 0.5, 1.0, 2.0, 2.0]


def test_threads_waiting_for_the_same_outage_announce_it_once() -> None:
    watch, notices, _clock = outage(0)
    watch.since = 0.0  # another thread saw it first
    watch.count = 1
    watch.wait(StoreUnavailable("x"))
    assert notices == ["the store answers again after 0 s; carrying on."]
    assert watch.count == 1


def test_a_dropped_connection_to_a_store_that_answers_is_no_outage() -> None:
    watch, notices, clock = outage(0)
    watch.wait(StoreUnavailable("terminating connection due to administrator command"))
    assert notices == []
    assert watch.count == 0
    assert clock.slept == []


def test_past_max_outage_the_wait_gives_up_saying_nothing_is_lost() -> None:
    watch, notices, _clock = outage(1000, max_outage=10.0)
    with pytest.raises(GaveUp, match=r"unreachable for 1[0-9] s, more than the 10 s allowed") as e:
        watch.wait(StoreUnavailable("connection refused"))
    assert "Nothing is lost" in str(e.value)
    assert not e.value.stopped
    assert isinstance(e.value.as_error(), StoreUnavailable)
    assert "for 10 s at most (--max-outage)" in notices[0]


def test_a_stop_during_an_outage_ends_the_wait() -> None:
    stop = threading.Event()
    stop.set()
    watch, _notices, _clock = outage(1000, stop=stop)
    with pytest.raises(GaveUp, match="stopped while the store was unreachable") as e:
        watch.wait(StoreUnavailable("connection refused"))
    assert e.value.stopped


def test_polls_are_jittered_by_the_random_source() -> None:
    clock = FakeTime()
    left = [3]

    def probe() -> None:
        if left[0]:
            left[0] -= 1
            raise StoreUnavailable("down")

    watch = Outage(probe, notice=lambda m: None, random=lambda: 1.0, sleep=clock.sleep, clock=clock)
    watch.wait(StoreUnavailable("down"))
    assert clock.slept == [0.375, 0.75, 1.5]


# -- workers on a real store ---------------------------------------------------------


def test_a_worker_waits_while_another_program_locks_the_sqlite_file(tmp_path: Path) -> None:
    """A backup tool holds the write lock longer than the busy timeout: the worker
    says so once, waits, and every post still goes out once."""
    path = tmp_path / "journal.db"
    journal = Journal(Database.open(path, create=True, synchronous="NORMAL", busy_timeout=0.05))
    journal.plan(posts(40, "slow"), now=datetime.now(UTC))
    platform = InMemoryPlatform("slow", latency=0.01)
    notices: list[str] = []
    locked = threading.Event()
    released = threading.Event()

    def lock_for_a_while() -> None:
        while len(platform.posts) < 5:
            time.sleep(0.005)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # what `sqlite3 .backup` or a long import does
        locked.set()
        time.sleep(1.0)
        other.execute("COMMIT")
        other.close()
        released.set()

    locker = threading.Thread(target=lock_for_a_while)
    locker.start()
    report = run_worker(
        journal,
        [platform],
        gate=ledger_gate(ConsentLedger()),
        now_fn=lambda: datetime.now(UTC),
        policies={"slow": PlatformPolicy(concurrency=2)},
        drain=True,
        poll=0.05,
        on_notice=notices.append,
    )
    locker.join()
    assert locked.is_set()
    assert released.is_set()
    assert report.unreachable is None
    assert report.error is None
    assert report.outages >= 1
    assert any("is locked" in n or "out of reach" in n for n in notices), notices
    assert len(notices) == 2 * report.outages
    assert {r.state for r in journal.rows()} == {RowState.CONFIRMED}
    assert len(platform.posts) == 40
    assert platform.publish_count() == 40
    journal.close()
    journal.db.close()


def test_a_worker_gives_up_after_max_outage_and_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal = Journal(Database.open(path, create=True, synchronous="NORMAL", busy_timeout=0.05))
    journal.plan(posts(3, "slow"), now=datetime.now(UTC))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        report = run_worker(
            journal,
            [InMemoryPlatform("slow")],
            gate=ledger_gate(ConsentLedger()),
            now_fn=lambda: datetime.now(UTC),
            drain=True,
            poll=0.05,
            max_outage=0.5,
            on_notice=lambda m: None,
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert report.unreachable is not None
    assert "more than the 0.5 s allowed" in report.unreachable
    assert not report.stopped
    assert report.outages == 1
    assert {r.state for r in journal.rows()} == {RowState.PLANNED}  # nothing lost
    journal.close()
    journal.db.close()


@pytest.mark.postgres
def test_workers_carry_on_when_their_postgresql_connections_are_cut(
    postgres_database: str,
) -> None:
    """Every connection of the workers terminated, twice, mid-run (an admin, a failover,
    a proxy): in-flight statements fail, pooled connections go stale; nothing is lost."""
    import psycopg

    journal = Journal(postgres_database, create=True)
    journal.plan(posts(60, "slow"), now=datetime.now(UTC))
    platform = InMemoryPlatform("slow", latency=0.02)
    cuts = []

    def cut_connections() -> None:
        for mark in (10, 30):
            while len(platform.posts) < mark:
                time.sleep(0.005)
            with psycopg.connect(postgres_database, autocommit=True) as admin:
                row = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                cuts.append(int(row[0]) if row else 0)

    cutter = threading.Thread(target=cut_connections)
    cutter.start()
    report = run_worker(
        journal,
        [platform],
        gate=ledger_gate(ConsentLedger()),
        now_fn=lambda: datetime.now(UTC),
        policies={"slow": PlatformPolicy(concurrency=3)},
        drain=True,
        poll=0.05,
        on_notice=lambda m: None,
    )
    cutter.join()
    assert all(n >= 1 for n in cuts)
    assert report.error is None
    assert report.unreachable is None
    assert {r.state for r in journal.rows()} == {RowState.CONFIRMED}
    assert platform.publish_count() == 60
    journal.close()


def test_a_plugin_meeting_the_outage_in_its_hook_does_not_stop_the_platform(
    tmp_path: Path,
) -> None:
    """A before-publish hook that reads the store and finds it gone is an outage to
    wait out, not a bug in the plugin that stops the platform."""
    from terrain.posts import Post
    from terrain.publishing import publish

    failures = [StoreUnavailable("server closed the connection unexpectedly")]

    class ReadsTheStore:
        def terrain_before_publish(self, post: Post, platform: object) -> None:
            if failures:
                raise failures.pop()

    platform = InMemoryPlatform("slow")
    report = publish(
        Journal(tmp_path / "j.db", create=True),
        [platform],
        posts(1, "slow"),
        gate=ledger_gate(ConsentLedger()),
        now_fn=lambda: datetime.now(UTC),
        hook=ReadsTheStore(),
    )
    assert not report.failed
    assert [o.state for o in report.outcomes] == [RowState.CONFIRMED]
    assert platform.publish_count() == 1
