"""The workspace's consent ledger stays in memory and reads only what was stored since.

Counted, not timed: statements run and rows read by the store
(``Database.backend.counters``) as the ledger grows.
"""

from __future__ import annotations

import contextlib
import gc
import subprocess
import sys
import textwrap
import weakref
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Content, Event, Member
from terrain.consent import decide
from terrain.errors import Conflict
from terrain.store import Workspace
from terrain.testing import InMemoryPlatform
from terrain.workflows import publish_event
from tests._photos import reviewed_photo
from tests.store._velo import FORM, T0, velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

_photo = reviewed_photo


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url) as w:
        w.add(_photo("p1", "m1", "m2"))
        yield w


def _grant(ws: Workspace, member: str, at: datetime = T0) -> None:
    ws.update_ledger(
        lambda ledger: ledger.grant(member, purposes=["publish"], at=at, evidence=FORM)
    )


def _rows_read(ws: Workspace, action: object) -> int:
    counters = ws.db.backend.counters
    before = counters.rows
    action()  # type: ignore[operator]
    return counters.rows - before


def _decide(ws: Workspace) -> bool:
    content = ws.get(Content, "p1")
    with ws.consent() as ledger:
        return decide(ledger, content, platform="x", at=T0 + timedelta(days=1)).allowed


@pytest.mark.parametrize("grown", [10, 200])
def test_after_the_first_decision_only_new_consent_events_are_read(
    ws: Workspace, grown: int
) -> None:
    """However long the log, a decision after the first reads the new events only."""
    for n in range(grown):
        _grant(ws, f"m{n % 20}", T0 - timedelta(days=n))
    ws2 = Workspace.open(ws.root)  # a fresh process's view: nothing cached yet
    try:
        first = _rows_read(ws2, lambda: _decide(ws2))
        assert first >= grown  # the first decision reads the whole log
        again = _rows_read(ws2, lambda: _decide(ws2))
        assert again == 1  # the photo itself; no consent event, no member
        _grant(ws, "m5")  # recorded by another workspace object (another process)
        after = _rows_read(ws2, lambda: _decide(ws2))
        assert after == 2  # the photo and the one new event
    finally:
        ws2.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["grant", "withdraw", "member"]), st.integers(0, 19)),
        min_size=1,
        max_size=12,
    )
)
def test_the_cached_ledger_always_decides_as_a_fresh_replay(
    ws: Workspace, steps: list[tuple[str, int]]
) -> None:
    """Whatever is stored, in any order, by this or another workspace object: the
    cached ledger answers as a ledger replayed from the store."""
    other = Workspace.open(ws.root)
    scoped = Workspace.open(ws.root)
    try:
        for k, (verb, n) in enumerate(steps):
            writer = other if k % 2 else ws
            at = T0 + timedelta(minutes=k)
            if verb == "grant":
                _grant(writer, f"m{n}", at)
            elif verb == "withdraw":
                writer.update_ledger(lambda ledger, n=n, at=at: ledger.withdraw(f"m{n}", at=at))
            else:
                old = writer.get(Member, f"m{n}")
                writer.put(attrs.evolve(old, display_name=f"{old.display_name}!"))
            with ws.consent() as cached:
                fresh = ws.ledger()  # a copy, replayed from the cached events
                replayed = Workspace.open(ws.root)
                try:
                    from_store = replayed.ledger()
                finally:
                    replayed.close()
                assert cached.events() == from_store.events() == fresh.events()
                assert dict(cached.members) == dict(from_store.members)
                when = at + timedelta(seconds=1)
                for i in range(20):
                    assert (
                        cached.state(f"m{i}", "publish", "x", at=when).valid
                        == from_store.state(f"m{i}", "publish", "x", at=when).valid
                    )
            # a ledger asked for a few people at a time, growing as it is asked
            people = [f"m{(n + j) % 20}" for j in range(3)]
            if k % 5 == 4:
                with scoped.consent():  # everyone, now and then
                    pass
            with scoped.consent(people) as partial:
                for person in people:
                    assert partial.for_subject(person) == from_store.for_subject(person)
                    assert (
                        partial.state(person, "publish", "x", at=when).valid
                        == from_store.state(person, "publish", "x", at=when).valid
                    )
    finally:
        other.close()
        scoped.close()


def test_a_ledger_grown_from_some_people_to_everyone_reads_only_the_events_it_lacked(
    ws: Workspace,
) -> None:
    """A publication asks about a few people per post, then about so many that the
    ledger takes everyone: it reads the others' events and the members it lacks, not
    again those it holds."""
    for n in range(60):
        _grant(ws, f"m{n % 20}", T0 - timedelta(days=n + 1))
    stored = ws.consent_events()
    theirs = sum(e.subject_id in {"m1", "m2"} for e in stored)
    fresh = Workspace.open(ws.root)
    try:
        with fresh.consent(["m1", "m2"]):
            pass

        def everyone() -> None:
            with fresh.consent() as ledger:
                assert Counter(map(repr, ledger.events())) == Counter(map(repr, stored))

        assert _rows_read(fresh, everyone) == len(stored) - theirs + 20 - 2
        with fresh.consent() as ledger:
            when = T0 + timedelta(days=1)
            for i in range(20):
                assert ledger.for_subject(f"m{i}") == ws.ledger().for_subject(f"m{i}")
                assert ledger.state(f"m{i}", "publish", "x", at=when).valid
    finally:
        fresh.close()


def test_a_change_left_unsaved_never_counts_in_a_decision(ws: Workspace) -> None:
    with ws.consent() as ledger:
        ledger.grant("m1", purposes=["publish"], at=T0, evidence=FORM)
        ledger.grant("m2", purposes=["publish"], at=T0, evidence=FORM)
    assert not _decide(ws)  # the grants were never stored: read again from the store
    _grant(ws, "m1")
    _grant(ws, "m2")
    assert _decide(ws)


def test_a_failed_change_stores_nothing_and_leaves_the_ledger_as_stored(ws: Workspace) -> None:
    def change(ledger: object) -> None:
        ledger.grant("m1", purposes=["publish"], at=T0, evidence=FORM)  # type: ignore[attr-defined]
        ledger.grant("nobody", purposes=["publish"], at=T0, evidence=FORM)  # type: ignore[attr-defined]

    with pytest.raises(Exception, match="nobody"):
        ws.update_ledger(change)
    assert ws.consent_events() == ()
    with ws.consent() as ledger:
        assert ledger.for_subject("m1") == ()


def test_entering_consents_one_by_one_reads_each_stored_event_once(ws: Workspace) -> None:
    """Recording n consents in a process reads O(n) rows in all, not O(n²)."""
    counters = ws.db.backend.counters
    _grant(ws, "m0")
    before = counters.rows
    for n in range(60):
        _grant(ws, f"m{n % 20}", T0 + timedelta(minutes=n))
    # each grant reads the end of the log (nothing new: 0 rows) and nothing else
    assert counters.rows - before <= 60


_WITHDRAW = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from terrain.store import Workspace
    with Workspace.open(sys.argv[1]) as ws:
        at = datetime.fromisoformat(sys.argv[2])
        ws.update_ledger(lambda ledger: ledger.withdraw("m1", at=at))
    """
)


def test_a_withdrawal_by_another_process_a_moment_before_the_call_holds_it(ws: Workspace) -> None:
    """The ledger is warm (a dry run said "would be published"); another process
    withdraws; the call that follows reads it and holds the post."""
    from terrain.events import Event

    ws.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
    ws.put(_photo("p1", "m1", "m2", event_id="ev"))
    _grant(ws, "m1")
    _grant(ws, "m2")
    platform = InMemoryPlatform(name="x")
    now = T0 + timedelta(days=1)
    dry = publish_event(ws, "ev", {"x": platform}, dry_run=True, now=now, hook=False)
    assert not dry.compose_errors
    assert [o.state.value for o in dry.report.outcomes] == ["planned"]  # one album
    subprocess.run(
        [sys.executable, "-c", _WITHDRAW, str(ws.root), (now - timedelta(seconds=1)).isoformat()],
        check=True,
    )
    result = publish_event(ws, "ev", {"x": platform}, now=now, hook=False)
    states = {o.post_id: o.state.value for o in result.report.outcomes}
    (album,) = result.posts  # the recap, with p1 its only photo
    assert album.content_ids == ("p1",)
    assert states[album.id] == "held"
    assert platform.published(album.id) is None


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_decision_reads_the_consent_of_the_people_it_is_about_not_the_whole_ledger(
    ws: Workspace,
) -> None:
    """The gate of a photo of m1 and m2 reads their events: other people's consent
    can grow without the decision reading more."""
    from terrain.posts import Post
    from terrain.workflows._publish import workspace_gate

    _grant(ws, "m1")
    _grant(ws, "m2")
    post = Post(id="post-1", platform="x", text="Recap", content_ids=("p1",))
    costs = []
    for others in (10, 200):
        for n in range(others):
            _grant(ws, f"m{3 + n % 17}", T0 - timedelta(days=n + 1))
        fresh = Workspace.open(ws.root)
        try:
            gate = workspace_gate(fresh)
            costs.append(_rows_read(fresh, lambda gate=gate: gate(post, T0 + timedelta(days=1))))
            assert gate(post, T0 + timedelta(days=1)).allowed
        finally:
            fresh.close()
    assert costs[0] == costs[1]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_no_garbage_collection_runs_while_many_records_are_read(ws: Workspace) -> None:
    """The ledger's first read makes an object or more per stored event, all kept:
    the cyclic collector is paused while it is read (it would scan the whole heap for
    cycles that are not there), and on again after. So are the reads that decode
    records by the thousand for a publication (``get_many``, ``list``,
    ``contents_of_event``). With a threshold of one, the collector runs at every new
    container wherever it is on: here, never below one of those reads."""
    for n in range(300):
        _grant(ws, f"m{n % 20}", T0 - timedelta(days=n))
    ws.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
    for n in range(2, 300):
        ws.add(_photo(f"p{n}", f"m{n % 20}", event_id="ev"))
    reads = {
        f.__code__
        for f in (Workspace._read_ledger, Workspace.get_many, Workspace.list,
                  Workspace.contents_of_event, Workspace._members_by_id)
    }
    inside: list[str] = []
    runs = Counter[str]()

    def count(phase: str, info: dict[str, int]) -> None:
        if phase != "start":
            return
        runs["all"] += 1
        frame = sys._getframe(1)  # the code that made the container that set it off
        if frame.f_code in reads:
            return  # a read's own line (making the pause), not a record being decoded
        while frame is not None:
            if frame.f_code in reads:
                inside.append(frame.f_code.co_name)
                return
            frame = frame.f_back

    fresh = Workspace.open(ws.root)
    was, threshold = gc.isenabled(), gc.get_threshold()
    gc.callbacks.append(count)
    gc.enable()
    gc.set_threshold(1)
    try:
        with fresh.consent({f"m{n}" for n in range(20)}) as ledger:
            assert ledger.event_count() == 300
        assert len(fresh.get_many(Content, [f"p{n}" for n in range(2, 300)])) == 298
        assert len(fresh.list(Content)) == 299
        assert len(fresh.contents_of_event("ev")) == 298
        assert gc.isenabled()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(count)
        (gc.enable if was else gc.disable)()
        fresh.close()
    assert runs["all"] > 0  # the collector ran, between the reads
    assert inside == []


def test_closing_a_workspace_frees_its_ledger_without_the_garbage_collector(
    ws: Workspace,
) -> None:
    """The workspace and its ledger refer to each other: close() lets go of the
    ledger and the records it decoded, so they are freed at once, not at the
    collector's next full scan (a publication's are a hundred thousand objects)."""
    for n in range(40):
        _grant(ws, f"m{n % 20}", T0 - timedelta(days=n))
    fresh = Workspace.open(ws.root)
    with fresh.consent() as ledger:
        assert ledger.event_count() == 40
    content = fresh.get(Content, "p1")
    kept, decoded, opened = weakref.ref(ledger), weakref.ref(content), weakref.ref(fresh)
    del ledger, content
    was = gc.isenabled()
    gc.disable()
    try:
        assert kept() is not None  # the workspace keeps it while open
        fresh.close()
        assert kept() is None
        assert decoded() is None
        del fresh
        assert opened() is None  # nothing else holds the workspace in a cycle
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_grant_in_a_fresh_process_reads_that_persons_history_not_the_log(
    ws: Workspace,
) -> None:
    """`consent grant` (a fresh process each time) costs the same however long the log."""
    costs = []
    for person, others in (("m1", 10), ("m2", 300)):
        for n in range(others):
            _grant(ws, f"m{3 + n % 17}", T0 - timedelta(days=n + 1))
        fresh = Workspace.open(ws.root)
        try:
            consent: list[Any] = []
            costs.append(
                _rows_read(
                    fresh,
                    lambda fresh=fresh, consent=consent, person=person: consent.append(
                        fresh.update_ledger(
                            lambda ledger, fresh=fresh, person=person: ledger.grant(
                                person,
                                purposes=["publish"],
                                at=T0,
                                evidence=FORM,
                                consent_id=fresh.next_consent_id(),
                            ),
                            subjects={person},
                        )
                    ),
                )
            )
        finally:
            fresh.close()
        assert consent[0].id == f"c-{len(ws.consent_events())}"  # numbered as the ledger does
    assert costs[0] == costs[1]


def test_consent_ids_are_unique_across_the_log_even_from_a_partial_ledger(ws: Workspace) -> None:
    _grant(ws, "m1")
    taken = ws.consent_events()[0].consent.id  # type: ignore[union-attr]
    fresh = Workspace.open(ws.root)  # its ledger will hold m2's history only
    try:
        with pytest.raises(Conflict, match="already the id of another record"):
            fresh.update_ledger(
                lambda ledger: ledger.grant(
                    "m2", purposes=["publish"], at=T0, evidence=FORM, consent_id=taken
                ),
                subjects={"m2"},
            )
    finally:
        fresh.close()
    assert len(ws.consent_events()) == 1


def test_the_events_of_more_people_than_one_statement_takes_are_read_in_order(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``CHUNK`` people, the others' events are read up to the same point of the
    log as the first statement's, and all of them come in log order."""
    import terrain.store._db as db_module

    for n in range(12):
        _grant(ws, f"m{n % 5}", T0 - timedelta(days=n + 1))
    monkeypatch.setattr(db_module, "CHUNK", 2)
    people = ["m0", "m1", "m2", "m3", "m4"]
    events, last, rev = ws.db.consent_of_people(people)
    stored = ws.consent_events()
    assert [seq for seq, *_ in events] == list(range(1, len(stored) + 1))
    assert last == len(stored)
    assert rev >= 1


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(asks=st.lists(st.sets(st.integers(0, 19), max_size=12), min_size=1, max_size=4))
def test_a_ledger_asked_for_more_people_than_one_query_takes_holds_exactly_theirs(
    ws: Workspace, asks: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many people a publication asks about (more than one ``IN`` list takes:
    the store reads them in several), the ledger holds their events and no one
    else's, each person's as stored; asked for everyone, it holds the whole log."""
    import terrain.store._db as db

    monkeypatch.setattr(db, "CHUNK", 3)  # what 500 is to a city, 3 is to these 20
    if not ws.consent_events():
        for n in range(40):
            _grant(ws, f"m{n % 20}", T0 - timedelta(days=n + 1))
    stored = ws.consent_events()
    fresh = Workspace.open(ws.root)
    try:
        asked: set[str] = set()
        for ask in asks:
            people = {f"m{n}" for n in ask}
            asked |= people
            with fresh.consent(people) as ledger:
                assert Counter(map(repr, ledger.events())) == Counter(
                    repr(e) for e in stored if e.subject_id in asked
                )
                for person in people:
                    assert ledger.for_subject(person) == ws.ledger().for_subject(person)
        with fresh.consent() as ledger:
            assert Counter(map(repr, ledger.events())) == Counter(map(repr, stored))
    finally:
        fresh.close()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_publication_showing_many_people_reads_their_consent_not_everyones(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Photos of more people than one query takes: the gate still reads only the
    consent events of the people shown (the others' never)."""
    import terrain.store._db as db
    from terrain.posts import Post
    from terrain.workflows._publish import workspace_gate

    monkeypatch.setattr(db, "CHUNK", 3)
    shown = [f"m{n}" for n in range(8)]
    ws.put(_photo("p1", *shown))
    for n in range(60):
        _grant(ws, f"m{n % 20}", T0 - timedelta(days=n + 1))
    theirs = sum(e.subject_id in shown for e in ws.consent_events())
    fresh = Workspace.open(ws.root)
    try:
        gate = workspace_gate(fresh)
        post = Post(id="post-1", platform="x", text="Recap", content_ids=("p1",))
        with fresh.consent(()):  # a ledger, no one's consent read yet
            pass
        read = _rows_read(fresh, lambda: gate(post, T0 + timedelta(days=1)))
        assert gate(post, T0 + timedelta(days=1)).allowed
        # their events and them (the members), the photo, the end of the log: never
        # the events of the twelve people not shown
        assert theirs <= read <= theirs + len(shown) + 3
        assert read < len(ws.consent_events())
    finally:
        fresh.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["grant", "refuse", "withdraw", "grant-all", "renew"]),
            st.integers(0, 5),
            st.sampled_from(["ev-a", "ev-b"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_ledger_decoding_scoped_records_when_asked_decides_as_a_fresh_replay(
    ws: Workspace, steps: list[tuple[str, int, str]]
) -> None:
    """Records scoped to a meetup wait undecoded in the cached ledger until a decision
    about that meetup needs them: whatever is stored, by this or another workspace
    object, a decision about a photo of either meetup is the one a ledger replayed
    from the store makes, for the people in it."""
    from terrain.consent import Scope
    from terrain.events import Event

    for event_id in ("ev-a", "ev-b"):
        if not ws.exists(Event, event_id):
            ws.add(Event(id=event_id, title=event_id, starts_at=T0,
                         ends_at=T0 + timedelta(hours=2)))
    photos = {
        e: _photo(f"p-{e}-{n}", f"m{n}", f"m{(n + 1) % 6}", event_id=e)
        for n, e in enumerate(("ev-a", "ev-b"))
    }
    for photo in photos.values():
        if not ws.exists(Content, photo.id):
            ws.add(photo)
    other = Workspace.open(ws.root)
    scoped = Workspace.open(ws.root)
    try:
        for k, (verb, n, event_id) in enumerate(steps):
            writer = other if k % 2 else ws
            at = T0 + timedelta(minutes=k)
            member, scope = f"m{n}", Scope(kind="event", ref=event_id)
            if verb in ("grant", "refuse", "grant-all"):
                _try(writer.update_ledger,
                    lambda ledger, verb=verb, member=member, scope=scope, at=at: getattr(
                        ledger, "refuse" if verb == "refuse" else "grant"
                    )(member, purposes=["publish"], at=at, evidence=FORM,
                      scope=None if verb == "grant-all" else scope,
                      valid_until=at + timedelta(days=1))
                )
            elif verb == "withdraw":
                _try(writer.update_ledger,
                    lambda ledger, member=member, scope=scope if n % 2 else None, at=at: (
                        ledger.withdraw(member, at=at, scope=scope)
                    )
                )
            else:
                mine = [c for c in ws.ledger().for_subject(member)
                        if c.history[0].status.value == "given"]
                if not mine:
                    continue
                _try(writer.update_ledger,
                    lambda ledger, c=mine[-1], at=at: ledger.renew(
                        c.id, at=at, valid_until=at + timedelta(days=30)
                    )
                )
            replayed = Workspace.open(ws.root)
            try:
                from_store = replayed.ledger()
            finally:
                replayed.close()
            when = at + timedelta(days=2)
            for photo in photos.values():
                people = sorted(photo.member_ids)
                with scoped.consent(people) as partial:
                    mine = decide(partial, photo, platform="x", at=when)
                assert mine == decide(from_store, photo, platform="x", at=when)
            with scoped.consent([member]) as partial:
                assert partial.for_subject(member) == from_store.for_subject(member)
    finally:
        other.close()
        scoped.close()


def _try(write: Any, change: Any) -> None:
    """``write(change)``; a change the ledger refuses (examples share the workspace,
    so one may come before what it needs) stores nothing."""
    from terrain.errors import TerrainError

    with contextlib.suppress(TerrainError):
        write(change)
