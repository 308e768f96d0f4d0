"""run_worker: several workers (separate journals on one store, as separate processes
would open it) keep one platform's rate and daily budget together, drain, and stop."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from terrain.consent import ConsentLedger
from terrain.publishing import Journal, PlatformPolicy, RowState, WorkerReport, run_worker
from terrain.publishing._journal import new_owner_id
from terrain.testing import InMemoryPlatform

from .helpers import ledger_gate, posts

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres


@pytest.fixture
def journals(store_url: str) -> Iterator[list[Journal]]:
    opened = [Journal(store_url, create=True)] + [
        Journal(store_url, create=False) for _ in range(2)
    ]
    yield opened
    for journal in opened:
        journal.close()


def workers_at_once(
    journals: list[Journal], platform: InMemoryPlatform, policy: PlatformPolicy
) -> list[WorkerReport]:
    reports: list[WorkerReport] = []

    def one(journal: Journal) -> None:
        reports.append(
            run_worker(
                journal,
                [platform],
                gate=ledger_gate(ConsentLedger()),
                now_fn=lambda: datetime.now(UTC),
                policies={platform.name: policy},
                drain=True,
                poll=0.05,
                max_wait=5.0,
                owner=new_owner_id(),
            )
        )

    threads = [threading.Thread(target=one, args=(j,)) for j in journals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return reports


def test_the_daily_budget_holds_across_workers(journals: list[Journal]) -> None:
    """X's free tier (17 a day) shared by three workers: 17 posts, not 17 each."""
    platform = InMemoryPlatform("x")
    journals[0].plan(posts(30, "x"), now=datetime.now(UTC))
    reports = workers_at_once(journals, platform, PlatformPolicy(daily_budget=17, concurrency=3))
    assert len(platform.posts) == 17
    assert sum(r.counts.get("confirmed", 0) for r in reports) == 17
    rows = journals[0].rows()
    waiting = [r for r in rows if r.state is RowState.PLANNED]
    assert len(waiting) == 13
    assert all(r.next_attempt_at is not None for r in waiting)
    assert min(r.next_attempt_at for r in waiting if r.next_attempt_at) > datetime.now(UTC) + (
        timedelta(hours=23)
    )
    assert any("daily budget of 17 posts reached" in m for r in reports for m in r.messages)


def test_the_rate_holds_across_workers(journals: list[Journal]) -> None:
    """20 calls per second shared by three workers of three threads each."""
    rate, n = 20.0, 24
    platform = InMemoryPlatform("fb")
    journals[0].plan(posts(n, "fb"), now=datetime.now(UTC))
    workers_at_once(journals, platform, PlatformPolicy(rate=rate, concurrency=3))
    assert len(platform.posts) == n
    starts = sorted(c.started for c in platform.calls if c.method == "publish")
    # The slots reserved in the database are 1 / rate apart, exactly...
    slots = sorted(
        datetime.fromisoformat(r[0])
        for r in journals[0].db.query(
            "SELECT slot_at FROM publication_journal WHERE platform = ?", ("fb",)
        )
    )
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(slots)]
    assert len(slots) == n
    assert min(gaps) >= 1 / rate - 1e-6
    # ...and each call starts near its slot (a thread that wakes up more than
    # 0.25 / rate late takes a new slot), so the platform sees the rate.
    in_any_second = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
    assert in_any_second <= rate + 2
    assert starts[-1] - starts[0] >= (n - 1) / rate - 0.05


def test_a_stop_releases_what_was_claimed_and_not_called(tmp_path: Path) -> None:
    """A worker waiting for its rate slot when stopped gives its rows back."""
    journal = Journal(tmp_path / "journal.db", create=True)
    platform = InMemoryPlatform("slow")
    journal.plan(posts(10, "slow"), now=datetime.now(UTC))
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    report = run_worker(
        journal,
        [platform],
        gate=ledger_gate(ConsentLedger()),
        now_fn=lambda: datetime.now(UTC),
        policies={"slow": PlatformPolicy(rate=2.0, concurrency=3)},
        stop=stop,
        poll=0.05,
    )
    timer.join()
    assert report.stopped
    rows = journal.rows()
    assert {r.state for r in rows} <= {RowState.CONFIRMED, RowState.PLANNED}
    assert len([r for r in rows if r.state is RowState.CONFIRMED]) == len(platform.posts)
    assert 1 <= len(platform.posts) <= 2
    journal.close()
