"""Copying a store to another backend: nothing lost, nothing merged, verified."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import ConsentLedger, DecisionRecord, Evidence, event_to_json
from terrain.errors import ConfigError, Conflict, StorageError
from terrain.posts import Receipt
from terrain.publishing import Journal, TakedownLogEntry
from terrain.serialization import to_json
from terrain.store import Database, copy_store, record_key
from terrain.store._copy import TABLES
from terrain.store._schema import MIGRATIONS
from terrain.store._workspace import RECORD_KINDS
from terrain.testing import strategies as ts

T0 = datetime(2026, 3, 12, 19, 30, tzinfo=UTC)
LEASE = timedelta(minutes=5)
FORM = Evidence(kind="verbal", witness="Camille (organiser)")


def test_the_copy_covers_every_table_the_migrations_create() -> None:
    created = {
        name
        for migration in MIGRATIONS
        for name in re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", migration.sql)
    }
    assert created == set(TABLES)


def test_a_column_a_later_migration_adds_is_copied_too(store_url: str, tmp_path: Path) -> None:
    """Columns come from the database: an ALTER TABLE … ADD COLUMN needs no change here."""
    source = Database.open(tmp_path / "source.db", create=True)
    target = Database.connect(store_url, create=True)
    try:
        for db in (source, target):
            with db.transaction() as tx:
                tx.execute("ALTER TABLE takedown_log ADD COLUMN reviewer TEXT")
        with source.transaction() as tx:
            tx.execute(
                "INSERT INTO takedown_log (seq, subject_id, post_id, platform, remote_id, "
                "outcome, at, reviewer) VALUES (1, 'lea', 'p-1', 'x', '42', 'deleted', ?, ?)",
                ("2026-03-14T10:00:00+00:00", "Camille"),
            )
        copy_store(source, target)
        assert target.query("SELECT reviewer FROM takedown_log") == [("Camille",)]
    finally:
        source.close()
        target.close()


def test_a_target_with_other_columns_is_refused(store_url: str, tmp_path: Path) -> None:
    source = Database.open(tmp_path / "source.db", create=True)
    target = Database.connect(store_url, create=True)
    try:
        with source.transaction() as tx:
            tx.execute("ALTER TABLE records ADD COLUMN extra TEXT")
        with pytest.raises(StorageError, match=r"other columns.*terrain store migrate"):
            copy_store(source, target)
        assert target.record_ids("member") == []
    finally:
        source.close()
        target.close()


# -- a generated workspace ---------------------------------------------------------------


@st.composite
def workspaces(draw: st.DrawFn) -> dict[str, Any]:
    """Records of every kind, a consent history, decisions, journal rows and takedowns."""
    records = {
        kind: draw(st.lists(strategy, max_size=3, unique_by=record_key))
        for kind, strategy in {
            "member": ts.members(),
            "venue": ts.venues(),
            "event": ts.events(),
            "partner": ts.partners(),
            "partnership": ts.partnerships(),
            "content": ts.contents(),
            "project": ts.projects(),
            "workshop": ts.workshops(),
            "series": ts.series(),
            "attendance": ts.attendances(),
            "contribution": ts.contributions(),
            "vote": ts.votes(),
            "project-photo": ts.project_photos(),
        }.items()
    }
    assert set(records) == set(RECORD_KINDS.values())
    adults = [m for m in records["member"] if not m.is_minor]
    steps = draw(
        st.lists(
            st.tuples(st.sampled_from(["grant", "refuse", "withdraw"]), st.integers(0, 9)),
            max_size=6 if adults else 0,
        )
    )
    decisions = draw(
        st.lists(
            st.builds(
                DecisionRecord,
                id=ts.ids(),
                actor=st.just("runner"),
                subject_kind=st.just("post"),
                subject_id=ts.ids(),
                platform=ts.platform_names(),
                purpose=st.just("publish"),
                at=ts.aware_datetimes(),
                outcome=st.sampled_from(["allowed", "denied"]),
            ),
            max_size=4,
            unique_by=lambda d: d.id,
        )
    )
    posts = draw(st.lists(ts.posts(platform="fake"), max_size=5, unique_by=lambda p: p.id))
    fates = draw(st.lists(st.sampled_from(["planned", "claimed", "sent", "held"]), min_size=5))
    return {
        "records": records,
        "steps": steps,
        "adults": adults,
        "decisions": decisions,
        "posts": posts,
        "fates": fates,
    }


def _fill(db: Database, generated: dict[str, Any]) -> None:
    """Write a generated workspace through the store's own methods."""
    with db.transaction() as tx:
        for kind, records in generated["records"].items():
            for record in records:
                db.upsert_record(tx, kind, record_key(record), to_json(record))
                if kind == "content":
                    media = [(m.id, m.checksum, m.key) for m in record.media]
                    db.index_content(tx, record.id, media, sorted(record.member_ids))
        ledger = ConsentLedger(members=generated["adults"])
        for i, (verb, who) in enumerate(generated["steps"]):
            subject = generated["adults"][who % len(generated["adults"])].id
            at = T0 + timedelta(hours=i)
            try:
                if verb == "withdraw":
                    ledger.withdraw(subject, at=at)
                else:
                    getattr(ledger, verb)(subject, purposes=["publish"], at=at, evidence=FORM)
            except (LookupError, ValueError):
                continue  # e.g. nothing to withdraw: the ledger refuses, as in the field
        for event in ledger.events():
            db.append_consent_event(
                tx, event.subject_id, event.at.astimezone(UTC).isoformat(), event_to_json(event)
            )
        for record in generated["decisions"]:
            db.append_decision(
                tx,
                id=record.id,
                at=record.at.astimezone(UTC).isoformat(),
                subject_kind=record.subject_kind,
                subject_id=record.subject_id,
                platform=record.platform,
                data=to_json(record),
            )
    journal = Journal(db, create=False)
    journal.plan(generated["posts"], now=T0)
    for fate in generated["fates"][: len(generated["posts"])]:
        if fate == "planned":
            continue
        owner = "host:1:abcd"
        row = journal.claim_ready("fake", owner, now=T0, lease=LEASE)
        assert row is not None
        if fate == "held":
            journal.mark_held(row, owner, ["Samir refused"], now=T0)
        elif fate == "sent":
            receipt = Receipt(platform="fake", post_id=row.post_id, remote_id="42", published_at=T0)
            journal.mark_sent(row, owner, receipt, now=T0)
            journal.record_takedown(
                TakedownLogEntry(
                    subject_id="lea",
                    post_id=row.post_id,
                    platform="fake",
                    remote_id="42",
                    url=None,
                    outcome="deleted",
                    message="",
                    at=T0 + LEASE,
                )
            )


def _dump(db: Database) -> dict[str, Any]:
    """Everything a workspace reads back, through the store's and the journal's methods."""
    journal = Journal(db, create=False)
    return {
        "records": {kind: db.list_records(kind) for kind in RECORD_KINDS.values()},
        "consent_events": db.consent_events(),
        "decisions": db.decisions(),
        "journal": journal.rows(),
        "takedowns": journal.takedowns(),
        "media": {
            cs: db.find_checksum(cs)
            for (cs,) in db.query("SELECT DISTINCT checksum FROM media_index")
        },
        "appearances": {
            m: db.contents_showing(m)
            for (m,) in db.query("SELECT DISTINCT member_id FROM appearance_index")
        },
        "seqs": db.query("SELECT seq FROM consent_events ORDER BY seq"),
    }


@pytest.fixture
def middle(postgres_database: str) -> Iterator[Database]:
    """One PostgreSQL database for every example of a property test (emptied by each)."""
    db = Database.connect(postgres_database)
    yield db
    db.close()


def _empty(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute(f"TRUNCATE {', '.join(TABLES)}")


@pytest.mark.postgres
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=workspaces())
def test_a_workspace_copied_to_postgresql_and_back_round_trips_everything(
    middle: Database, tmp_path: Path, generated: dict[str, Any]
) -> None:
    _empty(middle)
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        source = Database.open(Path(folder) / "source.db", create=True)
        back = Database.open(Path(folder) / "back.db", create=True)
        try:
            _fill(source, generated)
            there = copy_store(source, middle)
            again = copy_store(middle, back)
            expected = _dump(source)
            assert _dump(middle) == expected
            assert _dump(back) == expected
            assert there.tables == again.tables  # same counts and digests all along
        finally:
            source.close()
            back.close()


# -- refusals ----------------------------------------------------------------------------


@pytest.fixture
def full(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(tmp_path / "full.db", create=True)
    with db.transaction() as tx:
        db.upsert_record(tx, "member", "lea", to_json(Member(id="lea", display_name="Léa")))
    yield db
    db.close()


def test_a_target_holding_rows_is_refused_and_left_as_it_was(
    full: Database, store_url: str
) -> None:
    target = Database.connect(store_url, create=True)
    try:
        with target.transaction() as tx:
            target.upsert_record(tx, "member", "tom", to_json(Member(id="tom", display_name="Tom")))
        with pytest.raises(Conflict, match=r"not empty \(1 in records\).*never merges"):
            copy_store(full, target)
        assert target.record_ids("member") == ["tom"]
    finally:
        target.close()


def test_copying_a_store_onto_itself_is_refused(full: Database) -> None:
    with pytest.raises(ConfigError, match="same store"):
        copy_store(full, full)


def test_the_same_store_spelled_another_way_is_refused_instead_of_waiting_on_itself(
    store_url: str, tmp_path: Path
) -> None:
    if store_url.startswith("sqlite:"):
        real = Path(store_url.removeprefix("sqlite://"))
        link = tmp_path / "link"
        link.mkdir()
        (link / "alias.db").symlink_to(real)
        other = f"sqlite://{link / 'alias.db'}"
    else:
        other = store_url.replace("postgresql://", "postgres://", 1)
    source = Database.connect(store_url, create=True)
    try:
        target = Database.connect(other)
        try:
            with pytest.raises(ConfigError, match="same store"):
                copy_store(source, target)
        finally:
            target.close()
    finally:
        source.close()


def test_the_copy_keeps_consent_sequence_numbers(full: Database, store_url: str) -> None:
    with full.transaction() as tx:
        for seq_at in ("2026-03-01T10:00:00+00:00", "2026-03-02T10:00:00+00:00"):
            full.append_consent_event(tx, "lea", seq_at, f'{{"at": "{seq_at}"}}')
    target = Database.connect(store_url, create=True)
    try:
        report = copy_store(full, target)
        assert target.query("SELECT seq, at FROM consent_events ORDER BY seq") == full.query(
            "SELECT seq, at FROM consent_events ORDER BY seq"
        )
        assert {t.table: t.rows for t in report.tables}["consent_events"] == 2
        assert report.rows == 3
    finally:
        target.close()
