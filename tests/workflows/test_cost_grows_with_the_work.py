"""Takedown and the log cost what they touch, not what the workspace holds.

Counted, not timed: statements run and rows read by the store
(``Database.backend.counters``) for the same work in a small and a grown
workspace (more contents, more published posts, more decisions).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from terrain import Community, Content, Member
from terrain.consent import Evidence
from terrain.events import Event
from terrain.store import Workspace
from terrain.testing import InMemoryPlatform
from terrain.testing._memory import DEFAULT_CAPABILITIES
from terrain.workflows import post_log, publish_event, takedown
from terrain.workflows._takedown import BATCH
from tests._photos import reviewed_photo

T0 = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)
FORM = Evidence(kind="verbal", witness="Camille")
NOW = T0 + timedelta(days=1)


def _photo(cid: str, event_id: str, *people: str) -> Content:
    return reviewed_photo(cid, *people, event_id=event_id, at=T0)


def _workspace(root: Path, events: int, photos_of_lea: int = 3) -> Workspace:
    """``events`` published meetups of 4 photos of other people; the first one also
    has ``photos_of_lea`` photos of Léa."""
    ws = Workspace.init(root, community=Community(id="velo", name="Vélo"))
    ws.add(Member(id="lea", display_name="Léa"))
    ws.add(Member(id="sam", display_name="Sam"))
    for person in ("lea", "sam"):
        ws.update_ledger(
            lambda ledger, p=person: ledger.grant(p, purposes=["publish"], at=T0, evidence=FORM)
        )
    # one photo a post (an album of one): as many published posts as photos
    platform = InMemoryPlatform(
        name="outbox", capabilities=attrs.evolve(DEFAULT_CAPABILITIES, max_media=1)
    )
    for e in range(events):
        eid = f"ev{e}"
        ws.add(Event(id=eid, title=f"Meetup {e}", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
        for k in range(4):
            ws.add(_photo(f"{eid}-p{k}", eid, "sam"))
        if e == 0:
            for k in range(photos_of_lea):
                ws.add(_photo(f"{eid}-lea{k}", eid, "lea", "sam"))
        result = publish_event(ws, eid, {"outbox": platform}, now=NOW, hook=False)
        assert not result.failed, result.report
    return ws


def _cost(ws: Workspace, action: object) -> tuple[int, int]:
    counters = ws.db.backend.counters
    statements, rows = counters.statements, counters.rows
    action()  # type: ignore[operator]
    return counters.statements - statements, counters.rows - rows


def test_a_takedown_reads_what_involves_the_person_not_every_content_and_post(
    tmp_path: Path,
) -> None:
    costs = []
    for events in (2, 12):
        with _workspace(tmp_path / f"ws{events}", events) as ws:
            platform = InMemoryPlatform(name="outbox")
            result: list[object] = []
            cost = _cost(
                ws,
                lambda ws=ws, platform=platform, result=result: result.append(
                    takedown(
                        ws,
                        "lea",
                        now=NOW + timedelta(days=1),
                        platforms={"outbox": platform},
                        hook=False,
                    )
                ),
            )
            assert len(result[0].entries) == 3  # type: ignore[attr-defined]
            costs.append(cost)
    # six times as many contents and published posts: the same statements, the same rows
    assert costs[0] == costs[1]


@pytest.mark.parametrize("photos", [3, 2 * BATCH + 1])
def test_takedown_outcomes_are_committed_one_batch_at_a_time(tmp_path: Path, photos: int) -> None:
    with _workspace(tmp_path / "ws", 1, photos_of_lea=photos) as ws:
        commits: list[str] = []
        conn = ws.db.backend._writer_conn()  # the connection write transactions run on
        conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        try:
            result = takedown(
                ws,
                "lea",
                now=NOW + timedelta(days=1),
                platforms={"outbox": InMemoryPlatform(name="outbox")},
                hook=False,
            )
        finally:
            conn.set_trace_callback(None)
        assert len(result.entries) == photos
        # one commit for the withdrawal, then one per batch of outcomes
        assert len(commits) == 1 + -(-photos // BATCH)
        assert all(e.outcome == "deleted" for e in result.entries)


def test_a_page_of_the_log_reads_that_page_and_its_decisions_only(tmp_path: Path) -> None:
    costs = []
    for events in (2, 12):
        with _workspace(tmp_path / f"ws{events}", events) as ws:
            entries: list[object] = []
            cost = _cost(ws, lambda ws=ws, entries=entries: entries.extend(post_log(ws, limit=5)))
            assert len(entries) == 5
            assert all(e.decisions for e in entries)  # type: ignore[attr-defined]
            costs.append(cost)
    assert costs[0] == costs[1] == (2, 5 + 5)  # the page, then its decisions


def test_the_log_filters_by_event_member_and_date_and_pages_newest_first(tmp_path: Path) -> None:
    with _workspace(tmp_path / "ws", 3) as ws:
        everything = post_log(ws)
        assert [e.row.event_id for e in post_log(ws, event_id="ev1")] == ["ev1"] * 4
        lea = post_log(ws, member_id="lea")
        assert {e.row.post.content_ids for e in lea} == {(f"ev0-lea{k}",) for k in range(3)}
        assert post_log(ws, since=NOW + timedelta(days=1)) == []
        assert post_log(ws, since=T0) == everything
        pages = [post_log(ws, limit=4, offset=o) for o in (8, 4, 0)]
        assert [e for page in pages for e in page] == everything[-12:]


# -- a dry run costs what its event holds, not what the community holds ------------------


def _community(root: Path, strangers: int) -> Path:
    """A meetup of 6 photos of Léa (tag consent), Sam (none), a minor and her mother,
    and ``strangers`` members with handles and consent records who are in none of them
    (one of them, Zoé, the manager thanks in the text)."""
    with Workspace.init(root, community=Community(id="velo", name="Vélo")) as ws:
        ws.add(Member(id="lea", display_name="Léa", handles={"outbox": "lea_m"}))
        ws.add(Member(id="sam", display_name="Sam", handles={"outbox": "sam"}))
        ws.add(Member(id="mum", display_name="Mum"))
        ws.add(Member(id="kid", display_name="Kid", is_minor=True, guardian_ids=["mum"],
                      handles={"outbox": "kid"}))
        ws.add(Member(id="zoe", display_name="Zoé", handles={"outbox": "zoe_v"}))
        for n in range(strangers):
            ws.add(Member(id=f"s{n:04d}", display_name=f"Stranger {n}",
                          handles={"outbox": f"s{n}", "mastodon": f"s{n}@piaille.fr"}))

        def paperwork(ledger: object) -> None:
            grant = ledger.grant  # type: ignore[attr-defined]
            grant("lea", purposes=["publish", "tag"], at=T0, evidence=FORM)
            grant("sam", purposes=["publish"], at=T0, evidence=FORM)
            grant("kid", purposes=["publish", "tag"], at=T0, evidence=FORM, given_by=["mum"],
                  subject_assent=True)
            grant("zoe", purposes=["publish"], at=T0, evidence=FORM)  # no tag
            for n in range(strangers):
                grant(f"s{n:04d}", purposes=["publish", "tag"], at=T0, evidence=FORM)
                grant(f"s{n:04d}", purposes=["publish"], at=T0 + timedelta(minutes=1),
                      evidence=FORM, platforms=["outbox"])

        ws.update_ledger(paperwork)
        ws.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
        for k, people in enumerate([("lea",), ("sam",), ("lea", "kid"), ("kid",), ("sam", "lea"),
                                    ()]):
            ws.add(_photo(f"p{k}", "ev", *people))
    return root


def _dry_run_in(root: Path) -> tuple[tuple[int, int], object]:
    """Rows read and statements run by a dry run in a freshly opened workspace
    (nothing cached), and what it says."""
    with Workspace.open(root) as ws:
        found: list[object] = []
        cost = _cost(ws, lambda: found.append(publish_event(
            ws, "ev", {"outbox": InMemoryPlatform(name="outbox")}, dry_run=True, now=NOW,
            hook=False, text="Merci @zoe_v et @Lea_M !",
        )))
        result = found[0]
        return cost, (result.report, result.previews)  # type: ignore[attr-defined]


def test_a_dry_run_reads_the_same_rows_however_many_members_and_consents_it_does_not_show(
    tmp_path: Path,
) -> None:
    """The members and consent records of people in none of the event's photos (and
    whose handle is typed nowhere in its posts) are not read: ten times as many of
    them, the same statements and the same rows, and the same decisions."""
    small = _dry_run_in(_community(tmp_path / "small", 10))
    grown = _dry_run_in(_community(tmp_path / "grown", 100))
    assert grown[1] == small[1]
    assert grown[0] == small[0]


def test_a_dry_run_decides_on_the_handles_typed_in_its_text_whoever_they_are(
    tmp_path: Path,
) -> None:
    """Zoé is in no photo, but her handle is typed in the text: she did not agree to
    be tagged, so it is taken out, as a real run would; Léa's stays (she agreed),
    and Sam, who did not, is not mentioned."""
    _, (report, previews) = _dry_run_in(_community(tmp_path / "ws", 3))
    first = previews[0]  # type: ignore[index]
    assert "@Lea_M" in first.text
    assert "zoe_v" not in first.text
    assert "@sam" not in first.text
    assert any(d.what == "@zoe_v" for d in first.dropped)
    assert all(o.state.value in ("planned", "held") for o in report.outcomes)  # type: ignore[attr-defined]
