"""A worker's claim reads the next row, not every planned row (counted, not timed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from terrain.posts import Post
from terrain.publishing import Journal
from terrain.publishing import _sql as sql

NOW = datetime(2026, 3, 12, 21, 0, tzinfo=UTC)


def test_claiming_walks_the_planned_rows_in_order_through_an_index(tmp_path: Path) -> None:
    """No sort of every planned row per claim: draining a deep queue stays linear."""
    journal = Journal(tmp_path / "journal.db", create=True)
    journal.plan([Post(id=f"p-{i:05d}", platform="x", text="t") for i in range(300)], now=NOW)
    plan = journal.db.query("EXPLAIN QUERY PLAN " + sql.SELECT_READY, ("x", "2027"))
    details = [str(row[-1]) for row in plan]
    assert any("publication_journal_claim" in d for d in details), details
    assert not any("TEMP B-TREE" in d for d in details), details
    journal.close()
