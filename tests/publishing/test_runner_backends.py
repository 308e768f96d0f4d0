"""The runner on each store backend (SQLite, PostgreSQL): exactly once, budgets from the
database, a crashed run's rows reconciled by the next one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from terrain.consent import ConsentLedger
from terrain.publishing import Journal, PlatformPolicy, RowState, publish
from terrain.publishing._journal import new_owner_id

from ._platforms import ScriptedPlatform
from .helpers import START, Clock, ledger_gate, posts

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres


@pytest.fixture
def journals(store_url: str) -> Iterator[list[Journal]]:
    """Three journals on one fresh store, as three workers would open it; closed after."""
    opened = [Journal(store_url, create=True)] + [
        Journal(store_url, create=False) for _ in range(2)
    ]
    yield opened
    for journal in opened:
        journal.close()


def test_three_runs_at_once_post_every_row_exactly_once(journals: list[Journal]) -> None:
    platform = ScriptedPlatform()
    journals[0].plan(posts(45), now=START)
    policy = {"fake": PlatformPolicy(concurrency=3)}

    def one_run(journal: Journal) -> None:
        publish(
            journal,
            [platform],
            gate=ledger_gate(ConsentLedger()),
            now_fn=Clock(),
            policies=policy,
            owner=new_owner_id(),
        )

    threads = [threading.Thread(target=one_run, args=(j,)) for j in journals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(platform.landed) == 45
    assert set(platform.landed.values()) == {1}
    assert {r.state for r in journals[1].rows()} == {RowState.CONFIRMED}


def test_the_daily_budget_is_read_from_the_database_by_every_run(
    journals: list[Journal],
) -> None:
    platform = ScriptedPlatform(name="x")
    clock = Clock()
    policy = {"x": PlatformPolicy(daily_budget=17)}
    gate = ledger_gate(ConsentLedger())
    first = publish(
        journals[0], [platform], posts(12, "x"), gate=gate, now_fn=clock, policies=policy
    )
    assert len(first.by_state(RowState.CONFIRMED)) == 12
    # another worker, later that evening, with its own connection: 5 left today
    clock.advance(hours=1)
    second = publish(
        journals[1], [platform], posts(8, "x", "q"), gate=gate, now_fn=clock, policies=policy
    )
    assert len(second.by_state(RowState.CONFIRMED)) == 5
    assert len(second.by_state(RowState.PLANNED)) == 3
    assert platform.calls == 17


def test_a_run_that_died_mid_call_is_reconciled_by_another_worker(
    journals: list[Journal],
) -> None:
    platform = ScriptedPlatform()
    (post,) = posts(1)
    journals[0].plan([post], now=START)
    row = journals[0].claim_ready("fake", "other-host:99:dead", now=START, lease=timedelta(1))
    assert row is not None
    platform.publish(post)  # the call landed, then the worker died before writing it down
    clock = Clock(START + timedelta(days=2))  # the lease has expired
    report = publish(journals[2], [platform], gate=ledger_gate(ConsentLedger()), now_fn=clock)
    assert [o.state for o in report.outcomes] == [RowState.CONFIRMED]
    assert platform.landed[post.id] == 1  # found on the platform, not posted again
