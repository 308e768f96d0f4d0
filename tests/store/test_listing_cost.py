"""`terrain consent list` and `terrain content list` cost what they print, and
show what every process stored up to the call.

Counted, not timed: statements run and rows read by the store
(``Database.backend.counters``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from terrain import Content, Event
from terrain.store import Workspace
from terrain.workflows import consent_states
from tests._photos import reviewed_photo
from tests.store._velo import FORM, T0, velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

LATER = T0 + timedelta(days=1)


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url) as w:
        yield w


def _grant(ws: Workspace, member: str, at: datetime = T0) -> None:
    ws.update_ledger(
        lambda ledger: ledger.grant(member, purposes=["publish"], at=at, evidence=FORM)
    )


def _grow(ws: Workspace, events: int) -> None:
    """``events`` more grants, spread over everyone but m1."""
    for n in range(events):
        _grant(ws, f"m{2 + n % 18}", T0 - timedelta(days=n + 1))


def _cost(ws: Workspace, action: Callable[[], object]) -> tuple[int, int]:
    """(statements run, rows read) by ``action``."""
    counters = ws.db.backend.counters
    statements, rows = counters.statements, counters.rows
    action()
    return counters.statements - statements, counters.rows - rows


def _fresh(ws: Workspace, action: Callable[[Workspace], object]) -> tuple[int, int]:
    """The cost of ``action`` in a workspace opened afresh (a new `terrain` process)."""
    fresh = Workspace.open(ws.root)
    try:
        return _cost(fresh, lambda: action(fresh))
    finally:
        fresh.close()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_listing_one_persons_consent_reads_their_records_not_the_ledger(ws: Workspace) -> None:
    """`terrain consent list m1`: the same cost with 10 or 300 events of other people."""
    _grant(ws, "m1")
    costs = []
    for others in (10, 290):
        _grow(ws, others)
        costs.append(_fresh(ws, lambda w: consent_states(w, "m1", at=LATER)))
    assert costs[0] == costs[1]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_listing_everyones_consent_reads_each_event_once_in_as_many_statements(
    ws: Workspace,
) -> None:
    """`terrain consent list`: the statements do not grow with the log, and each stored
    event and member is read once."""
    statements = []
    for grown in (10, 300):
        _grow(ws, grown)
        events = len(ws.consent_events())
        found: list[int] = []
        cost = _fresh(ws, lambda w, found=found: found.append(len(consent_states(w, at=LATER))))
        assert found == [events]
        assert cost[1] <= events + 20 + 5  # the events, the members, a few checks
        statements.append(cost[0])
    assert statements[0] == statements[1]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_listing_consent_again_reads_only_what_was_stored_since(ws: Workspace) -> None:
    """A long-running process (`terrain serve`) lists again: only the new event is read."""
    _grow(ws, 200)
    consent_states(ws, at=LATER)
    _grant(ws, "m1")
    states: list[int] = []
    _, rows = _cost(ws, lambda: states.append(len(consent_states(ws, at=LATER))))
    assert states == [201]
    assert rows <= 3


_GRANT = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from terrain.consent import Evidence
    from terrain.store import Workspace
    with Workspace.open(sys.argv[1]) as ws:
        at = datetime.fromisoformat(sys.argv[2])
        ws.update_ledger(lambda ledger: ledger.grant(
            "m7", purposes=["tag"], at=at, evidence=Evidence(kind="verbal", witness="Samir")))
    """
)


def test_a_consent_another_process_stored_a_moment_before_is_listed(ws: Workspace) -> None:
    """The listing is warm; another process records a consent; the next listing shows it."""
    _grow(ws, 5)
    before = consent_states(ws, at=LATER)
    assert [s.consent.subject_id for s in before].count("m7") == 0
    subprocess.run(
        [sys.executable, "-c", _GRANT, str(ws.root), (LATER - timedelta(seconds=1)).isoformat()],
        check=True,
    )
    after = consent_states(ws, at=LATER)
    (new,) = [s for s in after if s.consent.subject_id == "m7"]
    assert len(after) == len(before) + 1
    assert new.status.value == "given"
    assert [s.consent.id for s in consent_states(ws, "m7", at=LATER)] == [new.consent.id]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_listing_contents_reads_one_row_per_content_in_as_many_statements(
    ws: Workspace,
) -> None:
    """`terrain content list` (and `--event`): one row per content listed, the
    statements the same for 10 or 100 contents."""
    ws.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
    statements = []
    for total in (10, 100):
        for n in range(len(ws.ids(Content)), total):
            ws.add(reviewed_photo(f"p{n:03d}", "m1", event_id="ev" if n % 10 == 0 else None))
        statements_all, rows_all = _fresh(ws, lambda w: w.content_summaries())
        statements_ev, rows_ev = _fresh(ws, lambda w: w.content_summaries("ev"))
        assert (rows_all, rows_ev) == (total, total // 10)
        lines_all, line_rows_all = _fresh(ws, lambda w: w.content_listing_lines())
        lines_ev, line_rows_ev = _fresh(ws, lambda w: w.content_listing_lines("ev"))
        assert (line_rows_all, line_rows_ev) == (total, total // 10)
        statements.append((statements_all, statements_ev, lines_all, lines_ev))
    assert statements[0] == statements[1]
