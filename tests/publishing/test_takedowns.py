"""The takedown queue: claimed before each delete, carried out once, told in both logs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain.consent import DecisionRecord
from terrain.errors import NotFound, Rejected, TransientError
from terrain.posts import Capabilities, Receipt
from terrain.publishing import Journal, TakedownQueue, run_takedowns

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CAPS = Capabilities(max_text_length=500, delete=True)


class Deleting:
    """A platform whose deletes follow ``script`` (``ok``, ``transient``, ``reject``),
    then succeed; a post deleted twice answers NotFound, as real platforms do."""

    def __init__(self, name: str = "x", script: tuple[str, ...] = (), *, delete: bool = True
                 ) -> None:
        self.name = name
        self.capabilities = Capabilities(max_text_length=500, delete=delete)
        self.script = list(script)
        self.online: set[str] = set()
        self.deletes: list[str] = []
        self._lock = threading.Lock()

    def delete(self, receipt: Receipt) -> None:
        with self._lock:
            step = self.script.pop(0) if self.script else "ok"
            if step == "transient":
                raise TransientError(f"{self.name}: 503")
            if step == "reject":
                raise Rejected(f"{self.name}: cannot delete")
            if receipt.remote_id not in self.online:
                raise NotFound(f"{self.name}: no post {receipt.remote_id}")
            self.online.discard(receipt.remote_id)
            self.deletes.append(receipt.remote_id)


def receipt(n: int, platform: str = "x") -> Receipt:
    return Receipt(platform=platform, post_id=f"p-{n}", remote_id=f"r-{n}",
                   published_at=NOW - timedelta(days=3), url=f"https://{platform}.example/{n}")


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.db", create=True)


def run(journal: Journal, platforms: dict[str, object], decisions: list[DecisionRecord],
        **kwargs: object) -> dict[str, int]:
    done = run_takedowns(TakedownQueue(journal.db), journal, platforms,  # type: ignore[arg-type]
                         now_fn=lambda: NOW, record_decision=decisions.append, **kwargs)
    return done.counts


def test_a_queued_takedown_is_deleted_once_and_told_in_both_logs(journal: Journal) -> None:
    x = Deleting()
    x.online = {"r-1", "r-2"}
    queue = TakedownQueue(journal.db)
    queue.enqueue("wd-1", "lea", [receipt(1), receipt(2)], now=NOW, consent_ids=["c-1"])
    decisions: list[DecisionRecord] = []
    assert run(journal, {"x": x}, decisions) == {"deleted": 2}
    assert x.online == set()
    assert sorted(x.deletes) == ["r-1", "r-2"]
    assert [e.outcome for e in journal.takedowns(subject_id="lea")] == ["deleted", "deleted"]
    assert {d.subject_id for d in decisions} == {"p-1", "p-2"}
    assert all("withdrawal wd-1 by lea (consent c-1 ended)" in d.reasons[0].text
               for d in decisions)
    assert all(d.relied_on == ("c-1",) for d in decisions)
    assert run(journal, {"x": x}, decisions) == {}  # nothing left: nothing twice
    assert queue.open_count() == 0


def test_queueing_the_same_post_twice_makes_one_takedown(journal: Journal) -> None:
    queue = TakedownQueue(journal.db)
    first = queue.enqueue("wd-1", "lea", [receipt(1)], now=NOW)
    again = queue.enqueue("wd-2", "lea", [receipt(1)], now=NOW)
    assert [r.id for r in first] == [r.id for r in again]
    assert len(queue.rows()) == 1


def test_a_platform_that_cannot_delete_leaves_it_to_remove_by_hand(journal: Journal) -> None:
    queue = TakedownQueue(journal.db)
    queue.enqueue("wd-1", "lea", [receipt(1), receipt(2, "instagram")], now=NOW)
    counts = run(journal, {"x": Deleting(delete=False), "instagram": "no token set"}, [])
    assert counts == {"manual": 2}
    messages = {r.platform: r.message for r in queue.rows()}
    assert "https://x.example/1 by hand" in messages["x"]
    assert "no token set" in messages["instagram"]


def test_a_failing_platform_is_tried_again_then_given_up_by_hand(journal: Journal) -> None:
    x = Deleting(script=("transient",) * 3)
    x.online = {"r-1"}
    queue = TakedownQueue(journal.db)
    queue.enqueue("wd-1", "lea", [receipt(1)], now=NOW)
    assert run(journal, {"x": x}, [], max_attempts=3) == {"retrying": 1}
    (row,) = queue.rows()
    assert row.state == "queued"
    assert row.next_attempt_at is not None
    for _ in range(2):
        later = (row.next_attempt_at or NOW) + timedelta(seconds=1)
        run_takedowns(queue, journal, {"x": x}, now_fn=lambda at=later: at,
                      record_decision=[].append, max_attempts=3)
        row = queue.rows()[0]
    assert (row.state, row.outcome) == ("done", "failed")
    assert "https://x.example/1 by hand" in row.message
    assert x.online == {"r-1"}  # still online: the page says so


def test_a_crashed_worker_s_takedown_is_taken_over_after_its_lease(journal: Journal) -> None:
    x = Deleting()
    x.online = {"r-1"}
    queue = TakedownQueue(journal.db)
    queue.enqueue("wd-1", "lea", [receipt(1)], now=NOW)
    claimed = queue.claim("dead-worker", now=NOW, lease=timedelta(minutes=5))
    assert claimed is not None
    x.delete(claimed.receipt)  # …and the worker died before recording it
    assert queue.claim("me", now=NOW, lease=timedelta(minutes=5)) is None  # its lease holds
    after = NOW + timedelta(minutes=6)
    decisions: list[DecisionRecord] = []
    done = run_takedowns(queue, journal, {"x": x}, now_fn=lambda: after,
                         record_decision=decisions.append)
    assert done.counts == {"deleted": 1}
    assert "already gone" in done.done[0].message
    assert len(decisions) == 1
    assert not queue.finish(claimed, "dead-worker", "deleted", "", now=after)  # it lost the row


def test_two_workers_never_take_the_same_takedown(journal: Journal) -> None:
    x = Deleting()
    x.online = {f"r-{n}" for n in range(30)}
    TakedownQueue(journal.db).enqueue("wd-1", "lea", [receipt(n) for n in range(30)], now=NOW)
    decisions: list[DecisionRecord] = []
    threads = [
        threading.Thread(target=run, args=(journal, {"x": x}, decisions),
                         kwargs={"owner": f"w{i}"})
        for i in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(x.deletes) == sorted(f"r-{n}" for n in range(30))  # each once
    assert len(decisions) == 30
    assert len(journal.takedowns()) == 30


@settings(max_examples=30, deadline=None)
@given(script=st.lists(st.sampled_from(["ok", "transient", "reject"]), max_size=8),
       posts=st.integers(min_value=1, max_value=5))
def test_every_queued_takedown_ends_once_whatever_the_platform_says(
    tmp_path_factory: pytest.TempPathFactory, script: list[str], posts: int
) -> None:
    journal = Journal(tmp_path_factory.mktemp("q") / "journal.db", create=True)
    x = Deleting(script=tuple(script))
    x.online = {f"r-{n}" for n in range(posts)}
    queue = TakedownQueue(journal.db)
    queue.enqueue("wd-1", "lea", [receipt(n) for n in range(posts)], now=NOW)
    decisions: list[DecisionRecord] = []
    for visit in range(10):  # a worker passing by every ten minutes
        at = NOW + timedelta(minutes=10 * visit)
        run_takedowns(queue, journal, {"x": x}, now_fn=lambda at=at: at,
                      record_decision=decisions.append, max_attempts=3)
    rows = queue.rows()
    assert all(r.state == "done" for r in rows)
    assert len(decisions) == posts  # one decision per post
    assert len(x.deletes) == len(set(x.deletes))  # never deleted twice
    for row in rows:  # what is still online is exactly what the page tells to remove by hand
        assert (row.receipt.remote_id in x.online) == (row.outcome != "deleted")
    journal.close()
