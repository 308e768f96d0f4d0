"""Publisher workers ride out crashes of their PostgreSQL server.

Three ``terrain worker`` processes drain a few hundred posts to the HTTP fake
platform while the test stops the database server abruptly (``pg_ctl stop -m
immediate``: every connection cut, no goodbye) and starts it again, several
times, once with a worker SIGKILLed at the same moment, once while workers
wait in consent checks (aimed, not hoped for: the consent log's table is
locked until workers wait on it). The decision log must then say that no
decision could be made, and the post must go out later rather than be held.

What must hold, whatever the timing: every post is on the platform exactly
once, none is lost, none is held, and every worker is alive or exited with
a documented code (0 when drained). A second test holds the server down for
longer than the workers' lease: rows whose lease expired meanwhile are taken
over and checked with ``find()`` first, so nothing goes out twice.

The server here is the test's own (:func:`tests.pg.own_server`), not the
session's: stopping it disturbs no other test. Liveness timeouts are generous
(a loaded 2-core machine); nothing here asserts a speed.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from terrain import Member, Workspace
from terrain.consent import Evidence
from terrain.publishing import Journal, RowState
from terrain.testing.http import FakePlatformServer
from tests import pg
from tests.reliability.test_workers import make_workspace, start_worker

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: Longest a worker may take to finish once the posts are out (a loaded machine).
LIVENESS = 240.0
#: How long the server stays down in the short outages (seconds).
DOWN = 1.5
EXIT_UNREACHABLE = 75


@pytest.fixture(scope="module")
def server() -> Iterator[pg.Server]:
    pg.require_server()
    with pg.own_server() as own:
        yield own


@pytest.fixture(autouse=True)
def no_worker_left_behind() -> Iterator[None]:
    """Kill the workers a failed test left running (they would outlive the server)."""
    yield
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    STARTED.clear()


STARTED: list[subprocess.Popen[str]] = []


def worker(root: Path, *extra: str) -> subprocess.Popen[str]:
    """``terrain worker --drain --json`` on ``root`` (see :func:`start_worker`), killed
    at the end of the test if still running."""
    started = start_worker(root, *extra)
    STARTED.append(started)
    return started


def wait_for(condition: Callable[[], bool], what: str, timeout: float = LIVENESS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def add_people(root: Path, n: int) -> None:
    """``n`` members, each with a consent to publish: the consent checks have a ledger
    to read."""
    form = Evidence(kind="signed-form", file_key="forms/all.pdf")
    at = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
    with Workspace.open(root) as ws:
        for i in range(n):
            ws.add(Member(id=f"m-{i:03d}", display_name=f"Membre {i}"))
        ledger = ws.ledger()
        for i in range(n):
            ledger.grant(f"m-{i:03d}", purposes=["publish"], at=at, evidence=form)
        ws.save_ledger(ledger)


def undecided_count(url: str) -> int:
    """Decisions recorded as "no decision could be made" (an outage hit a consent check)."""
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT count(*) FROM decisions WHERE data LIKE %s",
            ('%"outcome":%"undecided"%',),
        ).fetchone()
    return int(row[0]) if row else 0


def crash(server: pg.Server, down: float) -> None:
    """Stop the server as a crash would, leave it down for ``down`` s, start it again."""
    server.stop("immediate")
    time.sleep(down)
    server.start()


def finish(workers: list[subprocess.Popen[str]]) -> list[tuple[int, dict[str, object], str]]:
    """Each worker's exit code, ``--json`` report and stderr, once it has drained."""
    out = []
    for proc in workers:
        stdout, stderr = proc.communicate(timeout=LIVENESS)
        out.append((proc.returncode, json.loads(stdout), stderr))
    return out


def check_exactly_once(platform: FakePlatformServer, journal: Journal, n: int) -> None:
    created = platform.created()
    assert set(created) == {f"w-{i:04d}" for i in range(n)}, "a post was lost"
    doubled = sorted(k for k, v in created.items() if v > 1)
    assert not doubled, f"posted twice: {doubled}"
    states = {r.post_id: r.state for r in journal.rows()}
    held = sorted(k for k, s in states.items() if s is RowState.HELD)
    assert not held, f"held for an infrastructure reason: {held}"
    assert set(states.values()) == {RowState.CONFIRMED}


def crash_during_consent_checks(server: pg.Server, url: str, down: float) -> int:
    """Crash the server while workers wait in consent checks: the ledger's table is locked
    until several consent reads are blocked on it, then the server stops. How many were."""
    import psycopg

    locker = psycopg.connect(url, connect_timeout=10)
    watcher = psycopg.connect(url, connect_timeout=10, autocommit=True)
    locker.execute("LOCK TABLE consent_events IN ACCESS EXCLUSIVE MODE")  # until the crash

    def blocked() -> int:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE '%FROM consent_events%'"
        ).fetchone()
        return int(row[0]) if row else 0

    wait_for(lambda: blocked() >= 2, "workers blocked in a consent check")
    waiting = blocked()
    crash(server, down)
    locker.close()
    watcher.close()
    return waiting


def test_three_workers_ride_out_database_crashes_and_publish_every_post_once(
    tmp_path: Path, server: pg.Server
) -> None:
    """Four crashes: at a random moment, during consent checks, together with a
    SIGKILLed worker, and at a random moment again."""
    n = 300
    root = tmp_path / "ville"
    with pg.fresh_database(server.url) as url, FakePlatformServer(latency=0.02) as platform:
        journal = make_workspace(root, platform, n, url, concurrency=2, timeout=3.0)
        journal.close()
        add_people(root, 50)
        workers = [worker(root, "--lease", "15") for _ in range(3)]
        for crashes, mark in enumerate((0.1, 0.3, 0.5, 0.7), start=1):
            wait_for(lambda m=mark: len(platform.posts) >= m * n, f"{mark:.0%} of the posts")
            if crashes == 2:
                assert crash_during_consent_checks(server, url, DOWN) >= 2
                # once the store is back, the decision log says no decision could be made
                wait_for(lambda: undecided_count(url) >= 1, "an undecided decision recorded")
            elif crashes == 3:  # a worker dies with the server: its rows are taken over
                victim = workers.pop(0)
                victim.send_signal(signal.SIGKILL)
                victim.communicate()
                crash(server, DOWN)
                workers.append(worker(root, "--lease", "15"))
            else:
                crash(server, DOWN)
            alive = [w.poll() for w in workers]
            assert all(code in (None, 0) for code in alive), f"a worker died: {alive}"
        assert len(platform.posts) < n, "the run ended before the last crash"
        results = finish(workers)
        journal = Journal(url)
        try:
            check_exactly_once(platform, journal, n)
        finally:
            journal.close()

        for code, report, stderr in results:
            assert code == 0, stderr
            assert report["exit_code"] == 0
            # once per outage (start and end), never the connection pool's own chatter
            assert stderr.count("the store is unreachable") <= crashes, stderr
            assert "psycopg" not in stderr, stderr
            assert "error connecting" not in stderr, stderr
        assert sum(int(str(r["outages"])) for _, r, _ in results) >= 1


def test_an_outage_longer_than_the_lease_sends_nothing_twice(
    tmp_path: Path, server: pg.Server
) -> None:
    """Leases of 2 s, the server down for 6 s: every claimed row's lease expires during
    the outage. Whoever takes a row over asks find() first; the post goes out once."""
    n = 80
    lease = 2.0
    root = tmp_path / "ville"
    with pg.fresh_database(server.url) as url, FakePlatformServer(latency=0.05) as platform:
        journal = make_workspace(root, platform, n, url, concurrency=2, timeout=1.0)
        journal.close()
        workers = [worker(root, "--lease", str(lease)) for _ in range(3)]
        wait_for(lambda: len(platform.posts) >= n // 4, "a quarter of the posts")
        crash(server, 3 * lease)
        assert len(platform.posts) < n, "the run ended before the outage"
        results = finish(workers)
        journal = Journal(url)
        try:
            check_exactly_once(platform, journal, n)
            assert all(r.lease_until is None for r in journal.rows())
        finally:
            journal.close()
        for code, report, stderr in results:
            assert code == 0, stderr
            assert report["unreachable"] is None


# -- what an operator sees: exit codes, the report, the messages ------------------------


@pytest.fixture
def running(server: pg.Server) -> Iterator[pg.Server]:
    """The module's server, started again after the test whatever it did to it."""
    try:
        yield server
    finally:
        if not server.running:
            server.start()


def test_past_max_outage_a_worker_exits_75_with_its_report_and_nothing_is_lost(
    tmp_path: Path, running: pg.Server
) -> None:
    n = 60
    root = tmp_path / "ville"
    with pg.fresh_database(running.url) as url, FakePlatformServer(latency=0.05) as platform:
        make_workspace(root, platform, n, url, concurrency=1).close()
        first = worker(root, "--lease", "3", "--max-outage", "2")
        wait_for(lambda: len(platform.posts) >= 5, "the first posts")
        seen = len(platform.posts)
        running.stop("immediate")
        stdout, stderr = first.communicate(timeout=LIVENESS)
        assert first.returncode == EXIT_UNREACHABLE, stderr
        report = json.loads(stdout)
        assert report["exit_code"] == EXIT_UNREACHABLE
        # one post at a time: only the last call made before the stop may have lost
        # its receipt to the outage (it is in doubt, and the next run settles it)
        assert report["counts"].get("confirmed", 0) >= seen - 1
        assert "more than the 2 s allowed (--max-outage)" in report["unreachable"]
        assert "Nothing is lost" in report["unreachable"]
        assert stderr.count("the store is unreachable") == 1, stderr
        assert "Traceback" not in stderr
        assert "psycopg" not in stderr
        running.start()
        again = worker(root, "--lease", "3")  # run it again: the rest goes out, once
        stdout, stderr = again.communicate(timeout=LIVENESS)
        assert again.returncode == 0, stderr
        journal = Journal(url)
        try:
            check_exactly_once(platform, journal, n)
        finally:
            journal.close()


def test_a_worker_started_while_the_store_is_down_waits_for_it(
    tmp_path: Path, running: pg.Server
) -> None:
    root = tmp_path / "ville"
    with pg.fresh_database(running.url) as url, FakePlatformServer() as platform:
        make_workspace(root, platform, 10, url).close()
        running.stop("immediate")
        impatient = worker(root, "--max-outage", "1")
        patient = worker(root)
        stdout, stderr = impatient.communicate(timeout=LIVENESS)
        assert impatient.returncode == EXIT_UNREACHABLE, stderr
        report = json.loads(stdout)  # a report even though it never started
        assert report["exit_code"] == EXIT_UNREACHABLE
        assert report["owner"] is None
        assert "cannot reach the store" in report["unreachable"]
        running.start()
        stdout, stderr = patient.communicate(timeout=LIVENESS)
        assert patient.returncode == 0, stderr
        assert json.loads(stdout)["counts"] == {"confirmed": 10}
        assert stderr.count("the store is unreachable") == 1, stderr
        assert stderr.count("the store answers again") == 1, stderr
        assert sorted(platform.created().values()) == [1] * 10


def test_any_command_exits_75_when_the_store_cannot_be_reached(
    tmp_path: Path, running: pg.Server
) -> None:
    """Not 2 ("bad input, nothing was changed"): the input was fine, the server is down."""
    from click.testing import CliRunner

    from terrain.cli import main

    root = tmp_path / "ville"
    with pg.fresh_database(running.url) as url, FakePlatformServer() as platform:
        make_workspace(root, platform, 1, url).close()
        running.stop("immediate")
        result = CliRunner().invoke(main, ["member", "list", "--workspace", str(root)])
        running.start()
    assert result.exit_code == EXIT_UNREACHABLE, result.output
    assert "cannot reach the store" in result.output
    assert "pg_isready" in result.output
