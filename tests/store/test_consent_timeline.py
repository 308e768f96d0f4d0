"""`terrain consent list` reads the stored consent timelines, and says what the replay says.

The reference is :func:`terrain.workflows.consent_states` (the ledger replayed
from the log). :func:`terrain.workflows.consent_list` reads the timelines the

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres
store keeps per person (migration 12), made again for anyone whose stamp is
behind: an event stored by a writer that kept no timeline, a member changed,
the guardian rule changed, a store migrated or erased. Each test runs on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import ConsentRecorded, Evidence, ListedConsent, describe, event_to_json
from terrain.consent._timeline import turning_points
from terrain.errors import TerrainError
from terrain.serialization import unstructure
from terrain.store import Workspace
from terrain.store._schema import MIGRATIONS
from terrain.store._timelines import stale
from terrain.workflows import consent_list, consent_list_lines, consent_states
from tests.consent.test_properties import operations
from tests.store._velo import FORM, T0, velo

LATER = T0 + timedelta(days=1)


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url, members=6) as w:
        yield w


def _listed(ws: Workspace, subject: str | None, at: datetime) -> list[tuple[Any, ...]]:
    return [
        (r.consent_id, r.subject_id, r.status.value, r.detail, r.summary, r.record)
        for r in consent_list(ws, subject, at=at, data=True)
    ]


def _replayed(ws: Workspace, subject: str | None, at: datetime) -> list[tuple[Any, ...]]:
    return [
        (s.consent.id, s.consent.subject_id, s.status.value, s.detail, describe(s.consent),
         unstructure(s.consent))
        for s in consent_states(ws, subject, at=at)
    ]


def _printed(replayed: list[tuple[Any, ...]]) -> list[str]:
    """The lines ``terrain consent list`` printed of the ``replayed`` rows (its code
    before the store made them): the reference of :func:`consent_list_lines`."""
    return [f"{id:<8} {subject:<16} {status:<16} {summary}" + (f" ({detail})" if detail else "")
            for id, subject, status, detail, summary, _ in replayed]


def _same(ws: Workspace, subject: str | None, at: datetime) -> list[tuple[Any, ...]]:
    lines = consent_list_lines(ws, subject, at=at)  # first: it makes stale timelines itself
    listed = _listed(ws, subject, at)
    replayed = _replayed(ws, subject, at)
    assert listed == replayed
    assert lines == _printed(replayed)
    return listed


def _stale_by_hand(ws: Workspace, subject: str | None) -> set[str]:
    """Whose stored timeline is behind, worked out in Python from the tables (the
    stamps' people JSON, not ``consent_stamp_people``): the reference for the one
    query of :func:`stale`."""
    heads: dict[str, int] = {}
    for who, seq in ws.db.query("SELECT subject_id, seq FROM consent_events"):
        heads[who] = max(seq, heads.get(who, 0))
    stamps = {r[0]: r[1:] for r in ws.db.query(
        "SELECT subject_id, seq, rev, rule, people FROM consent_stamps")}
    revs = dict(ws.db.query("SELECT id, rev FROM records WHERE kind = 'member'"))
    behind = set()
    for who, head in heads.items():
        if subject is not None and who != subject:
            continue
        stamp = stamps.get(who)
        if stamp is None or head > stamp[0] or stamp[2] != ws.config.guardian_rule:
            behind.add(who)
            continue
        for person, present in json.loads(stamp[3]).items():
            if (person in revs) != bool(present) or revs.get(person, 0) > stamp[1]:
                behind.add(who)
    return behind


def _grant(ws: Workspace, member: str, at: datetime = T0, **kwargs: Any) -> None:
    ws.update_ledger(
        lambda ledger: ledger.grant(member, purposes=["publish"], at=at, evidence=FORM, **kwargs)
    )


# -- the property: random histories, random instants ----------------------------------

_EXAMPLE = itertools.count()


def _renamed(value: Any, prefix: str) -> Any:
    """An operation of tests/consent/test_properties.py about this example's people."""
    if isinstance(value, Member):
        return attrs.evolve(value, id=prefix + value.id,
                            guardian_ids=[prefix + g for g in value.guardian_ids])
    if isinstance(value, list):
        return [prefix + v for v in value]
    return value


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    ops=st.lists(operations(), min_size=1, max_size=10),
    minutes=st.lists(st.integers(-60, 20 * 60), min_size=1, max_size=4),
)
def test_the_listing_says_what_the_replay_says_for_any_history_at_any_instant(
    ws: Workspace, ops: list[tuple[object, ...]], minutes: list[int]
) -> None:
    """Grants (scheduled, expiring), refusals and their lifting, withdrawals of part
    or all, renewals, a minor with her guardian and her assent, a member found to be
    a minor after the fact: each written as the CLI writes it, listed at instants
    between events and on them, by the writing process and by a new one."""
    prefix = f"x{next(_EXAMPLE)}-"
    people = {"a": "Ana", "b": "Bruno", "g": "Gaëlle"}
    for key, name in people.items():
        ws.add(Member(id=prefix + key, display_name=name))
    ws.add(Member(id=prefix + "k", display_name="Kim", is_minor=True,
                  guardian_ids=[prefix + "g"]))
    ids: list[str] = []
    subjects = [prefix + key for key in (*people, "k")]
    for verb, who, kwargs in ops:
        assert isinstance(verb, str)
        assert isinstance(kwargs, dict)
        assert stale(ws, None) == _stale_by_hand(ws, None)
        for subject in subjects:  # as it stood before this change
            assert stale(ws, subject) == _stale_by_hand(ws, subject)
            _same(ws, subject, T0 + timedelta(hours=6))
        if verb == "add_member":
            ws.put(_renamed(who, prefix))
            continue
        args = {k: _renamed(v, prefix) if k == "given_by" else v for k, v in kwargs.items()}
        if verb == "renew":
            n = int(str(who).removeprefix("c-")) - 1
            if n >= len(ids):
                continue
            target = ids[n]
        else:
            target = prefix + str(who)
        try:
            made = ws.update_ledger(lambda ledger, verb=verb, target=target, args=args:
                                    getattr(ledger, verb)(target, **args))
        except TerrainError:
            continue
        if verb in ("grant", "refuse"):
            ids.append(made.id)
    instants = [T0 + timedelta(minutes=m) for m in minutes]
    with ws.consent(subjects) as ledger:  # every instant a status may change at
        for subject in subjects:
            points = turning_points(ledger, subject)
            instants += points + [p - timedelta(microseconds=1) for p in points]
    fresh = Workspace.open(ws.root)  # another process: the stored timelines only
    try:
        for at in sorted(set(instants)):
            for subject in subjects:
                listed = _same(ws, subject, at)
                assert [r[:4] for r in _listed(fresh, subject, at)] == [r[:4] for r in listed]
        everyone = _same(ws, None, instants[0])
        assert [r for r in everyone if r[1].startswith(prefix)] == [
            r for subject in subjects for r in _listed(ws, subject, instants[0])
        ]
    finally:
        fresh.close()


# -- examples ---------------------------------------------------------------------------


def test_a_listing_reads_the_stored_timelines_not_the_consent_log(ws: Workspace) -> None:
    """A new process lists everyone's records without loading the ledger."""
    for member in range(6):
        _grant(ws, f"m{member}", T0 - timedelta(days=member))
    fresh = Workspace.open(ws.root)
    try:
        assert not stale(fresh, None)
        listed = consent_list(fresh, at=LATER)
        assert len(listed) == 6
        assert fresh._ledger is None  # nothing replayed
    finally:
        fresh.close()
    _same(ws, None, LATER)


def test_a_member_found_to_be_a_minor_is_listed_pending_their_guardian(ws: Workspace) -> None:
    _grant(ws, "m1")
    assert [r[2] for r in _same(ws, "m1", LATER)] == ["given"]
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    assert stale(ws, "m1") == {"m1"}
    (row,) = _same(ws, "m1", LATER)
    assert (row[2], row[3]) == ("pending guardian", "waiting for Member 2 (guardian)")
    assert not stale(ws, "m1")  # made again, and stored


def test_a_guardian_renamed_is_named_again_in_the_minors_records(ws: Workspace) -> None:
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    _grant(ws, "m1", subject_assent=True)
    ws.put(Member(id="m2", display_name="Gaëlle"))
    (row,) = _same(ws, "m1", LATER)
    assert row[3] == "waiting for Gaëlle (guardian)"


def test_an_event_stored_without_its_timeline_is_listed(ws: Workspace) -> None:
    """A writer that keeps no timeline (a copy, an older tool) appends an event: the
    stamp is behind the log, so the person's timeline is made again."""
    _grant(ws, "m3")
    other = Workspace.open(ws.root)
    try:
        ledger = other.ledger()
        consent = ledger.grant("m3", purposes=["tag"], at=T0 + timedelta(hours=1),
                               evidence=FORM, consent_id="c-raw")
        with other.db.transaction() as tx:
            other.db.append_consent_event(
                tx, "m3", "2026-03-12T20:30:00+00:00",
                event_to_json(ConsentRecorded(consent=consent)), consent_id="c-raw",
            )
    finally:
        other.close()
    assert stale(ws, None) == {"m3"}
    assert [r[0] for r in _same(ws, "m3", LATER)] == ["c-1", "c-raw"]


def test_a_change_of_guardian_rule_makes_every_timeline_again(ws: Workspace) -> None:
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True,
                  guardian_ids=["m2", "m3"]))
    ws.update_ledger(lambda ledger: ledger.grant(
        "m1", purposes=["publish"], at=T0, evidence=FORM, given_by=["m2", "m1"],
        subject_assent=True))
    assert [r[2] for r in _same(ws, "m1", LATER)] == ["pending guardian"]
    config = ws.root / "terrain.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[consent]\nguardians = "any"\n',
                      encoding="utf-8")
    again = Workspace.open(ws.root)
    try:
        assert again.config.guardian_rule == "any"
        assert stale(again, None) == {"m1"}
        assert [r[2] for r in _same(again, "m1", LATER)] == ["given"]
    finally:
        again.close()


def test_a_read_only_workspace_lists_a_stale_timeline_without_storing_it(
    ws: Workspace,
) -> None:
    _grant(ws, "m1")
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    reader = Workspace.open(ws.root, read_only=True)
    try:
        (row,) = _listed(reader, "m1", LATER)
        assert row[2] == "pending guardian"
        assert consent_list_lines(reader, "m1", at=LATER) == _printed(_replayed(ws, "m1", LATER))
        assert stale(reader, "m1") == {"m1"}  # nothing written
    finally:
        reader.close()


def test_a_store_that_refuses_writes_lists_a_stale_timeline_all_the_same(
    ws: Workspace, store_url: str
) -> None:
    """A workspace not opened read-only whose store turns out not to take writes (a
    read-only file or mount, a busy store): the stale timeline is made again and
    listed, nothing is stored, and the next listing makes it again."""
    if not store_url.startswith("sqlite:"):
        pytest.skip("SQLite's query_only stands for a file that cannot be written")
    _grant(ws, "m1")
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    writer = Workspace.open(ws.root)
    try:
        backend: Any = writer.db.backend
        with backend._acquire_writer():  # its write transactions run on this connection
            backend._writer_conn().execute("PRAGMA query_only = ON")
        with pytest.raises(TerrainError):  # the store refuses writes indeed
            writer.put(Member(id="m9", display_name="Member 9"))
        assert not writer.db.backend.read_only
        for _ in range(2):
            replayed = _replayed(ws, "m1", LATER)
            assert _listed(writer, "m1", LATER) == replayed
            assert consent_list_lines(writer, "m1", at=LATER) == _printed(replayed)
            assert stale(writer, "m1") == {"m1"}  # nothing stored
    finally:
        writer.close()


def test_a_member_a_timeline_read_removed_or_added_since_makes_it_again(
    ws: Workspace,
) -> None:
    """The stamp holds whether each person read was on record: a guardian removed
    since (behind terrain's back), or added back, is a change the listing sees."""
    ws.add(Member(id="m9", display_name="Gaëlle"))
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m9"]))
    _grant(ws, "m1", subject_assent=True)
    named = _same(ws, "m1", LATER)
    assert "Gaëlle" in named[0][3]
    assert not stale(ws, None)
    with ws.db.transaction() as tx:
        ws.db.delete_record(tx, "member", "m9")
    other = Workspace.open(ws.root)  # a process that never knew her
    try:
        assert stale(other, None) == {"m1"}
        _same(other, "m1", LATER)
        assert not stale(other, None)
        ws.add(Member(id="m9", display_name="Gaëlle"))
        assert stale(other, None) == {"m1"}
        assert _same(other, "m1", LATER) == named
        assert not stale(other, None)
    finally:
        other.close()


def test_erasing_a_person_keeps_the_timelines_that_never_named_them(ws: Workspace) -> None:
    from terrain.workflows import erase_member

    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    _grant(ws, "m1", subject_assent=True)
    for member in ("m3", "m4", "m5"):
        _grant(ws, member)
    ws.update_ledger(lambda ledger: ledger.grant(
        "m0", purposes=["tag"], at=T0, evidence=Evidence(kind="verbal", witness="Member 2")))
    _same(ws, None, LATER)
    erase_member(ws, "m2", now=LATER)
    # m1 read her record, m0's record names her as its witness, the tombstone has her
    # events: made again; m3, m4 and m5 are kept
    tombstones = {s for s in stale(ws, None) if s.startswith("erased-")}
    assert len(tombstones) == 1
    assert stale(ws, None) == {"m0", "m1", *tombstones}
    _same(ws, None, LATER + timedelta(hours=1))


def test_migration_14_reads_who_each_stored_timeline_read_from_its_stamp(
    ws: Workspace,
) -> None:
    """A store written before migration 14: its stamps' JSON says who each timeline
    read, so nothing is made again, and a change to one of them is still seen."""
    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    _grant(ws, "m1", subject_assent=True)
    _grant(ws, "m3")
    before = _same(ws, None, LATER)
    with ws.db.transaction() as tx:
        tx.execute("DROP TABLE consent_stamp_people")
        tx.execute("DELETE FROM schema_version WHERE version >= 14")
    again = Workspace.open(ws.root)
    try:
        assert again.db.schema_version() == MIGRATIONS[-1].version
        assert not stale(again, None)
        assert _listed(again, None, LATER) == before
        again.put(Member(id="m2", display_name="Gaëlle"))
        assert stale(again, None) == {"m1"}
        assert _same(again, None, LATER) != before
    finally:
        again.close()


def test_erasing_a_person_forgets_the_timelines_that_named_them(ws: Workspace) -> None:
    from terrain.workflows import erase_member

    ws.put(Member(id="m1", display_name="Member 1", is_minor=True, guardian_ids=["m2"]))
    ws.put(Member(id="m2", display_name="Gaëlle Martin"))
    _grant(ws, "m1", subject_assent=True)
    assert "Gaëlle Martin" in _same(ws, "m1", LATER)[0][3]
    erase_member(ws, "m2", now=LATER)
    for table in ("consent_spans", "consent_standing", "consent_stamps",
                  "consent_stamp_people"):
        for row in ws.db.query(f"SELECT * FROM {table}"):
            assert "Gaëlle" not in " ".join(str(v) for v in row)
    _same(ws, None, LATER + timedelta(hours=1))


def test_a_store_migrated_to_the_timelines_lists_what_it_listed(ws: Workspace) -> None:
    """A workspace written before migration 12: its first listing makes every timeline."""
    for member in range(4):
        _grant(ws, f"m{member}", T0 - timedelta(days=member),
               valid_until=T0 + timedelta(hours=member + 1))
    ws.update_ledger(lambda ledger: ledger.withdraw("m2", at=T0 + timedelta(minutes=5)))
    before = _replayed(ws, None, LATER)
    with ws.db.transaction() as tx:
        for table in ("consent_spans", "consent_standing", "consent_stamps"):
            tx.execute(f"DROP TABLE {table}")
        tx.execute("DELETE FROM schema_version WHERE version >= 12")
    again = Workspace.open(ws.root)
    try:
        assert again.db.schema_version() == MIGRATIONS[-1].version
        assert stale(again, None) == {"m0", "m1", "m2", "m3"}
        assert _listed(again, None, LATER) == before
        assert not stale(again, None)
    finally:
        again.close()


def test_a_listing_at_an_instant_between_two_events_shows_what_stood_then(
    ws: Workspace,
) -> None:
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    _grant(ws, "m1", at, valid_from=at + timedelta(days=1))
    ws.update_ledger(lambda ledger: ledger.withdraw("m1", at=at + timedelta(days=3)))
    statuses = [
        _same(ws, "m1", at + timedelta(hours=h))[0][2] for h in (0, 23, 24, 71, 72, 500)
    ]
    assert statuses == ["scheduled", "scheduled", "given", "given", "withdrawn", "withdrawn"]
    assert _listed(ws, "m1", at - timedelta(microseconds=1)) == []


def test_evidence_of_a_record_is_listed_as_stored(ws: Workspace) -> None:
    ws.update_ledger(lambda ledger: ledger.grant(
        "m4", purposes=["publish"], at=T0, evidence=Evidence(kind="verbal", witness="Samir")))
    (row,) = _same(ws, "m4", LATER)
    assert row[5]["evidence"]["witness"] == "Samir"


# -- the lines the store makes: Python's, character for character ----------------------

_NO_NUL = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_ANY = st.characters(blacklist_categories=("Cs",))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_lines_the_store_makes_are_the_lines_python_makes_of_its_rows(
    ws: Workspace, store_url: str, data: st.DataObject
) -> None:
    """Any ids (wider or narrower than their column, accented, wide, combining),
    statuses, summaries and details (with a NUL, which SQLite keeps and PostgreSQL
    never stores): :meth:`Database.timeline_lines_at` pads, joins and sorts as
    :meth:`ListedConsent.line` and Python's sort do, on both backends."""
    text = _ANY if store_url.startswith("sqlite:") else _NO_NUL
    ids = st.text(_NO_NUL, max_size=20)  # ids are validated: never a NUL
    people = data.draw(st.lists(ids, max_size=6, unique=True), label="people")
    spans: list[tuple[str, int, int, int | None, str, str, str, str]] = []
    for subject in people:
        for pos in range(data.draw(st.integers(0, 3))):
            since = data.draw(st.sampled_from([0, 5, 20]))  # holds at 10 or not
            spans.append((subject, pos, since, data.draw(st.sampled_from([None, 8, 30])),
                          data.draw(ids), data.draw(st.sampled_from(["given", "withdrawn",
                                                                   "pending guardian", "é"])),
                          data.draw(st.text(text, max_size=12)),
                          data.draw(st.text(text, max_size=30))))
    with ws.db.transaction() as tx:
        ws.db.forget_timelines(tx)
        ws.db.replace_timelines(tx, people, spans, [], [], [])
    for subject in (None, *people[:2]):
        rows = sorted(ws.db.timeline_at(10, subject), key=lambda r: (r[0], r[1]))
        expected = [ListedConsent(c, s, status, detail, summary).line()  # type: ignore[arg-type]
                    for s, _, c, status, detail, summary, _ in rows]
        assert ws.db.timeline_lines_at(10, subject) == expected
