"""Migration 4 gives the datetimes of a store written by an older terrain their zone back.

The older terrain wrote ``2026-01-08T19:00:00+01:00`` for a Paris time: the store
is built here at schema version 3 with records written that way (today's JSON
with the ``[zone]`` suffix cut), then opened as a workspace, on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from terrain import Community, Event, Member
from terrain.consent import ConsentLedger, Evidence, event_to_json
from terrain.errors import ConfigError
from terrain.events import Series, occurrences
from terrain.serialization import to_json
from terrain.store import Database, Workspace
from terrain.store._schema import latest_version
from terrain.store._zones import repair_document
from tests.conftest import workspace_store

PARIS = ZoneInfo("Europe/Paris")
VELO = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")


def _unzoned(text: str) -> str:
    return re.sub(r"(\d\d:\d\d)\[[A-Za-z_/+-]+\]", r"\1", text)


def old_json(obj: object) -> str:
    """``obj`` as the terrain before migration 4 wrote it: offsets, no zone."""
    return _unzoned(to_json(obj))


def old_store(tmp_path: Path, store_url: str) -> Path:
    """A workspace whose database is at schema version 3 and holds old JSON."""
    root = tmp_path / "velo"
    Workspace.init(root, community=VELO, store_url=workspace_store(store_url)).close()
    url = store_url if store_url.startswith("postgres") else f"sqlite://{root}/.terrain/terrain.db"
    db = Database.connect(url, migrate=False)
    try:
        with db.transaction() as tx:  # back to version 3, as an older terrain left it
            tx.execute("DROP TABLE schema_notes")
            tx.execute("DELETE FROM schema_version WHERE version > 3")
        series = Series(
            id="apero",
            title="Apéro",
            rule="FREQ=MONTHLY;BYDAY=2TH;COUNT=12",
            first_starts_at=datetime(2026, 1, 8, 19, tzinfo=PARIS),
            minutes=120,
        )
        winter = Event(
            id="apero-20260108",
            title="Apéro",
            starts_at=datetime(2026, 1, 8, 19, tzinfo=PARIS),
            ends_at=datetime(2026, 1, 8, 21, tzinfo=PARIS),
        )
        # what the old expansion stored for April: 19:00 at the winter offset (20:00 Paris)
        april = (
            '{"id":"apero-20260409","title":"Apéro",'
            '"starts_at":"2026-04-09T19:00:00+01:00","ends_at":"2026-04-09T21:00:00+01:00",'
            '"venue_id":null,"capacity":null,"talks":[],"networking_minutes":0,'
            '"series_id":"apero","description":"","sequence":0}'
        )
        lea = Member(id="lea", display_name="2026-01-08T19:00:00+01:00")  # free text
        ledger = ConsentLedger([lea])
        ledger.grant(
            "lea",
            purposes=["publish"],
            at=datetime(2026, 1, 8, 18, 30, tzinfo=UTC),
            evidence=Evidence(kind="verbal", witness="Karim"),
            valid_until=datetime(2027, 1, 8, 0, 0, tzinfo=PARIS),
        )
        (event,) = ledger.events()
        with db.transaction() as tx:
            for kind, key, data in (
                ("series", "apero", old_json(series)),
                ("event", "apero-20260108", old_json(winter)),
                ("event", "apero-20260409", april),
                ("member", "lea", old_json(lea)),
            ):
                tx.execute(
                    "INSERT INTO records (kind, id, data) VALUES (?, ?, ?)", (kind, key, data)
                )
            tx.execute(
                "INSERT INTO consent_events (seq, subject_id, at, data) VALUES (?, ?, ?, ?)",
                (1, "lea", "2026-01-08T18:30:00+00:00", _unzoned(event_to_json(event))),
            )
        assert db.schema_version() == 3
    finally:
        db.close()
    return root


def test_opening_an_old_workspace_gives_its_datetimes_the_community_zone_back(
    tmp_path: Path, store_url: str
) -> None:
    root = old_store(tmp_path, store_url)
    with Workspace.open(root) as ws:
        assert ws.db.schema_version() == latest_version()
        series = ws.get(Series, "apero")
        assert series.first_starts_at.tzinfo is PARIS
        # the series repeats 19:00 Paris time in summer too, as it was meant to
        assert {o.starts_at.hour for o in occurrences(series)} == {19}
        assert ws.get(Event, "apero-20260108").starts_at.tzinfo is PARIS
        april = ws.get(Event, "apero-20260409")
        assert april.starts_at.utcoffset() is not None
        assert not isinstance(april.starts_at.tzinfo, ZoneInfo)  # reported, kept as it was
        assert ws.get(Member, "lea").display_name == "2026-01-08T19:00:00+01:00"
        (consent,) = ws.ledger().for_subject("lea")
        assert consent.valid_until is not None
        assert consent.valid_until.tzinfo is PARIS
        assert consent.history[0].at.tzinfo is UTC  # an instant terrain recorded: UTC
        notes = [note for _, note in ws.db.notes()]
        assert ws.db.migrated_now[0] == 4  # then any later migration
    assert notes[0].startswith("3 stored rows now keep the Europe/Paris zone")
    assert notes[1:] == [
        "event 'apero-20260409': starts_at 2026-04-09T19:00:00+01:00: not a Europe/Paris time "
        "(Europe/Paris was at UTC+02:00 then, this is 20:00 there); kept with its offset",
        "event 'apero-20260409': ends_at 2026-04-09T21:00:00+01:00: not a Europe/Paris time "
        "(Europe/Paris was at UTC+02:00 then, this is 22:00 there); kept with its offset",
    ]


def test_the_repair_is_done_once(tmp_path: Path, store_url: str) -> None:
    root = old_store(tmp_path, store_url)
    Workspace.open(root).close()
    with Workspace.open(root) as ws:
        assert ws.db.migrated_now == []
        assert len(ws.db.notes()) == 3


def test_an_old_store_opened_without_its_zone_is_refused_and_left_as_it_was(
    tmp_path: Path, store_url: str
) -> None:
    root = old_store(tmp_path, store_url)
    url = store_url if store_url.startswith("postgres") else f"sqlite://{root}/.terrain/terrain.db"
    with pytest.raises(ConfigError, match="terrain store migrate"):
        Database.connect(url)
    db = Database.connect(url, migrate=False)
    try:
        assert db.schema_version() == 3
        assert not db.backend.table_exists("schema_notes")
    finally:
        db.close()


def test_free_text_and_dates_are_never_touched() -> None:
    document = {
        "title": "2026-01-08T19:00:00+01:00",
        "joined_on": "2026-01-08",
        "notes": ["2026-01-08T19:00:00+01:00"],
        "starts_at": "2026-01-08T19:00:00+01:00",
    }
    notes: list[str] = []
    assert repair_document(document, PARIS, "x", notes)
    assert document == {
        "title": "2026-01-08T19:00:00+01:00",
        "joined_on": "2026-01-08",
        "notes": ["2026-01-08T19:00:00+01:00"],
        "starts_at": "2026-01-08T19:00:00+01:00[Europe/Paris]",
    }
    assert notes == []


def test_a_utc_time_typed_by_a_person_in_a_utc_community_gets_the_zone() -> None:
    london = ZoneInfo("Europe/London")
    document = {"starts_at": "2026-01-08T19:00:00+00:00", "at": "2026-01-08T19:00:00+00:00"}
    notes: list[str] = []
    repair_document(document, london, "x", notes)
    assert document["starts_at"] == "2026-01-08T19:00:00+00:00[Europe/London]"
    assert document["at"] == "2026-01-08T19:00:00+00:00"  # recorded by terrain: an instant


def test_the_command_that_upgrades_says_so_and_store_migrate_lists_the_notes(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from terrain.cli import main

    root = old_store(tmp_path, "sqlite:///embedded")
    runner = CliRunner()
    listed = runner.invoke(main, ["event", "list", "--workspace", str(root)])
    assert listed.exit_code == 0, listed.output
    assert "Note: the workspace database was upgraded; 3 stored rows" in listed.stderr
    assert "apero-20260409" in listed.stdout
    shown = runner.invoke(main, ["store", "migrate", "--workspace", str(root)])
    assert shown.exit_code == 0, shown.output
    assert "is up to date" in shown.stdout
    assert "[4] event 'apero-20260409': starts_at 2026-04-09T19:00:00+01:00" in shown.stdout
