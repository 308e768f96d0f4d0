"""The journal decides on instants: due rows, expired leases and budget windows agree
with the same decisions computed in UTC, whatever zone ``now`` is written in."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain._time import instant
from terrain.errors import ValidationError
from terrain.publishing import Journal
from terrain.testing.strategies import ZONES

from .helpers import posts

PARIS = ZoneInfo("Europe/Paris")
#: Around the night Paris clocks go back (01:00 UTC), Paris drawn most (see
#: tests/consent/test_time.py).
ORIGIN = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
zones = st.sampled_from([PARIS, PARIS, PARIS, UTC, *(ZoneInfo(z) for z in ZONES)])
LEASE = timedelta(minutes=10)


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    moment = ORIGIN + timedelta(minutes=draw(st.integers(0, 180)))
    return moment.astimezone(draw(zones))


@settings(max_examples=60)
@given(due=instants(), now=instants(), later_claim=instants())
def test_due_rows_and_expired_leases_agree_with_utc(
    due: datetime, now: datetime, later_claim: datetime
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder) / "j.db", create=True)
        try:
            journal.plan(posts(1), now=ORIGIN)
            row = journal.claim_ready("fake", "a:1:x", now=ORIGIN, lease=LEASE)
            assert row is not None
            journal.release(row, "a:1:x", now=ORIGIN, next_attempt_at=due)
            claimed = journal.claim_ready("fake", "a:1:x", now=now, lease=LEASE)
            assert (claimed is not None) == (instant(due) <= instant(now))
            if claimed is None:
                return
            # another run on another machine takes it over only once the lease has run out
            taken, busy = journal.claim_abandoned("fake", "b:2:y", now=later_claim, lease=LEASE)
            expired = instant(now) + LEASE <= instant(later_claim)
            assert (len(taken), len(busy)) == ((1, 0) if expired else (0, 1))
        finally:
            journal.close()


def test_a_naive_now_is_a_validation_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db", create=True)
    try:
        naive = datetime(2026, 3, 12, 22, 0)
        with pytest.raises(ValidationError, match="no time zone"):
            journal.plan(posts(1), now=naive)
        with pytest.raises(ValidationError, match="no time zone"):
            journal.claim_ready("fake", "a:1:x", now=naive, lease=LEASE)
        with pytest.raises(ValidationError, match="no time zone"):
            journal.claim_abandoned("fake", "a:1:x", now=naive, lease=LEASE)
        assert journal.rows() == []
    finally:
        journal.close()


def test_a_budget_window_is_24_hours_across_the_night_clocks_go_back(tmp_path: Path) -> None:
    """Posts sent in the last day count against the budget: a day is 24 hours even
    when ``now`` is a Paris time the day after the change (25 wall-clock hours)."""
    journal = Journal(tmp_path / "j.db", create=True)
    try:
        journal.plan(posts(2), now=ORIGIN)
        first = journal.claim_ready("fake", "a:1:x", now=ORIGIN, lease=LEASE)
        assert first is not None
        sent_at = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 00:30 Paris, summer time
        from terrain.posts import Receipt

        receipt = Receipt(
            post_id=first.post_id, platform="fake", remote_id="1", published_at=sent_at
        )
        assert journal.mark_sent(first, "a:1:x", receipt, now=sent_at, confirmed=True)
        second = journal.claim_ready("fake", "a:1:x", now=ORIGIN, lease=LEASE)
        assert second is not None
        # 23 h 30 after the post in real time, but 24 h 30 on Paris wall clocks
        now = datetime(2026, 10, 25, 22, 0, tzinfo=UTC).astimezone(PARIS)
        slot = journal.reserve(second, "a:1:x", now=now, rate=None, budget=1)
        assert slot is not None
        assert slot.at is None  # the budget of 1 a day is spent
        assert slot.budget_free_at == sent_at + timedelta(days=1)
    finally:
        journal.close()
